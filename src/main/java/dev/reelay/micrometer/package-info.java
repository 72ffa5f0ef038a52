/**
 * Reelay's Micrometer integration: {@link dev.reelay.micrometer.ReelayMetrics}, the meters of a
 * pipeline. Micrometer is an optional dependency of Reelay: a host that uses this package brings
 * {@code io.micrometer:micrometer-core}; nothing outside it loads a Micrometer class (traces come
 * through {@code PipelineOptions.Builder.observationRegistry}).
 */
package dev.reelay.micrometer;
