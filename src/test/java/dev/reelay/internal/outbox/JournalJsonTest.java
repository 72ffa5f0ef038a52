package dev.reelay.internal.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reelay.FileRole;
import dev.reelay.Recording;
import dev.reelay.RecordingFile;
import dev.reelay.webhook.ReceiverReply;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The journal's JSON, streamed: it writes what earlier releases wrote through databind's tree, so journals of both
 * read alike, and reads back what it wrote.
 */
class JournalJsonTest {

    private static final ObjectMapper DATABIND = new ObjectMapper();

    @Test
    void aRecordingIsWrittenAsBeforeAndReadsBackAsAccepted() {
        Recording full = Recording.builder(42).title("Réunion 🎬 \"quoted\" \\ \u2028")
                .createdAt(Instant.parse("2025-10-25T01:55:59.374860Z"))
                .declaredDuration(Duration.ofMillis(77_500))
                .user("souvik", "souvik@example.com")
                .file(FileRole.VIDEO, Path.of("/rec/42/video.mkv"))
                .file(new RecordingFile(FileRole.OTHER, Path.of("/rec/42/notes.md"), "renamed.md"))
                .build();
        Recording sparse = Recording.builder(7).file((RecordingFile) null)
                .file(new RecordingFile(null, null, null)).build();

        for (Recording r : new Recording[] {full, sparse}) {
            String json = RecordingJson.write(r);
            assertThat(json).isEqualTo(asDatabindWroteIt(r));
            Recording back = RecordingJson.read(json);
            assertThat(back).usingRecursiveComparison().isEqualTo(r);
        }
    }

    @Test
    void aReplyIsWrittenAsBeforeAndReadsBack() {
        ReceiverReply full = new ReceiverReply("success", "Recording \"3\" created \u2028", 3L, 17L, "created");
        ReceiverReply sparse = new ReceiverReply(null, null, null, null, null);

        for (ReceiverReply r : new ReceiverReply[] {full, sparse}) {
            String json = ReplyJson.write(r);
            assertThat(json).isEqualTo(asDatabindWroteIt(r));
            assertThat(ReplyJson.read(json)).isEqualTo(r);
        }
        assertThat(ReplyJson.write(null)).isNull();
        assertThat(ReplyJson.read(null)).isNull();
        assertThat(ReplyJson.read("not json")).isNull();
    }

    private static String asDatabindWroteIt(Recording r) {
        ObjectNode n = DATABIND.createObjectNode();
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

    private static String asDatabindWroteIt(ReceiverReply r) {
        ObjectNode n = DATABIND.createObjectNode();
        n.put("status", r.status());
        n.put("message", r.message());
        n.put("recording_id", r.recordingId());
        n.put("pk", r.pk());
        n.put("action", r.action());
        return n.toString();
    }
}
