package dev.reelay.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.internal.outbox.SqliteOutbox;
import dev.reelay.support.Recordings;
import dev.reelay.support.S3TestServer;
import dev.reelay.support.TestReceiver;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

/**
 * Nothing accepted is lost: a child JVM processes 30 recordings and is killed with SIGKILL at
 * random points, several times; each time it restarts with {@code resume()}. In the end every
 * recording is complete at the receiver, created exactly once, with every object's bytes right.
 */
class CrashTest {

    static final int RECORDINGS = 30;
    static final int KILLS = 4;

    @TempDir
    Path dir;

    @Test
    void killedAtRandomPointsAndResumedEveryRecordingCompletesOnce() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Path recordings = dir.resolve("recordings");
        for (int i = 1; i <= RECORDINGS; i++) {
            Path d = recordings.resolve(Integer.toString(i));
            Recordings.file(d, "video.mkv", 200_000 + random.nextInt(600_000));
            Recordings.file(d, "transcript.txt", 1_000 + random.nextInt(5_000));
        }
        Path outboxDir = dir.resolve("outbox");

        try (S3TestServer s3 = S3TestServer.start(); TestReceiver receiver = TestReceiver.start(Recordings.EMAIL)) {
            List<String> kills = new CopyOnWriteArrayList<>();
            for (int k = 0; k < KILLS; k++) {
                Worker worker = Worker.start(outboxDir, s3, receiver, recordings);
                // kill once it works, after a random number of finished recordings and a random pause
                int after = random.nextInt(4);
                boolean finished = worker.awaitLines(after, Duration.ofSeconds(60));
                long pause = random.nextInt(150);
                worker.process.waitFor(pause, TimeUnit.MILLISECONDS);
                worker.process.destroyForcibly();
                assertThat(worker.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
                kills.add("after " + worker.done() + " results (+" + pause + " ms)" + (finished ? "" : ", early"));
            }
            Worker last = Worker.start(outboxDir, s3, receiver, recordings);
            assertThat(last.process.waitFor(120, TimeUnit.SECONDS)).as("the last run ends; kills: %s, seed %d", kills, seed)
                    .isTrue();
            assertThat(last.output).as("seed %d", seed).contains("ALL DONE");

            for (long id = 1; id <= RECORDINGS; id++) {
                TestReceiver.Stored stored = receiver.stored(id);
                assertThat(stored).as("recording %d at the receiver (seed %d, kills %s)", id, seed, kills).isNotNull();
                assertThat(stored.timesCreated()).as("recording %d created once", id).isEqualTo(1);
                for (String name : List.of("video.mkv", "transcript.txt")) {
                    assertThat(s3.sha256(id + "/" + name)).as("%d/%s", id, name)
                            .isEqualTo(S3TestServer.sha256(Files.readAllBytes(recordings.resolve(id + "/" + name))));
                }
                assertThat(s3.exists(id + "/metadata.json")).isTrue();
                assertThat(stored.payload().at("/uploaded_files/transcript").asText()).endsWith(id + "/transcript.txt");
            }
        }

        SqliteOutbox outbox = new SqliteOutbox(outboxDir, Clock.systemUTC(), Duration.ofDays(1));
        StepVerifier.create(outbox.unfinished().concatWith(outbox.pending()))
                .expectComplete()
                .verify(Duration.ofSeconds(30));
        outbox.close();
    }

    /** One run of the child JVM, its output collected as it comes. */
    static final class Worker {
        final Process process;
        final List<String> output = new CopyOnWriteArrayList<>();

        private Worker(Process process) {
            this.process = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream()))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        output.add(line);
                    }
                } catch (IOException e) {
                    // the process died: what was read is what there is
                }
            }, "crash-worker-output");
            reader.setDaemon(true);
            reader.start();
        }

        static Worker start(Path outboxDir, S3TestServer s3, TestReceiver receiver, Path recordings) throws IOException {
            return start(outboxDir, s3.endpoint().toString(), receiver, recordings, RECORDINGS);
        }

        /** A worker for recordings 1 to {@code count}, storing through {@code s3Endpoint} (a front, say). */
        static Worker start(Path outboxDir, String s3Endpoint, TestReceiver receiver, Path recordings, int count)
                throws IOException {
            return new Worker(new ProcessBuilder(JournalTest.javaCommand(), "-Xmx256m",
                    "-cp", System.getProperty("java.class.path"), CrashWorker.class.getName(),
                    outboxDir.toString(), s3Endpoint, receiver.url(), recordings.toString(),
                    Integer.toString(count))
                    .redirectErrorStream(true)
                    .start());
        }

        long done() {
            return output.stream().filter(l -> l.startsWith("done ")).count();
        }

        /** Waits until the worker started and printed {@code n} results, or ended; true when it did. */
        boolean awaitLines(int n, Duration limit) throws InterruptedException {
            long deadline = System.nanoTime() + limit.toNanos();
            while ((!output.contains("started") || done() < n) && process.isAlive() && System.nanoTime() < deadline) {
                process.waitFor(5, TimeUnit.MILLISECONDS);
            }
            return done() >= n;
        }
    }
}
