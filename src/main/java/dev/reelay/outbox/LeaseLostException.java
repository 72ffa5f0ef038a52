package dev.reelay.outbox;

import dev.reelay.ReelayException;

/** A journal write refused because its {@link Lease} is no longer held by the writer. */
public final class LeaseLostException extends ReelayException {

    private static final long serialVersionUID = 1L;

    private final transient Lease lease;

    public LeaseLostException(Lease lease) {
        super("recording " + lease.recordingId() + ": the journal no longer holds it for " + lease.owner()
                + " (claim " + lease.token() + "); it was finished, released, or taken over after its lease expired");
        this.lease = lease;
    }

    /** The lease that was lost. */
    public Lease lease() {
        return lease;
    }
}
