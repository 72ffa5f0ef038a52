package dev.reelay.webhook;

/**
 * What the receiver answered, parsed from its JSON body. Fields the body lacked are null.
 *
 * <pre>{@code
 * {"status": "success", "message": "Recording created successfully",
 *  "recording_id": 3, "pk": 1, "action": "created"}
 * }</pre>
 *
 * @param status      {@code "success"} or {@code "error"}
 * @param message     the receiver's message, e.g. {@code "No user found with email: …"}
 * @param recordingId the recording the receiver acted on
 * @param pk          the receiver's own key of the recording
 * @param action      {@code "created"} or {@code "updated"}
 */
public record ReceiverReply(String status, String message, Long recordingId, Long pk, String action) {
}
