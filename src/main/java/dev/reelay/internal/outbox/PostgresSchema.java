package dev.reelay.internal.outbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The shared journal's schema on PostgreSQL: the versioned scripts shipped as resources
 * ({@code dev/reelay/outbox/postgres/V<n>__*.sql}, for DBAs who apply them by hand), applied in
 * one transaction under a transaction-scoped advisory lock, so that instances starting at once
 * against an empty database create one schema, and recorded in {@code <prefix>schema_version}.
 * A schema written by a newer Reelay is refused rather than misread.
 */
final class PostgresSchema {

    /** The scripts, in order; version n is {@code SCRIPTS.get(n - 1)}. */
    static final List<String> SCRIPTS = List.of("V1__journal.sql", "V2__attempt_log.sql");

    /** The version this Reelay reads and writes. */
    static final int CURRENT = SCRIPTS.size();

    /** The prefix the shipped scripts name their tables with. */
    static final String SHIPPED_PREFIX = "reelay_";

    private static final Pattern SHIPPED_NAME = Pattern.compile("\\b" + SHIPPED_PREFIX);

    private PostgresSchema() {
    }

    /**
     * Brings the schema to the current version in the caller's transaction (committed by the
     * caller): creates the schema if named, takes the advisory lock, applies what is missing.
     * Returns the version found.
     */
    static int migrate(Connection c, String schema, String tablePrefix) throws SQLException {
        String prefix = schema == null ? tablePrefix : schema + "." + tablePrefix;
        try (Statement s = c.createStatement()) {
            // the lock first: CREATE … IF NOT EXISTS is not safe against a concurrent CREATE
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                lock.setLong(1, lockKey(prefix));
                lock.execute();
            }
            if (schema != null) {
                s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
            }
            s.execute("CREATE TABLE IF NOT EXISTS " + prefix + "schema_version (version integer PRIMARY KEY, "
                    + "script text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
            int found = version(c, prefix);
            refuseNewer(found, prefix);
            for (int v = found + 1; v <= CURRENT; v++) {
                for (String statement : statements(SCRIPTS.get(v - 1), schema, tablePrefix)) {
                    s.execute(statement);
                }
            }
            return found;
        }
    }

    /** Checks, without changing anything, that the schema is at the current version (applied by a DBA). */
    static void check(Connection c, String prefix) throws SQLException {
        int found;
        try {
            found = version(c, prefix);
        } catch (SQLException e) {
            throw new SQLException("the journal's tables (" + prefix + "*) are not there: apply "
                    + "dev/reelay/outbox/postgres/" + SCRIPTS.get(0) + " or let Reelay create them (createSchema(true))", e);
        }
        refuseNewer(found, prefix);
        if (found < CURRENT) {
            throw new SQLException("the journal's schema (" + prefix + "*) is at version " + found + "; this Reelay needs "
                    + CURRENT + ": apply " + String.join(", ", SCRIPTS.subList(found, CURRENT))
                    + " or let Reelay migrate it (createSchema(true))");
        }
    }

    private static void refuseNewer(int found, String prefix) throws SQLException {
        if (found > CURRENT) {
            throw new SQLException("the journal's schema (" + prefix + "*) was written by a newer Reelay (version "
                    + found + "; this one reads up to " + CURRENT + ")");
        }
    }

    private static int version(Connection c, String prefix) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(max(version), 0) FROM " + prefix + "schema_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /**
     * The script's statements, its comments dropped and its names given this prefix: tables
     * qualified by the schema, indexes not (an index lives in its table's schema).
     */
    static List<String> statements(String script, String schema, String tablePrefix) {
        String qualified = schema == null ? tablePrefix : schema + "." + tablePrefix;
        String text = withoutComments(read(script)).replace("CREATE INDEX " + SHIPPED_PREFIX, "CREATE INDEX <index>");
        text = SHIPPED_NAME.matcher(text).replaceAll(qualified).replace("<index>", tablePrefix);
        List<String> statements = new ArrayList<>();
        for (String statement : text.split(";\\s*(\\n|$)")) {
            if (!statement.isBlank()) {
                statements.add(statement.strip());
            }
        }
        return statements;
    }

    private static String withoutComments(String sql) {
        StringBuilder out = new StringBuilder();
        for (String line : sql.split("\n")) {
            int comment = line.indexOf("--");
            out.append(comment < 0 ? line : line.substring(0, comment)).append('\n');
        }
        return out.toString();
    }

    static String read(String script) {
        String resource = "/dev/reelay/outbox/postgres/" + script;
        try (InputStream in = PostgresSchema.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One advisory lock per set of tables: "Reelay" in the high bytes, the prefix's hash in the low ones. */
    static long lockKey(String prefix) {
        return 0x5265656c6179L << 16 ^ (prefix.hashCode() & 0xffffffffL);
    }
}
