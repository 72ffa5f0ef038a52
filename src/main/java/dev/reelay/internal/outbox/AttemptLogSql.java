package dev.reelay.internal.outbox;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.reelay.internal.Json;
import dev.reelay.outbox.Activity;
import dev.reelay.outbox.Attempt;
import dev.reelay.outbox.EndpointHealth;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The attempt log's SQL, which SQLite and PostgreSQL both speak: writing an attempt (and keeping
 * only the newest per recording and target), reading a recording's attempts, and the two
 * aggregates dashboards chart (activity by minute, each endpoint's health).
 */
final class AttemptLogSql {


    private final String attemptsTable;
    private final String disabledTable;

    AttemptLogSql(String tablePrefix) {
        this.attemptsTable = tablePrefix + "attempts";
        this.disabledTable = tablePrefix + "disabled_endpoints";
    }

    /** Writes the attempt, then drops what is beyond the newest {@link Attempt#KEPT_PER_TARGET} of its target. */
    void write(Connection c, long recordingId, Attempt a) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + attemptsTable + " (recording_id, kind, target, number, "
                + "started_at, duration_ms, outcome, status_code, requests, bytes, webhook_id, request_headers, answer, error) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            s.setLong(1, recordingId);
            s.setString(2, a.kind().name());
            s.setString(3, a.target());
            s.setInt(4, a.number());
            s.setLong(5, a.startedAt().toEpochMilli());
            s.setLong(6, a.duration().toMillis());
            s.setString(7, a.outcome().name());
            s.setInt(8, a.statusCode());
            s.setInt(9, a.requests());
            s.setLong(10, a.bytes());
            s.setString(11, a.webhookId());
            s.setString(12, a.requestHeaders().isEmpty() ? null : headers(a.requestHeaders()));
            s.setString(13, a.answer());
            s.setString(14, a.error());
            s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement("DELETE FROM " + attemptsTable + " WHERE recording_id = ? AND kind = ? "
                + "AND target = ? AND id NOT IN (SELECT id FROM " + attemptsTable + " WHERE recording_id = ? AND kind = ? "
                + "AND target = ? ORDER BY id DESC LIMIT " + Attempt.KEPT_PER_TARGET + ")")) {
            for (int i : new int[] {0, 3}) {
                s.setLong(i + 1, recordingId);
                s.setString(i + 2, a.kind().name());
                s.setString(i + 3, a.target());
            }
            s.executeUpdate();
        }
    }

    /** The recording's attempts, oldest first. */
    List<Attempt> read(Connection c, long recordingId) throws SQLException {
        List<Attempt> attempts = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT kind, target, number, started_at, duration_ms, outcome, "
                + "status_code, requests, bytes, webhook_id, request_headers, answer, error FROM " + attemptsTable
                + " WHERE recording_id = ? ORDER BY started_at, id")) {
            s.setLong(1, recordingId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    try {
                        attempts.add(new Attempt(recordingId, Attempt.Kind.valueOf(rs.getString(1)), rs.getString(2),
                                rs.getInt(3), Instant.ofEpochMilli(rs.getLong(4)), Duration.ofMillis(rs.getLong(5)),
                                Attempt.Outcome.valueOf(rs.getString(6)), rs.getInt(7), rs.getInt(8), rs.getLong(9),
                                rs.getString(10), headers(rs.getString(11)), rs.getString(12), rs.getString(13)));
                    } catch (RuntimeException unreadable) {
                        // a row this version cannot read (a kind or outcome of a newer Reelay): left out
                    }
                }
            }
        }
        return attempts;
    }

    /** Minute by minute since then: what ended in each minute. */
    List<Activity> activity(Connection c, Instant since) throws SQLException {
        Map<Long, long[]> minutes = new TreeMap<>();
        try (PreparedStatement s = c.prepareStatement("SELECT (started_at + duration_ms) / 60000, kind, outcome, count(*), "
                + "sum(bytes) FROM " + attemptsTable + " WHERE started_at >= ? GROUP BY (started_at + duration_ms) / 60000, "
                + "kind, outcome")) {
            s.setLong(1, since.toEpochMilli());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    long[] m = minutes.computeIfAbsent(rs.getLong(1), k -> new long[5]);
                    boolean upload = Attempt.Kind.UPLOAD.name().equals(rs.getString(2));
                    boolean succeeded = Attempt.Outcome.SUCCEEDED.name().equals(rs.getString(3));
                    long n = rs.getLong(4);
                    if (upload && succeeded) {
                        m[0] += rs.getLong(5);
                        m[1] += n;
                    } else if (upload) {
                        m[2] += n;
                    } else if (succeeded) {
                        m[3] += n;
                    } else {
                        m[4] += n;
                    }
                }
            }
        }
        List<Activity> activity = new ArrayList<>(minutes.size());
        minutes.forEach((minute, m) -> activity.add(new Activity(Instant.ofEpochMilli(minute * 60_000), m[0], m[1], m[2],
                m[3], m[4])));
        return activity;
    }

    /** Each endpoint sent to since then, or disabled now, by name. */
    List<EndpointHealth> health(Connection c, Instant since) throws SQLException {
        Map<String, EndpointHealth> byName = new TreeMap<>();
        try (PreparedStatement s = c.prepareStatement("SELECT target, count(*), "
                + "sum(CASE WHEN outcome = 'SUCCEEDED' THEN 1 ELSE 0 END), max(started_at), "
                + "max(CASE WHEN outcome = 'SUCCEEDED' THEN started_at END), "
                + "max(CASE WHEN outcome <> 'SUCCEEDED' THEN started_at END) FROM " + attemptsTable
                + " WHERE kind = 'WEBHOOK' AND started_at >= ? GROUP BY target")) {
            s.setLong(1, since.toEpochMilli());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    byName.put(rs.getString(1), new EndpointHealth(rs.getString(1), rs.getLong(2), rs.getLong(3),
                            instant(rs, 4), instant(rs, 5), instant(rs, 6), null, null, null));
                }
            }
        }
        for (Map.Entry<String, EndpointHealth> e : byName.entrySet()) {
            EndpointHealth h = e.getValue();
            if (h.lastFailureAt() != null) {
                e.setValue(new EndpointHealth(h.endpoint(), h.attempts(), h.succeeded(), h.lastAttemptAt(), h.lastSuccessAt(),
                        h.lastFailureAt(), lastFailure(c, h.endpoint(), h.lastFailureAt()), null, null));
            }
        }
        try (PreparedStatement s = c.prepareStatement("SELECT endpoint, since, reason FROM " + disabledTable);
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                EndpointHealth h = byName.get(rs.getString(1));
                byName.put(rs.getString(1), h == null
                        ? new EndpointHealth(rs.getString(1), 0, 0, null, null, null, null, instant(rs, 2), rs.getString(3))
                        : new EndpointHealth(h.endpoint(), h.attempts(), h.succeeded(), h.lastAttemptAt(), h.lastSuccessAt(),
                        h.lastFailureAt(), h.lastFailure(), instant(rs, 2), rs.getString(3)));
            }
        }
        return List.copyOf(byName.values());
    }

    /** The last failed request to the endpoint, in words: its status and the start of its answer, or its error. */
    private String lastFailure(Connection c, String endpoint, Instant at) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT outcome, status_code, answer, error FROM " + attemptsTable
                + " WHERE kind = 'WEBHOOK' AND target = ? AND started_at = ? AND outcome <> 'SUCCEEDED' ORDER BY id DESC LIMIT 1")) {
            s.setString(1, endpoint);
            s.setLong(2, at.toEpochMilli());
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                String error = rs.getString(4);
                if (error != null) {
                    return error;
                }
                String answer = rs.getString(3);
                return (rs.getInt(2) > 0 ? "status " + rs.getInt(2) : rs.getString(1).toLowerCase(java.util.Locale.ROOT))
                        + (answer == null ? "" : ": " + (answer.length() > 200 ? answer.substring(0, 199) + "…" : answer));
            }
        }
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }

    /** The headers as a JSON object of strings, written with the streaming API (no databind on a run's path). */
    private static String headers(Map<String, String> headers) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = Json.generator(out)) {
            g.writeStartObject();
            for (Map.Entry<String, String> h : headers.entrySet()) {
                g.writeStringField(h.getKey(), h.getValue());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static Map<String, String> headers(String json) {
        if (json == null) {
            return Map.of();
        }
        Map<String, String> headers = new LinkedHashMap<>();
        try (JsonParser p = Json.parser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return Map.of();
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (p.nextToken() == JsonToken.VALUE_STRING) {
                    headers.put(name, p.getText());
                }
                p.skipChildren();
            }
        } catch (IOException e) {
            return Map.of();
        }
        return headers;
    }
}
