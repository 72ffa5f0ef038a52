package dev.reelay.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.dashboard.ReelayDashboard;
import dev.reelay.spring.boot.internal.DashboardLifecycle;
import dev.reelay.support.S3TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** The dashboard: off unless enabled; then served on its own port, behind its token, and stopped with the context. */
@ExtendWith(OutputCaptureExtension.class)
class ReelayDashboardTest {

    static final String TOKEN = "dashboard-token-0123456789";
    static S3TestServer s3;

    @TempDir
    Path dir;

    @BeforeAll
    static void servers() {
        s3 = S3TestServer.start();
    }

    @AfterAll
    static void stop() {
        s3.close();
    }

    ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ReelayAutoConfiguration.class))
                .withPropertyValues(
                        "reelay.store.endpoint=" + s3.endpoint(),
                        "reelay.store.region=" + S3TestServer.REGION,
                        "reelay.store.bucket=" + S3TestServer.BUCKET,
                        "reelay.media.enabled=false",
                        "reelay.outbox.directory=" + dir.resolve("outbox"));
    }

    @Test
    void offUnlessEnabled() {
        runner().run(context -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(ReelayDashboard.class).doesNotHaveBean(DashboardLifecycle.class));
    }

    @Test
    void enabledItServesOnItsPortBehindItsTokenUntilTheContextStops(CapturedOutput output) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        int[] port = new int[1];
        runner().withPropertyValues("reelay.dashboard.enabled=true", "reelay.dashboard.port=0", "reelay.dashboard.token=" + TOKEN)
                .run(context -> {
                    port[0] = context.getBean(DashboardLifecycle.class).port();
                    assertThat(port[0]).isPositive();
                    HttpResponse<String> without = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port[0] + "/api/recordings")).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(without.statusCode()).isEqualTo(401);
                    HttpResponse<String> with = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port[0] + "/?token=" + TOKEN)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(with.statusCode()).isEqualTo(303);   // the token becomes a session cookie
                });
        // stopped with the context (a new client: the old one's kept-alive connection says nothing of the listener)
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port[0] + "/")).build(), HttpResponse.BodyHandlers.ofString())))
                .isInstanceOf(java.io.IOException.class);
        assertThat(output).contains("Reelay dashboard at http://127.0.0.1:" + port[0]).doesNotContain(TOKEN);
    }

    @Test
    void aShortTokenFailsNamingThePropertyWithoutPrintingIt() {
        runner().withPropertyValues("reelay.dashboard.enabled=true", "reelay.dashboard.token=short-secret")
                .run(context -> {
                    var analysis = ReelayAutoConfigurationTest.analysis(context.getStartupFailure());
                    assertThat(analysis.getDescription()).contains("'reelay.dashboard.token'");
                    assertThat(ReelayAutoConfigurationTest.everything(context.getStartupFailure()) + analysis.getDescription())
                            .doesNotContain("short-secret");
                });
    }
}
