package dev.reelay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.PipelineResult.Status;
import dev.reelay.outbox.OutboxOptions;
import dev.reelay.support.LeakRecorder;
import dev.reelay.support.Recordings;
import dev.reelay.support.ReelayBlockHound;
import dev.reelay.support.S3TestServer;
import dev.reelay.support.TestReceiver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** What the whole run must not leave behind: blocking on non-blocking threads, leaked buffers, threads, files. */
@Order(Integer.MAX_VALUE)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HygieneTest {

    static final Set<String> OURS = Set.of("reelay-", "aws-java-sdk-NettyEventLoop", "sdk-async-response");

    @TempDir
    Path dir;

    @Test
    @Order(0)
    void nothingBlockedANonBlockingThreadInTheWholeRun() {
        assertThat(ReelayBlockHound.detected()).as("blocking calls on non-blocking threads").isEmpty();
    }

    @Test
    @Order(1)
    void blockHoundWatchesTheWholeRun() {
        StepVerifier.create(Mono.fromCallable(() -> {
                    Thread.sleep(1);
                    return "slept";
                }).subscribeOn(Schedulers.parallel()))
                .expectError(BlockingOperationError.class)
                .verify(Duration.ofSeconds(10));
    }

    @Test
    @Order(2)
    void closeLeavesNoThreadsAndNoOpenFiles() throws Exception {
        try (S3TestServer s3 = S3TestServer.start(); TestReceiver receiver = TestReceiver.start(Recordings.EMAIL)) {
            // warm-up: what the JVM and the servers start once is not ours to stop
            run(s3, receiver, 1);
            Set<String> before = ourThreads();
            long fdsBefore = openFiles();

            run(s3, receiver, 2);

            // threads a close() stopped may still be finishing: wait for each to end
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (OURS.stream().anyMatch(t.getName()::startsWith) && !before.contains(t.getName())) {
                    t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                }
            }
            assertThat(ourThreads()).isEqualTo(before);
            assertThat(openFiles()).isLessThanOrEqualTo(fdsBefore);
        }
    }

    private void run(S3TestServer s3, TestReceiver receiver, long id) {
        try (RecordingPipeline pipeline = RecordingPipeline.create(PipelineOptions.builder()
                .s3(s3.options().build())
                .webhook(receiver.url())
                .outbox(OutboxOptions.builder().directory(dir.resolve("outbox-" + id)).build())
                .build())) {
            StepVerifier.create(pipeline.submit(Recordings.threeFiles(dir, id, 10_000, 1_000, 100)))
                    .assertNext(r -> assertThat(r.status()).isEqualTo(Status.COMPLETED))
                    .expectComplete()
                    .verify(Duration.ofSeconds(60));
        }
    }

    /** Threads of the pipeline, its S3 client and its outbox; the JVM's and the servers' are left out. */
    private static Set<String> ourThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> OURS.stream().anyMatch(name::startsWith))
                .collect(Collectors.toSet());
    }

    private static long openFiles() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    @Order(3)
    void nettyFoundNoLeakedBufferInTheWholeRun() {
        provokeLeakReports();
        assertThat(LeakRecorder.reports()).as("Netty leak reports").isEmpty();

        // and the detector is really listening: a buffer leaked on purpose is reported
        leakOne();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (LeakRecorder.reports().isEmpty() && System.nanoTime() < deadline) {
            provokeLeakReports();
        }
        assertThat(LeakRecorder.reports()).anySatisfy(r -> assertThat(r).contains("LEAK"));
        LeakRecorder.clear();
    }

    private static void leakOne() {
        PooledByteBufAllocator.DEFAULT.buffer(64).writeLong(42);
    }

    /** Leaks are reported when a collected buffer's tracker is polled, on the next allocation. */
    private static void provokeLeakReports() {
        for (int i = 0; i < 5; i++) {
            System.gc();
            List<ByteBuf> buffers = Stream.generate(() -> PooledByteBufAllocator.DEFAULT.buffer(16)).limit(64).toList();
            buffers.forEach(ByteBuf::release);
        }
    }

    @Test
    @Order(4)
    void blockingThatALibrarySwallowsIsStillRecorded() {
        ReelayBlockHound.clear();
        StepVerifier.create(Mono.delay(Duration.ofMillis(1)).map(t -> {
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException | BlockingOperationError swallowed) {
                        return -1L;
                    }
                    return t;
                }))
                .expectNext(-1L)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        assertThat(ReelayBlockHound.detected()).singleElement().asString()
                .startsWith("parallel-").contains("java.lang.Thread.sleep");
        ReelayBlockHound.clear();
    }
}
