package dev.reelay.internal.dashboard;

import dev.reelay.PipelineResult;
import dev.reelay.outbox.OutboxEntry;
import dev.reelay.outbox.OutboxEntry.State;
import dev.reelay.outbox.OutboxQuery;
import java.util.Arrays;

/**
 * What the dashboard calls where a recording stands: the journal's state, with the pending ones told
 * apart by how their last run ended.
 */
enum DisplayState {
    IN_FLIGHT("in-flight", "in flight"),
    COMPLETED("completed", "completed"),
    PARTIAL("partial", "partial"),
    WEBHOOK_FAILED("webhook-failed", "webhook failed"),
    UPLOAD_FAILED("upload-failed", "upload failed"),
    PENDING("pending", "pending"),
    PARKED("parked", "parked"),
    GAVE_UP("gave-up", "gave up"),
    REJECTED("rejected", "rejected");

    final String key;
    final String label;

    DisplayState(String key, String label) {
        this.key = key;
        this.label = label;
    }

    static DisplayState of(OutboxEntry e) {
        return switch (e.state()) {
            case IN_PROGRESS -> IN_FLIGHT;
            case DONE -> COMPLETED;
            case PARKED -> PARKED;
            case GAVE_UP -> GAVE_UP;
            case REJECTED -> REJECTED;
            case PENDING -> e.lastResult() == null ? PENDING : switch (e.lastResult()) {
                case PARTIAL -> PARTIAL;
                case WEBHOOK_FAILED -> WEBHOOK_FAILED;
                case UPLOAD_FAILED -> UPLOAD_FAILED;
                default -> PENDING;
            };
        };
    }

    static DisplayState byKey(String key) {
        return Arrays.stream(values()).filter(s -> s.key.equals(key)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no state " + key + "; the states are "
                        + Arrays.stream(values()).map(s -> s.key).toList()));
    }

    /** The query's filter for this state. */
    void filter(OutboxQuery.Builder q) {
        switch (this) {
            case IN_FLIGHT -> q.states(State.IN_PROGRESS);
            case COMPLETED -> q.states(State.DONE);
            case PARTIAL -> q.states(State.PENDING).results(PipelineResult.Status.PARTIAL);
            case WEBHOOK_FAILED -> q.states(State.PENDING).results(PipelineResult.Status.WEBHOOK_FAILED);
            case UPLOAD_FAILED -> q.states(State.PENDING).results(PipelineResult.Status.UPLOAD_FAILED);
            case PENDING -> q.states(State.PENDING);
            case PARKED -> q.states(State.PARKED);
            case GAVE_UP -> q.states(State.GAVE_UP);
            case REJECTED -> q.states(State.REJECTED);
        }
    }
}
