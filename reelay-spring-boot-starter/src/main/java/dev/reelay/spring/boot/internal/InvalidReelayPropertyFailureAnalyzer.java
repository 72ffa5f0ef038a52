package dev.reelay.spring.boot.internal;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns an invalid {@code reelay.*} property into Boot's "APPLICATION FAILED TO START" report, naming the
 * property and what to do; registered in {@code META-INF/spring.factories}.
 */
public final class InvalidReelayPropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidReelayPropertyException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidReelayPropertyException cause) {
        return new FailureAnalysis(
                "Reelay could not be configured: the property '" + cause.property() + "' " + cause.reason() + ".",
                "Set or correct '" + cause.property() + "' in your application's configuration (application.yml, "
                        + "an environment variable such as " + environmentName(cause.property()) + ", …), "
                        + "or set reelay.enabled=false to leave Reelay out.",
                cause);
    }

    private static String environmentName(String property) {
        return property.replaceAll("\\[(\\d+)]", "_$1").replace('.', '_').replace("-", "").toUpperCase(java.util.Locale.ROOT);
    }
}
