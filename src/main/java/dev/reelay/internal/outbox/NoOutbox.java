package dev.reelay.internal.outbox;

import dev.reelay.FileOutcome;
import dev.reelay.PipelineResult;
import dev.reelay.Recording;
import dev.reelay.RecordingMetadata;
import dev.reelay.outbox.Outbox;
import dev.reelay.outbox.OutboxEntry;
import dev.reelay.webhook.WebhookOutcome;
import java.time.Instant;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The outbox of a pipeline that journals nothing: every write succeeds, every read is empty. */
public final class NoOutbox implements Outbox {

    @Override
    public Mono<Void> accept(Recording recording) {
        return Mono.empty();
    }

    @Override
    public Mono<Void> fileStored(long recordingId, FileOutcome file) {
        return Mono.empty();
    }

    @Override
    public Mono<Void> metadataStored(long recordingId, RecordingMetadata metadata, FileOutcome file) {
        return Mono.empty();
    }

    @Override
    public Mono<Void> delivery(long recordingId, WebhookOutcome outcome) {
        return Mono.empty();
    }

    @Override
    public Mono<Void> finish(PipelineResult result, OutboxEntry.State state, Instant nextAttemptAt) {
        return Mono.empty();
    }

    @Override
    public Mono<Void> retrying(long recordingId) {
        return Mono.empty();
    }

    @Override
    public Mono<OutboxEntry> entry(long recordingId) {
        return Mono.empty();
    }

    @Override
    public Flux<OutboxEntry> unfinished() {
        return Flux.empty();
    }

    @Override
    public Flux<OutboxEntry> pending() {
        return Flux.empty();
    }

    @Override
    public Flux<OutboxEntry> due(Instant now) {
        return Flux.empty();
    }

    @Override
    public Mono<Void> disableEndpoint(String endpoint, String reason) {
        return Mono.empty();
    }

    @Override
    public Mono<Void> enableEndpoint(String endpoint) {
        return Mono.empty();
    }

    @Override
    public Mono<Set<String>> disabledEndpoints() {
        return Mono.just(Set.of());
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "NoOutbox";
    }
}
