package dev.reelay.internal.outbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reelay.internal.pipeline.MetadataJson;
import dev.reelay.webhook.ReceiverReply;
import java.io.IOException;

/** A receiver's reply as the journal keeps it. */
final class ReplyJson {

    private ReplyJson() {
    }

    static String write(ReceiverReply r) {
        if (r == null) {
            return null;
        }
        ObjectNode n = MetadataJson.MAPPER.createObjectNode();
        n.put("status", r.status());
        n.put("message", r.message());
        n.put("recording_id", r.recordingId());
        n.put("pk", r.pk());
        n.put("action", r.action());
        return n.toString();
    }

    static ReceiverReply read(String json) {
        if (json == null) {
            return null;
        }
        try {
            JsonNode n = MetadataJson.MAPPER.readTree(json);
            return new ReceiverReply(n.path("status").textValue(), n.path("message").textValue(),
                    n.hasNonNull("recording_id") ? n.get("recording_id").asLong() : null,
                    n.hasNonNull("pk") ? n.get("pk").asLong() : null, n.path("action").textValue());
        } catch (IOException e) {
            return null;
        }
    }
}
