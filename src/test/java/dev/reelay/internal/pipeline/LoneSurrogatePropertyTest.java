package dev.reelay.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.Recording;
import dev.reelay.support.Generated;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The other side of {@link MetadataAssemblerPropertyTest}'s valid text: one lone surrogate put
 * anywhere into generated text (between two code points, so it pairs with nothing) is found at
 * its index, and the recording is rejected with the field named. Such text cannot be written
 * as JSON or UTF-8.
 */
class LoneSurrogatePropertyTest {

    /** Default options, but for ids: the generated ones cover the whole positive range (the store plays no part). */
    static final dev.reelay.PipelineOptions OPTIONS = dev.reelay.PipelineOptions.builder()
            .s3(dev.reelay.storage.S3StorageOptions.builder().region("us-west-1").bucket("b").build())
            .limits(dev.reelay.InputLimits.builder().maxRecordingId(Long.MAX_VALUE).build()).build();

    static Stream<Arguments> cases() {
        return Generated.cases(Generated.tries(MetadataAssemblerPropertyTest.TRIES));
    }

    @ParameterizedTest(name = "case {0} of seed {1}")
    @MethodSource("cases")
    void aLoneSurrogateAnywhereIsFoundAndTheRecordingRejected(int index, long seed) {
        Generated.check(index, () -> {
            SplittableRandom r = Generated.random(index);
            String valid = Generated.anyText(r, 300);
            int[] boundaries = codePointBoundaries(valid);
            int at = boundaries[r.nextInt(boundaries.length)];
            char lone = (char) (r.nextBoolean() ? r.nextInt(0xD800, 0xDC00) : r.nextInt(0xDC00, 0xE000));
            String broken = valid.substring(0, at) + lone + valid.substring(at);
            boolean inTitle = r.nextBoolean();
            Recording base = MetadataAssemblerPropertyTest.recording(r);
            Recording recording = inTitle ? base.toBuilder().title(broken).build()
                    : base.toBuilder().user(broken, base.user().email()).build();

            assertThat(Validation.brokenSurrogate(valid)).isEqualTo(-1);
            assertThat(Validation.brokenSurrogate(broken)).as("U+%04X inserted at %d", (int) lone, at).isEqualTo(at);
            assertThat(Validation.problem(recording, OPTIONS))
                    .hasValue("recording " + recording.id() + ": " + (inTitle ? "title" : "user_info.username")
                            + " is not valid Unicode: a lone surrogate at index " + at);
        });
    }

    /** 0, the index after each code point, and the length: where a char can go without splitting a pair. */
    private static int[] codePointBoundaries(String s) {
        int[] boundaries = new int[s.codePointCount(0, s.length()) + 1];
        for (int i = 0, k = 0; k < boundaries.length; k++) {
            boundaries[k] = i;
            i = i < s.length() ? s.offsetByCodePoints(i, 1) : i;
        }
        return boundaries;
    }
}
