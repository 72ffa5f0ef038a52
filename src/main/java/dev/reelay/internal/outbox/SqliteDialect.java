package dev.reelay.internal.outbox;

import java.sql.SQLException;

/** SQLite: one writer, no row locks; the journal is this process's alone, so other owners are gone. */
final class SqliteDialect implements JournalSql.Dialect {

    static final int CORRUPT = 11;
    static final int FULL = 13;
    static final int CONSTRAINT = 19;
    static final int NOT_A_DATABASE = 26;

    @Override
    public String lockRows() {
        return "";
    }

    @Override
    public String lockRowsSkipLocked() {
        return "";
    }

    @Override
    public boolean shared() {
        return false;
    }

    /** SQLite's clock; leases only matter where other instances can be alive, which here they cannot. */
    @Override
    public String clockMillis() {
        return "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
    }

    @Override
    public boolean ownFailure(SQLException e) {
        return SqliteOutbox.primary(e) == CONSTRAINT;
    }
}
