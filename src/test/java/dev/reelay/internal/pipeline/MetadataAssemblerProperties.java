package dev.reelay.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reelay.FileOutcome;
import dev.reelay.FileRole;
import dev.reelay.Recording;
import dev.reelay.RecordingMetadata;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Any valid recording gives a payload the receiver contract accepts, with sizes that add up. */
class MetadataAssemblerProperties {

    record Stored(String name, FileRole role, long size) {
    }

    @Provide
    Arbitrary<Recording> recordings() {
        Arbitrary<Long> ids = Arbitraries.longs().between(1, Long.MAX_VALUE);
        // any text Validation lets through: everything but lone surrogates (see RejectionTest)
        Arbitrary<String> titles = Arbitraries.strings().all().ofMaxLength(300).filter(t -> Validation.brokenSurrogate(t) < 0);
        Arbitrary<String> emails = Combinators.combine(
                Arbitraries.strings().withCharRange('a', 'z').numeric().withChars("._+-").ofMinLength(1).ofMaxLength(30),
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(20),
                Arbitraries.of("com", "org", "io", "co.uk")).as((l, d, t) -> l + "@" + d + "." + t);
        Arbitrary<String> usernames = Arbitraries.strings().all().ofMaxLength(50).filter(t -> Validation.brokenSurrogate(t) < 0);
        Arbitrary<Instant> times = Arbitraries.longs().between(0, 4_102_444_800_000_000L)
                .map(micros -> Instant.EPOCH.plusNanos(micros * 1000));
        Arbitrary<Duration> durations = Arbitraries.longs().between(0, 86_400_000L).map(Duration::ofMillis).injectNull(0.3);
        return Combinators.combine(ids, titles, emails, usernames, times, durations)
                .as((id, title, email, username, createdAt, declared) -> Recording.builder(id).title(title)
                        .createdAt(createdAt).declaredDuration(declared).user(username, email)
                        .video(Path.of("/rec/video.mkv")).build());
    }

    @Provide
    Arbitrary<List<Stored>> storedFiles() {
        Arbitrary<Stored> file = Combinators.combine(
                Arbitraries.strings().withCharRange('a', 'z').withChars("-_. éü").ofMinLength(1).ofMaxLength(40)
                        .map(n -> n.length() % 3 == 0 ? n + "🎬" : n),
                Arbitraries.of(FileRole.VIDEO, FileRole.THUMBNAIL, FileRole.TRANSCRIPT, FileRole.OTHER),
                Arbitraries.longs().between(0, 1L << 42)).as(Stored::new);
        return file.list().ofMinSize(1).ofMaxSize(8).uniqueElements(Stored::name);
    }

    @Property(tries = 300)
    void thePayloadIsWhatTheReceiverAcceptsAndItsSizesAddUp(@ForAll("recordings") Recording recording,
                                                           @ForAll("storedFiles") List<Stored> files,
                                                           @ForAll("probed") Duration probed) throws Exception {
        List<FileOutcome> outcomes = new ArrayList<>();
        for (Stored f : files) {
            outcomes.add(new FileOutcome(f.role(), f.name(), recording.id() + "/" + f.name(),
                    "https://s3.example.com/b/" + recording.id() + "/" + f.name(), f.size(), 1, null));
        }
        RecordingMetadata m = MetadataAssembler.assemble(recording, outcomes, probed,
                "https://s3.example.com/b/" + recording.id() + "/metadata.json", Instant.parse("2025-10-25T01:57:22.775114Z"),
                "reelay", "b", "us-west-1");

        JsonNode json = MetadataJson.MAPPER.readTree(m.toJson());

        // what the receiver requires: recording_id and user_info.email
        assertThat(json.get("recording_id").asLong()).isEqualTo(recording.id());
        assertThat(json.at("/user_info/email").asText()).isEqualTo(recording.user().email());
        assertThat(json.get("title").asText()).isEqualTo(recording.title());
        // sizes: one per stored file; the total from the bytes; the parts within rounding of it
        long bytes = files.stream().mapToLong(Stored::size).sum();
        BigDecimal total = json.at("/file_info/total_size_mb").decimalValue();
        assertThat(total).isEqualByComparingTo(new BigDecimal(bytes).divide(BigDecimal.valueOf(1 << 20), 2, RoundingMode.HALF_UP));
        BigDecimal parts = BigDecimal.ZERO;
        for (JsonNode part : json.at("/file_info/individual_sizes_mb")) {
            parts = parts.add(part.decimalValue());
        }
        assertThat(parts.subtract(total).abs()).isLessThanOrEqualTo(new BigDecimal("0.005").multiply(BigDecimal.valueOf(files.size() + 1)));
        assertThat(json.at("/file_info/individual_sizes_mb").size()).isEqualTo(files.size());
        // uploaded_files: only roles that were stored, and always the document itself
        assertThat(json.at("/uploaded_files/metadata").asText()).endsWith("/metadata.json");
        for (FileRole role : List.of(FileRole.VIDEO, FileRole.THUMBNAIL, FileRole.TRANSCRIPT)) {
            assertThat(json.at("/uploaded_files").has(role.payloadKey()))
                    .isEqualTo(files.stream().anyMatch(f -> f.role() == role));
        }
        // durations: whole seconds, each standing in for the other
        assertThat(json.get("duration_seconds").isNull()).isEqualTo(probed == null && recording.declaredDuration().isEmpty());
        // and it reads back as written
        RecordingMetadata back = RecordingMetadata.fromJson(m.toJson());
        assertThat(back.toJson()).isEqualTo(m.toJson());
    }

    @Provide
    Arbitrary<Duration> probed() {
        return Arbitraries.longs().between(0, 36_000_000L).map(Duration::ofMillis).injectNull(0.5);
    }
}
