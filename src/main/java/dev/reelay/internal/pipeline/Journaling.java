package dev.reelay.internal.pipeline;

import dev.reelay.FileOutcome;
import dev.reelay.RecordingMetadata;
import dev.reelay.RecordingPipeline;
import dev.reelay.internal.telemetry.Telemetry;
import dev.reelay.outbox.Attempt;
import dev.reelay.outbox.Lease;
import dev.reelay.outbox.LeaseLostException;
import dev.reelay.outbox.Outbox;
import dev.reelay.storage.MultipartProgress;
import dev.reelay.webhook.WebhookOutcome;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * How the stages write to the journal. A recording's run (by {@code process}, {@code resume} or
 * {@code retry}) puts its journal and lease into the Reactor context; a stage's write goes to
 * that run's entry. A stage used on its own, outside a run, finds no run in the context and
 * journals nothing: the rule is that a recording is journaled whole (accepted before its stages,
 * finished after them) or not at all.
 *
 * <p>A write after the accept that fails does not fail the work: the work is done all the same,
 * and a resume would only redo it, so the failure is logged.
 */
final class Journaling {

    private static final Logger log = LoggerFactory.getLogger(RecordingPipeline.class);

    /**
     * One recording's run: where its journal writes go, the work files to delete when it ends, and
     * whether the journal refused a write because another instance took the recording over.
     */
    record Run(Outbox outbox, Lease lease, ConcurrentLinkedQueue<Path> workFiles, AtomicBoolean leaseLost) {
        Run(Outbox outbox, Lease lease) {
            this(outbox, lease, new ConcurrentLinkedQueue<>(), new AtomicBoolean());
        }
    }

    private Journaling() {
    }

    /** The context of a run. */
    static Context context(Run run) {
        return Context.of(Run.class, run);
    }

    /** Work files a stage made in this run: deleted when the run ends, whatever happened. */
    static Mono<Void> workFiles(List<Path> files) {
        return Mono.deferContextual(ctx -> {
            ctx.getOrEmpty(Run.class).map(Run.class::cast).ifPresent(run -> files.forEach(f -> {
                if (!run.workFiles().contains(f)) {
                    run.workFiles().add(f);
                }
            }));
            return Mono.empty();
        });
    }

    static Mono<Void> fileStored(long recordingId, FileOutcome file) {
        return write(recordingId, file.name(), run -> run.outbox().fileStored(run.lease(), file));
    }

    static Mono<Void> multipartStarted(long recordingId, String fileName, MultipartProgress progress) {
        return write(recordingId, "the upload of " + fileName,
                run -> run.outbox().multipartStarted(run.lease(), fileName, progress));
    }

    static Mono<Void> partStored(long recordingId, String fileName, String uploadId, MultipartProgress.Part part) {
        return write(recordingId, "part " + part.number() + " of " + fileName,
                run -> run.outbox().partStored(run.lease(), fileName, uploadId, part));
    }

    static Mono<Void> metadataStored(long recordingId, RecordingMetadata metadata, FileOutcome file) {
        return write(recordingId, file.name(), run -> run.outbox().metadataStored(run.lease(), metadata, file));
    }

    static Mono<Void> delivery(long recordingId, WebhookOutcome outcome) {
        return write(recordingId, "a delivery to " + outcome.endpoint(),
                run -> run.outbox().delivery(run.lease(), outcome));
    }

    /** An upload or a webhook request of this run, for the attempt log. */
    static Mono<Void> attempt(long recordingId, Attempt attempt) {
        return write(recordingId, "an attempt of " + attempt.target(), run -> run.outbox().attempt(run.lease(), attempt));
    }

    private static Mono<Void> write(long recordingId, String what, Function<Run, Mono<Void>> write) {
        return Mono.deferContextual(ctx -> run(ctx, recordingId)
                .map(run -> logged(write.apply(run)
                        .doOnError(LeaseLostException.class, e -> run.leaseLost().set(true)), recordingId, what))
                .orElseGet(Mono::empty));
    }

    /**
     * Whether this recording's run heard from the journal that another instance took it over (its
     * lease expired): then it starts nothing more that the other instance does too, such as a
     * delivery. False outside a run.
     */
    static Mono<Boolean> leaseLost(long recordingId) {
        return Mono.deferContextual(ctx -> Mono.just(run(ctx, recordingId).map(run -> run.leaseLost().get())
                .orElse(false)));
    }

    /** The run of this recording in the context, if the stage runs inside one. */
    private static java.util.Optional<Run> run(ContextView ctx, long recordingId) {
        return ctx.getOrEmpty(Run.class).map(Run.class::cast).filter(run -> run.lease().recordingId() == recordingId);
    }

    /** Logs a failed journal write instead of failing the work, and tells the run's watchers. */
    static Mono<Void> logged(Mono<Void> write, long recordingId, String what) {
        return write.onErrorResume(e -> Mono.deferContextual(ctx -> {
            log.warn("The outbox could not record {} of recording {}: {}", what, recordingId, e.getMessage());
            Telemetry.RunWatch run = Telemetry.run(ctx, recordingId);
            if (run != null) {
                run.journalProblem(what, e.getMessage());
            }
            return Mono.empty();
        }));
    }
}
