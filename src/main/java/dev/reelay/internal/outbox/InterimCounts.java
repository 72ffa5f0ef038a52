package dev.reelay.internal.outbox;

import dev.reelay.outbox.OutboxEntry.State;
import java.time.Instant;
import java.util.Map;

/**
 * Entries by state, and when the oldest still to be done was accepted: the dashboard's read of its
 * own until {@code Outbox.stats()} (issue 16) is merged, which then replaces it.
 *
 * @param counts        entries by state, every state
 * @param oldestWaiting when the oldest entry in flight, pending or parked was accepted; null when none
 */
public record InterimCounts(Map<State, Long> counts, Instant oldestWaiting) {

    public InterimCounts {
        counts = Map.copyOf(counts);
    }

    /** An outbox that counts its entries by state. */
    public interface Source {
        reactor.core.publisher.Mono<InterimCounts> countsByStateUntilStatsLands();
    }
}
