package dev.reelay.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.support.FaultyFront;
import dev.reelay.support.Recordings;
import dev.reelay.support.S3TestServer;
import dev.reelay.support.TestReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM uploading a 200 MiB video through a throttled uplink is killed with SIGKILL past the
 * half of it; the next run's resume() continues the multipart upload from the parts the store
 * holds. Counted at the front: the store received at most the file and two parts more in all;
 * the object is whole and no unfinished upload is left.
 */
class CrashMidFileTest {

    static final long SIZE = 200L << 20;
    /** The worker's part size. */
    static final long PART = CrashWorker.PART;
    /** Headers, listings, the transcript and the metadata: far below a part. */
    static final long OVERHEAD = 1L << 20;

    @TempDir
    Path dir;

    @Test
    void killedPastHalfOfALargeFileTheResumedRunSendsOnlyWhatIsMissing() throws Exception {
        Path recordings = dir.resolve("recordings");
        Path video = Recordings.file(recordings.resolve("1"), "video.mkv", SIZE);
        Recordings.file(recordings.resolve("1"), "transcript.txt", 1_000);
        Path outboxDir = dir.resolve("outbox");

        try (S3TestServer s3 = S3TestServer.start();
             TestReceiver receiver = TestReceiver.start(Recordings.EMAIL);
             FaultyFront front = FaultyFront.in(s3.endpoint())) {
            front.throttleUploads(16L << 20);
            CrashTest.Worker first = CrashTest.Worker.start(dir, outboxDir, front.endpoint().toString(), receiver, recordings, 1);
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (front.bytesUp() < SIZE / 2 + PART && first.process.isAlive() && System.nanoTime() < deadline) {
                first.process.waitFor(10, TimeUnit.MILLISECONDS);
            }
            assertThat(first.process.isAlive()).as("still uploading: %s", first.output).isTrue();
            first.process.destroyForcibly();
            assertThat(first.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            long beforeKill = front.bytesUp();
            assertThat(receiver.requests()).isEmpty();

            CrashTest.Worker second = CrashTest.Worker.start(dir, outboxDir, front.endpoint().toString(), receiver, recordings, 1);
            assertThat(second.process.waitFor(180, TimeUnit.SECONDS)).as("the resumed run ends").isTrue();
            assertThat(second.output).contains("done 1 COMPLETED", "ALL DONE");

            long total = front.bytesUp();
            assertThat(total).as("bytes the store received in all (%d before the kill)", beforeKill)
                    .isBetween(SIZE, SIZE + 2 * PART + OVERHEAD);
            assertThat(s3.sha256("1/video.mkv")).isEqualTo(S3TestServer.sha256(Files.readAllBytes(video)));
            assertThat(s3.unfinishedUploads()).isEmpty();
            assertThat(receiver.assertEveryDeliveredRepeatsSameId(java.util.List.of(1L))).as("delivered once").isZero();
        }
    }
}
