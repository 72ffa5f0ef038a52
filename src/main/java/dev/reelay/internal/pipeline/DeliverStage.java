package dev.reelay.internal.pipeline;

import dev.reelay.RecordingJob;
import dev.reelay.internal.telemetry.Telemetry;
import dev.reelay.internal.webhook.Signatures;
import dev.reelay.internal.webhook.WebhookSender;
import dev.reelay.outbox.Outbox;
import dev.reelay.webhook.WebhookEndpoint;
import dev.reelay.webhook.WebhookOutcome;
import java.util.List;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Delivers a recording's metadata to every endpoint that has not yet taken this very body
 * (same webhook-id) and is not disabled by an earlier 410; each outcome is journaled as it comes.
 * A run that heard from the journal that another instance took its recording over delivers nothing.
 */
final class DeliverStage {

    private final List<WebhookEndpoint> endpoints;
    private final WebhookSender sender;
    private final Outbox outbox;
    private final Telemetry telemetry;

    DeliverStage(List<WebhookEndpoint> endpoints, WebhookSender sender, Outbox outbox, Telemetry telemetry) {
        this.endpoints = endpoints;
        this.sender = sender;
        this.outbox = outbox;
        this.telemetry = telemetry;
    }

    /** Whether the stage has anything to do for this job. */
    boolean applies(RecordingJob job) {
        return !job.rejected() && job.metadata().isPresent() && !endpoints.isEmpty();
    }

    Mono<RecordingJob> deliver(RecordingJob job) {
        return Journaling.leaseLost(job.id()).flatMap(lost -> lost
                ? Mono.just(job.withWarning("recording " + job.id() + ": not delivered here: another instance took "
                        + "it over after this one's lease expired, and delivers it"))
                : deliverNow(job));
    }

    private Mono<RecordingJob> deliverNow(RecordingJob job) {
        return outbox.disabledEndpoints().onErrorReturn(Set.of()).flatMap(disabled -> {
            byte[] body = job.metadata().orElseThrow().toJson();
            String webhookId = Signatures.webhookId(job.id(), body);
            return Flux.fromIterable(endpoints)
                    .<WebhookOutcome>flatMapSequential(endpoint -> deliver(job, endpoint, webhookId, body, disabled),
                            endpoints.size(), 1)
                    .collectList()
                    .map(job::withWebhooks);
        });
    }

    private Mono<WebhookOutcome> deliver(RecordingJob job, WebhookEndpoint endpoint, String webhookId, byte[] body,
                                         Set<String> disabled) {
        String where = endpoint.displayName();
        WebhookOutcome before = job.webhooks().stream()
                .filter(w -> w.endpoint().equals(where) && w.delivered() && w.webhookId().equals(webhookId))
                .findFirst().orElse(null);
        if (before != null) {
            return Mono.just(before);
        }
        if (disabled.contains(where)) {
            WebhookOutcome gone = new WebhookOutcome(where, webhookId, WebhookOutcome.State.GONE, 0, 0, null,
                    "endpoint disabled after it answered 410; enable it again with enableEndpoint(url)");
            telemetry.deliveryEnded(job.id(), gone);
            return Mono.just(gone);
        }
        return Mono.deferContextual(ctx -> {
            var watch = telemetry.deliveryStarted(ctx, job.id(), endpoint);
            return sender.deliver(endpoint, job.id(), webhookId, body, watch,
                            attempt -> Journaling.attempt(job.id(), attempt))
                    .flatMap(outcome -> Journaling.logged(outcome.state() != WebhookOutcome.State.GONE ? Mono.empty()
                                    : outbox.disableEndpoint(where, outcome.error())
                                    .doOnSuccess(v -> telemetry.endpointDisabled(where, outcome.error())),
                            job.id(), "the 410 of " + where)
                            .then(Journaling.delivery(job.id(), outcome))
                            .doOnSuccess(v -> watch.finished(outcome))
                            .thenReturn(outcome));
        });
    }
}
