package dev.reelay;

import dev.reelay.event.PipelineEvent;
import dev.reelay.internal.pipeline.DefaultRecordingPipeline;
import dev.reelay.outbox.Outbox;
import dev.reelay.outbox.OutboxEntry;
import java.time.Duration;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Takes finished recordings from the local disk to object storage and tells the host's
 * server about them:
 *
 * <pre>
 * Flux&lt;Recording&gt; → prepare → upload → metadata → deliver → Flux&lt;PipelineResult&gt;
 * </pre>
 *
 * <pre>{@code
 * try (RecordingPipeline pipeline = RecordingPipeline.create(options)) {
 *     pipeline.process(recordings)
 *             .doOnNext(r -> System.out.println(r.recordingId() + " " + r.status()))
 *             .blockLast();
 * }
 * }</pre>
 *
 * <p>Nothing starts before subscription: creating a pipeline and calling {@link #process}
 * touches neither the store nor the receivers. At most {@link PipelineOptions#recordingsInFlight()}
 * recordings are taken from upstream at a time, and at most
 * {@link PipelineOptions#uploadsInFlight()} files upload at once across all of them, so a Flux
 * of a million recordings is safe to hand in. A recording that fails becomes a result; the
 * stream errors only for faults of the pipeline itself.
 *
 * <p>Every recording is journaled before its work starts (see {@link Outbox}): a crash, a stop
 * or a resubmission never makes it do again what was done. Delivery is at least once: an
 * endpoint may get a webhook again (after a crash between its answer and the journal's record
 * of it), always with the same {@code webhook-id}, on which receivers deduplicate.
 *
 * <p>The stages are public ({@link Stages}) so that a host can run its own between them; give
 * the composition to {@link #create(PipelineOptions, Function)}.
 */
public interface RecordingPipeline extends Stages, AutoCloseable {

    /** A pipeline with these options, running the four stages. Starts nothing. */
    static RecordingPipeline create(PipelineOptions options) {
        return new DefaultRecordingPipeline(options, Stages::all);
    }

    /**
     * A pipeline with these options, running the host's composition of stages for every
     * recording it processes, resumes or retries. Starts nothing.
     *
     * <pre>{@code
     * RecordingPipeline pipeline = RecordingPipeline.create(options, stages -> stages.prepare()
     *         .andThen(stages.upload())
     *         .andThen(checksums)
     *         .andThen(stages.metadata())
     *         .andThen(stages.deliver()));
     * }</pre>
     */
    static RecordingPipeline create(PipelineOptions options,
                                    Function<Stages, Function<Flux<RecordingJob>, Flux<RecordingJob>>> composition) {
        return new DefaultRecordingPipeline(options, composition);
    }

    /**
     * Processes every recording; results come in the order recordings finish. Each recording is
     * journaled before any work on it starts; one the journal cannot take (a full disk, say)
     * ends as a {@link PipelineResult.Status#NOT_ACCEPTED} result, and the others go on.
     *
     * <p>A recording the journal already holds, with the same files (paths, sizes, modification
     * times), is not done again: a complete one returns its journaled result, an unfinished one
     * continues as {@link #retry} would. One whose files changed is a new version, done anew.
     *
     * <p>When {@link #close(Duration)} cuts the stream short, it ends with a
     * {@link PipelineClosedException} after the results of what finished in the grace period.
     */
    Flux<PipelineResult> process(Flux<Recording> recordings);

    /** Processes one recording. */
    Mono<PipelineResult> submit(Recording recording);

    /**
     * Finishes the recordings a crash or a stop interrupted, as the outbox journaled them: files
     * already stored (confirmed with a HEAD request) are not uploaded again, endpoints that
     * already took the webhook do not get it again.
     *
     * <pre>{@code
     * pipeline.resume().subscribe(r -> log.info("resumed {}: {}", r.recordingId(), r.status()));
     * }</pre>
     */
    Flux<PipelineResult> resume();

    /** The recordings that ended short of complete and wait for a retry (failed, parked, given up), read page by page. */
    Flux<OutboxEntry> pending();

    /** Runs a journaled recording again, doing only what is left; errors if the outbox has no such recording. */
    Mono<PipelineResult> retry(long recordingId);

    /**
     * Retries every pending recording whose next attempt on the slow schedule is due. Call it
     * now and then, e.g. {@code Flux.interval(Duration.ofMinutes(5)).concatMap(t -> pipeline.retryDue())}.
     */
    Flux<PipelineResult> retryDue();

    /**
     * Delivers a journaled recording's webhook to one endpoint again, even if it took it already:
     * the same document, so the same {@code webhook-id}, on which receivers deduplicate. The recording
     * runs as {@link #retry} runs it (doing what else is left too), with that endpoint's delivery
     * forgotten. Errors if the outbox has no such recording or the pipeline no such endpoint.
     *
     * <pre>{@code
     * pipeline.resend(3, "ops").subscribe(r -> log.info("resent: {}", r.webhooks()));
     * }</pre>
     *
     * @param endpoint the endpoint's name or URL, as for {@link #enableEndpoint}
     */
    Mono<PipelineResult> resend(long recordingId, String endpoint);

    /** Lets deliveries to an endpoint that answered 410 go out again. */
    Mono<Void> enableEndpoint(String url);

    /** The options this pipeline was created with. */
    PipelineOptions options();

    /** The pipeline's journal. */
    Outbox outbox();

    /**
     * Everything the pipeline does, as it happens: a hot stream of {@link PipelineEvent}s (see
     * {@link dev.reelay.event} for the list) for metrics, traces, a live view or the host's own code.
     * It has what happens from the subscription on, for every subscriber at once, and completes once
     * {@link #close()} has released the pipeline (a subscription after that completes at once).
     *
     * <p>The pipeline never waits for a subscriber. Each one is served on a worker of its own (so its
     * code may block; it runs on none of the pipeline's threads) and keeps at most 4,096 events it has
     * not yet taken; beyond that its oldest events go, and the next event it gets is an
     * {@link dev.reelay.event.EventsDropped} saying how many. With no subscriber, the pipeline builds no
     * event at all.
     *
     * <pre>{@code
     * Disposable log = pipeline.events()
     *         .ofType(RecordingFinished.class)
     *         .subscribe(e -> log.info("recording {}: {} in {}", e.recordingId(), e.status(), e.duration()));
     * }</pre>
     */
    Flux<PipelineEvent> events();

    /**
     * {@link #events()} with room for {@code bufferSize} events the subscriber has not yet taken
     * before its oldest go.
     */
    Flux<PipelineEvent> events(int bufferSize);

    /** The composition of stages this pipeline runs for each recording. */
    Function<Flux<RecordingJob>, Flux<RecordingJob>> stages();

    /**
     * Closes the pipeline with the grace period of its options ({@link PipelineOptions#closeGracePeriod()},
     * 10 seconds by default); see {@link #close(Duration)}.
     */
    @Override
    void close();

    /**
     * Stops taking recordings, lets the work under way finish for up to {@code gracePeriod}, then
     * cuts off what is still running, and releases what the pipeline created: the S3 client it
     * built, its webhook connections, its schedulers, its outbox. A store, client or outbox the
     * host passed in stays open. Blocks the calling thread for at most the grace period and a few
     * seconds more: call it from a thread that may block, not from inside a reactive chain.
     *
     * <p>Recordings cut off are left unfinished in the journal, exactly as a crash would leave
     * them but without the loss: no attempt is counted for the cut, no webhook goes out for them
     * after the close, and their multipart uploads stay in the store, so that {@link #resume()} in
     * the next pipeline continues them from their stored parts. A stream of results that was cut
     * short ({@code process}, {@code resume}, {@code retryDue}, {@code retry}) ends with a
     * {@link PipelineClosedException} naming the recordings cut off, after the results of those
     * that finished; {@code process} and the others refuse to start once the pipeline is closed.
     *
     * <pre>{@code
     * Runtime.getRuntime().addShutdownHook(new Thread(() -> pipeline.close(Duration.ofSeconds(20))));
     * }</pre>
     */
    void close(Duration gracePeriod);
}
