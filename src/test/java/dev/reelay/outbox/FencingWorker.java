package dev.reelay.outbox;

import com.zaxxer.hikari.HikariDataSource;
import dev.reelay.FileOutcome;
import dev.reelay.FileRole;
import dev.reelay.storage.MultipartProgress;
import dev.reelay.support.PostgresServer;
import dev.reelay.webhook.WebhookOutcome;
import java.time.Duration;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * The instance of the fencing test that is paused, in a child JVM: it accepts one recording,
 * starts a multipart upload of it in the journal, then records a part every 50 ms. Prints
 * "held TOKEN", then "wrote N" for each part the journal took, "lost N" for each it refused with
 * {@link LeaseLostException}, "failed N …" for any other failure; after three refusals it tries
 * its other writes once each ("lost fileStored", …), prints "END" and exits.
 *
 * <p>Arguments: JDBC URL, schema, lease in milliseconds, recording id.
 */
public final class FencingWorker {

    private FencingWorker() {
    }

    public static void main(String[] args) {
        HikariDataSource dataSource = PostgresServer.dataSource(args[0], 2);
        Outbox outbox = PostgresOutbox.builder(dataSource).schema(args[1]).instanceName("paused")
                .lease(Duration.ofMillis(Long.parseLong(args[2]))).build();
        long id = Long.parseLong(args[3]);
        Lease lease = outbox.accept(JournalTest.recording(id), "v1").block(Duration.ofSeconds(30)).lease();
        outbox.multipartStarted(lease, "video.mkv", new MultipartProgress("up-paused", 5 << 20, 50 << 20, 1700, List.of()))
                .block(Duration.ofSeconds(30));
        System.out.println("held " + lease.token());
        int lost = 0;
        for (int n = 1; lost < 3; n++) {
            String outcome = outcome(outbox.partStored(lease, "video.mkv", "up-paused",
                    new MultipartProgress.Part(n, "\"paused-" + n + "\"", 5 << 20)));
            System.out.println(outcome + " " + n);
            if (outcome.startsWith("lost")) {
                lost++;
            }
            Mono.delay(Duration.ofMillis(50)).block();
        }
        FileOutcome file = new FileOutcome(FileRole.TRANSCRIPT, "transcript.txt", id + "/transcript.txt", "x", 1, 9, null);
        System.out.println(outcome(outbox.fileStored(lease, file)) + " fileStored");
        System.out.println(outcome(outbox.multipartStarted(lease, "video.mkv",
                new MultipartProgress("up-paused-2", 5 << 20, 50 << 20, 1700, List.of()))) + " multipartStarted");
        System.out.println(outcome(outbox.delivery(lease, new WebhookOutcome("https://h/hook", "msg_paused",
                WebhookOutcome.State.DELIVERED, 200, 1, null, null))) + " delivery");
        System.out.println(outcome(outbox.finish(lease, JournalTest.DONE, OutboxEntry.State.DONE, null)) + " finish");
        System.out.println("END");
        outbox.close();
        dataSource.close();
        System.exit(0);
    }

    private static String outcome(Mono<Void> write) {
        try {
            write.block(Duration.ofSeconds(30));
            return "wrote";
        } catch (LeaseLostException e) {
            return "lost";
        } catch (RuntimeException e) {
            return "failed (" + e.getMessage() + ")";
        }
    }
}
