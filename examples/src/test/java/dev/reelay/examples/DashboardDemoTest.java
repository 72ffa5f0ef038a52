package dev.reelay.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Mono;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DashboardDemoTest {

    @Test
    void theDemoShowsEachOutcomeAndServesTheDashboardUntilToldToStop() {
        Output out = new Output();
        AtomicReference<JsonNode> overview = new AtomicReference<>();
        // instead of waiting for Ctrl-C, read the dashboard the demo prints, then stop
        Mono<Void> until = Mono.fromRunnable(() -> overview.set(read(out.text())));

        int status = new DashboardDemo().run(Map.of("REELAY_DASHBOARD_PORT", "0"), out.stream, until);

        String text = out.text();
        assertThat(status).as(text).isZero();
        assertThat(text)
                .contains("recording 101: COMPLETED")
                .contains("recording 102: WEBHOOK_FAILED").contains("404")
                .contains("recording 103: WEBHOOK_FAILED").contains("retried: recording 103: COMPLETED")
                .contains("recording 104: PARTIAL")
                .containsPattern("Dashboard: http://127\\.0\\.0\\.1:\\d+/\\?token=");
        JsonNode counts = overview.get().path("counts");
        assertThat(counts.path("completed").asInt()).isEqualTo(2);
        assertThat(counts.path("parked").asInt()).isEqualTo(1);
        assertThat(counts.path("partial").asInt()).isEqualTo(1);
    }

    /** The overview's JSON from the dashboard whose URL the demo printed, with its token as a bearer token. */
    private static JsonNode read(String printed) {
        Matcher m = Pattern.compile("Dashboard: (http://[^/]+/)\\?token=(\\S+)").matcher(printed);
        assertThat(m.find()).as(printed).isTrue();
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(m.group(1)
                    + "api/overview")).header("Authorization", "Bearer " + m.group(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            return new ObjectMapper().readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
