package dev.reelay.internal.outbox;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.reelay.internal.Json;
import dev.reelay.webhook.ReceiverReply;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/** A receiver's reply as the journal keeps it, streamed both ways. */
final class ReplyJson {

    private ReplyJson() {
    }

    static String write(ReceiverReply r) {
        if (r == null) {
            return null;
        }
        StringWriter out = new StringWriter(128);
        try (JsonGenerator g = Json.generator(out)) {
            g.writeStartObject();
            g.writeStringField("status", r.status());
            g.writeStringField("message", r.message());
            writeNullable(g, "recording_id", r.recordingId());
            writeNullable(g, "pk", r.pk());
            g.writeStringField("action", r.action());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("a reply could not be written as JSON", e);
        }
        return out.toString();
    }

    private static void writeNullable(JsonGenerator g, String name, Long value) throws IOException {
        if (value == null) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, value.longValue());
        }
    }

    static ReceiverReply read(String json) {
        if (json == null) {
            return null;
        }
        try (JsonParser p = Json.parser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String status = null;
            String message = null;
            String action = null;
            Long recordingId = null;
            Long pk = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "status" -> status = string(p, value);
                    case "message" -> message = string(p, value);
                    case "action" -> action = string(p, value);
                    case "recording_id" -> recordingId = number(p, value);
                    case "pk" -> pk = number(p, value);
                    default -> p.skipChildren();
                }
            }
            return new ReceiverReply(status, message, recordingId, pk, action);
        } catch (IOException e) {
            return null;
        }
    }

    /** A string value; anything else (a number, an object) is no text, as the journal has always read it. */
    private static String string(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        p.skipChildren();
        return null;
    }

    private static Long number(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value.isScalarValue()) {
            return p.getValueAsLong();
        }
        p.skipChildren();
        return null;
    }
}
