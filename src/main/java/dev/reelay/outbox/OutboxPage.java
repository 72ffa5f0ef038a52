package dev.reelay.outbox;

import java.util.List;
import java.util.Optional;

/**
 * One page of a listing ({@link Outbox#list(OutboxQuery)}), newest accepted first.
 *
 * @param entries the entries of this page
 * @param next    the cursor of the next page ({@link OutboxQuery#after(String)}), or null when this is the last
 */
public record OutboxPage(List<OutboxEntry> entries, String next) {

    public OutboxPage {
        entries = List.copyOf(entries);
    }

    /** The cursor of the next page, unless this is the last. */
    public Optional<String> nextCursor() {
        return Optional.ofNullable(next);
    }
}
