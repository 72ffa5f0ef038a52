package dev.reelay.spring.boot;

import dev.reelay.PipelineOptions;
import dev.reelay.RecordingPipeline;
import dev.reelay.dashboard.ReelayDashboard;
import dev.reelay.micrometer.ReelayMetrics;
import dev.reelay.outbox.Outbox;
import dev.reelay.spring.boot.internal.DashboardLifecycle;
import dev.reelay.spring.boot.internal.PipelineLifecycle;
import dev.reelay.spring.boot.internal.PipelineOptionsFactory;
import dev.reelay.spring.boot.internal.ReelayHealthIndicator;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Clock;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Reelay in a Spring Boot application, from {@code reelay.*} properties ({@link ReelayProperties}):
 * <ul>
 *   <li>a {@link RecordingPipeline} bean (unless the application has one), built from a
 *       {@link PipelineOptions} bean (unless the application has one) that the properties and any
 *       {@link PipelineOptionsCustomizer} beans make;</li>
 *   <li>its lifecycle: {@code resume()} when the context starts, {@code retryDue()} every
 *       {@code reelay.lifecycle.retry-interval}, {@code close(reelay.lifecycle.close-grace-period)} when it
 *       stops, after the web server has finished the requests under way;</li>
 *   <li>with {@code reelay.outbox.type=postgres}, the shared journal on the application's {@code DataSource}
 *       (an {@link Outbox} bean of the application's own is used instead, whatever the type);</li>
 *   <li>{@link ReelayMetrics} bound to the application's {@code MeterRegistry}, every recording observed in
 *       its {@code ObservationRegistry}, and a health indicator {@code reelay}, when Actuator is there;</li>
 *   <li>with {@code reelay.dashboard.enabled=true}, Reelay's dashboard on a port of its own (loopback by default).</li>
 * </ul>
 *
 * <pre>{@code
 * @RestController
 * class Recordings {
 *     private final RecordingPipeline pipeline;     // the starter's bean
 *     Recordings(RecordingPipeline pipeline) { this.pipeline = pipeline; }
 *
 *     @PostMapping("/recordings")
 *     Mono<PipelineResult> post(@RequestBody RecordingRequest r) { return pipeline.submit(r.toRecording()); }
 * }
 * }</pre>
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
        "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration"})
@ConditionalOnClass(RecordingPipeline.class)
@ConditionalOnBooleanProperty(name = "reelay.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ReelayProperties.class)
public class ReelayAutoConfiguration {

    /** The shared journal of {@code reelay.outbox.type=postgres}; closed with the context, after the pipeline. */
    @Bean
    @ConditionalOnMissingBean({Outbox.class, RecordingPipeline.class})
    @ConditionalOnProperty(name = "reelay.outbox.type", havingValue = "postgres")
    public Outbox reelayOutbox(ReelayProperties properties, ObjectProvider<DataSource> dataSource) {
        return PipelineOptionsFactory.postgresOutbox(properties.getOutbox(), dataSource.getIfUnique());
    }

    /** The options of {@code reelay.*}, then of the customizers. */
    @Bean
    @ConditionalOnMissingBean({PipelineOptions.class, RecordingPipeline.class})
    public PipelineOptions reelayPipelineOptions(ReelayProperties properties, ObjectProvider<Outbox> outbox,
                                                 ObjectProvider<PipelineOptionsCustomizer> customizers) {
        return PipelineOptionsFactory.create(properties, outbox.getIfUnique(), customizers.orderedStream().toList());
    }

    /** The pipeline. Closed by {@link #reelayPipelineLifecycle} when the context stops (and again, harmlessly, when it is destroyed). */
    @Bean
    @ConditionalOnMissingBean
    public RecordingPipeline reelayPipeline(PipelineOptions options) {
        return RecordingPipeline.create(options);
    }

    /** {@code resume()} at start, {@code retryDue()} on a schedule, {@code close(grace)} at stop, of the pipeline bean (yours too). */
    @Bean
    @ConditionalOnMissingBean(PipelineLifecycle.class)
    public PipelineLifecycle reelayPipelineLifecycle(RecordingPipeline pipeline, ReelayProperties properties) {
        ReelayProperties.Lifecycle l = properties.getLifecycle();
        return new PipelineLifecycle(pipeline, l.isResumeOnStart(), l.getRetryInterval(),
                properties.getOutbox().getType() == ReelayProperties.OutboxType.POSTGRES, l.getCloseGracePeriod());
    }

    /** Every recording observed in the application's {@code ObservationRegistry}, when it has one. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ObservationRegistry.class)
    @ConditionalOnBooleanProperty(name = "reelay.observations.enabled", matchIfMissing = true)
    static class ObservationConfiguration {

        @Bean
        PipelineOptionsCustomizer reelayObservationRegistry(ObjectProvider<ObservationRegistry> registry) {
            return builder -> registry.ifUnique(builder::observationRegistry);
        }
    }

    /** Reelay's meters, bound by Boot to every {@code MeterRegistry}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({MeterRegistry.class, ReelayMetrics.class})
    @ConditionalOnBean(MeterRegistry.class)
    @ConditionalOnBooleanProperty(name = "reelay.metrics.enabled", matchIfMissing = true)
    static class MetricsConfiguration {

        @Bean
        @ConditionalOnMissingBean
        ReelayMetrics reelayMetrics(RecordingPipeline pipeline, ReelayProperties properties) {
            return ReelayMetrics.builder(pipeline).percentileHistogram(properties.getMetrics().isPercentileHistogram()).build();
        }
    }

    /**
     * Reelay's dashboard on its own port (127.0.0.1:8077 by default), with {@code reelay.dashboard.enabled=true}
     * only; behind {@code reelay.dashboard.token} (or one made up and logged as the URL to open).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ReelayDashboard.class)
    @ConditionalOnBooleanProperty(name = "reelay.dashboard.enabled")
    static class DashboardConfiguration {

        @Bean
        @ConditionalOnMissingBean
        ReelayDashboard reelayDashboard(RecordingPipeline pipeline, ReelayProperties properties) {
            return ReelayDashboard.create(pipeline, PipelineOptionsFactory.dashboard(properties.getDashboard()));
        }

        @Bean
        @ConditionalOnMissingBean
        DashboardLifecycle reelayDashboardLifecycle(ReelayDashboard dashboard) {
            return new DashboardLifecycle(dashboard);
        }
    }

    /** Actuator's {@code reelay} health; {@code management.health.reelay.enabled=false} turns it off. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class HealthConfiguration {

        // Nested once more: the condition below is Actuator's own class, and a condition's class is loaded before
        // any condition is evaluated, so it may only be met once the class above is known to be there.
        @Configuration(proxyBeanMethods = false)
        @ConditionalOnEnabledHealthIndicator("reelay")
        static class WhenEnabled {

            @Bean
            @ConditionalOnMissingBean(name = "reelayHealthIndicator")
            HealthIndicator reelayHealthIndicator(RecordingPipeline pipeline, ReelayProperties properties) {
                ReelayProperties.Health h = properties.getHealth();
                String status = h.getBacklogStatus() == null || h.getBacklogStatus().isBlank() ? "OUT_OF_SERVICE" : h.getBacklogStatus();
                return new ReelayHealthIndicator(pipeline, h.getMaxBacklogAge(), status, Clock.systemUTC());
            }
        }
    }
}
