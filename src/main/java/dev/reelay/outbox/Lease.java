package dev.reelay.outbox;

import java.util.Objects;

/**
 * The right of one journal instance to work on one recording. Every write about the recording
 * carries it; the journal refuses a write whose lease was lost (taken over by another instance
 * after it expired, or ended by {@link Outbox#finish}/{@link Outbox#release}) with a
 * {@link LeaseLostException}. The token grows with every claim of the recording, so a stale
 * holder can never overwrite the work of the one that took over (a fencing token).
 *
 * @param recordingId the recording
 * @param owner       the journal instance that holds it
 * @param token       the fencing token of this claim
 */
public record Lease(long recordingId, String owner, long token) {

    public Lease {
        Objects.requireNonNull(owner, "owner");
    }
}
