package dev.reelay.support;

import dev.reelay.PipelineOptions;
import dev.reelay.PipelineResult;
import dev.reelay.Recording;
import dev.reelay.RecordingPipeline;
import dev.reelay.webhook.WebhookEndpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.util.retry.Retry;

/**
 * The real servers of a test class: one S3 API server for the class (emptied after each test),
 * a fresh receiver per test, and the test's pipeline closed after it.
 */
public abstract class ServersTest {

    protected static final Duration LIMIT = Duration.ofSeconds(60);

    protected static S3TestServer s3;
    protected TestReceiver receiver;
    /** The pipeline of the running test; closed after it. */
    protected RecordingPipeline pipeline;

    @TempDir
    protected Path dir;

    @BeforeAll
    static void startS3() {
        s3 = S3TestServer.start();
    }

    @AfterAll
    static void stopS3() {
        s3.close();
    }

    private String journalBefore;

    @BeforeEach
    void startReceiver() {
        receiver = TestReceiver.start(Recordings.EMAIL);
        // every test its own journal: nothing one test journaled is found by another
        journalBefore = System.setProperty("reelay.outbox.dir", dir.resolve("journal").toString());
    }

    @AfterEach
    void stopPipelineAndReceiver() {
        if (pipeline != null) {
            pipeline.close();
            pipeline = null;
        }
        receiver.close();
        s3.clear();
        if (journalBefore == null) {
            System.clearProperty("reelay.outbox.dir");
        } else {
            System.setProperty("reelay.outbox.dir", journalBefore);
        }
    }

    /** An endpoint that retries quickly, so that tests of retries don't wait. */
    public static WebhookEndpoint.Builder fastEndpoint(String url) {
        return WebhookEndpoint.builder(url)
                .attemptTimeout(Duration.ofSeconds(5))
                .retry(Retry.backoff(3, Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(50)));
    }

    /** Creates the test's pipeline with these options and runs every recording through it. */
    protected List<PipelineResult> processAll(PipelineOptions options, Flux<Recording> recordings) {
        pipeline = RecordingPipeline.create(options);
        List<PipelineResult> results = new ArrayList<>();
        StepVerifier.create(pipeline.process(recordings))
                .recordWith(() -> results)
                .thenConsumeWhile(r -> true)
                .expectComplete()
                .verify(Duration.ofMinutes(2));
        return results;
    }

    /** Creates the test's pipeline with these options and runs one recording through it. */
    protected PipelineResult submit(PipelineOptions options, Recording recording) {
        pipeline = RecordingPipeline.create(options);
        AtomicReference<PipelineResult> result = new AtomicReference<>();
        StepVerifier.create(pipeline.submit(recording))
                .consumeNextWith(result::set)
                .expectComplete()
                .verify(LIMIT);
        return result.get();
    }
}
