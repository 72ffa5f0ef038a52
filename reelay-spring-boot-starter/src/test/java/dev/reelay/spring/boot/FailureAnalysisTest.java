package dev.reelay.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

/** A whole application's start with an invalid property: Boot's failure analysis, as the operator reads it. */
@ExtendWith(OutputCaptureExtension.class)
class FailureAnalysisTest {

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(ReelayAutoConfiguration.class)
    static class Application {
    }

    @Test
    void theStartFailsWithAnAnalysisNamingThePropertyAndNotTheSecrets(CapturedOutput output) {
        assertThatThrownBy(() -> new SpringApplicationBuilder(Application.class)
                .web(WebApplicationType.NONE)
                .properties("spring.main.banner-mode=off",
                        "reelay.store.region=us-west-1",
                        "reelay.store.access-key-id=AKIAEXAMPLE000000001",
                        "reelay.store.secret-access-key=secret-key-that-must-not-be-printed")
                .run());
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("the property 'reelay.store.bucket' must be set")
                .contains("REELAY_STORE_BUCKET")
                .doesNotContain("secret-key-that-must-not-be-printed");
    }

    @Test
    void aValueOfTheWrongTypeFailsWithBootsOwnAnalysisNamingTheProperty(CapturedOutput output) {
        assertThatThrownBy(() -> new SpringApplicationBuilder(Application.class)
                .web(WebApplicationType.NONE)
                .properties("spring.main.banner-mode=off",
                        "reelay.store.region=us-west-1",
                        "reelay.store.bucket=b",
                        "reelay.lifecycle.retry-interval=every-now-and-then")
                .run());
        assertThat(output).contains("APPLICATION FAILED TO START").contains("reelay.lifecycle.retry-interval");
    }
}
