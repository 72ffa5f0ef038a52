package dev.reelay.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PrometheusMetricsTest {

    @Test
    void servesReelaysMetersInPrometheusFormatWhileTheRecordingsRun(@TempDir Path dir) throws Exception {
        DemoRecording.writeVideo(dir.resolve("video.mkv"));
        Files.writeString(dir.resolve("transcript.txt"), "[00:00] hello\n");
        Output out = new Output();

        int status = new PrometheusMetrics().run(Map.of("REELAY_RECORDING_DIR", dir.toString(),
                "REELAY_METRICS_RECORDINGS", "3"), out.stream);

        String text = out.text();
        assertThat(status).as(text).isZero();
        assertThat(text)
                .containsPattern("metrics +http://127\\.0\\.0\\.1:[1-9][0-9]*/metrics")
                .containsPattern("reelay_recordings_total\\{status=\"completed\"} 3(\\.0)?\\R")
                .containsPattern("reelay_uploads_seconds_count\\{outcome=\"stored\",role=\"video\"} 3(\\.0)?\\R")
                .containsPattern("reelay_uploads_seconds_count\\{outcome=\"stored\",role=\"thumbnail\"} 3(\\.0)?\\R")
                .containsPattern("reelay_webhook_attempts_seconds_count\\{endpoint=\"127\\.0\\.0\\.1:[0-9]+\",outcome=\"2xx\"} 3(\\.0)?\\R")
                .containsPattern("reelay_webhook_deliveries_total\\{endpoint=\"127\\.0\\.0\\.1:[0-9]+\",state=\"delivered\"} 3(\\.0)?\\R")
                .containsPattern("reelay_recordings_active 0(\\.0)?\\R")
                .containsPattern("reelay_journal_backlog\\{state=\"parked\"} 0(\\.0)?\\R")
                .containsPattern("reelay_journal_backlog_age_seconds 0(\\.0)?\\R")
                .containsPattern("reelay_upload_bytes_total\\{role=\"video\"} [1-9]")
                .containsPattern("\\(and [1-9][0-9]* histogram buckets")
                .contains("event      recording")
                .contains("Result: 3 recordings, all COMPLETED");
    }

    @Test
    void aMalformedPortIsRefused() {
        Output out = new Output();

        int status = new PrometheusMetrics().run(Map.of("REELAY_METRICS_PORT", "http"), out.stream);

        assertThat(status).isEqualTo(2);
        assertThat(out.text()).contains("error: REELAY_METRICS_PORT must be a number from 0 to 65535, was http");
    }
}
