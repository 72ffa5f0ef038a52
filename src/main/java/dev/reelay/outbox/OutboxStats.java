package dev.reelay.outbox;

import dev.reelay.outbox.OutboxEntry.State;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How much unfinished work a journal holds: its entries by state, for the states that are not an
 * end ({@code IN_PROGRESS}, {@code PENDING}, {@code PARKED}, {@code GAVE_UP}; finished entries are
 * not counted), and since when the oldest entry still to be done has waited, the figure operators
 * alert on.
 *
 * <pre>{@code
 * pipeline.outbox().stats().subscribe(s -> log.info("{} parked, oldest waiting {}",
 *         s.count(OutboxEntry.State.PARKED), s.oldestWaitingAge(Instant.now()).orElse(Duration.ZERO)));
 * }</pre>
 */
public final class OutboxStats {

    private static final OutboxStats EMPTY = new OutboxStats(Map.of(), null);

    private final Map<State, Long> counts;
    private final Instant oldestWaiting;

    /**
     * @param counts        entries by state (states not given count 0; {@code DONE} and
     *                      {@code REJECTED} are ignored)
     * @param oldestWaiting when the oldest entry in {@code IN_PROGRESS}, {@code PENDING} or
     *                      {@code PARKED} was accepted; null when there is none
     */
    public OutboxStats(Map<State, Long> counts, Instant oldestWaiting) {
        EnumMap<State, Long> copy = new EnumMap<>(State.class);
        for (State s : State.values()) {
            if (s != State.DONE && s != State.REJECTED) {
                long n = counts.getOrDefault(s, 0L);
                if (n < 0) {
                    throw new IllegalArgumentException("a count must be >= 0, was " + n + " for " + s);
                }
                copy.put(s, n);
            }
        }
        this.counts = Collections.unmodifiableMap(copy);
        this.oldestWaiting = oldestWaiting;
    }

    /** A journal that holds nothing unfinished (or keeps nothing). */
    public static OutboxStats empty() {
        return EMPTY;
    }

    /** Entries in this state now; 0 for {@code DONE} and {@code REJECTED}, which are not counted. */
    public long count(State state) {
        return counts.getOrDefault(Objects.requireNonNull(state, "state"), 0L);
    }

    /** Entries by state, for {@code IN_PROGRESS}, {@code PENDING}, {@code PARKED} and {@code GAVE_UP}. */
    public Map<State, Long> counts() {
        return counts;
    }

    /** When the oldest entry still to be done ({@code IN_PROGRESS}, {@code PENDING}, {@code PARKED}) was accepted. */
    public Optional<Instant> oldestWaiting() {
        return Optional.ofNullable(oldestWaiting);
    }

    /** How long the oldest entry still to be done has waited at {@code now}. */
    public Optional<Duration> oldestWaitingAge(Instant now) {
        return oldestWaiting().map(t -> t.isAfter(now) ? Duration.ZERO : Duration.between(t, now));
    }

    @Override
    public String toString() {
        return "OutboxStats{" + counts + (oldestWaiting == null ? "" : ", oldestWaiting=" + oldestWaiting) + "}";
    }
}
