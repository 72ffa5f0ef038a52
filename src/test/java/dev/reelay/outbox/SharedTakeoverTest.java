package dev.reelay.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.support.ChildJvm;
import dev.reelay.support.FaultyFront;
import dev.reelay.support.PostgresServer;
import dev.reelay.support.Recordings;
import dev.reelay.support.S3TestServer;
import dev.reelay.support.TestReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A large file taken over mid-upload is continued, not restarted: an instance sharing the journal
 * in PostgreSQL is killed with SIGKILL past the half of a multipart upload, and another instance
 * takes the recording over once the lease expired. Counted at a front before the store: the store
 * received the file and at most two parts more in all; the object is whole, no unfinished upload
 * is left, and the receiver got the webhook once.
 */
class SharedTakeoverTest {

    static final long PART = SharedWorker.PART;
    static final long SIZE = 12 * PART;
    /** Headers, listings, the transcript and the metadata: far below a part. */
    static final long OVERHEAD = 1L << 20;
    static final Duration LEASE = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    final String schema = PostgresServer.freshSchema();
    final PostgresServer postgres = PostgresServer.shared();

    @Test
    void anInstanceThatTakesOverALargeFileContinuesItFromTheStoredParts() throws Exception {
        Path recordings = dir.resolve("recordings");
        Path video = Recordings.file(recordings.resolve("1"), "video.mkv", SIZE);
        Recordings.file(recordings.resolve("1"), "transcript.txt", 1_000);

        ChildJvm victim = null;
        ChildJvm taker = null;
        try (S3TestServer s3 = S3TestServer.start();
             TestReceiver receiver = TestReceiver.start(Recordings.EMAIL);
             FaultyFront front = FaultyFront.in(s3.endpoint())) {
            front.throttleUploads(8L << 20);
            victim = worker("victim", front, receiver, recordings);
            boolean pastHalf = SharedCrashTest.awaitUntil(Duration.ofSeconds(60), () -> front.bytesUp() > SIZE / 2 + PART);
            assertThat(pastHalf).as("past half: %s", victim.output()).isTrue();
            victim.kill();
            long beforeKill = front.bytesUp();

            taker = worker("taker", front, receiver, recordings);
            assertThat(taker.await(l -> l.equals("done 1 COMPLETED"), Duration.ofSeconds(90)))
                    .as("taken over once the lease expired: %s", taker.output()).isTrue();
            assertThat(taker.stop(Duration.ofSeconds(30))).isTrue();

            long total = front.bytesUp();
            assertThat(total).as("bytes the store received in all (%d before the kill)", beforeKill)
                    .isBetween(SIZE, SIZE + 2 * PART + OVERHEAD);
            assertThat(s3.sha256("1/video.mkv")).isEqualTo(S3TestServer.sha256(Files.readAllBytes(video)));
            assertThat(s3.unfinishedUploads()).isEmpty();
            assertThat(receiver.assertEveryDeliveredRepeatsSameId(List.of(1L))).isZero();
        } finally {
            for (ChildJvm w : new ChildJvm[] {victim, taker}) {
                if (w != null && w.alive()) {
                    w.kill();
                }
            }
        }
    }

    ChildJvm worker(String name, FaultyFront front, TestReceiver receiver, Path recordings) throws Exception {
        return ChildJvm.start(name, SharedWorker.class, "192m", List.of(postgres.jdbcUrl(), schema, name,
                front.endpoint().toString(), receiver.url(), recordings.toString(), "1", Long.toString(LEASE.toMillis())));
    }
}
