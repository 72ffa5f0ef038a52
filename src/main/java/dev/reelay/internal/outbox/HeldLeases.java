package dev.reelay.internal.outbox;

import dev.reelay.outbox.Admission;
import dev.reelay.outbox.Lease;
import dev.reelay.outbox.LeaseLostException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * The leases one journal instance holds: the recordings it runs, or is about to. A claim's lease
 * is held from before its commit, so that no other claim of this instance, however soon after,
 * takes the recording for free (and fences out the first run's writes); a claim that fails is
 * forgotten again, and so is a lease that was ended or lost.
 */
final class HeldLeases {

    private final Map<Long, Lease> held = new ConcurrentHashMap<>();
    private final Runnable onHold;

    /** @param onHold called whenever a lease is taken (the shared journal starts its heartbeat) */
    HeldLeases(Runnable onHold) {
        this.onHold = onHold;
    }

    /** The ids held here, as a live view: what {@link JournalSql} reads as "held by this instance". */
    Set<Long> ids() {
        return held.keySet();
    }

    /** Runs one claim through {@code submit} (the journal's way of running work), holding its lease from before the commit. */
    Mono<Admission> claiming(Function<JournalWriter.Work<JournalSql.Claims>, Mono<JournalSql.Claims>> submit,
                             JournalWriter.Work<Admission> claim) {
        return claimingAll(submit, c -> {
            Admission a = claim.run(c);
            return a == null ? null : new JournalSql.Claims(List.of(a), null);
        }).map(p -> p.admissions().get(0));
    }

    /** Runs a page of claims through {@code submit}, holding their leases from before the commit. */
    Mono<JournalSql.Claims> claimingAll(Function<JournalWriter.Work<JournalSql.Claims>, Mono<JournalSql.Claims>> submit,
                                        JournalWriter.Work<JournalSql.Claims> claims) {
        return Mono.defer(() -> {
            AtomicReference<JournalSql.Claims> claimed = new AtomicReference<>();
            return submit.apply(c -> {
                JournalSql.Claims p = claims.run(c);
                if (p != null) {
                    p.admissions().forEach(this::hold);
                    claimed.set(p);
                }
                return p;
            }).doOnError(e -> {
                JournalSql.Claims p = claimed.get();
                if (p != null) {
                    p.admissions().stream().map(Admission::lease).filter(java.util.Objects::nonNull).forEach(this::forget);
                }
            });
        });
    }

    private void hold(Admission a) {
        if (a.lease() != null) {
            held.put(a.lease().recordingId(), a.lease());
            onHold.run();
        }
    }

    /** The lease ends with this write: forgotten when it succeeds, or when the lease turns out lost. */
    Mono<Void> ending(Lease lease, Mono<Void> write) {
        return write.doOnSuccess(v -> forget(lease)).doOnError(LeaseLostException.class, e -> forget(lease));
    }

    /** Forgets the lease if it is still the one held for its recording; true when it was. */
    boolean forget(Lease lease) {
        return held.remove(lease.recordingId(), lease);
    }

    Map<Long, Lease> snapshot() {
        return Map.copyOf(held);
    }

    boolean isEmpty() {
        return held.isEmpty();
    }

    int size() {
        return held.size();
    }

    void clear() {
        held.clear();
    }
}
