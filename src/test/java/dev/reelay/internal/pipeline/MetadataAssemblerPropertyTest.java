package dev.reelay.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reelay.FileOutcome;
import dev.reelay.FileRole;
import dev.reelay.Recording;
import dev.reelay.RecordingMetadata;
import dev.reelay.support.Generated;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Any valid recording gives a payload the receiver contract accepts, with sizes that add up: a
 * property checked over {@value #TRIES} generated recordings a run, new ones each run. A failure
 * names its seed; {@code -Dreelay.seed=…} runs the same cases again (see {@link Generated}).
 */
class MetadataAssemblerPropertyTest {

    /** Default options, but for ids: the generated ones cover the whole positive range (the store plays no part). */
    static final dev.reelay.PipelineOptions OPTIONS = dev.reelay.PipelineOptions.builder()
            .s3(dev.reelay.storage.S3StorageOptions.builder().region("us-west-1").bucket("b").build())
            .limits(dev.reelay.InputLimits.builder().maxRecordingId(Long.MAX_VALUE).build()).build();

    static final int TRIES = 300;
    private static final BigDecimal MIB = BigDecimal.valueOf(1 << 20);
    private static final DateTimeFormatter CREATED_AT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS")
            .withZone(ZoneOffset.UTC);

    record Stored(String name, FileRole role, long size) {
    }

    static Stream<Arguments> cases() {
        return Generated.cases(Generated.tries(TRIES));
    }

    @ParameterizedTest(name = "case {0} of seed {1}")
    @MethodSource("cases")
    void thePayloadIsWhatTheReceiverAcceptsAndItsSizesAddUp(int index, long seed) {
        Generated.check(index, () -> {
            SplittableRandom r = Generated.random(index);
            Recording recording = recording(r);
            List<Stored> files = storedFiles(r);
            Duration probed = Generated.orNull(r, 0.5, Duration.ofMillis(Generated.between(r, 0, 36_000_000L)));
            checkPayload(recording, files, probed);
        });
    }

    private static void checkPayload(Recording recording, List<Stored> files, Duration probed) throws Exception {
        // the generated recording is one the pipeline accepts
        assertThat(Validation.problem(recording, OPTIONS)).isEmpty();

        List<FileOutcome> outcomes = new ArrayList<>();
        for (Stored f : files) {
            outcomes.add(new FileOutcome(f.role(), f.name(), recording.id() + "/" + f.name(),
                    "https://s3.example.com/b/" + recording.id() + "/" + f.name(), f.size(), 1, null));
        }
        RecordingMetadata m = MetadataAssembler.assemble(recording, outcomes, probed,
                "https://s3.example.com/b/" + recording.id() + "/metadata.json", Instant.parse("2025-10-25T01:57:22.775114Z"),
                "reelay", "b", "us-west-1");

        byte[] written = m.toJson();
        // byte for byte what databind's tree wrote: the webhook-id is a hash of these bytes
        assertThat(written).isEqualTo(MetadataJsonTest.asDatabindWroteIt(m));
        JsonNode json = new ObjectMapper().readTree(written);

        // what the receiver requires: recording_id and user_info.email; the text exactly as given
        assertThat(json.get("recording_id").asLong()).isEqualTo(recording.id());
        assertThat(json.at("/user_info/email").asText()).isEqualTo(recording.user().email());
        assertThat(json.at("/user_info/username").asText()).isEqualTo(recording.user().username());
        assertThat(json.get("title").asText()).isEqualTo(recording.title());
        assertThat(json.get("created_at").asText()).isEqualTo(CREATED_AT.format(recording.createdAt()));
        // sizes: each file's MiB rounded half-up to 2 places; the total from the bytes; the parts within rounding of it
        JsonNode individual = json.at("/file_info/individual_sizes_mb");
        assertThat(individual.size()).isEqualTo(files.size());
        for (Stored f : files) {
            assertThat(individual.get(f.name())).as("size of %s", f.name()).isNotNull();
            assertThat(individual.get(f.name()).decimalValue()).as("size of %s (%d bytes)", f.name(), f.size())
                    .isEqualByComparingTo(mebibytes(f.size()));
        }
        long bytes = files.stream().mapToLong(Stored::size).sum();
        BigDecimal total = json.at("/file_info/total_size_mb").decimalValue();
        assertThat(total).as("total of %d bytes", bytes).isEqualByComparingTo(mebibytes(bytes));
        BigDecimal parts = BigDecimal.ZERO;
        for (JsonNode part : individual) {
            parts = parts.add(part.decimalValue());
        }
        assertThat(parts.subtract(total).abs()).isLessThanOrEqualTo(new BigDecimal("0.005").multiply(BigDecimal.valueOf(files.size() + 1)));
        // uploaded_files: only roles that were stored, and always the document itself
        assertThat(json.at("/uploaded_files/metadata").asText()).endsWith("/metadata.json");
        for (FileRole role : List.of(FileRole.VIDEO, FileRole.THUMBNAIL, FileRole.TRANSCRIPT)) {
            assertThat(json.at("/uploaded_files").has(role.payloadKey()))
                    .isEqualTo(files.stream().anyMatch(f -> f.role() == role));
        }
        // durations: whole seconds rounded half-up, each standing in for the other
        Long probedSeconds = probed == null ? null : seconds(probed);
        Long declaredSeconds = recording.declaredDuration().map(MetadataAssemblerPropertyTest::seconds).orElse(null);
        assertThat(number(json.get("duration_seconds"))).isEqualTo(probedSeconds != null ? probedSeconds : declaredSeconds);
        assertThat(number(json.get("duration_database"))).isEqualTo(declaredSeconds != null ? declaredSeconds : probedSeconds);
        // and it reads back as written
        RecordingMetadata back = RecordingMetadata.fromJson(m.toJson());
        assertThat(back.toJson()).isEqualTo(m.toJson());
    }

    /** A recording Validation accepts: any id, any text but lone surrogates, times to 2100, durations to a day. */
    static Recording recording(SplittableRandom r) {
        long id = Generated.between(r, 1, Long.MAX_VALUE);
        String title = Generated.anyText(r, 300);
        String email = Generated.textOf(r, "abcdefghijklmnopqrstuvwxyz0123456789._+-", 1, 30)
                + "@" + Generated.textOf(r, "abcdefghijklmnopqrstuvwxyz", 1, 20)
                + "." + Generated.oneOf(r, List.of("com", "org", "io", "co.uk"));
        String username = Generated.anyText(r, 50);
        long micros = Generated.between(r, 0, 4_102_444_800_000_000L);
        Duration declared = Generated.orNull(r, 0.3, Duration.ofMillis(Generated.between(r, 0, 86_400_000L)));
        return Recording.builder(id).title(title)
                .createdAt(Instant.EPOCH.plusNanos(micros * 1000)).declaredDuration(declared).user(username, email)
                .video(Path.of("/rec/video.mkv")).build();
    }

    /** One to eight stored files with distinct names (accents, emoji), any role, up to 4 TiB each. */
    static List<Stored> storedFiles(SplittableRandom r) {
        int count = Generated.length(r, 1, 8);
        Set<String> names = new HashSet<>();
        List<Stored> files = new ArrayList<>();
        while (files.size() < count) {
            String name = Generated.textOf(r, "abcdefghijklmnopqrstuvwxyz-_. éü", 1, 40);
            if (name.length() % 3 == 0) {
                name += "🎬";
            }
            FileRole role = Generated.oneOf(r, List.of(FileRole.VIDEO, FileRole.THUMBNAIL, FileRole.TRANSCRIPT, FileRole.OTHER));
            long size = size(r);
            if (names.add(name)) {
                files.add(new Stored(name, role, size));
            }
        }
        return files;
    }

    /** Up to 2^42 bytes; often a size whose MiB end exactly on a half at two places, where rounding modes differ. */
    static long size(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> (2 * r.nextLong(0, 1L << 24) + 1) << 17; // an odd number of eighths of a MiB: x.125, x.375, …
            case 1 -> Generated.between(r, 0, 16L << 20);
            default -> Generated.between(r, 0, 1L << 42);
        };
    }

    private static BigDecimal mebibytes(long bytes) {
        return new BigDecimal(bytes).divide(MIB, 2, RoundingMode.HALF_UP);
    }

    private static long seconds(Duration d) {
        return BigDecimal.valueOf(d.toMillis()).divide(BigDecimal.valueOf(1000), 0, RoundingMode.HALF_UP).longValueExact();
    }

    private static Long number(JsonNode node) {
        return node == null || node.isNull() ? null : node.longValue();
    }
}
