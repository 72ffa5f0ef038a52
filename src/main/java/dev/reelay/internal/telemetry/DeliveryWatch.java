package dev.reelay.internal.telemetry;

import dev.reelay.event.WebhookAttempted;
import dev.reelay.webhook.WebhookOutcome;
import java.util.Map;

/** Hears one webhook delivery: each attempt, and its end. */
public interface DeliveryWatch {

    /** Hears nothing (a webhook sent by hand, outside a pipeline). */
    DeliveryWatch NONE = new DeliveryWatch() {
        @Override
        public Attempt attempt(int n) {
            return Attempt.NONE;
        }

        @Override
        public void finished(WebhookOutcome outcome) {
        }
    };

    /** Attempt {@code n} starts now. */
    Attempt attempt(int n);

    /** The delivery ended. */
    void finished(WebhookOutcome outcome);

    /** One attempt. */
    interface Attempt {

        Attempt NONE = new Attempt() {
            @Override
            public Map<String, String> headers() {
                return Map.of();
            }

            @Override
            public void ended(int statusCode, WebhookAttempted.Result result, String error) {
            }
        };

        /** Headers to add to the request: the trace's, when traced. */
        Map<String, String> headers();

        /** The attempt ended; only the first call counts. */
        void ended(int statusCode, WebhookAttempted.Result result, String error);
    }
}
