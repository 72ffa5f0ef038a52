package dev.reelay.outbox;

import dev.reelay.internal.Checks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Where the embedded outbox keeps its journal and how long it keeps trying.
 *
 * <p>By default the journal is {@code outbox.db} in {@code ~/.reelay/outbox} (or in the
 * directory named by the system property {@code reelay.outbox.dir}). One process at a time may
 * open a journal; a second gets a clear error. Writes are on disk (SQLite, WAL, synchronous
 * FULL) before Reelay relies on them.
 *
 * <pre>{@code
 * PipelineOptions options = PipelineOptions.builder()
 *         .s3(s3)
 *         .outbox(OutboxOptions.builder()
 *                 .directory(Path.of("/var/lib/myapp/reelay"))
 *                 .retrySchedule(List.of(Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofHours(6)))
 *                 .giveUpAfter(Duration.ofDays(3))
 *                 .build())
 *         .build();
 * }</pre>
 *
 * <p>Several host instances share one journal in PostgreSQL: {@code postgres(dataSource)} for the
 * defaults, or {@code outbox(PostgresOutbox.builder(dataSource)…build())} to choose the lease, the
 * schema or the table prefix (see {@link PostgresOutbox}).
 */
public final class OutboxOptions {

    private static final OutboxOptions DISABLED = new OutboxOptions(null, true);

    private final Path directory;
    private final boolean disabled;
    private final Outbox outbox;
    private final DataSource postgres;
    private final List<Duration> retrySchedule;
    private final Duration giveUpAfter;
    private final Duration retention;

    private OutboxOptions(Builder b, boolean disabled) {
        this.disabled = disabled;
        if (disabled) {
            this.directory = null;
            this.outbox = null;
            this.postgres = null;
            this.retrySchedule = List.of();
            this.giveUpAfter = Duration.ZERO;
            this.retention = Duration.ZERO;
            return;
        }
        this.directory = b.directory != null ? b.directory : defaultDirectory();
        this.outbox = b.outbox;
        this.postgres = b.postgres;
        if (outbox != null && postgres != null) {
            throw new IllegalArgumentException("outbox(...) and postgres(...) both set: choose one journal");
        }
        this.retrySchedule = List.copyOf(b.retrySchedule);
        if (retrySchedule.isEmpty()) {
            throw new IllegalArgumentException("retrySchedule must hold at least one delay");
        }
        retrySchedule.forEach(d -> Checks.positive(d, "retrySchedule delay"));
        this.giveUpAfter = Checks.positive(b.giveUpAfter, "giveUpAfter");
        this.retention = Checks.positive(b.retention, "retention");
    }

    /** The default journal, with the default schedule. */
    public static OutboxOptions defaults() {
        return builder().build();
    }

    /** No journal: nothing survives a crash, and resume(), pending() and retry() find nothing. */
    public static OutboxOptions disabled() {
        return DISABLED;
    }

    public static Builder builder() {
        return new Builder();
    }

    static Path defaultDirectory() {
        String configured = System.getProperty("reelay.outbox.dir");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return Path.of(System.getProperty("user.home"), ".reelay", "outbox");
    }

    public boolean enabled() {
        return !disabled;
    }

    /** The directory of the embedded journal. */
    public Path directory() {
        return directory;
    }

    /** The host's own outbox, when it passed one. */
    public Optional<Outbox> outbox() {
        return Optional.ofNullable(outbox);
    }

    /** The data source of a journal in PostgreSQL that the pipeline makes (and closes), when one was given. */
    public Optional<DataSource> postgres() {
        return Optional.ofNullable(postgres);
    }

    /** Delays between automatic retries of a recording that did not complete; the last repeats. */
    public List<Duration> retrySchedule() {
        return retrySchedule;
    }

    /** After this long since acceptance, automatic retries stop. Default 3 days. */
    public Duration giveUpAfter() {
        return giveUpAfter;
    }

    /** Completed entries are pruned after this long. Default 7 days. */
    public Duration retention() {
        return retention;
    }

    @Override
    public String toString() {
        return disabled ? "OutboxOptions{disabled}" : "OutboxOptions{directory=" + directory + ", outbox="
                + (outbox != null ? outbox : postgres != null ? "postgres" : "embedded") + ", retrySchedule=" + retrySchedule + ", giveUpAfter="
                + giveUpAfter + ", retention=" + retention + "}";
    }

    /** Collects the settings; {@link #build()} checks them. */
    public static final class Builder {
        private Path directory;
        private Outbox outbox;
        private DataSource postgres;
        private List<Duration> retrySchedule = List.of(Duration.ofMinutes(1), Duration.ofMinutes(5),
                Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(6), Duration.ofHours(12));
        private Duration giveUpAfter = Duration.ofDays(3);
        private Duration retention = Duration.ofDays(7);

        private Builder() {
        }

        /** Where the embedded journal lives. */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** A host's own outbox instead of the embedded one; Reelay does not close it. */
        public Builder outbox(Outbox outbox) {
            this.outbox = Objects.requireNonNull(outbox, "outbox");
            return this;
        }

        /**
         * A journal shared with other host instances, in PostgreSQL, with {@link PostgresOutbox}'s
         * defaults (30 s leases, tables {@code reelay_*} in the connections' schema, created on
         * first use) and this retention. The pipeline makes it and closes it; the data source is
         * the host's, never closed by Reelay.
         */
        public Builder postgres(DataSource dataSource) {
            this.postgres = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        public Builder retrySchedule(List<Duration> delays) {
            this.retrySchedule = Objects.requireNonNull(delays, "retrySchedule");
            return this;
        }

        public Builder giveUpAfter(Duration age) {
            this.giveUpAfter = age;
            return this;
        }

        public Builder retention(Duration retention) {
            this.retention = retention;
            return this;
        }

        public OutboxOptions build() {
            return new OutboxOptions(this, false);
        }
    }
}
