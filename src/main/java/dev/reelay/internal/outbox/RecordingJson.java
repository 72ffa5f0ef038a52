package dev.reelay.internal.outbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reelay.FileRole;
import dev.reelay.Recording;
import dev.reelay.RecordingFile;
import dev.reelay.internal.pipeline.MetadataJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/** A recording as the journal keeps it: every field, nulls included, so it comes back as accepted. */
final class RecordingJson {

    private RecordingJson() {
    }

    static String write(Recording r) {
        ObjectNode n = MetadataJson.MAPPER.createObjectNode();
        n.put("id", r.id());
        n.put("title", r.title());
        n.put("created_at", r.createdAt() == null ? null : r.createdAt().toString());
        n.put("declared_duration_ms", r.declaredDuration().map(Duration::toMillis).orElse(null));
        if (r.user() != null) {
            n.putObject("user").put("username", r.user().username()).put("email", r.user().email());
        }
        ArrayNode files = n.putArray("files");
        for (RecordingFile f : r.files()) {
            if (f == null) {
                files.addNull();
                continue;
            }
            files.addObject()
                    .put("role", f.role() == null ? null : f.role().name())
                    .put("path", f.path() == null ? null : f.path().toString())
                    .put("name", f.name());
        }
        return n.toString();
    }

    static Recording read(String json) {
        JsonNode n;
        try {
            n = MetadataJson.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("a journaled recording is not JSON", e);
        }
        Recording.Builder b = Recording.builder(n.get("id").asLong())
                .title(text(n, "title"))
                .createdAt(text(n, "created_at") == null ? null : Instant.parse(text(n, "created_at")));
        if (n.hasNonNull("declared_duration_ms")) {
            b.declaredDuration(Duration.ofMillis(n.get("declared_duration_ms").asLong()));
        }
        JsonNode user = n.get("user");
        if (user != null && !user.isNull()) {
            b.user(text(user, "username"), text(user, "email"));
        }
        for (JsonNode f : n.path("files")) {
            if (f.isNull()) {
                b.file((RecordingFile) null);
                continue;
            }
            String role = text(f, "role");
            String path = text(f, "path");
            b.file(new RecordingFile(role == null ? null : FileRole.valueOf(role), path == null ? null : Path.of(path),
                    text(f, "name")));
        }
        return b.build();
    }

    private static String text(JsonNode n, String name) {
        JsonNode v = n.get(name);
        return v == null || v.isNull() ? null : v.asText();
    }
}
