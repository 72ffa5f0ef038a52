package dev.reelay.spring.boot.internal;

import dev.reelay.RecordingPipeline;
import dev.reelay.event.JournalProblem;
import dev.reelay.event.RecordingAccepted;
import dev.reelay.outbox.OutboxEntry.State;
import dev.reelay.outbox.OutboxStats;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import reactor.core.Disposable;

/**
 * Reelay's health: DOWN when the journal cannot be written (its last write failed and no recording was
 * accepted since, or it cannot be read); the configured backlog status (OUT_OF_SERVICE by default) when
 * the oldest recording still to be done waited longer than the threshold; UP otherwise. Details: the
 * backlog by state, the oldest entry's age, and the disabled endpoints by name (never a secret).
 */
public final class ReelayHealthIndicator implements HealthIndicator, DisposableBean {

    private static final Duration READ_LIMIT = Duration.ofSeconds(10);

    private final RecordingPipeline pipeline;
    private final Duration maxBacklogAge;
    private final Status backlogStatus;
    private final Clock clock;
    private final Disposable watch;
    private volatile JournalProblem lastProblem;
    private volatile Instant lastAccepted;

    public ReelayHealthIndicator(RecordingPipeline pipeline, Duration maxBacklogAge, String backlogStatus, Clock clock) {
        this.pipeline = pipeline;
        this.maxBacklogAge = maxBacklogAge;
        this.backlogStatus = new Status(backlogStatus.strip().toUpperCase(Locale.ROOT));
        this.clock = clock;
        // the pipeline never waits for this watcher; the events it needs are rare
        this.watch = pipeline.events().subscribe(e -> {
            if (e instanceof JournalProblem p) {
                lastProblem = p;
            } else if (e instanceof RecordingAccepted a) {
                lastAccepted = a.at();
            }
        }, e -> { });
    }

    @Override
    public Health health() {
        Map<String, Object> details = new LinkedHashMap<>();
        OutboxStats stats;
        Set<String> disabled;
        try {
            // called on a management thread, never an event loop: waiting here blocks no pipeline
            stats = pipeline.outbox().stats().block(READ_LIMIT);
            disabled = new TreeSet<>(pipeline.outbox().disabledEndpoints().block(READ_LIMIT));
        } catch (RuntimeException e) {
            return Health.down().withDetail("journal", "cannot be read: " + e.getMessage()).build();
        }
        Instant now = clock.instant();
        Map<String, Long> backlog = new LinkedHashMap<>();
        for (State s : new State[] {State.IN_PROGRESS, State.PENDING, State.PARKED, State.GAVE_UP}) {
            backlog.put(s.name().toLowerCase(Locale.ROOT), stats == null ? 0 : stats.count(s));
        }
        details.put("backlog", backlog);
        Duration age = stats == null ? Duration.ZERO : stats.oldestWaitingAge(now).orElse(Duration.ZERO);
        details.put("oldestWaiting", age.toString());
        details.put("disabledEndpoints", disabled);
        JournalProblem problem = lastProblem;
        Instant accepted = lastAccepted;
        if (problem != null && (accepted == null || accepted.isBefore(problem.at()))) {
            details.put("journal", "its last write failed at " + problem.at() + " (recording " + problem.recordingId()
                    + ", " + problem.what() + "): " + problem.message());
            return Health.down().withDetails(details).build();
        }
        if (maxBacklogAge != null && age.compareTo(maxBacklogAge) > 0) {
            details.put("maxBacklogAge", maxBacklogAge.toString());
            return Health.status(backlogStatus).withDetails(details).build();
        }
        return Health.up().withDetails(details).build();
    }

    @Override
    public void destroy() {
        watch.dispose();
    }
}
