package dev.reelay.internal.outbox;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.reelay.FileRole;
import dev.reelay.Recording;
import dev.reelay.RecordingFile;
import dev.reelay.internal.Json;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A recording as the journal keeps it: every field, nulls included, so it comes back as accepted. Streamed both
 * ways, in the shape journals have always held.
 */
final class RecordingJson {

    private RecordingJson() {
    }

    static String write(Recording r) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = Json.generator(out)) {
            g.writeStartObject();
            g.writeNumberField("id", r.id());
            g.writeStringField("title", r.title());
            g.writeStringField("created_at", r.createdAt() == null ? null : r.createdAt().toString());
            Long declared = r.declaredDuration().map(Duration::toMillis).orElse(null);
            if (declared == null) {
                g.writeNullField("declared_duration_ms");
            } else {
                g.writeNumberField("declared_duration_ms", declared);
            }
            if (r.user() != null) {
                g.writeObjectFieldStart("user");
                g.writeStringField("username", r.user().username());
                g.writeStringField("email", r.user().email());
                g.writeEndObject();
            }
            g.writeArrayFieldStart("files");
            for (RecordingFile f : r.files()) {
                if (f == null) {
                    g.writeNull();
                    continue;
                }
                g.writeStartObject();
                g.writeStringField("role", f.role() == null ? null : f.role().name());
                g.writeStringField("path", f.path() == null ? null : f.path().toString());
                g.writeStringField("name", f.name());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("a recording could not be written as JSON", e);
        }
        return out.toString();
    }

    static Recording read(String json) {
        try (JsonParser p = Json.parser(json)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            Long id = null;
            String title = null;
            String createdAt = null;
            Long declaredMs = null;
            String[] user = null;
            List<RecordingFile> files = new ArrayList<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "id" -> id = value == JsonToken.VALUE_NULL ? null : p.getValueAsLong();
                    case "title" -> title = text(p, value);
                    case "created_at" -> createdAt = text(p, value);
                    case "declared_duration_ms" -> declaredMs = value == JsonToken.VALUE_NULL ? null : p.getValueAsLong();
                    case "user" -> user = value == JsonToken.START_OBJECT ? user(p) : skip(p);
                    case "files" -> files = value == JsonToken.START_ARRAY ? files(p) : skip(p);
                    default -> p.skipChildren();
                }
            }
            if (id == null) {
                throw new IllegalArgumentException("a journaled recording has no id");
            }
            Recording.Builder b = Recording.builder(id)
                    .title(title)
                    .createdAt(createdAt == null ? null : Instant.parse(createdAt));
            if (declaredMs != null) {
                b.declaredDuration(Duration.ofMillis(declaredMs));
            }
            if (user != null) {
                b.user(user[0], user[1]);
            }
            files.forEach(b::file);
            return b.build();
        } catch (IOException e) {
            throw new UncheckedIOException("a journaled recording is not JSON", e);
        }
    }

    private static String[] user(JsonParser p) throws IOException {
        String[] user = new String[2];
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            switch (name) {
                case "username" -> user[0] = text(p, value);
                case "email" -> user[1] = text(p, value);
                default -> p.skipChildren();
            }
        }
        return user;
    }

    private static List<RecordingFile> files(JsonParser p) throws IOException {
        List<RecordingFile> files = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t != JsonToken.START_OBJECT) {
                p.skipChildren();
                files.add(null);
                continue;
            }
            String role = null;
            String path = null;
            String name = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "role" -> role = text(p, value);
                    case "path" -> path = text(p, value);
                    case "name" -> name = text(p, value);
                    default -> p.skipChildren();
                }
            }
            files.add(new RecordingFile(role == null ? null : FileRole.valueOf(role), path == null ? null : Path.of(path),
                    name));
        }
        return files;
    }

    /** A scalar as text ({@code null} for null); an object or array counts as absent. */
    static String text(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value.isScalarValue()) {
            return p.getValueAsString();
        }
        p.skipChildren();
        return null;
    }

    private static <T> T skip(JsonParser p) throws IOException {
        p.skipChildren();
        return null;
    }

    private static void expect(JsonToken actual, JsonToken expected) throws IOException {
        if (actual != expected) {
            throw new IOException("expected " + expected + " but found " + actual);
        }
    }
}
