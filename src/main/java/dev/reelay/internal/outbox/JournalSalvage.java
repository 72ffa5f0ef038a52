package dev.reelay.internal.outbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What is done with a damaged journal: it is moved aside, for inspection, and every row that can
 * still be read is carried over into the new one. A damaged page ends a scan of its table, so
 * each table is read from both ends: what lies before and after the damage is kept.
 */
final class JournalSalvage {

    private static final int CHUNK = 256;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private JournalSalvage() {
    }

    /** How many recordings were carried over of how many the damaged journal seemed to hold. */
    record Salvaged(long recordings, long seen) {
        @Override
        public String toString() {
            return recordings + (seen > recordings ? " (of at least " + seen + ")" : "");
        }
    }

    /** Renames the database and its WAL and shared-memory files to {@code outbox.db.corrupt-<time>…}; returns the new name. */
    static Path moveAside(Path db, Instant now) {
        Path aside = db.resolveSibling(db.getFileName() + ".corrupt-" + STAMP.format(now));
        for (int n = 2; Files.exists(aside); n++) {
            aside = db.resolveSibling(db.getFileName() + ".corrupt-" + STAMP.format(now) + "-" + n);
        }
        try {
            // the WAL first: left beside a new database, a stale WAL would be replayed into it
            for (String suffix : List.of("-wal", "-shm", "")) {
                Path from = Path.of(db + suffix);
                if (Files.exists(from)) {
                    Files.move(from, Path.of(aside + suffix), StandardCopyOption.ATOMIC_MOVE);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the damaged outbox " + db + " could not be moved aside", e);
        }
        return aside;
    }

    /** Copies what can be read of the damaged database into the (new, migrated) one {@code c} is open on. */
    static Salvaged carryOver(Connection c, Path damaged) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("ATTACH DATABASE '" + damaged.toString().replace("'", "''") + "' AS damaged");
        } catch (SQLException e) {
            return new Salvaged(0, 0); // not even a database any more: nothing to carry over
        }
        long recordings = 0;
        long seen = 0;
        try {
            for (String table : JournalSchema.TABLES) {
                List<String> columns = commonColumns(c, table);
                if (columns.isEmpty()) {
                    continue;
                }
                long[] copied = copy(c, table, columns);
                if (table.equals("recordings")) {
                    recordings = copied[0];
                    seen = copied[1];
                }
            }
        } finally {
            try (Statement s = c.createStatement()) {
                s.execute("DETACH DATABASE damaged");
            }
        }
        return new Salvaged(recordings, seen);
    }

    /** The columns both versions of the table have; none when the damaged one has no such table, or its schema is unreadable. */
    private static List<String> commonColumns(Connection c, String table) {
        try {
            Set<String> ours = columns(c, "main", table);
            Set<String> theirs = columns(c, "damaged", table);
            ours.retainAll(theirs);
            return new ArrayList<>(ours);
        } catch (SQLException e) {
            return List.of();
        }
    }

    private static Set<String> columns(Connection c, String schema, String table) throws SQLException {
        Set<String> names = new LinkedHashSet<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA " + schema + ".table_info(" + table + ")")) {
            while (rs.next()) {
                names.add(rs.getString("name"));
            }
        }
        return names;
    }

    /** Copies the readable rows, ascending until a damaged page, then descending from the end; returns {copied, seen}. */
    private static long[] copy(Connection c, String table, List<String> columns) {
        String list = columns.stream().map(n -> '"' + n + '"').collect(Collectors.joining(", "));
        long copied = 0;
        long seen = 0;
        long low = Long.MIN_VALUE;
        boolean damagedAscending = false;
        try {
            for (List<Long> ids; !(ids = rowids(c, table, low, true)).isEmpty(); low = ids.get(ids.size() - 1)) {
                seen += ids.size();
                copied += insert(c, table, list, ids);
            }
        } catch (SQLException e) {
            damagedAscending = true;
        }
        if (damagedAscending) {
            long high = Long.MAX_VALUE;
            try {
                for (List<Long> ids; !(ids = rowids(c, table, high, false)).isEmpty() && ids.get(0) > low;
                     high = ids.get(ids.size() - 1)) {
                    seen += ids.size();
                    copied += insert(c, table, list, ids);
                }
            } catch (SQLException e) {
                // damaged from both ends: what was read is what there is
            }
        }
        return new long[] {copied, seen};
    }

    private static List<Long> rowids(Connection c, String table, long from, boolean ascending) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT rowid FROM damaged." + table + " WHERE rowid "
                + (ascending ? ">" : "<") + " ? ORDER BY rowid " + (ascending ? "ASC" : "DESC") + " LIMIT " + CHUNK)) {
            s.setLong(1, from);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }

    /** Copies the rows of these rowids; a chunk that cannot be read as a whole is copied row by row, skipping what fails. */
    private static int insert(Connection c, String table, String columns, List<Long> ids) {
        long from = Math.min(ids.get(0), ids.get(ids.size() - 1));
        long to = Math.max(ids.get(0), ids.get(ids.size() - 1));
        try {
            return insert(c, table, columns, from, to);
        } catch (SQLException chunk) {
            int n = 0;
            for (long id : ids) {
                try {
                    n += insert(c, table, columns, id, id);
                } catch (SQLException row) {
                    // this row is damaged: the others still count
                }
            }
            return n;
        }
    }

    private static int insert(Connection c, String table, String columns, long from, long to) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT OR IGNORE INTO main." + table + " (" + columns + ") SELECT "
                + columns + " FROM damaged." + table + " WHERE rowid BETWEEN ? AND ?")) {
            s.setLong(1, from);
            s.setLong(2, to);
            return s.executeUpdate();
        }
    }
}
