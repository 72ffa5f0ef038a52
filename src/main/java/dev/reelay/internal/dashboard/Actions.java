package dev.reelay.internal.dashboard;

import dev.reelay.PipelineResult;
import dev.reelay.RecordingPipeline;
import dev.reelay.UserInfo;
import dev.reelay.webhook.NetworkPolicy;
import dev.reelay.webhook.WebhookClient;
import dev.reelay.webhook.WebhookEndpoint;
import dev.reelay.webhook.WebhookTest;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * What the dashboard's buttons do, each through the public API a host would call. A retry or a
 * resend runs to its end whatever happens to the request that started it (a closed tab must not cut a
 * recording's run short): the answer waits a few seconds for the result, then says it is still
 * running, and the page follows the recording until it ends; the end is logged either way.
 */
final class Actions implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("dev.reelay.dashboard");

    private final RecordingPipeline pipeline;
    private final WebhookClient ownEndpoints;
    private final WebhookClient typedUrls;
    private final Duration wait;

    Actions(RecordingPipeline pipeline, NetworkPolicy testWebhookPolicy, Duration wait) {
        this.pipeline = pipeline;
        this.wait = wait;
        this.ownEndpoints = WebhookClient.create(pipeline.options().networkPolicy());
        this.typedUrls = WebhookClient.create(testWebhookPolicy);
    }

    /** The result when it came within a few seconds; empty when the run goes on. */
    Mono<Optional<PipelineResult>> retry(long id) {
        return detached("retry of recording " + id, pipeline.retry(id));
    }

    Mono<Optional<PipelineResult>> resend(long id, String endpoint) {
        return detached("resend of recording " + id + " to " + endpoint, pipeline.resend(id, endpoint));
    }

    Mono<Void> enable(String endpoint) {
        return pipeline.enableEndpoint(endpoint);
    }

    /** A test webhook to one of the pipeline's endpoints (by name), or to a typed URL under the test policy. */
    Mono<WebhookTest> test(String endpointName, String url, UserInfo user) {
        return Mono.defer(() -> {
            if (endpointName != null) {
                WebhookEndpoint e = pipeline.options().webhooks().stream()
                        .filter(w -> w.displayName().equals(endpointName)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("no endpoint " + endpointName + " in this pipeline"));
                return ownEndpoints.sendTest(e, user);
            }
            if (url == null) {
                throw new IllegalArgumentException("name an endpoint, or give a URL");
            }
            WebhookEndpoint typed = WebhookEndpoint.builder(url).attemptTimeout(Duration.ofSeconds(10))
                    .deadline(Duration.ofSeconds(20)).build();
            return typedUrls.sendTest(typed, user);
        });
    }

    private Mono<Optional<PipelineResult>> detached(String what, Mono<PipelineResult> run) {
        return Mono.defer(() -> {
            Sinks.One<PipelineResult> result = Sinks.one();
            run.subscribe(r -> {
                log.info("Dashboard: {} ended {}{}", what, r.status(), r.reason().map(x -> ": " + x).orElse(""));
                result.tryEmitValue(r);
            }, e -> {
                log.warn("Dashboard: {} failed: {}", what, e.getMessage());
                result.tryEmitError(e);
            }, result::tryEmitEmpty);
            return result.asMono()
                    .map(Optional::of)
                    .timeout(wait, Schedulers.parallel())
                    .onErrorResume(TimeoutException.class, e -> Mono.just(Optional.empty()));
        });
    }

    @Override
    public void close() {
        ownEndpoints.close();
        typedUrls.close();
    }
}
