package dev.reelay.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MediaOptionsTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        MediaOptions options = MediaOptions.defaults();

        assertThat(options.enabled()).isTrue();
        assertThat(options.thumbnailOffset()).isEqualTo(Duration.ofSeconds(1));
        assertThat(options.thumbnailMaxWidth()).isEqualTo(640);
        assertThat(options.jpegQuality()).isEqualTo(0.85f);
        assertThat(options.thumbnailName()).isEqualTo("thumbnail.jpg");
        assertThat(options.workDirectory()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "reelay-media"));
        assertThat(options.decodersInFlight()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(options.probe()).isNotNull().isSameAs(options.thumbnailer());
        assertThat(options.thumbnailSpec()).isEqualTo(ThumbnailSpec.defaults());
    }

    @Test
    void disabledTurnsTheStepOff() {
        assertThat(MediaOptions.disabled().enabled()).isFalse();
        assertThat(MediaOptions.disabled()).hasToString("MediaOptions{enabled=false}");
    }

    @Test
    void toBuilderKeepsTheHostsParts() {
        MediaProbe probe = video -> Duration.ZERO;
        MediaOptions options = MediaOptions.builder().probe(probe).thumbnailMaxWidth(320).build();

        MediaOptions copy = options.toBuilder().decodersInFlight(3).build();

        assertThat(copy.probe()).isSameAs(probe);
        assertThat(copy.thumbnailMaxWidth()).isEqualTo(320);
        assertThat(copy.decodersInFlight()).isEqualTo(3);
        assertThat(copy.thumbnailer()).isNotNull();
    }

    static Stream<Arguments> invalidOptions() {
        return Stream.of(
                invalid(b -> b.thumbnailOffset(Duration.ofSeconds(-1)), "thumbnailOffset must be zero or positive, was PT-1S"),
                invalid(b -> b.thumbnailOffset(null), "thumbnailOffset must be zero or positive, was null"),
                invalid(b -> b.thumbnailMaxWidth(15), "thumbnailMaxWidth must be between 16 and 7680 pixels, was 15"),
                invalid(b -> b.thumbnailMaxWidth(7681), "thumbnailMaxWidth must be between 16 and 7680 pixels, was 7681"),
                invalid(b -> b.jpegQuality(0f), "jpegQuality must be above 0 and at most 1, was 0.0"),
                invalid(b -> b.jpegQuality(1.5f), "jpegQuality must be above 0 and at most 1, was 1.5"),
                invalid(b -> b.jpegQuality(Float.NaN), "jpegQuality must be above 0 and at most 1, was NaN"),
                invalid(b -> b.thumbnailName(" "), "thumbnailName must be set and not blank"),
                invalid(b -> b.thumbnailName("thumbs/a.jpg"), "thumbnailName must be a plain file name, was thumbs/a.jpg"),
                invalid(b -> b.thumbnailName("thumbnail.png"),
                        "thumbnailName must end with .jpg or .jpeg (thumbnails are JPEGs), was thumbnail.png"),
                invalid(b -> b.decodersInFlight(0), "decodersInFlight must be > 0, was 0"),
                invalid(b -> b.timeout(Duration.ZERO), "timeout must be a positive duration, was PT0S"));
    }

    private static Arguments invalid(UnaryOperator<MediaOptions.Builder> change, String message) {
        return Arguments.of(message, change);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidOptions")
    void invalidValuesAreRefusedNamingTheOption(String message, UnaryOperator<MediaOptions.Builder> change) {
        assertThatThrownBy(() -> change.apply(MediaOptions.builder()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void aMissingWorkDirectoryIsRefused() {
        assertThatThrownBy(() -> MediaOptions.builder().workDirectory(null).build())
                .isInstanceOf(NullPointerException.class)
                .hasMessage("workDirectory must be set");
    }

    @Test
    void upperCaseJpegNamesAreFine() {
        assertThat(MediaOptions.builder().thumbnailName("Cover.JPEG").build().thumbnailName()).isEqualTo("Cover.JPEG");
    }

    @Test
    void thumbnailSpecChecksItsValuesToo() {
        assertThatThrownBy(() -> ThumbnailSpec.defaults().withMaxWidth(8000))
                .hasMessage("maxWidth must be between 16 and 7680 pixels, was 8000");
        assertThatThrownBy(() -> ThumbnailSpec.defaults().withJpegQuality(-1f))
                .hasMessage("jpegQuality must be above 0 and at most 1, was -1.0");
        assertThatThrownBy(() -> ThumbnailSpec.defaults().withKnownDuration(Duration.ofSeconds(-2)))
                .hasMessage("knownDuration must be zero or positive when set, was PT-2S");
    }

    @Test
    void theOffsetNeverPassesTheMiddle() {
        ThumbnailSpec spec = ThumbnailSpec.defaults().withOffset(Duration.ofSeconds(5));

        assertThat(spec.offsetWithin(Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(1));
        assertThat(spec.offsetWithin(Duration.ZERO)).isEqualTo(Duration.ZERO);
        assertThat(spec.offsetWithin(Duration.ofHours(2))).isEqualTo(Duration.ofSeconds(5));
        assertThat(spec.offsetWithin(null)).isEqualTo(Duration.ofSeconds(5));
    }
}
