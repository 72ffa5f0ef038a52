package dev.reelay.spring.boot.internal;

import dev.reelay.PipelineClosedException;
import dev.reelay.PipelineResult;
import dev.reelay.RecordingPipeline;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * Runs the pipeline with the context: {@code resume()} when it starts, {@code retryDue()} every interval
 * (with {@code resume()} first on a shared journal, to take over what a dead instance left), and
 * {@code close(gracePeriod)} when it stops. Its phase is below the web server's, so it starts before the
 * server takes requests and stops after the server has finished those under way.
 */
public final class PipelineLifecycle implements SmartLifecycle {

    /** Below the web server's graceful shutdown ({@code DEFAULT_PHASE - 1024}) and start/stop ({@code - 2048}). */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private static final Logger log = LoggerFactory.getLogger(PipelineLifecycle.class);

    private final RecordingPipeline pipeline;
    private final boolean resumeOnStart;
    private final Duration retryInterval;
    private final boolean resumeEveryInterval;
    private final Duration closeGracePeriod;
    private Disposable resumeRun;
    private Disposable retries;
    private volatile boolean running;

    public PipelineLifecycle(RecordingPipeline pipeline, boolean resumeOnStart, Duration retryInterval,
                             boolean resumeEveryInterval, Duration closeGracePeriod) {
        this.pipeline = pipeline;
        this.resumeOnStart = resumeOnStart;
        this.retryInterval = retryInterval == null || retryInterval.isNegative() ? Duration.ZERO : retryInterval;
        this.resumeEveryInterval = resumeEveryInterval;
        this.closeGracePeriod = closeGracePeriod;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        if (resumeOnStart) {
            resumeRun = pipeline.resume().subscribe(r -> log("resumed", r), e -> failed("resume()", e));
        }
        if (!retryInterval.isZero()) {
            retries = Flux.interval(retryInterval, retryInterval)
                    .onBackpressureDrop()
                    .concatMap(tick -> (resumeEveryInterval ? pipeline.resume().concatWith(pipeline.retryDue()) : pipeline.retryDue())
                            .onErrorResume(e -> {
                                failed("retryDue()", e);
                                return Flux.empty();
                            }), 0)
                    .subscribe(r -> log("retried", r));
        }
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        if (retries != null) {
            retries.dispose();   // no new round; a round under way is let finish, or cut off, by close
        }
        pipeline.close(closeGracePeriod);
        if (resumeRun != null) {
            resumeRun.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    private static void log(String how, PipelineResult r) {
        log.info("Reelay {} recording {}: {}", how, r.recordingId(), r.status());
    }

    private static void failed(String what, Throwable e) {
        if (e instanceof PipelineClosedException) {
            log.info("Reelay's {} was cut off by the application's stop; the next start resumes it: {}", what, e.getMessage());
        } else {
            log.warn("Reelay's {} failed: {}", what, e.toString());
        }
    }
}
