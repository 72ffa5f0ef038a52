package dev.reelay.spring.boot;

import dev.reelay.PipelineOptions;

/**
 * Adjusts the {@link PipelineOptions} the starter builds from {@code reelay.*}, for what properties
 * cannot say (a key layout, an upload progress listener, retry specs). Declare one or more as beans;
 * they run in {@link org.springframework.core.annotation.Order} after the properties are applied.
 *
 * <pre>{@code
 * @Bean
 * PipelineOptionsCustomizer unguessableKeys() {
 *     return builder -> builder.keyLayout(KeyLayout.unguessable("recordings", signingKey));
 * }
 * }</pre>
 *
 * <p>A {@code PipelineOptions} bean of your own replaces the starter's altogether (customizers then do
 * not run), and a {@code RecordingPipeline} bean of your own replaces the pipeline.
 */
@FunctionalInterface
public interface PipelineOptionsCustomizer {

    /** Changes the builder; called once, before {@link PipelineOptions.Builder#build()}. */
    void customize(PipelineOptions.Builder builder);
}
