package dev.reelay.internal.storage;

import dev.reelay.internal.Permits;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * How many parts the store sends at once, across all files: as many as still raise the
 * throughput of the link. It starts with one part, and after enough parts at a level it tries
 * one more; a level is kept only if the part it adds carries at least half of what each part
 * carried one level below, since on a full link another part only makes each part slower (and,
 * after a kill or a stop, leaves one more part half sent). On a slow uplink it settles on one part,
 * trying two now and then; on a fast link where each connection is the limit it climbs to the
 * maximum.
 */
final class PartPacer {

    /** The share of an average part's throughput that one more part must add to be kept. */
    private static final double MARGINAL = 0.5;
    /** Weight of a new sample in a level's average. */
    private static final double WEIGHT = 0.3;
    /** Samples at a level before its neighbour above is tried again. */
    private static final int PROBE_AFTER = 8;

    private final Permits slots;
    private final int max;
    /** Estimated bytes per second the link carried with n parts in flight, per n; 0 unknown. */
    private final double[] throughput;
    /** When each level's estimate was last updated, counted in samples. */
    private final long[] updatedAt;
    private long samples;
    private long sinceChange;

    PartPacer(int max) {
        this.max = Math.max(1, max);
        this.slots = new Permits(1);
        this.throughput = new double[this.max + 2];
        this.updatedAt = new long[this.max + 2];
    }

    /** Runs a part's upload when a slot is free. */
    <T> Mono<T> paced(Supplier<Mono<T>> part) {
        return slots.withPermit(part);
    }

    /** Parts in flight now. */
    int inFlight() {
        return slots.inUse();
    }

    /** The limit now. */
    int limit() {
        return slots.limit();
    }

    /**
     * One part went through: {@code bytes} in {@code nanos} from its first byte to its answer,
     * with about {@code parts} parts in flight meanwhile (its own included).
     */
    void sample(long bytes, long nanos, int parts) {
        if (nanos <= 0 || bytes <= 0) {
            return;
        }
        int next;
        synchronized (this) {
            int level = Math.max(1, Math.min(max, parts));
            double carried = level * (bytes * 1e9 / nanos);
            throughput[level] = throughput[level] == 0 ? carried : (1 - WEIGHT) * throughput[level] + WEIGHT * carried;
            updatedAt[level] = ++samples;
            int limit = slots.limit();
            if (++sinceChange < Math.max(2, limit)) {
                return;
            }
            next = decide(limit);
            if (next == limit) {
                return;
            }
            sinceChange = 0;
        }
        // outside the lock: a higher limit starts waiting parts on this thread
        slots.limit(next);
    }

    private int decide(int limit) {
        if (limit > 1 && known(limit) && known(limit - 1) && !pays(limit)) {
            return limit - 1;
        }
        boolean aboveStale = !known(limit + 1) || samples - updatedAt[limit + 1] > (long) PROBE_AFTER * (limit + 1);
        boolean thisPays = limit == 1 || !known(limit - 1) || pays(limit);
        if (limit < max && aboveStale && thisPays && known(limit)) {
            return limit + 1;
        }
        return limit;
    }

    /** Whether the part that level {@code n} adds carries at least half of an average part one level below. */
    private boolean pays(int n) {
        double below = throughput[n - 1];
        return throughput[n] - below >= MARGINAL * below / (n - 1);
    }

    private boolean known(int level) {
        return level >= 1 && level <= max && throughput[level] > 0;
    }
}
