package dev.reelay.internal.outbox;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The embedded journal's schema and its forward migrations, versioned with
 * {@code PRAGMA user_version}. A journal written by an older Reelay is migrated when opened; one
 * written by a newer Reelay is refused rather than misread.
 */
final class JournalSchema {

    /** Version 1: the first release's tables (it set no user_version; its tables tell). */
    private static final List<String> V1 = List.of(
            "CREATE TABLE IF NOT EXISTS recordings (id INTEGER PRIMARY KEY, recording TEXT NOT NULL, "
                    + "state TEXT NOT NULL, reason TEXT, attempts INTEGER NOT NULL, accepted_at INTEGER NOT NULL, "
                    + "updated_at INTEGER NOT NULL, next_attempt_at INTEGER)",
            "CREATE INDEX IF NOT EXISTS recordings_state ON recordings (state, next_attempt_at)",
            "CREATE TABLE IF NOT EXISTS files (recording_id INTEGER NOT NULL, name TEXT NOT NULL, "
                    + "role TEXT NOT NULL, object_key TEXT NOT NULL, url TEXT, size INTEGER NOT NULL, "
                    + "attempts INTEGER NOT NULL, PRIMARY KEY (recording_id, name))",
            "CREATE TABLE IF NOT EXISTS metadata (recording_id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                    + "object_key TEXT NOT NULL, url TEXT, size INTEGER NOT NULL, attempts INTEGER NOT NULL, "
                    + "body BLOB NOT NULL)",
            "CREATE TABLE IF NOT EXISTS deliveries (recording_id INTEGER NOT NULL, endpoint TEXT NOT NULL, "
                    + "webhook_id TEXT NOT NULL, state TEXT NOT NULL, status_code INTEGER NOT NULL, "
                    + "attempts INTEGER NOT NULL, reply TEXT, error TEXT, PRIMARY KEY (recording_id, endpoint))",
            "CREATE TABLE IF NOT EXISTS disabled_endpoints (endpoint TEXT PRIMARY KEY, since INTEGER NOT NULL, "
                    + "reason TEXT)");

    /** Version 2: versions of a recording's files, leases with fencing tokens, multipart uploads under way. */
    private static final List<String> V2 = List.of(
            "ALTER TABLE recordings ADD COLUMN version TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE recordings ADD COLUMN lease_owner TEXT",
            "ALTER TABLE recordings ADD COLUMN lease_until INTEGER",
            "ALTER TABLE recordings ADD COLUMN lease_token INTEGER NOT NULL DEFAULT 0",
            "CREATE INDEX recordings_accepted ON recordings (state, accepted_at, id)",
            "CREATE INDEX recordings_updated ON recordings (state, updated_at)",
            "CREATE TABLE multipart (recording_id INTEGER NOT NULL, name TEXT NOT NULL, upload_id TEXT NOT NULL, "
                    + "part_size INTEGER NOT NULL, file_size INTEGER NOT NULL, file_modified INTEGER NOT NULL, "
                    + "PRIMARY KEY (recording_id, name))",
            "CREATE TABLE parts (recording_id INTEGER NOT NULL, name TEXT NOT NULL, part_number INTEGER NOT NULL, "
                    + "etag TEXT NOT NULL, size INTEGER NOT NULL, PRIMARY KEY (recording_id, name, part_number))");

    /**
     * Version 3: the attempt log (every webhook request and every upload, bounded per recording and
     * target, pruned with its entry), the last run's result, and what listings filter and sort on:
     * the title and email out of the recording's JSON (filled in for the entries already there; a row
     * whose JSON cannot be read keeps them null), newest first over (accepted_at, id).
     */
    private static final List<String> V3 = List.of(
            "ALTER TABLE recordings ADD COLUMN title TEXT",
            "ALTER TABLE recordings ADD COLUMN email TEXT",
            "ALTER TABLE recordings ADD COLUMN result TEXT",
            "UPDATE recordings SET title = CASE WHEN json_valid(recording) THEN json_extract(recording, '$.title') END, "
                    + "email = CASE WHEN json_valid(recording) THEN json_extract(recording, '$.user.email') END",
            "CREATE INDEX recordings_newest ON recordings (accepted_at, id)",
            "CREATE INDEX recordings_result ON recordings (state, result)",
            "CREATE TABLE attempts (id INTEGER PRIMARY KEY, recording_id INTEGER NOT NULL, kind TEXT NOT NULL, "
                    + "target TEXT NOT NULL, number INTEGER NOT NULL, started_at INTEGER NOT NULL, "
                    + "duration_ms INTEGER NOT NULL, outcome TEXT NOT NULL, status_code INTEGER NOT NULL, "
                    + "requests INTEGER NOT NULL, bytes INTEGER NOT NULL, webhook_id TEXT, request_headers TEXT, "
                    + "answer TEXT, error TEXT)",
            "CREATE INDEX attempts_recording ON attempts (recording_id, kind, target, id)",
            "CREATE INDEX attempts_time ON attempts (started_at)",
            "CREATE INDEX attempts_target ON attempts (kind, target, started_at)");

    /** Each version's statements; version n is {@code MIGRATIONS.get(n - 1)}. */
    static final List<List<String>> MIGRATIONS = List.of(V1, V2, V3);

    /** The version this Reelay writes. */
    static final int CURRENT = MIGRATIONS.size();

    /** The tables of the current version, in the order a salvage copies them. */
    static final List<String> TABLES = List.of("recordings", "files", "multipart", "parts", "metadata", "deliveries",
            "disabled_endpoints", "attempts");

    private JournalSchema() {
    }

    /** Brings the journal to the current version, each step in a transaction of its own; returns the version found. */
    static int migrate(Connection c, String where) throws SQLException {
        int found = version(c);
        if (found > CURRENT) {
            throw new SQLException("the journal at " + where + " was written by a newer Reelay (schema version "
                    + found + "; this one reads up to " + CURRENT + ")");
        }
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            for (int v = found + 1; v <= CURRENT; v++) {
                for (String sql : MIGRATIONS.get(v - 1)) {
                    s.execute(sql);
                }
                s.execute("PRAGMA user_version = " + v);
                c.commit();
            }
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
        return found;
    }

    /** The journal's version: {@code user_version}, or 1 for a first-release journal that never set it, or 0 when empty. */
    static int version(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            int v;
            try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
                v = rs.next() ? rs.getInt(1) : 0;
            }
            if (v > 0) {
                return v;
            }
            try (ResultSet rs = s.executeQuery(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'recordings'")) {
                return rs.next() && rs.getInt(1) > 0 ? 1 : 0;
            }
        }
    }
}
