package dev.reelay.bench;

import dev.reelay.Recording;
import java.util.List;
import java.util.Map;

/**
 * One way of taking recordings to the store: either run inside the harness's JVM, timed from building its
 * clients to its last upload, or run as a whole process of its own, timed from its start to its exit.
 */
interface Contender {

    /**
     * What a run did, for the checks after it, and the figures a contender measured itself (a whole process
     * reports the parts of its own time, in seconds), by name.
     */
    record Outcome(int recordingsOk, String firstProblem, Map<String, Double> figures) {
        Outcome(int recordingsOk, String firstProblem) {
            this(recordingsOk, firstProblem, Map.of());
        }
    }

    String name();

    /** How it works, for the table. */
    String description();

    /** Objects each recording leaves in the bucket. */
    int objectsPerRecording();

    /** Whether it POSTs a webhook per recording. */
    boolean sendsWebhooks();

    /**
     * Whether it runs as a process of its own, from start to exit: its CPU time is then that of its process
     * tree, not the harness's.
     */
    default boolean wholeProcess() {
        return false;
    }

    /**
     * Takes {@code recordings} to the store. Calls {@code stopwatch.start()} before building its
     * clients (or starting its process) and {@code stopwatch.stop()} once the last recording is
     * done, before closing them (or once its process exited).
     */
    Outcome run(List<Recording> recordings, Stopwatch stopwatch);
}
