package dev.reelay.outbox;

import java.util.Objects;
import java.util.Optional;

/**
 * What the journal answered when a recording was accepted or claimed: whether to run it, from
 * where, and with which {@link Lease}.
 *
 * <pre>{@code
 * outbox.accept(recording, version).flatMap(admission -> switch (admission.kind()) {
 *     case STARTED, CONTINUED -> run(admission.entry(), admission.lease());
 *     case COMPLETED -> Mono.just(resultOf(admission.entry()));
 *     case HELD -> Mono.just(duplicate(admission.entry()));
 * });
 * }</pre>
 *
 * @param kind  the answer
 * @param entry what the journal holds of the recording now
 * @param lease the lease to write with; null unless {@code kind} is {@code STARTED} or {@code CONTINUED}
 */
public record Admission(Kind kind, OutboxEntry entry, Lease lease) {

    /** The journal's answer. */
    public enum Kind {
        /** Journaled now, for the first time or as a new version of its files: run it from the start. */
        STARTED,
        /** Journaled before, with the same files, and not complete: continue from what was done. */
        CONTINUED,
        /** Journaled before, with the same files, and complete: there is nothing to do. */
        COMPLETED,
        /** Another journal instance holds it now: it must not be run here. */
        HELD
    }

    public Admission {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(entry, "entry");
        if ((lease != null) != (kind == Kind.STARTED || kind == Kind.CONTINUED)) {
            throw new IllegalArgumentException("a lease comes with STARTED and CONTINUED only, not with " + kind);
        }
    }

    /** The lease to write with, when the recording is to be run here. */
    public Optional<Lease> leaseIfAny() {
        return Optional.ofNullable(lease);
    }
}
