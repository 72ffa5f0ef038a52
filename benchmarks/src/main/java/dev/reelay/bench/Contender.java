package dev.reelay.bench;

import dev.reelay.Recording;
import java.util.List;

/** One way of taking recordings to the store, timed from building its clients to its last upload. */
interface Contender {

    /** What a run did, for the checks after it. */
    record Outcome(int recordingsOk, String firstProblem) {
    }

    String name();

    /** How it works, for the table. */
    String description();

    /** Objects each recording leaves in the bucket. */
    int objectsPerRecording();

    /** Whether it POSTs a webhook per recording. */
    boolean sendsWebhooks();

    /**
     * Takes {@code recordings} to the store. Calls {@code stopwatch.start()} before building its
     * clients and {@code stopwatch.stop()} once the last recording is done, before closing them.
     */
    Outcome run(List<Recording> recordings, Stopwatch stopwatch);
}
