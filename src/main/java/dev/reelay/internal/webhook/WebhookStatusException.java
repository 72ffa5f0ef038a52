package dev.reelay.internal.webhook;

import dev.reelay.ReelayException;
import dev.reelay.webhook.ReceiverReply;
import java.time.Duration;

/** The receiver answered, but not with 2xx. */
final class WebhookStatusException extends ReelayException {

    private static final long serialVersionUID = 1L;

    final int status;
    final transient ReceiverReply reply;
    final transient Duration retryAfter;
    /** The start of the answer, escaped and masked, for the attempt log. */
    final transient String excerpt;

    WebhookStatusException(int status, ReceiverReply reply, Duration retryAfter, String endpoint) {
        this(status, reply, retryAfter, endpoint, null);
    }

    WebhookStatusException(int status, ReceiverReply reply, Duration retryAfter, String endpoint, String excerpt) {
        super("webhook to " + endpoint + " answered " + status + WebhookSender.shownMessage(reply));
        this.status = status;
        this.reply = reply;
        this.retryAfter = retryAfter;
        this.excerpt = excerpt;
    }

    /** 408, 429 and 5xx may go through later; 3xx and other 4xx will not. */
    boolean retryable() {
        return status == 408 || status == 429 || status >= 500;
    }
}
