package dev.reelay.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class QuickStartConfigTest {

    private static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString("sixteen+ bytes of key".getBytes(UTF_8));

    @TempDir
    static Path recordingDir;

    @Test
    void withNothingSetEverythingIsEmbedded() {
        QuickStartConfig config = QuickStartConfig.fromEnvironment(Map.of("PATH", "/usr/bin"));

        assertThat(config.s3Endpoint()).isEmpty();
        assertThat(config.s3AccessKey()).isEmpty();
        assertThat(config.s3SecretKey()).isEmpty();
        assertThat(config.webhookUrl()).isEmpty();
        assertThat(config.webhookSecret()).isEmpty();
        assertThat(config.webhookToken()).isEmpty();
        assertThat(config.recordingDir()).isEmpty();
        assertThat(config.s3Region()).isEqualTo("us-east-1");
        assertThat(config.s3Bucket()).isEqualTo("reelay-demo");
        assertThat(config.recordingId()).isEqualTo(999);
        assertThat(config.recordingTitle()).isEqualTo("Reelay QuickStart");
        assertThat(config.userEmail()).isEqualTo("demo@example.com");
        assertThat(config.userName()).isEqualTo("demo");
        assertThat(config.describe()).isEmpty();
    }

    @Test
    void everyVariableIsHonoured() throws IOException {
        Files.write(recordingDir.resolve("video.mkv"), new byte[10]);
        Map<String, String> env = fullEnvironment();

        QuickStartConfig config = QuickStartConfig.fromEnvironment(env);

        assertThat(config.s3Endpoint()).contains(URI.create("https://s3.us-west-1.idrivee2.com"));
        assertThat(config.s3Region()).isEqualTo("us-west-1");
        assertThat(config.s3Bucket()).isEqualTo("fyemeet");
        assertThat(config.s3AccessKey()).contains("AKIAEXAMPLE");
        assertThat(config.s3SecretKey()).contains("s3-secret-value");
        assertThat(config.webhookUrl()).contains("https://ops.example.com/recordings/webhook/?key=q-secret");
        assertThat(config.webhookSecret()).contains(SECRET);
        assertThat(config.webhookToken()).contains("bearer-token-value");
        assertThat(config.recordingDir()).contains(recordingDir);
        assertThat(config.recordingId()).isEqualTo(3);
        assertThat(config.recordingTitle()).isEqualTo("Meeting 2025-10-24 21:55");
        assertThat(config.userEmail()).isEqualTo("souvik@example.com");
        assertThat(config.userName()).isEqualTo("souvik");
    }

    @Test
    void describeNamesEverySetVariableAndShowsNoSecret() throws IOException {
        Files.write(recordingDir.resolve("video.mkv"), new byte[10]);

        String described = String.join("\n", QuickStartConfig.fromEnvironment(fullEnvironment()).describe());

        assertThat(described.lines()).hasSize(13);
        assertThat(described)
                .contains("REELAY_S3_SECRET_KEY    (set)", "REELAY_WEBHOOK_SECRET   (set)", "REELAY_WEBHOOK_TOKEN    (set)")
                .contains("REELAY_WEBHOOK_URL      https://ops.example.com/recordings/webhook/")
                .doesNotContain("s3-secret-value", SECRET, "bearer-token-value", "q-secret");
        assertThat(QuickStartConfig.fromEnvironment(fullEnvironment()).toString())
                .doesNotContain("s3-secret-value", SECRET, "bearer-token-value", "q-secret");
    }

    @Test
    void blankValuesCountAsUnset() {
        QuickStartConfig config = QuickStartConfig.fromEnvironment(Map.of(
                "REELAY_S3_ENDPOINT", "", "REELAY_WEBHOOK_URL", "  ", "REELAY_RECORDING_ID", ""));

        assertThat(config.s3Endpoint()).isEmpty();
        assertThat(config.webhookUrl()).isEmpty();
        assertThat(config.recordingId()).isEqualTo(999);
    }

    static Stream<Arguments> malformed() throws IOException {
        Path notAFolder = Files.createTempFile("reelay-config-test", ".txt");
        notAFolder.toFile().deleteOnExit();
        Path emptyFolder = Files.createTempDirectory("reelay-config-test");
        emptyFolder.toFile().deleteOnExit();
        Map<String, String> keys = Map.of("REELAY_S3_ACCESS_KEY", "AKIAEXAMPLE", "REELAY_S3_SECRET_KEY", "s3-secret-value");
        return Stream.of(
                Arguments.of("REELAY_S3_ENDPOINT", "s3.example.com", keys, "http:// or https:// URL"),
                Arguments.of("REELAY_S3_ENDPOINT", "ftp://s3.example.com", keys, "http:// or https:// URL"),
                Arguments.of("REELAY_S3_ENDPOINT", "https://s3.example.com/?x=1", keys, "query string"),
                Arguments.of("REELAY_S3_ENDPOINT", "https://s3 example.com", keys, "not a valid URL"),
                Arguments.of("REELAY_S3_REGION", "us west 1", Map.of(), "region name"),
                Arguments.of("REELAY_S3_BUCKET", "My_Bucket", Map.of(), "bucket name"),
                Arguments.of("REELAY_WEBHOOK_URL", "ops.example.com/recordings/webhook/", Map.of(), "http:// or https:// URL"),
                Arguments.of("REELAY_WEBHOOK_URL", "http://ops.example.com/recordings/webhook/", Map.of(), "use https"),
                Arguments.of("REELAY_WEBHOOK_SECRET", "my-secret-value", Map.of(), "whsec_"),
                Arguments.of("REELAY_WEBHOOK_SECRET", "whsec_not*base64", Map.of(), "base64"),
                Arguments.of("REELAY_WEBHOOK_SECRET", "whsec_c2hvcnQ=", Map.of(), "16 bytes"),
                Arguments.of("REELAY_RECORDING_DIR", "/no/such/folder", Map.of(), "does not exist"),
                Arguments.of("REELAY_RECORDING_DIR", notAFolder.toString(), Map.of(), "is not a folder"),
                Arguments.of("REELAY_RECORDING_DIR", emptyFolder.toString(), Map.of(), "video.mkv"),
                Arguments.of("REELAY_RECORDING_ID", "abc", Map.of(), "positive whole number"),
                Arguments.of("REELAY_RECORDING_ID", "0", Map.of(), "positive whole number"),
                Arguments.of("REELAY_RECORDING_ID", "-7", Map.of(), "positive whole number"),
                Arguments.of("REELAY_RECORDING_ID", "3.5", Map.of(), "positive whole number"),
                Arguments.of("REELAY_USER_EMAIL", "souvik", Map.of(), "email address"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("malformed")
    void malformedValueIsNamedInTheMessage(String variable, String value, Map<String, String> others, String why) {
        Map<String, String> env = new HashMap<>(others);
        env.put(variable, value);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> QuickStartConfig.fromEnvironment(env))
                .withMessageStartingWith(variable)
                .withMessageContaining(why);
    }

    @Test
    void secretValuesNeverAppearInMessages() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> QuickStartConfig.fromEnvironment(Map.of(
                        "REELAY_WEBHOOK_SECRET", "whsec_not*base64-but-secret",
                        "REELAY_WEBHOOK_URL", "https://user:p4ssword@ops.example.com/hook?token=abc def")))
                .withMessageNotContaining("not*base64-but-secret")
                .withMessageNotContaining("p4ssword")
                .withMessageNotContaining("token=abc");
    }

    @Test
    void endpointWithoutKeyPairIsRefused() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> QuickStartConfig.fromEnvironment(Map.of("REELAY_S3_ENDPOINT", "https://s3.example.com")))
                .withMessage("REELAY_S3_ENDPOINT is set, so REELAY_S3_ACCESS_KEY and REELAY_S3_SECRET_KEY are needed too");
    }

    @Test
    void halfSetKeyPairIsRefused() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> QuickStartConfig.fromEnvironment(Map.of("REELAY_S3_ACCESS_KEY", "AKIAEXAMPLE")))
                .withMessageStartingWith("REELAY_S3_ACCESS_KEY is set but REELAY_S3_SECRET_KEY is not");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> QuickStartConfig.fromEnvironment(Map.of("REELAY_S3_SECRET_KEY", "s3-secret-value")))
                .withMessageStartingWith("REELAY_S3_SECRET_KEY is set but REELAY_S3_ACCESS_KEY is not")
                .withMessageNotContaining("s3-secret-value");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> QuickStartConfig.fromEnvironment(Map.of(
                        "REELAY_RECORDING_ID", "x", "REELAY_USER_EMAIL", "nobody", "REELAY_S3_BUCKET", "B")))
                .satisfies(e -> assertThat(e.getMessage().lines())
                        .anyMatch(l -> l.startsWith("REELAY_RECORDING_ID"))
                        .anyMatch(l -> l.startsWith("REELAY_USER_EMAIL"))
                        .anyMatch(l -> l.startsWith("REELAY_S3_BUCKET")));
    }

    @Test
    void keyPairWithoutEndpointIsUsedByTheEmbeddedStore() {
        QuickStartConfig config = QuickStartConfig.fromEnvironment(Map.of(
                "REELAY_S3_ACCESS_KEY", "AKIAEXAMPLE", "REELAY_S3_SECRET_KEY", "s3-secret-value"));

        assertThat(config.s3Endpoint()).isEmpty();
        assertThat(config.s3AccessKey()).contains("AKIAEXAMPLE");
    }

    private static Map<String, String> fullEnvironment() {
        Map<String, String> env = new HashMap<>();
        env.put("REELAY_S3_ENDPOINT", "https://s3.us-west-1.idrivee2.com");
        env.put("REELAY_S3_REGION", "us-west-1");
        env.put("REELAY_S3_BUCKET", "fyemeet");
        env.put("REELAY_S3_ACCESS_KEY", "AKIAEXAMPLE");
        env.put("REELAY_S3_SECRET_KEY", "s3-secret-value");
        env.put("REELAY_WEBHOOK_URL", "https://ops.example.com/recordings/webhook/?key=q-secret");
        env.put("REELAY_WEBHOOK_SECRET", SECRET);
        env.put("REELAY_WEBHOOK_TOKEN", "bearer-token-value");
        env.put("REELAY_RECORDING_DIR", recordingDir.toString());
        env.put("REELAY_RECORDING_ID", "3");
        env.put("REELAY_RECORDING_TITLE", "Meeting 2025-10-24 21:55");
        env.put("REELAY_USER_EMAIL", "souvik@example.com");
        env.put("REELAY_USER_NAME", "souvik");
        return env;
    }
}
