package dev.reelay.outbox;

import java.time.Instant;

/**
 * What the attempt log holds of one minute: bytes and files stored, uploads failed, webhook
 * requests taken and failed. For charts of throughput and deliveries ({@link Outbox#activity(Instant)}).
 *
 * @param minute         the start of the minute
 * @param bytesStored    the bytes of the files whose upload ended stored in that minute
 * @param filesStored    the uploads that ended stored in that minute
 * @param filesFailed    the uploads that ended failed in that minute
 * @param webhooksTaken  the webhook requests that ended with a 2xx answer in that minute
 * @param webhooksFailed the webhook requests that ended otherwise in that minute
 */
public record Activity(Instant minute, long bytesStored, long filesStored, long filesFailed, long webhooksTaken,
                       long webhooksFailed) {

    /** The store's throughput in that minute, in MiB/s: the bytes stored over the minute's 60 seconds. */
    public double mebibytesPerSecond() {
        return bytesStored / 1048576.0 / 60;
    }
}
