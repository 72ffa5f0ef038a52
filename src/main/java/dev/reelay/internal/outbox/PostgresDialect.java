package dev.reelay.internal.outbox;

import java.sql.SQLException;

/**
 * PostgreSQL: row locks, several live instances, and the database's clock for leases, so that
 * hosts whose clocks disagree still agree on which leases are alive.
 */
final class PostgresDialect implements JournalSql.Dialect {

    @Override
    public String lockRows() {
        return " FOR UPDATE";
    }

    /** Locks the rows to claim, skipping those another transaction (another instance claiming now) holds. */
    @Override
    public String lockRowsSkipLocked() {
        return " FOR UPDATE SKIP LOCKED";
    }

    @Override
    public boolean shared() {
        return true;
    }

    /** Integrity constraint violations (class 23). */
    @Override
    public boolean ownFailure(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("23");
    }

    /** The time the statement started, on the database server; the same in every row of a statement. */
    @Override
    public String clockMillis() {
        return "(extract(epoch from statement_timestamp()) * 1000)::bigint";
    }

    /** Whether running the transaction again may succeed: a serialization failure or a deadlock broken by the server. */
    static boolean transientFailure(SQLException e) {
        String state = e.getSQLState();
        return "40001".equals(state) || "40P01".equals(state);
    }
}
