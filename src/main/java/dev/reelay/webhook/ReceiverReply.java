package dev.reelay.webhook;

import dev.reelay.internal.webhook.ReceiverText;

/**
 * What the receiver answered, parsed from its JSON body. Fields the body lacked are null.
 *
 * <pre>{@code
 * {"status": "success", "message": "Recording created successfully",
 *  "recording_id": 3, "pk": 1, "action": "created"}
 * }</pre>
 *
 * <p>The text is the receiver's, held as data that is safe to log and show, whoever built the
 * reply: control characters, line and paragraph separators and bidi controls are escaped as
 * backslash-u and four hex digits (a line feed shows as {@code \}{@code u000a}); anything
 * shaped like a credential ({@code Authorization} values, {@code Bearer …}, {@code whsec_…},
 * signatures, presigned URL signatures) is masked as {@code ***}; {@code message} is cut at
 * 8 KiB, {@code status} and {@code action} at 256 characters.
 *
 * @param status      {@code "success"} or {@code "error"}
 * @param message     the receiver's message, e.g. {@code "No user found with email: …"}
 * @param recordingId the recording the receiver acted on
 * @param pk          the receiver's own key of the recording
 * @param action      {@code "created"} or {@code "updated"}
 */
public record ReceiverReply(String status, String message, Long recordingId, Long pk, String action) {

    public ReceiverReply {
        status = ReceiverText.clean(status, ReceiverText.SHORT);
        message = ReceiverText.clean(message, ReceiverText.RECORDED);
        action = ReceiverText.clean(action, ReceiverText.SHORT);
    }
}
