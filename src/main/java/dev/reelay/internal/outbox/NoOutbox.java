package dev.reelay.internal.outbox;

import dev.reelay.FileOutcome;
import dev.reelay.PipelineResult;
import dev.reelay.Recording;
import dev.reelay.RecordingMetadata;
import dev.reelay.outbox.Admission;
import dev.reelay.outbox.Lease;
import dev.reelay.outbox.Outbox;
import dev.reelay.outbox.OutboxEntry;
import dev.reelay.outbox.OutboxStats;
import dev.reelay.storage.MultipartProgress;
import dev.reelay.webhook.WebhookOutcome;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The outbox of a pipeline that journals nothing: every recording starts afresh, every write succeeds, every read is empty. */
public final class NoOutbox implements Outbox {

    private static final String OWNER = "no-outbox";

    @Override
    public Mono<Admission> accept(Recording recording, String version) {
        return Mono.fromSupplier(() -> {
            Instant now = Instant.now();
            OutboxEntry entry = new OutboxEntry(recording, version, OutboxEntry.State.IN_PROGRESS, null, 1, now, now,
                    null, OWNER, List.of(), Map.of(), null, null, List.of());
            return new Admission(Admission.Kind.STARTED, entry, new Lease(recording.id(), OWNER, 1));
        });
    }

    @Override
    public Mono<Admission> claim(long recordingId) {
        return Mono.empty();
    }

    @Override
    public Flux<Admission> claimUnfinished() {
        return Flux.empty();
    }

    @Override
    public Flux<Admission> claimDue(Instant now) {
        return Flux.empty();
    }

    @Override
    public Mono<Void> fileStored(Lease lease, FileOutcome file) {
        return Mono.empty();
    }

    @Override
    public Mono<Void> multipartStarted(Lease lease, String fileName, MultipartProgress upload) {
        return Mono.empty();
    }

    @Override
    public Mono<Void> partStored(Lease lease, String fileName, String uploadId, MultipartProgress.Part part) {
        return Mono.empty();
    }

    @Override
    public Mono<Void> metadataStored(Lease lease, RecordingMetadata metadata, FileOutcome file) {
        return Mono.empty();
    }

    @Override
    public Mono<Void> delivery(Lease lease, WebhookOutcome outcome) {
        return Mono.empty();
    }

    @Override
    public Mono<Void> finish(Lease lease, PipelineResult result, OutboxEntry.State state, Instant nextAttemptAt) {
        return Mono.empty();
    }

    @Override
    public Mono<Void> release(Lease lease) {
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
    public Mono<OutboxStats> stats() {
        return Mono.just(OutboxStats.empty());
    }

    @Override
    public Mono<dev.reelay.outbox.OutboxPage> list(dev.reelay.outbox.OutboxQuery query) {
        return Mono.just(new dev.reelay.outbox.OutboxPage(List.of(), null));
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
