package dev.reelay.event;

import java.time.Instant;

/**
 * This subscriber fell behind and lost its {@code count} oldest events before the event that
 * follows this one. Only the subscriber that lost them gets it; the pipeline never waits for a
 * subscriber.
 */
public record EventsDropped(Instant at, long count) implements PipelineEvent {
}
