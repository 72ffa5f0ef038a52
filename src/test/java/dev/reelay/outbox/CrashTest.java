package dev.reelay.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.internal.outbox.SqliteOutbox;
import dev.reelay.media.TestVideos;
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
import java.util.function.Predicate;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

/**
 * Nothing accepted is lost: a child JVM processes recordings, some large enough to go in parts,
 * with media on (real videos, thumbnails cut), and is killed with SIGKILL while multipart uploads
 * are under way, several times; each time it restarts in another working directory, resumes and
 * submits everything again, with relative paths. In the end every recording was delivered, every
 * repeat with the webhook-id of its first delivery, and every object's bytes are right.
 */
class CrashTest {

    static final int RECORDINGS = 20;
    static final int LARGE = 6;
    static final int KILLS = 5;
    static final int IN_FLIGHT = 8;

    @TempDir
    Path dir;

    @Test
    void killedMidUploadAndResumedEveryRecordingIsDeliveredWithItsBytes() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Path recordings = dir.resolve("recordings");
        Path video = TestVideos.smallVideo(dir, "meeting");
        for (int i = 1; i <= RECORDINGS; i++) {
            Path d = recordings.resolve(Integer.toString(i));
            if (i % (RECORDINGS / LARGE) == 0) {
                // large enough for two or three parts: random bytes, which media only warns about
                Recordings.file(d, "video.mkv", 2 * CrashWorker.PART + random.nextInt((int) CrashWorker.PART));
            } else {
                Files.createDirectories(d);
                Files.copy(video, d.resolve("video.mkv"));
            }
            Recordings.file(d, "transcript.txt", 1_000 + random.nextInt(5_000));
        }
        Path outboxDir = dir.resolve("outbox");
        // two working directories at different depths: a path journaled relative would not resolve from the other
        List<Path> cwds = List.of(Files.createDirectories(dir.resolve("a")), Files.createDirectories(dir.resolve("b/c")));

        try (S3TestServer s3 = S3TestServer.start(); TestReceiver receiver = TestReceiver.start(Recordings.EMAIL)) {
            List<String> kills = new CopyOnWriteArrayList<>();
            for (int k = 0; k < KILLS; k++) {
                Worker worker = Worker.start(cwds.get(k % 2), outboxDir, s3, receiver, recordings);
                // kill while a multipart upload is under way (or at once, if nothing large is left)
                boolean midway = worker.await(l -> l.startsWith("midway"), Duration.ofSeconds(60));
                long pause = random.nextInt(400);
                worker.process.waitFor(pause, TimeUnit.MILLISECONDS);
                worker.process.destroyForcibly();
                assertThat(worker.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
                kills.add("after " + worker.done() + " results" + (midway ? " mid-upload +" + pause + " ms" : ", nothing large left"));
            }
            Worker last = Worker.start(cwds.get(KILLS % 2), outboxDir, s3, receiver, recordings);
            assertThat(last.process.waitFor(180, TimeUnit.SECONDS)).as("the last run ends; kills: %s, seed %d", kills, seed)
                    .isTrue();
            assertThat(last.output).as("seed %d, kills %s", seed, kills).contains("ALL DONE");
            assertThat(last.output).filteredOn(l -> l.startsWith("done ")).as("seed %d", seed)
                    .allSatisfy(l -> assertThat(l).endsWith(" COMPLETED"));

            int repeats = receiver.assertEveryDeliveredRepeatsSameId(LongStream.rangeClosed(1, RECORDINGS).boxed().toList());
            System.out.printf("crash: %d kills (%s), %d deliveries repeated, seed %d%n", KILLS, kills, repeats, seed);
            assertThat(repeats).as("a kill can repeat at most the deliveries in flight").isLessThanOrEqualTo(KILLS * IN_FLIGHT);
            for (long id = 1; id <= RECORDINGS; id++) {
                for (String name : List.of("video.mkv", "transcript.txt")) {
                    assertThat(s3.sha256(id + "/" + name)).as("%d/%s (seed %d)", id, name, seed)
                            .isEqualTo(S3TestServer.sha256(Files.readAllBytes(recordings.resolve(id + "/" + name))));
                }
                assertThat(s3.exists(id + "/metadata.json")).isTrue();
                boolean large = id % (RECORDINGS / LARGE) == 0;
                assertThat(s3.exists(id + "/thumbnail.jpg")).as("thumbnail of %d", id).isEqualTo(!large);
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
                        synchronized (output) {
                            output.add(line);
                            output.notifyAll();
                        }
                    }
                } catch (IOException e) {
                    // the process died: what was read is what there is
                } finally {
                    synchronized (output) {
                        output.notifyAll();
                    }
                }
            }, "crash-worker-output");
            reader.setDaemon(true);
            reader.start();
        }

        static Worker start(Path cwd, Path outboxDir, S3TestServer s3, TestReceiver receiver, Path recordings)
                throws IOException {
            return start(cwd, outboxDir, s3.endpoint().toString(), receiver, recordings, RECORDINGS);
        }

        /** A worker for recordings 1 to {@code count}, storing through {@code s3Endpoint} (a front, say). */
        static Worker start(Path cwd, Path outboxDir, String s3Endpoint, TestReceiver receiver, Path recordings, int count)
                throws IOException {
            return new Worker(new ProcessBuilder(JournalTest.javaCommand(), "-Xmx256m",
                    "-cp", System.getProperty("java.class.path"), CrashWorker.class.getName(),
                    outboxDir.toString(), s3Endpoint, receiver.url(), cwd.relativize(recordings).toString(),
                    Integer.toString(count))
                    .directory(cwd.toFile())
                    .redirectErrorStream(true)
                    .start());
        }

        long done() {
            return output.stream().filter(l -> l.startsWith("done ")).count();
        }

        /** Waits until a line matches or the worker ended; true when a line matched. */
        boolean await(Predicate<String> line, Duration limit) throws InterruptedException {
            long deadline = System.nanoTime() + limit.toNanos();
            synchronized (output) {
                for (long left; output.stream().noneMatch(line) && process.isAlive()
                        && (left = deadline - System.nanoTime()) > 0; ) {
                    output.wait(Math.max(1, left / 1_000_000));
                }
                return output.stream().anyMatch(line);
            }
        }
    }
}
