package dev.reelay.internal.outbox;

import dev.reelay.FileOutcome;
import dev.reelay.FileRole;
import dev.reelay.PipelineResult;
import dev.reelay.Recording;
import dev.reelay.RecordingMetadata;
import dev.reelay.outbox.Admission;
import dev.reelay.outbox.Lease;
import dev.reelay.outbox.LeaseLostException;
import dev.reelay.outbox.OutboxEntry;
import dev.reelay.outbox.OutboxEntry.State;
import dev.reelay.storage.MultipartProgress;
import dev.reelay.webhook.WebhookOutcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's queries and its policy (what accepting and claiming a recording means), in SQL
 * that SQLite and PostgreSQL both speak, on a connection whose transaction the caller owns.
 * Where the two differ ({@link Dialect}): row locks when claiming, whether a lease held by
 * another instance may still be alive, and the database's clock, by which leases expire (never
 * a host's: two hosts whose clocks disagree still agree on whether a lease is alive).
 */
final class JournalSql {

    private static final Logger log = LoggerFactory.getLogger("dev.reelay.outbox");

    /** What differs between the databases. */
    interface Dialect {
        /** Appended to a SELECT of rows about to be changed: locks them, where the database locks rows. */
        String lockRows();

        /** Appended to a SELECT of rows to claim: locks them, skipping rows another transaction holds. */
        String lockRowsSkipLocked();

        /** Whether another instance can be alive while this one runs (false: the journal is this process's alone). */
        boolean shared();

        /** Whether the statement failed on its own (a constraint) rather than because of the database. */
        boolean ownFailure(SQLException e);

        /** The database's clock as an SQL expression of epoch milliseconds: leases are given and checked by it. */
        String clockMillis();
    }

    private final Dialect dialect;
    private final String owner;
    /** An SQL expression: when a lease given now expires, on the database's clock. */
    private final String leaseUntil;
    /** An SQL expression: whether the row's lease is alive now, on the database's clock (null when it has none). */
    private final String leaseAlive;
    private final String recordingsTable;
    private final String filesTable;
    private final String multipartTable;
    private final String partsTable;
    private final String metadataTable;
    private final String deliveriesTable;
    private final String disabledTable;
    private final String attemptsTable;
    private final String tablePrefix;

    /**
     * @param tablePrefix what every table name starts with (a schema and a prefix, checked by the caller)
     * @param lease       how long a lease lasts unrenewed
     */
    JournalSql(Dialect dialect, String owner, String tablePrefix, java.time.Duration lease) {
        this.dialect = dialect;
        this.owner = owner;
        this.leaseUntil = "(" + dialect.clockMillis() + " + " + lease.toMillis() + ")";
        this.leaseAlive = "(lease_until >= " + dialect.clockMillis() + ")";
        this.recordingsTable = tablePrefix + "recordings";
        this.filesTable = tablePrefix + "files";
        this.multipartTable = tablePrefix + "multipart";
        this.partsTable = tablePrefix + "parts";
        this.metadataTable = tablePrefix + "metadata";
        this.deliveriesTable = tablePrefix + "deliveries";
        this.disabledTable = tablePrefix + "disabled_endpoints";
        this.attemptsTable = tablePrefix + "attempts";
        this.tablePrefix = tablePrefix;
    }

    String owner() {
        return owner;
    }

    /** What every table name starts with. */
    String tablePrefix() {
        return tablePrefix;
    }

    // ---- accepting and claiming

    /** See {@link dev.reelay.outbox.Outbox#accept}: decides and writes in the caller's transaction. */
    Admission accept(Connection c, Recording r, String version, long now, Set<Long> heldHere) throws SQLException {
        String json = RecordingJson.write(r);
        Row row = row(c, r.id(), true);
        if (row == null) {
            int inserted;
            try (PreparedStatement s = c.prepareStatement("INSERT INTO " + recordingsTable + " (id, recording, version, "
                    + "state, reason, attempts, accepted_at, updated_at, next_attempt_at, lease_owner, lease_until, "
                    + "lease_token, title, email) VALUES (?, ?, ?, 'IN_PROGRESS', NULL, 1, ?, ?, NULL, ?, " + leaseUntil
                    + ", 1, ?, ?) ON CONFLICT (id) DO NOTHING")) {
                s.setLong(1, r.id());
                s.setString(2, json);
                s.setString(3, version);
                s.setLong(4, now);
                s.setLong(5, now);
                s.setString(6, owner);
                s.setString(7, r.title());
                s.setString(8, r.user() == null ? null : r.user().email());
                inserted = s.executeUpdate();
            }
            if (inserted == 1) {
                return started(c, r.id(), 1);
            }
            // another instance journaled it first (its insert committed while ours waited): decide on its row
            row = row(c, r.id(), true);
            if (row == null) {
                throw new SQLException("recording " + r.id() + " was journaled and removed at once by another instance");
            }
        }
        if (held(row, heldHere)) {
            return held(c, r.id());
        }
        boolean sameFiles = version.equals(row.version) && row.state != State.REJECTED;
        if (sameFiles && json.equals(row.json) && row.state == State.DONE) {
            return new Admission(Admission.Kind.COMPLETED, entry(c, r.id()), null);
        }
        if (sameFiles) {
            if (!json.equals(row.json)) {
                // the same files with other details (a title, say): stored files stay, the document and its deliveries go
                deleteWhere(c, List.of(metadataTable, deliveriesTable), r.id());
                try (PreparedStatement s = c.prepareStatement("UPDATE " + recordingsTable + " SET recording = ?, title = ?, "
                        + "email = ? WHERE id = ?")) {
                    s.setString(1, json);
                    s.setString(2, r.title());
                    s.setString(3, r.user() == null ? null : r.user().email());
                    s.setLong(4, r.id());
                    s.executeUpdate();
                }
            }
            return claimed(c, row, now);
        }
        // another version of the files: everything recorded goes but for multipart uploads, which the
        // upload stage aborts when the file no longer matches
        deleteWhere(c, List.of(filesTable, metadataTable, deliveriesTable), r.id());
        try (PreparedStatement s = c.prepareStatement("UPDATE " + recordingsTable + " SET recording = ?, version = ?, "
                + "state = 'IN_PROGRESS', reason = NULL, attempts = 1, accepted_at = ?, updated_at = ?, "
                + "next_attempt_at = NULL, lease_owner = ?, lease_until = " + leaseUntil + ", lease_token = lease_token + 1, "
                + "title = ?, email = ?, result = NULL WHERE id = ?")) {
            s.setString(1, json);
            s.setString(2, version);
            s.setLong(3, now);
            s.setLong(4, now);
            s.setString(5, owner);
            s.setString(6, r.title());
            s.setString(7, r.user() == null ? null : r.user().email());
            s.setLong(8, r.id());
            s.executeUpdate();
        }
        return started(c, r.id(), row.token + 1);
    }

    /** Claims one entry to run again: {@code CONTINUED}, {@code HELD}, or null when there is none. */
    Admission claim(Connection c, long id, long now, Set<Long> heldHere) throws SQLException {
        Row row = row(c, id, true);
        if (row == null) {
            return null;
        }
        if (held(row, heldHere)) {
            return held(c, id);
        }
        return claimed(c, row, now);
    }

    /** Where a page of claims starts: after this (time, id) in the page's order. */
    record Cursor(long time, long id) {
        static final Cursor START = new Cursor(Long.MIN_VALUE, Long.MIN_VALUE);
    }

    /** A page of claims, and where the next one starts (null when there is no more). */
    record Claims(List<Admission> admissions, Cursor next) {
    }

    /** Claims up to {@code limit} interrupted entries after the cursor, oldest accepted first. */
    Claims claimUnfinished(Connection c, Cursor after, int limit, long now, Set<Long> heldHere,
                           Consumer<String> unreadable) throws SQLException {
        return claimPage(c, "state = 'IN_PROGRESS'", "accepted_at", after, limit, now, heldHere, unreadable);
    }

    /** Claims up to {@code limit} entries due at {@code now}, soonest due first. */
    Claims claimDue(Connection c, Cursor after, int limit, long now, Set<Long> heldHere,
                    Consumer<String> unreadable) throws SQLException {
        return claimPage(c, "state IN ('PENDING', 'PARKED') AND next_attempt_at IS NOT NULL AND next_attempt_at <= " + now,
                "next_attempt_at", after, limit, now, heldHere, unreadable);
    }

    /**
     * One page of claims, in the caller's transaction: the rows are read and locked (skipping rows
     * another transaction has locked: another instance claiming them now), then claimed in one
     * batch, each only if its token is still the one read, so that a row claimed elsewhere
     * meanwhile is never claimed twice.
     */
    private Claims claimPage(Connection c, String condition, String order, Cursor after, int limit, long now,
                             Set<Long> heldHere, Consumer<String> unreadable) throws SQLException {
        List<Row> candidates = new ArrayList<>();
        Cursor last = null;
        // where other instances can be alive, the rows they hold are not even looked at
        String free = dialect.shared() ? " AND (lease_owner IS NULL OR lease_owner = ? OR lease_until < "
                + dialect.clockMillis() + ")" : "";
        try (PreparedStatement s = c.prepareStatement("SELECT id, " + order + ", recording, version, state, lease_owner, "
                + "lease_token, " + leaseAlive + " FROM " + recordingsTable + " WHERE " + condition + " AND (" + order
                + " > ? OR (" + order + " = ? AND id > ?))" + free + " ORDER BY " + order + ", id LIMIT ?"
                + dialect.lockRowsSkipLocked())) {
            int i = 1;
            s.setLong(i++, after.time());
            s.setLong(i++, after.time());
            s.setLong(i++, after.id());
            if (dialect.shared()) {
                s.setString(i++, owner);
            }
            s.setInt(i, limit);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    last = new Cursor(rs.getLong(2), rs.getLong(1));
                    candidates.add(row(rs.getLong(1), rs, 3));
                }
            }
        }
        Map<Long, Row> unheld = new LinkedHashMap<>();
        candidates.stream().filter(row -> !held(row, heldHere)).forEach(row -> unheld.put(row.id, row));
        // read before claiming: an entry that cannot be read is reported and left alone, never claimed
        List<OutboxEntry> readable = entries(c, List.copyOf(unheld.keySet()), unreadable);
        List<Row> rows = readable.stream().map(e -> unheld.get(e.id())).toList();
        boolean[] won = claim(c, rows, now);
        List<Admission> claimed = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            if (won[i]) {
                claimed.add(admission(rows.get(i), readable.get(i), now));
            }
        }
        return new Claims(claimed, last);
    }

    private Admission claimed(Connection c, Row row, long now) throws SQLException {
        OutboxEntry before = entry(c, row.id);
        if (!claim(c, List.of(row), now)[0]) {
            return held(c, row.id); // claimed elsewhere since it was read: not possible under the row lock, but told truly
        }
        return admission(row, before, now);
    }

    /**
     * Claims the rows in one batch: each is claimed only if its token is still the one read.
     * Returns, for each row, whether it was claimed.
     */
    private boolean[] claim(Connection c, List<Row> rows, long now) throws SQLException {
        boolean[] won = new boolean[rows.size()];
        if (rows.isEmpty()) {
            return won;
        }
        // an entry that ended (pending, parked, given up, done) runs again as a new attempt; an interrupted one goes on
        try (PreparedStatement s = c.prepareStatement("UPDATE " + recordingsTable + " SET "
                + "attempts = attempts + CASE WHEN state = 'IN_PROGRESS' THEN 0 ELSE 1 END, state = 'IN_PROGRESS', "
                + "updated_at = ?, next_attempt_at = NULL, lease_owner = ?, lease_until = " + leaseUntil + ", "
                + "lease_token = lease_token + 1 WHERE id = ? AND lease_token = ?")) {
            for (Row row : rows) {
                s.setLong(1, now);
                s.setString(2, owner);
                s.setLong(3, row.id);
                s.setLong(4, row.token);
                s.addBatch();
            }
            int[] counts = s.executeBatch();
            for (int i = 0; i < won.length; i++) {
                won[i] = counts[i] > 0 || counts[i] == java.sql.Statement.SUCCESS_NO_INFO;
            }
        }
        return won;
    }

    /** The admission of a row just claimed, read as {@code before}: the entry as it is after the claim. */
    private Admission admission(Row row, OutboxEntry before, long now) {
        int more = row.state == State.IN_PROGRESS ? 0 : 1;
        Lease lease = new Lease(row.id, owner, row.token + 1);
        OutboxEntry after = new OutboxEntry(before.recording(), before.version(), State.IN_PROGRESS, before.reason(),
                before.attempts() + more, before.acceptedAt(), Instant.ofEpochMilli(now), null, owner, before.files(),
                before.uploads(), before.metadata(), before.metadataFile(), before.deliveries(), before.lastResult());
        return new Admission(Admission.Kind.CONTINUED, after, lease);
    }

    private Admission started(Connection c, long id, long token) throws SQLException {
        return new Admission(Admission.Kind.STARTED, entry(c, id), new Lease(id, owner, token));
    }

    private Admission held(Connection c, long id) throws SQLException {
        return new Admission(Admission.Kind.HELD, entry(c, id), null);
    }

    /**
     * Whether the entry is being worked on: by this instance (it knows which), or by another one
     * whose lease has not expired by the database's clock, where other instances can be alive at all.
     */
    private boolean held(Row row, Set<Long> heldHere) {
        if (row.owner == null) {
            return false;
        }
        if (row.owner.equals(owner)) {
            return heldHere.contains(row.id);
        }
        return dialect.shared() && row.alive;
    }

    /** What claiming needs of an entry's row. */
    private record Row(long id, String json, String version, State state, String owner, long token, boolean alive) {
    }

    private Row row(Connection c, long id, boolean lock) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT recording, version, state, lease_owner, lease_token, "
                + leaseAlive + " FROM " + recordingsTable + " WHERE id = ?" + (lock ? dialect.lockRows() : ""))) {
            s.setLong(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? row(id, rs, 1) : null;
            }
        }
    }

    /** The row read from {@code recording, version, state, lease_owner, lease_token, alive} from column {@code from} on. */
    private static Row row(long id, ResultSet rs, int from) throws SQLException {
        State state;
        try {
            state = State.valueOf(rs.getString(from + 2));
        } catch (RuntimeException e) {
            state = State.IN_PROGRESS;
        }
        return new Row(id, rs.getString(from), rs.getString(from + 1), state, rs.getString(from + 3),
                rs.getLong(from + 4), rs.getBoolean(from + 5));
    }

    // ---- writes under a lease

    /** Throws {@link LeaseLostException} unless the lease is still held; marks the entry as heard of. */
    void checkLease(Connection c, Lease lease, long now) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE " + recordingsTable + " SET updated_at = ?, lease_until = " + leaseUntil
                + " WHERE id = ? AND lease_owner = ? AND lease_token = ? AND state = 'IN_PROGRESS'")) {
            s.setLong(1, now);
            s.setLong(2, lease.recordingId());
            s.setString(3, lease.owner());
            s.setLong(4, lease.token());
            if (s.executeUpdate() == 0) {
                throw new LeaseLostException(lease);
            }
        }
    }

    void fileStored(Connection c, long id, FileOutcome f) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + filesTable + " (recording_id, name, role, object_key, url, "
                + "size, attempts) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (recording_id, name) DO UPDATE SET "
                + "role = excluded.role, object_key = excluded.object_key, url = excluded.url, size = excluded.size, "
                + "attempts = excluded.attempts")) {
            s.setLong(1, id);
            s.setString(2, f.name());
            s.setString(3, f.role().name());
            s.setString(4, f.key());
            s.setString(5, f.url());
            s.setLong(6, f.size());
            s.setInt(7, f.attempts());
            s.executeUpdate();
        }
        // a stored file has no upload under way any more
        deleteFileRows(c, partsTable, id, f.name());
        deleteFileRows(c, multipartTable, id, f.name());
    }

    void multipartStarted(Connection c, long id, String name, MultipartProgress p) throws SQLException {
        deleteFileRows(c, partsTable, id, name);
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + multipartTable + " (recording_id, name, upload_id, part_size, "
                + "file_size, file_modified) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (recording_id, name) DO UPDATE SET "
                + "upload_id = excluded.upload_id, part_size = excluded.part_size, file_size = excluded.file_size, "
                + "file_modified = excluded.file_modified")) {
            s.setLong(1, id);
            s.setString(2, name);
            s.setString(3, p.uploadId());
            s.setLong(4, p.partSize());
            s.setLong(5, p.fileSize());
            s.setLong(6, p.fileModifiedMillis());
            s.executeUpdate();
        }
        for (MultipartProgress.Part part : p.parts()) {
            partStored(c, id, name, p.uploadId(), part);
        }
    }

    /** Records the part if the file's journaled upload is this one; a part of an upload since replaced is dropped. */
    void partStored(Connection c, long id, String name, String uploadId, MultipartProgress.Part part) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + partsTable + " (recording_id, name, part_number, etag, size) "
                + "SELECT recording_id, name, ?, ?, ? FROM " + multipartTable + " WHERE recording_id = ? AND name = ? AND upload_id = ? "
                + "ON CONFLICT (recording_id, name, part_number) DO UPDATE SET etag = excluded.etag, size = excluded.size")) {
            s.setInt(1, part.number());
            s.setString(2, part.eTag());
            s.setLong(3, part.size());
            s.setLong(4, id);
            s.setString(5, name);
            s.setString(6, uploadId);
            s.executeUpdate();
        }
    }

    void metadataStored(Connection c, long id, byte[] body, FileOutcome f) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + metadataTable + " (recording_id, name, object_key, url, size, "
                + "attempts, body) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (recording_id) DO UPDATE SET "
                + "name = excluded.name, object_key = excluded.object_key, url = excluded.url, size = excluded.size, "
                + "attempts = excluded.attempts, body = excluded.body")) {
            s.setLong(1, id);
            s.setString(2, f.name());
            s.setString(3, f.key());
            s.setString(4, f.url());
            s.setLong(5, f.size());
            s.setInt(6, f.attempts());
            s.setBytes(7, body);
            s.executeUpdate();
        }
    }

    void delivery(Connection c, long id, WebhookOutcome o) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + deliveriesTable + " (recording_id, endpoint, webhook_id, state, "
                + "status_code, attempts, reply, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (recording_id, endpoint) "
                + "DO UPDATE SET webhook_id = excluded.webhook_id, state = excluded.state, status_code = excluded.status_code, "
                + "attempts = excluded.attempts, reply = excluded.reply, error = excluded.error")) {
            s.setLong(1, id);
            s.setString(2, o.endpoint());
            s.setString(3, o.webhookId());
            s.setString(4, o.state().name());
            s.setInt(5, o.statusCode());
            s.setInt(6, o.attempts());
            s.setString(7, ReplyJson.write(o.reply()));
            s.setString(8, o.error());
            s.executeUpdate();
        }
    }

    /** Ends the run: the entry's state, and the lease given up. */
    void finish(Connection c, Lease lease, PipelineResult result, State state, Instant next, long now)
            throws SQLException {
        checkLease(c, lease, now);
        try (PreparedStatement s = c.prepareStatement("UPDATE " + recordingsTable + " SET state = ?, reason = ?, updated_at = ?, "
                + "next_attempt_at = ?, lease_owner = NULL, lease_until = NULL, result = ? WHERE id = ?")) {
            s.setString(1, state.name());
            s.setString(2, result.reason().orElse(null));
            s.setLong(3, now);
            if (next == null) {
                s.setNull(4, Types.BIGINT);
            } else {
                s.setLong(4, next.toEpochMilli());
            }
            s.setString(5, result.status().name());
            s.setLong(6, lease.recordingId());
            s.executeUpdate();
        }
    }

    /** Gives the lease up; the entry stays as it is, for another run. */
    void release(Connection c, Lease lease, long now) throws SQLException {
        checkLease(c, lease, now);
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE " + recordingsTable + " SET lease_owner = NULL, lease_until = NULL WHERE id = ?")) {
            s.setLong(1, lease.recordingId());
            s.executeUpdate();
        }
    }

    /**
     * Pushes the expiry of the leases this instance holds on these entries; returns the ids whose
     * lease it still held (the others were taken over, or ended).
     */
    Set<Long> renew(Connection c, java.util.Collection<Long> ids) throws SQLException {
        Set<Long> renewed = new HashSet<>();
        if (ids.isEmpty()) {
            return renewed;
        }
        String in = ids.stream().map(String::valueOf).collect(Collectors.joining(","));
        try (PreparedStatement s = c.prepareStatement("UPDATE " + recordingsTable + " SET lease_until = " + leaseUntil
                + " WHERE id IN (" + in + ") AND lease_owner = ? AND state = 'IN_PROGRESS' RETURNING id")) {
            s.setString(1, owner);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    renewed.add(rs.getLong(1));
                }
            }
        }
        return renewed;
    }

    // ---- endpoints

    void disableEndpoint(Connection c, String endpoint, String reason, long now) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + disabledTable + " (endpoint, since, reason) "
                + "VALUES (?, ?, ?) ON CONFLICT (endpoint) DO UPDATE SET since = excluded.since, reason = excluded.reason")) {
            s.setString(1, endpoint);
            s.setLong(2, now);
            s.setString(3, reason);
            s.executeUpdate();
        }
    }

    void enableEndpoint(Connection c, String endpoint) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM " + disabledTable + " WHERE endpoint = ?")) {
            s.setString(1, endpoint);
            s.executeUpdate();
        }
    }

    Set<String> disabledEndpoints(Connection c) throws SQLException {
        Set<String> endpoints = new HashSet<>();
        try (PreparedStatement s = c.prepareStatement("SELECT endpoint FROM " + disabledTable);
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                endpoints.add(rs.getString(1));
            }
        }
        return Set.copyOf(endpoints);
    }

    // ---- statistics

    /**
     * The unfinished entries by state and when the oldest still to be done was accepted: one
     * query over the index on (state, accepted_at, id), which it covers, reading the unfinished
     * entries' index rows only, never the finished ones or the table.
     */
    dev.reelay.outbox.OutboxStats stats(Connection c) throws SQLException {
        Map<State, Long> counts = new java.util.EnumMap<>(State.class);
        Long oldest = null;
        try (PreparedStatement s = c.prepareStatement("SELECT state, COUNT(*), MIN(accepted_at) FROM " + recordingsTable
                + " WHERE state IN ('IN_PROGRESS', 'PENDING', 'PARKED', 'GAVE_UP') GROUP BY state");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                State state = State.valueOf(rs.getString(1));
                counts.put(state, rs.getLong(2));
                long since = rs.getLong(3);
                if (state != State.GAVE_UP && (oldest == null || since < oldest)) {
                    oldest = since;
                }
            }
        }
        return new dev.reelay.outbox.OutboxStats(counts, oldest == null ? null : Instant.ofEpochMilli(oldest));
    }

    // ---- pruning

    /** Deletes up to {@code batch} finished entries last heard of before {@code before}, with their rows; returns how many. */
    int prune(Connection c, long before, int batch) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT id FROM " + recordingsTable + " WHERE state IN ('DONE', 'REJECTED') "
                + "AND updated_at < ? LIMIT ?" + dialect.lockRowsSkipLocked())) {
            s.setLong(1, before);
            s.setInt(2, batch);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        if (ids.isEmpty()) {
            return 0;
        }
        String in = ids.stream().map(String::valueOf).collect(Collectors.joining(","));
        for (String table : List.of(filesTable, multipartTable, partsTable, metadataTable, deliveriesTable, attemptsTable)) {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE recording_id IN (" + in + ")")) {
                s.executeUpdate();
            }
        }
        try (PreparedStatement s = c.prepareStatement("DELETE FROM " + recordingsTable + " WHERE id IN (" + in + ")")) {
            s.executeUpdate();
        }
        return ids.size();
    }

    // ---- reading

    /** The entry, or null; throws when its row cannot be read. */
    OutboxEntry entry(Connection c, long id) throws SQLException {
        List<String> problems = new ArrayList<>();
        List<OutboxEntry> found = entries(c, List.of(id), problems::add);
        if (!problems.isEmpty()) {
            throw new IllegalStateException(problems.get(0));
        }
        return found.isEmpty() ? null : found.get(0);
    }

    /** A page of entries, and where the next one starts (null when there is no more). */
    record Page(List<OutboxEntry> entries, Cursor next) {
    }

    /** A page of entries in these states, after the cursor in (accepted_at, id) order. */
    Page page(Connection c, List<State> states, Cursor after, int limit, Consumer<String> unreadable)
            throws SQLException {
        List<Long> ids = new ArrayList<>();
        Cursor last = null;
        String in = states.stream().map(s -> "'" + s.name() + "'").collect(Collectors.joining(", "));
        try (PreparedStatement s = c.prepareStatement("SELECT id, accepted_at FROM " + recordingsTable + " WHERE state IN (" + in
                + ") AND (accepted_at > ? OR (accepted_at = ? AND id > ?)) ORDER BY accepted_at, id LIMIT ?")) {
            s.setLong(1, after.time());
            s.setLong(2, after.time());
            s.setLong(3, after.id());
            s.setInt(4, limit);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                    last = new Cursor(rs.getLong(2), rs.getLong(1));
                }
            }
        }
        return new Page(entries(c, ids, unreadable), last);
    }

    /**
     * The entries of these ids, in the order given, with their files, uploads, metadata and
     * deliveries read in one query per table. An entry that cannot be read is skipped and told
     * to {@code unreadable}; its rows stay as they are, for inspection.
     */
    List<OutboxEntry> entries(Connection c, List<Long> ids, Consumer<String> unreadable) throws SQLException {
        if (ids.isEmpty()) {
            return List.of();
        }
        String in = ids.stream().map(String::valueOf).collect(Collectors.joining(","));
        Map<Long, List<FileOutcome>> files = new HashMap<>();
        try (PreparedStatement s = c.prepareStatement("SELECT recording_id, role, name, object_key, url, size, attempts "
                + "FROM " + filesTable + " WHERE recording_id IN (" + in + ") ORDER BY recording_id, name");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                files.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(readable(rs, () ->
                        new FileOutcome(FileRole.valueOf(rs.getString(2)), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getLong(6), rs.getInt(7), null), null));
            }
        }
        Map<Long, Map<String, MultipartProgress>> uploads = uploads(c, in);
        Map<Long, List<WebhookOutcome>> deliveries = new HashMap<>();
        try (PreparedStatement s = c.prepareStatement("SELECT recording_id, endpoint, webhook_id, state, status_code, "
                + "attempts, reply, error FROM " + deliveriesTable + " WHERE recording_id IN (" + in + ") ORDER BY recording_id, endpoint");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                deliveries.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(readable(rs, () ->
                        new WebhookOutcome(rs.getString(2), rs.getString(3), WebhookOutcome.State.valueOf(rs.getString(4)),
                                rs.getInt(5), rs.getInt(6), ReplyJson.read(rs.getString(7)), rs.getString(8)), null));
            }
        }
        Map<Long, OutboxEntry> found = new HashMap<>();
        try (PreparedStatement s = c.prepareStatement("SELECT r.id, recording, version, state, reason, r.attempts, "
                + "accepted_at, updated_at, next_attempt_at, lease_owner, lease_until, "
                + "m.name, m.object_key, m.url, m.size, m.attempts, m.body, r.result "
                + "FROM " + recordingsTable + " r LEFT JOIN " + metadataTable + " m ON m.recording_id = r.id WHERE r.id IN (" + in + ")");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                long id = rs.getLong(1);
                try {
                    found.put(id, entry(rs, files.getOrDefault(id, List.of()), uploads.getOrDefault(id, Map.of()),
                            deliveries.getOrDefault(id, List.of())));
                } catch (RuntimeException | SQLException e) {
                    unreadable.accept("entry " + id + " cannot be read (" + e + "); skipped, and kept as it is for inspection");
                }
            }
        }
        List<OutboxEntry> ordered = new ArrayList<>(ids.size());
        for (long id : ids) {
            OutboxEntry e = found.get(id);
            if (e != null) {
                ordered.add(e);
            }
        }
        return ordered;
    }

    private Map<Long, Map<String, MultipartProgress>> uploads(Connection c, String in) throws SQLException {
        Map<String, List<MultipartProgress.Part>> parts = new HashMap<>();
        try (PreparedStatement s = c.prepareStatement("SELECT recording_id, name, part_number, etag, size FROM " + partsTable + " "
                + "WHERE recording_id IN (" + in + ") ORDER BY recording_id, name, part_number");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                parts.computeIfAbsent(rs.getLong(1) + "/" + rs.getString(2), k -> new ArrayList<>())
                        .add(new MultipartProgress.Part(rs.getInt(3), rs.getString(4), rs.getLong(5)));
            }
        }
        Map<Long, Map<String, MultipartProgress>> uploads = new HashMap<>();
        try (PreparedStatement s = c.prepareStatement("SELECT recording_id, name, upload_id, part_size, file_size, "
                + "file_modified FROM " + multipartTable + " WHERE recording_id IN (" + in + ") ORDER BY recording_id, name");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                long id = rs.getLong(1);
                String name = rs.getString(2);
                uploads.computeIfAbsent(id, k -> new LinkedHashMap<>()).put(name, new MultipartProgress(rs.getString(3),
                        rs.getLong(4), rs.getLong(5), rs.getLong(6), parts.getOrDefault(id + "/" + name, List.of())));
            }
        }
        return uploads;
    }

    private static OutboxEntry entry(ResultSet rs, List<FileOutcome> files, Map<String, MultipartProgress> uploads,
                                     List<WebhookOutcome> deliveries) throws SQLException {
        if (files.stream().anyMatch(Objects::isNull) || deliveries.stream().anyMatch(Objects::isNull)) {
            throw new IllegalStateException("one of its files or deliveries cannot be read");
        }
        long next = rs.getLong(9);
        Instant nextAttemptAt = rs.wasNull() ? null : Instant.ofEpochMilli(next);
        byte[] body = rs.getBytes(17);
        FileOutcome metadataFile = body == null ? null : new FileOutcome(FileRole.METADATA, rs.getString(12),
                rs.getString(13), rs.getString(14), rs.getLong(15), rs.getInt(16), null);
        String result = rs.getString(18);
        return new OutboxEntry(RecordingJson.read(rs.getString(2)), rs.getString(3), State.valueOf(rs.getString(4)),
                rs.getString(5), rs.getInt(6), Instant.ofEpochMilli(rs.getLong(7)), Instant.ofEpochMilli(rs.getLong(8)),
                nextAttemptAt, rs.getString(10), files, uploads, body == null ? null : RecordingMetadata.fromJson(body),
                metadataFile, deliveries, result == null ? null : PipelineResult.Status.valueOf(result));
    }

    @FunctionalInterface
    private interface RowReader<T> {
        T read() throws SQLException;
    }

    /** The value, or {@code otherwise} when the row holds something this version cannot read. */
    private static <T> T readable(ResultSet rs, RowReader<T> reader, T otherwise) throws SQLException {
        try {
            return reader.read();
        } catch (RuntimeException e) {
            log.debug("An outbox row cannot be read: {}", e.toString());
            return otherwise;
        }
    }

    private void deleteWhere(Connection c, List<String> tables, long id) throws SQLException {
        for (String table : tables) {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE recording_id = ?")) {
                s.setLong(1, id);
                s.executeUpdate();
            }
        }
    }

    private void deleteFileRows(Connection c, String table, long id, String name) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE recording_id = ? AND name = ?")) {
            s.setLong(1, id);
            s.setString(2, name);
            s.executeUpdate();
        }
    }
}
