package dev.reelay;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The pipeline was closed while a stream of results was under way. Recordings that were
 * accepted and still running when the grace period ended were cut off: they stay in the journal,
 * unfinished, and {@code resume()} in the next pipeline finishes them (a large file continues from
 * its stored parts). Recordings the stream had not yet taken from the host's {@code Flux} were not
 * accepted at all: hand them in again.
 *
 * <pre>{@code
 * pipeline.process(recordings)
 *         .onErrorResume(PipelineClosedException.class, e -> {
 *             log.info("stopped; left for resume(): {}", e.cutOff());
 *             return Flux.empty();
 *         })
 *         .subscribe(...);
 * }</pre>
 */
public class PipelineClosedException extends ReelayException {

    private static final long serialVersionUID = 1L;

    private final Set<Long> cutOff;
    private final boolean notAllTaken;

    public PipelineClosedException(Set<Long> cutOff, boolean notAllTaken) {
        super(message(cutOff, notAllTaken));
        this.cutOff = Set.copyOf(cutOff);
        this.notAllTaken = notAllTaken;
    }

    private static String message(Set<Long> cutOff, boolean notAllTaken) {
        StringBuilder m = new StringBuilder("the pipeline was closed");
        if (!cutOff.isEmpty()) {
            m.append(": recording").append(cutOff.size() == 1 ? " " : "s ")
                    .append(new TreeSet<>(cutOff).stream().map(String::valueOf).collect(Collectors.joining(", ")))
                    .append(cutOff.size() == 1 ? " was" : " were")
                    .append(" cut off and left in the journal for resume()");
        }
        if (notAllTaken) {
            m.append(cutOff.isEmpty() ? ": " : "; ").append("recordings not yet taken from the stream were not accepted");
        }
        return m.toString();
    }

    /** The recordings that were cut off, left unfinished in the journal for {@code resume()}. */
    public Set<Long> cutOff() {
        return cutOff;
    }

    /** Whether the stream handed in had recordings left that were never taken, so never accepted. */
    public boolean notAllTaken() {
        return notAllTaken;
    }
}
