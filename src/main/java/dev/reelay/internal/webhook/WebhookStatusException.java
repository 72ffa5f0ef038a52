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

    WebhookStatusException(int status, ReceiverReply reply, Duration retryAfter, String endpoint) {
        super("webhook to " + endpoint + " answered " + status + WebhookSender.shownMessage(reply));
        this.status = status;
        this.reply = reply;
        this.retryAfter = retryAfter;
    }

    /** 408, 429 and 5xx may go through later; 3xx and other 4xx will not. */
    boolean retryable() {
        return status == 408 || status == 429 || status >= 500;
    }
}
