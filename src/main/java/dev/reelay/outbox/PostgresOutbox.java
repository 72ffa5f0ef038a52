package dev.reelay.outbox;

import dev.reelay.internal.Checks;
import dev.reelay.internal.outbox.DefaultPostgresOutbox;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A journal that several host instances share, in PostgreSQL (tested with 15), through the host's
 * own {@link DataSource}: each recording is run by one instance at a time, the one holding its
 * {@link Lease}; a dead or stalled instance's recordings are taken over once its leases expire,
 * and its late writes are refused ({@link LeaseLostException}).
 *
 * <pre>{@code
 * HikariDataSource dataSource = new HikariDataSource(config);   // the host's pool, never closed by Reelay
 * Outbox outbox = PostgresOutbox.builder(dataSource)
 *         .lease(Duration.ofSeconds(30))
 *         .build();
 * RecordingPipeline pipeline = RecordingPipeline.create(PipelineOptions.builder()
 *         .s3(s3)
 *         .outbox(OutboxOptions.builder().outbox(outbox).build())
 *         .build());
 * pipeline.resume().subscribe();   // any instance: finishes what a dead one left, once its leases expired
 * }</pre>
 *
 * <p>What a lease guarantees: while an instance renews it (its heartbeat renews every lease it
 * holds three times per lease length), no other instance runs the recording; once it is not
 * renewed for a whole lease (the instance died, was paused, or lost the database), another
 * instance may claim it, with a greater fencing token, and from then on every journal write of
 * the old holder fails and changes nothing. Leases expire by the database's clock, so hosts
 * whose clocks disagree still agree on them. What it does not guarantee: an old holder that was
 * paused may still finish a request it had started (an upload, a webhook) before it hears that
 * its lease is gone, so delivery stays at least once, with the same {@code webhook-id}.
 *
 * <p>The tables are created on first use (or checked only, with {@code createSchema(false)}); the
 * scripts are shipped as {@code dev/reelay/outbox/postgres/V<n>__*.sql} for DBAs who apply them
 * themselves. Every JDBC call runs on a bounded scheduler of the outbox's own, with at most
 * {@link Builder#connections(int)} connections taken from the pool at once, plus one for the
 * heartbeat.
 */
public final class PostgresOutbox {

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,40}");

    private PostgresOutbox() {
    }

    /** The shared journal in the current schema of the data source's connections, with the defaults. */
    public static Outbox create(DataSource dataSource) {
        return builder(dataSource).build();
    }

    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /** Collects the settings; {@link #build()} checks them and makes the outbox. */
    public static final class Builder {
        private final DataSource dataSource;
        private String schema;
        private String tablePrefix = "reelay_";
        private Duration lease = Duration.ofSeconds(30);
        private int connections = 4;
        private String instanceName;
        private Duration retention = Duration.ofDays(7);
        private boolean createSchema = true;
        private Clock clock = Clock.systemUTC();

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** The schema to keep the tables in (created if missing, with {@code createSchema}); lower case letters, digits, _. */
        public Builder schema(String schema) {
            this.schema = identifier(schema, "schema");
            return this;
        }

        /** What every table name starts with; lower case letters, digits, _. Default {@code reelay_}. */
        public Builder tablePrefix(String prefix) {
            this.tablePrefix = identifier(prefix, "tablePrefix");
            return this;
        }

        /**
         * How long a lease lasts unrenewed: how long a dead instance's recordings wait before
         * another instance takes them over, and how long an instance may be paused (a GC pause,
         * a lost database connection) before it loses them. Renewed every third of it. Default 30 s.
         */
        public Builder lease(Duration lease) {
            this.lease = lease;
            return this;
        }

        /**
         * How many journal calls run at once, each on a connection taken from the data source (the
         * size of the outbox's JDBC scheduler); the heartbeat takes one more, on a thread of its
         * own, so give the pool at least this plus one for Reelay. Default 4.
         */
        public Builder connections(int connections) {
            this.connections = connections;
            return this;
        }

        /** A name for this instance (a host name, a pod name); a random suffix keeps it unique. */
        public Builder instanceName(String name) {
            this.instanceName = Checks.notBlank(name, "instanceName");
            return this;
        }

        public Builder retention(Duration retention) {
            this.retention = retention;
            return this;
        }

        /** Whether to create and migrate the tables on first use (default) or only check their version. */
        public Builder createSchema(boolean create) {
            this.createSchema = create;
            return this;
        }

        /** The clock of the entries' times (not of leases, which use the database's). Default system UTC. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The outbox; nothing is read or written before its first call. Its JDBC threads stop when
         * it is closed: by the host, or by the pipeline that made it ({@link OutboxOptions.Builder#postgres}).
         * The data source is the host's, never closed by Reelay.
         */
        public Outbox build() {
            Checks.positive(lease, "lease");
            if (lease.compareTo(Duration.ofMillis(300)) < 0) {
                throw new IllegalArgumentException("lease must be at least 300 ms (renewed every third of it), was " + lease);
            }
            Checks.positive(connections, "connections");
            Checks.positive(retention, "retention");
            String name = (instanceName != null ? instanceName : defaultName()) + "-"
                    + UUID.randomUUID().toString().substring(0, 8);
            return new DefaultPostgresOutbox(new DefaultPostgresOutbox.Settings(dataSource, schema, tablePrefix, lease,
                    connections, name, retention, createSchema, clock));
        }

        /** The host's name as the environment tells it (no lookup), and the process id. */
        private static String defaultName() {
            String host = System.getenv("HOSTNAME");
            if (host == null || host.isBlank()) {
                host = System.getenv("COMPUTERNAME");
            }
            return (host == null || host.isBlank() ? "reelay" : host.strip()) + "-" + ProcessHandle.current().pid();
        }

        private static String identifier(String value, String name) {
            Objects.requireNonNull(value, name);
            if (!IDENTIFIER.matcher(value).matches()) {
                throw new IllegalArgumentException(name + " must be lower case letters, digits and _ (at most 41, "
                        + "not starting with a digit), was '" + value + "'");
            }
            return value;
        }
    }
}
