package dev.reelay.internal.pipeline;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reelay.ReelayException;
import dev.reelay.RecordingMetadata;
import dev.reelay.UserInfo;
import dev.reelay.internal.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The metadata document in the original system's JSON shape, field by field and in its order. Written with the
 * streaming writer, byte for byte as databind's tree wrote it (the webhook-id is a hash of these bytes); read,
 * leniently, with databind, which only a reader of documents (a receiver, a resume) loads.
 */
public final class MetadataJson {

    /** {@code 2025-10-25 01:55:59.374860}, as Python's {@code str(datetime)} writes it. */
    static final DateTimeFormatter CREATED_AT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    /** {@code 2025-10-24T21:57:22.775114}, as Python's {@code datetime.isoformat()} writes it. */
    static final DateTimeFormatter UPLOAD_TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");

    private MetadataJson() {
    }

    public static String createdAt(Instant t) {
        return CREATED_AT.format(LocalDateTime.ofInstant(t, ZoneOffset.UTC));
    }

    public static String uploadTimestamp(Instant t) {
        return UPLOAD_TIMESTAMP.format(LocalDateTime.ofInstant(t, ZoneOffset.UTC));
    }

    public static byte[] write(RecordingMetadata m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = Json.generator(out)) {
            g.setPrettyPrinter(new DefaultPrettyPrinter());
            g.writeStartObject();
            g.writeNumberField("recording_id", m.recordingId());
            g.writeStringField("title", m.title());
            g.writeStringField("created_at", createdAt(m.createdAt()));
            writeNullable(g, "duration_seconds", m.durationSeconds());
            writeNullable(g, "duration_database", m.durationDatabase());
            g.writeObjectFieldStart("user_info");
            g.writeStringField("username", m.userInfo().username());
            g.writeStringField("email", m.userInfo().email());
            g.writeEndObject();
            g.writeObjectFieldStart("file_info");
            // Python floats: 0.5 and 0.0, not 0.50 and 0.00.
            g.writeNumberField("total_size_mb", m.totalSizeMb().doubleValue());
            g.writeObjectFieldStart("individual_sizes_mb");
            for (Map.Entry<String, BigDecimal> size : m.individualSizesMb().entrySet()) {
                g.writeNumberField(size.getKey(), size.getValue().doubleValue());
            }
            g.writeEndObject();
            g.writeEndObject();
            g.writeObjectFieldStart("uploaded_files");
            for (Map.Entry<String, String> url : m.uploadedFiles().entrySet()) {
                g.writeStringField(url.getKey(), url.getValue());
            }
            g.writeEndObject();
            g.writeStringField("upload_timestamp", uploadTimestamp(m.uploadTimestamp()));
            g.writeStringField("upload_source", m.uploadSource());
            g.writeStringField("bucket_name", m.bucketName());
            g.writeStringField("region", m.region());
            g.writeEndObject();
        } catch (IOException e) {
            throw new ReelayException("could not write the metadata of recording " + m.recordingId(), e);
        }
        return out.toByteArray();
    }

    private static void writeNullable(JsonGenerator g, String name, Long value) throws IOException {
        if (value == null) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, value.longValue());
        }
    }

    public static RecordingMetadata read(byte[] json) {
        JsonNode root;
        try {
            root = Reader.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a JSON document: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        if (!root.path("recording_id").canConvertToLong()) {
            throw new IllegalArgumentException("recording_id is missing or not a number");
        }
        JsonNode user = root.path("user_info");
        JsonNode fileInfo = root.path("file_info");
        Map<String, BigDecimal> sizes = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = fileInfo.path("individual_sizes_mb").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            sizes.put(e.getKey(), e.getValue().decimalValue());
        }
        Map<String, String> uploaded = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("uploaded_files").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            uploaded.put(e.getKey(), e.getValue().asText());
        }
        return new RecordingMetadata(
                root.path("recording_id").asLong(),
                text(root, "title"),
                time(root, "created_at", CREATED_AT),
                number(root, "duration_seconds"),
                number(root, "duration_database"),
                new UserInfo(text(user, "username"), text(user, "email")),
                fileInfo.has("total_size_mb") ? fileInfo.get("total_size_mb").decimalValue() : BigDecimal.ZERO,
                sizes,
                uploaded,
                time(root, "upload_timestamp", UPLOAD_TIMESTAMP),
                text(root, "upload_source"),
                text(root, "bucket_name"),
                text(root, "region"));
    }

    private static String text(JsonNode node, String name) {
        JsonNode v = node.get(name);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Long number(JsonNode node, String name) {
        JsonNode v = node.get(name);
        return v == null || v.isNull() ? null : v.asLong();
    }

    private static Instant time(JsonNode node, String name, DateTimeFormatter format) {
        String v = text(node, name);
        if (v == null) {
            return null;
        }
        try {
            return LocalDateTime.parse(v, format).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + " is not a timestamp like "
                    + format.format(LocalDateTime.of(2025, 10, 25, 1, 55, 59, 374_860_000)) + ": " + v, e);
        }
    }

    /** Databind, loaded only when a document is read. */
    private static final class Reader {
        static final ObjectMapper MAPPER = new ObjectMapper(Json.newFactory());
    }
}
