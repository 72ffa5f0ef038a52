package dev.reelay;

import java.util.function.Function;
import reactor.core.publisher.Flux;

/**
 * The pipeline's four stages, each a {@code Function<Flux<RecordingJob>, Flux<RecordingJob>>},
 * for a host to compose with its own (a transcription step, a virus scan, checksums):
 *
 * <pre>{@code
 * RecordingPipeline pipeline = RecordingPipeline.create(options, stages -> stages.prepare()
 *         .andThen(stages.upload())
 *         .andThen(virusScan)                   // Function<Flux<RecordingJob>, Flux<RecordingJob>>
 *         .andThen(stages.metadata())
 *         .andThen(stages.deliver()));
 * }</pre>
 *
 * <p>A composition given to {@link RecordingPipeline#create(PipelineOptions, Function)} is what
 * {@code process}, {@code resume} and {@code retry} run for every recording: journaled whole
 * (accepted before its stages, finished after them), one recording at a time through it, so
 * that a stage that fails on one recording fails that recording only, and the work files the
 * stages made (a thumbnail Reelay cut) kept until the recording's run ends.
 *
 * <p>A stage applied on its own, outside such a run, journals nothing, and the jobs' work files
 * ({@link RecordingJob#workFiles()}) are then the host's to delete.
 */
public interface Stages {

    /**
     * Validates each recording (rejecting invalid ones with the reason), probes its video's
     * duration and, when it has no thumbnail, cuts one (see {@code MediaOptions}).
     */
    Function<Flux<RecordingJob>, Flux<RecordingJob>> prepare();

    /** Uploads every file of each recording in parallel, within the global upload bound. */
    Function<Flux<RecordingJob>, Flux<RecordingJob>> upload();

    /** Assembles the metadata document and stores it beside the files as metadata.json. */
    Function<Flux<RecordingJob>, Flux<RecordingJob>> metadata();

    /** POSTs the metadata to every endpoint, when at least one file was stored. */
    Function<Flux<RecordingJob>, Flux<RecordingJob>> deliver();

    /** The four stages in their order: what a pipeline runs unless given another composition. */
    default Function<Flux<RecordingJob>, Flux<RecordingJob>> all() {
        return prepare().andThen(upload()).andThen(metadata()).andThen(deliver());
    }
}
