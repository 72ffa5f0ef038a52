package dev.reelay.internal.outbox;

import dev.reelay.PipelineResult;
import dev.reelay.outbox.OutboxEntry;
import dev.reelay.outbox.OutboxEntry.State;
import dev.reelay.outbox.OutboxPage;
import dev.reelay.outbox.OutboxQuery;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Listings of the journal for dashboards and hosts' own views, in SQL both databases speak: pages
 * newest first along the (accepted_at, id) keyset, on the indexes {@code (accepted_at, id)} and
 * {@code (state, accepted_at, id)}, so that a page of 100,000 entries reads what a page of 1,000 does;
 * and the counts of entries by how their last run ended.
 */
final class ListingSql {

    private final JournalSql journal;
    private final String recordingsTable;
    private final String deliveriesTable;

    ListingSql(JournalSql journal, String tablePrefix) {
        this.journal = journal;
        this.recordingsTable = tablePrefix + "recordings";
        this.deliveriesTable = tablePrefix + "deliveries";
    }

    /** One page of the query, newest first. */
    OutboxPage page(Connection c, OutboxQuery q, Consumer<String> unreadable) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT r.id, r.accepted_at FROM " + recordingsTable + " r WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (!q.states().isEmpty()) {
            sql.append(" AND r.state IN (").append(q.states().stream().map(s -> "'" + s.name() + "'")
                    .collect(Collectors.joining(", "))).append(')');
        }
        if (!q.results().isEmpty()) {
            sql.append(" AND r.result IN (").append(q.results().stream().map(s -> "'" + s.name() + "'")
                    .collect(Collectors.joining(", "))).append(')');
        }
        Cursor after = q.afterCursor().map(Cursor::parse).orElse(null);
        if (after != null) {
            sql.append(" AND (r.accepted_at < ? OR (r.accepted_at = ? AND r.id < ?))");
            args.add(after.time);
            args.add(after.time);
            args.add(after.id);
        }
        if (q.endpoint() != null) {
            sql.append(" AND EXISTS (SELECT 1 FROM ").append(deliveriesTable)
                    .append(" d WHERE d.recording_id = r.id AND d.endpoint = ?)");
            args.add(q.endpoint());
        }
        if (q.text() != null) {
            String like = "%" + lowerAscii(q.text()).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
            Long id = number(q.text());
            sql.append(" AND (").append(id == null ? "" : "r.id = ? OR ")
                    .append("lower(r.title) LIKE ? ESCAPE '\\' OR lower(r.email) LIKE ? ESCAPE '\\')");
            if (id != null) {
                args.add(id);
            }
            args.add(like);
            args.add(like);
        }
        sql.append(" ORDER BY r.accepted_at DESC, r.id DESC LIMIT ").append(q.limit() + 1);
        List<Long> ids = new ArrayList<>();
        List<Cursor> cursors = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                Object a = args.get(i);
                if (a instanceof Long) {
                    s.setLong(i + 1, (Long) a);
                } else {
                    s.setString(i + 1, (String) a);
                }
            }
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                    cursors.add(new Cursor(rs.getLong(2), rs.getLong(1)));
                }
            }
        }
        boolean more = ids.size() > q.limit();
        if (more) {
            ids = ids.subList(0, q.limit());
        }
        List<OutboxEntry> entries = journal.entries(c, ids, unreadable);
        return new OutboxPage(entries, more ? cursors.get(q.limit() - 1).toString() : null);
    }

    /** Entries done, rejected or pending, by their last run's result. */
    Map<PipelineResult.Status, Long> lastResults(Connection c) throws SQLException {
        Map<PipelineResult.Status, Long> counts = new EnumMap<>(PipelineResult.Status.class);
        try (PreparedStatement s = c.prepareStatement("SELECT result, count(*) FROM " + recordingsTable
                + " WHERE state IN ('DONE', 'REJECTED', 'PENDING') AND result IS NOT NULL GROUP BY result");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                try {
                    counts.merge(PipelineResult.Status.valueOf(rs.getString(1)), rs.getLong(2), Long::sum);
                } catch (IllegalArgumentException unknown) {
                    // a result of a newer Reelay: not counted
                }
            }
        }
        return counts;
    }

    /**
     * Entries by state, and when the oldest still to be done was accepted. Until the outbox's own
     * {@code stats()} (issue 16) is merged; then that replaces it.
     */
    InterimCounts countsByStateUntilStatsLands(Connection c) throws SQLException {
        Map<State, Long> counts = new EnumMap<>(State.class);
        Long oldest = null;
        try (PreparedStatement s = c.prepareStatement("SELECT state, count(*), min(accepted_at) FROM " + recordingsTable
                + " GROUP BY state");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                State state;
                try {
                    state = State.valueOf(rs.getString(1));
                } catch (IllegalArgumentException unknown) {
                    continue;
                }
                counts.put(state, rs.getLong(2));
                if ((state == State.IN_PROGRESS || state == State.PENDING || state == State.PARKED)
                        && (oldest == null || rs.getLong(3) < oldest)) {
                    oldest = rs.getLong(3);
                }
            }
        }
        return new InterimCounts(counts, oldest == null ? null : Instant.ofEpochMilli(oldest));
    }

    /** ASCII letters lowered, as SQL's {@code lower()} does in SQLite; other characters as they are. */
    static String lowerAscii(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            sb.append(ch >= 'A' && ch <= 'Z' ? (char) (ch + 32) : ch);
        }
        return sb.toString();
    }

    private static Long number(String s) {
        if (s.length() > 19 || !s.chars().allMatch(Character::isDigit)) {
            return null;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Where a page starts: after this (accepted_at, id), going back in time. Opaque to callers. */
    private record Cursor(long time, long id) {
        static Cursor parse(String s) {
            int dot = s.indexOf('.');
            try {
                return new Cursor(Long.parseLong(s.substring(0, dot)), Long.parseLong(s.substring(dot + 1)));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("not a cursor of this listing: " + (s.length() > 40 ? s.substring(0, 40) : s));
            }
        }

        @Override
        public String toString() {
            return time + "." + id;
        }
    }
}
