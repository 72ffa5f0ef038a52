package dev.reelay.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.PipelineOptions;
import dev.reelay.PipelineResult;
import dev.reelay.RecordingPipeline;
import dev.reelay.media.MediaOptions;
import dev.reelay.outbox.OutboxOptions;
import dev.reelay.support.Recordings;
import dev.reelay.support.ServersTest;
import dev.reelay.support.TestReceiver.Scripted;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import reactor.util.retry.Retry;

/**
 * The dashboard in a real browser: Debian's Chromium, headless, driven by Selenium through Debian's
 * chromedriver (never a downloaded one). Skipped, saying why, where Chromium is missing, except in CI
 * ({@code CI=true}), whose {@code .ci/run} installs it. Screenshots of each page go to
 * {@code target/screenshots/}, and with {@code -Dreelay.docs.screenshots=true} the README's to {@code docs/}.
 */
class DashboardBrowserTest extends ServersTest {

    static final Path CHROMIUM = Path.of(System.getProperty("reelay.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("reelay.chromedriver", "/usr/bin/chromedriver"));
    static final String XSS = "<img src=x onerror=\"window.xssRan=true\"> Weekly sync";

    WebDriver browser;
    DashboardServer dashboard;
    WebDriverWait wait;

    @BeforeEach
    void startBrowser() throws IOException {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present && System.getenv("CI") == null) {
            Assumptions.abort("Chromium or chromedriver is missing (" + CHROMIUM + ", " + CHROMEDRIVER + "): the "
                    + "dashboard's browser test is skipped; apt-get install -y chromium chromium-driver to run it "
                    + "(.ci/run installs them, and in CI this test never skips)");
        }
        assertThat(present).as("CI installs Chromium and chromedriver (.ci/run)").isTrue();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,900",
                "--user-data-dir=" + Files.createTempDirectory(dir, "chromium-profile"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        // the page renders a view again when the journal changes: an element found a moment ago may be gone; look again
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    }

    @AfterEach
    void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
        if (dashboard != null) {
            dashboard.close();
        }
    }

    PipelineOptions.Builder options() {
        return PipelineOptions.builder()
                .s3(s3.sharedClientOptions().build())
                .webhook(fastEndpoint(receiver.url()).name("ops").retry(Retry.backoff(1, Duration.ofMillis(10))).build())
                .media(MediaOptions.disabled())
                .outbox(OutboxOptions.builder().directory(dir.resolve("journal")).build());
    }

    PipelineResult submit(dev.reelay.Recording r) {
        return pipeline.submit(r).block(LIMIT);
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    WebElement find(String css) {
        return wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(css)));
    }

    void open(String hash) {
        browser.get(dashboard.url() + hash);
    }

    void screenshot(String name) throws IOException {
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Path target = Files.createDirectories(Path.of("target", "screenshots")).resolve(name + ".png");
        Files.write(target, png);
        if (Boolean.getBoolean("reelay.docs.screenshots") && List.of("dashboard-overview", "dashboard-recording").contains(name)) {
            Files.write(Files.createDirectories(Path.of("docs")).resolve(name + ".png"), png);
        }
    }

    void noCspViolation() {
        assertThat(((Number) js("return window.reelayCspViolations")).intValue())
                .as("the page breaks none of its Content-Security-Policy (no inline script or style)").isZero();
    }

    @Test
    void anOperatorSeesWhatHappenedAndRetriesTheParkedRecordingByHand() throws Exception {
        pipeline = RecordingPipeline.create(options().build());
        submit(Recordings.base(1).video(Recordings.file(dir.resolve("1"), "video.mkv", 300_000))
                .transcript(Recordings.file(dir.resolve("1"), "transcript.txt", 2_000)).build());
        submit(Recordings.base(2).title("Quarterly review").user("newcomer", "newcomer@example.com")
                .video(Recordings.file(dir.resolve("2"), "video.mkv", 200_000)).build());
        receiver.script(Scripted.status(503), Scripted.status(503));
        submit(Recordings.base(3).video(Recordings.file(dir.resolve("3"), "video.mkv", 100_000)).build());
        submit(Recordings.base(4).title(XSS).video(Recordings.file(dir.resolve("4"), "video.mkv", 50_000)).build());
        dashboard = ReelayDashboard.create(pipeline, DashboardOptions.builder().port(0).build()).start();

        // without the token: refused
        open("");
        assertThat(browser.getPageSource()).contains("needs its access token");

        // the overview: the counts
        browser.get(dashboard.loginUrl());
        assertThat(browser.getCurrentUrl()).as("the token leaves the address bar").doesNotContain("token");
        assertThat(find("[data-count=\"parked\"] .n").getText()).isEqualTo("1");
        assertThat(find("[data-count=\"completed\"] .n").getText()).isEqualTo("2");
        assertThat(find("[data-count=\"webhook-failed\"] .n").getText()).isEqualTo("1");
        find("#chart-throughput canvas");
        assertThat(find("#endpoints [data-endpoint=\"ops\"]").getText()).contains("ops");
        noCspViolation();
        screenshot("dashboard-overview");

        // the list, filtered to what is parked
        find("[data-count=\"parked\"]").click();
        wait.until(ExpectedConditions.urlContains("state=parked"));
        assertThat(find("#recordings tbody tr[data-id=\"2\"]").getText()).contains("Quarterly review").contains("parked");
        assertThat(browser.findElements(By.cssSelector("#recordings tbody tr"))).hasSize(1);
        screenshot("dashboard-recordings");

        // the parked recording: its 404 with the receiver's message
        find("#recordings a[href=\"#/recordings/2\"]").click();
        WebElement attempt = find("#attempts tr.attempt[data-kind=\"WEBHOOK\"][data-status=\"404\"]");
        assertThat(attempt.getText()).contains("No user found with email: newcomer@example.com");
        assertThat(find("#state").getAttribute("data-state")).isEqualTo("parked");
        assertThat(find("#metadata").getText()).contains("\"recording_id\" : 2");
        noCspViolation();
        screenshot("dashboard-recording");

        // the receiver learns the user; Retry; the state becomes completed without a reload
        receiver.addUser("newcomer@example.com");
        js("window.sameDocument = 'yes'");
        find("#retry").click();
        wait.until(ExpectedConditions.attributeToBe(By.cssSelector("#state"), "data-state", "completed"));
        assertThat(js("return window.sameDocument")).as("no reload").isEqualTo("yes");
        assertThat(find("#attempts tr.attempt[data-kind=\"WEBHOOK\"][data-status=\"201\"]").getText()).contains("created");
        assertThat(receiver.stored(2)).isNotNull();
        screenshot("dashboard-recording-retried");

        // the title of an attack is text: shown as its characters, and nothing of it ran
        open("#/recordings");
        WebElement row = find("#recordings tbody tr[data-id=\"4\"]");
        assertThat(row.findElement(By.cssSelector("td.title")).getText()).isEqualTo(XSS);
        open("#/recordings/4");
        wait.until(ExpectedConditions.textToBe(By.cssSelector("#title"), XSS));
        assertThat(browser.findElements(By.cssSelector("#title img, #recordings img"))).isEmpty();
        assertThat(js("return window.xssRan === undefined")).as("the payload's script never ran").isEqualTo(true);
        noCspViolation();

        // a test webhook: request and answer, marked as a test
        open("#/test");
        find("#test-form input[name=\"email\"]").sendKeys(Recordings.EMAIL);
        find("#send-test").click();
        assertThat(find("#test-result .banner").getText()).contains("TEST PAYLOAD");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#test-status"), "HTTP 20"));
        assertThat(find("#test-answer").getText()).contains("\"recording_id\":999");
        noCspViolation();
        screenshot("dashboard-test-webhook");
    }
}
