package dev.reelay.outbox;

import dev.reelay.PipelineResult;
import dev.reelay.outbox.OutboxEntry.State;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which entries to list, newest accepted first, and from where: a filter by state, by how the last
 * run ended, by endpoint and by text, a page size, and the cursor a previous page gave. Pages follow
 * a keyset (the time accepted and the id), never an offset, so the hundredth page costs what the first
 * does and an entry accepted meanwhile never shifts a page.
 *
 * <pre>{@code
 * OutboxQuery parkedAtOps = OutboxQuery.builder()
 *         .states(OutboxEntry.State.PARKED)
 *         .endpoint("ops")
 *         .text("souvik@")            // matches the id, the title or the email
 *         .limit(50)
 *         .build();
 * OutboxPage first = outbox.list(parkedAtOps).block();
 * OutboxPage second = outbox.list(parkedAtOps.after(first.next())).block();
 * }</pre>
 *
 * @param states  the states to list; empty for all
 * @param results the last run's results to list ({@code PARTIAL}, {@code WEBHOOK_FAILED}, …); empty for all
 * @param endpoint only entries with a delivery to this endpoint (its display name); null for all
 * @param text    only entries whose id equals it, or whose title or email contains it (ignoring ASCII
 *                case); null for all
 * @param limit   the page size, 1 to {@link #MAX_LIMIT}
 * @param after   the cursor of the page before ({@link OutboxPage#next()}); null for the first page
 */
public record OutboxQuery(Set<State> states, Set<PipelineResult.Status> results, String endpoint, String text,
                          int limit, String after) {

    /** The largest page. */
    public static final int MAX_LIMIT = 500;
    /** The page size when none is given. */
    public static final int DEFAULT_LIMIT = 50;

    public OutboxQuery {
        states = states == null || states.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(states));
        results = results == null || results.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(results));
        endpoint = endpoint == null || endpoint.isBlank() ? null : endpoint.strip();
        text = text == null || text.isBlank() ? null : text.strip();
        if (text != null && text.length() > 200) {
            throw new IllegalArgumentException("the text to find has at most 200 characters, this one has " + text.length());
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1 to " + MAX_LIMIT + ", was " + limit);
        }
        after = after == null || after.isBlank() ? null : after;
    }

    /** Every entry, newest first, a page of {@link #DEFAULT_LIMIT}. */
    public static OutboxQuery all() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The same query from the page after the one that gave this cursor. */
    public OutboxQuery after(String cursor) {
        return new OutboxQuery(states, results, endpoint, text, limit, cursor);
    }

    public Optional<String> afterCursor() {
        return Optional.ofNullable(after);
    }

    /** Collects a query; {@link #build()} checks it. */
    public static final class Builder {
        private final Set<State> states = EnumSet.noneOf(State.class);
        private final Set<PipelineResult.Status> results = EnumSet.noneOf(PipelineResult.Status.class);
        private String endpoint;
        private String text;
        private int limit = DEFAULT_LIMIT;
        private String after;

        private Builder() {
        }

        public Builder states(State... states) {
            for (State s : states) {
                this.states.add(Objects.requireNonNull(s, "state"));
            }
            return this;
        }

        public Builder states(Collection<State> states) {
            return states(states.toArray(new State[0]));
        }

        public Builder results(PipelineResult.Status... results) {
            for (PipelineResult.Status s : results) {
                this.results.add(Objects.requireNonNull(s, "result"));
            }
            return this;
        }

        public Builder endpoint(String endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        public Builder text(String text) {
            this.text = text;
            return this;
        }

        public Builder limit(int limit) {
            this.limit = limit;
            return this;
        }

        public Builder after(String cursor) {
            this.after = cursor;
            return this;
        }

        public OutboxQuery build() {
            return new OutboxQuery(states, results, endpoint, text, limit, after);
        }
    }
}
