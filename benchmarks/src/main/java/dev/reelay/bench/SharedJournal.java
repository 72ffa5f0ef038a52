package dev.reelay.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.reelay.FileOutcome;
import dev.reelay.FileRole;
import dev.reelay.PipelineResult;
import dev.reelay.Recording;
import dev.reelay.RecordingMetadata;
import dev.reelay.RecordingPipeline;
import dev.reelay.internal.outbox.SqliteOutbox;
import dev.reelay.outbox.Lease;
import dev.reelay.outbox.Outbox;
import dev.reelay.outbox.OutboxEntry;
import dev.reelay.outbox.OutboxOptions;
import dev.reelay.outbox.PostgresOutbox;
import dev.reelay.webhook.WebhookOutcome;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Workload 6: the shared journal on PostgreSQL (a throwaway server of the machine's, started for
 * the workload, fsync on) against the embedded SQLite journal (on the run's disk, synchronous
 * FULL). Three parts, sized from {@code bench.recordings} (n):
 * <ol>
 *   <li>the journal alone: 50·n recordings each journaled as a run journals it (accept, two files
 *       stored, the metadata, one delivery, finish), at concurrency 1 and 8;</li>
 *   <li>claims: 75·n interrupted entries drained by three instances competing (claim, then
 *       finish), as db-scheduler measures its executions per second;</li>
 *   <li>workload 1's batch (n recordings of 16 MiB + 50 KiB + 20 KiB, S3 on loopback) through one,
 *       two and three pipelines sharing one journal, beside one pipeline on SQLite.</li>
 * </ol>
 * Skipped, with a line saying why, where no PostgreSQL server can be started.
 */
final class SharedJournal {

    private static final String TITLE = "6. Shared journal: PostgreSQL against SQLite";

    private final Config config;
    private final S3Server s3;
    private final Receiver receiver;
    private final Path dir;

    SharedJournal(Config config, S3Server s3, Receiver receiver, Path dir) {
        this.config = config;
        this.s3 = s3;
        this.receiver = receiver;
        this.dir = dir;
    }

    Section run() {
        Optional<Path> bin = BenchPostgres.binaries();
        if (bin.isEmpty()) {
            Progress.say("6. shared journal: skipped, no PostgreSQL server binaries");
            return new Section(TITLE).text("Skipped: no PostgreSQL server binaries on this machine "
                    + "(`/usr/lib/postgresql/*/bin`; Debian: `apt-get install postgresql-15`; or `-Dbench.postgresBin=…`).");
        }
        BenchPostgres postgres;
        try {
            // a directory of its own beside the run's: the server's user must reach it, and the run's is private
            postgres = BenchPostgres.start(bin.get(), java.nio.file.Files.createTempDirectory(
                    java.nio.file.Files.createDirectories(config.tmp()), "reelay-bench-postgres-"));
        } catch (Exception e) {
            Progress.say("6. shared journal: skipped, PostgreSQL did not start: %s", e.getMessage());
            return new Section(TITLE).text("Skipped: PostgreSQL could not be started here (" + e.getMessage().lines()
                    .findFirst().orElse("") + ").");
        }
        try (postgres; HikariDataSource dataSource = postgres.dataSource(32)) {
            Section section = new Section(TITLE).text("PostgreSQL " + postgres.version() + " started for this workload "
                    + "in the run's temporary directory, on loopback, with its default durability (fsync, synchronous "
                    + "commit); reached through HikariCP (32 connections) by `PostgresOutbox` (4 JDBC threads per "
                    + "instance unless said). SQLite is the embedded journal (`outbox.db`, WAL, synchronous FULL) in the "
                    + "same directory.");
            journalCost(section, dataSource);
            claims(section, dataSource);
            instances(section, dataSource);
            return section;
        }
    }

    // ---- 1. the journal alone

    private void journalCost(Section section, HikariDataSource dataSource) {
        int n = config.recordings() * 50;
        Markdown table = Markdown.table("journal", "concurrency", "recordings", "wall time (s)", "µs per recording",
                "recordings/s", "journal calls/s");
        for (int concurrency : List.of(1, 8)) {
            for (String journal : List.of("SQLite", "PostgreSQL")) {
                String place = journal.toLowerCase() + "_" + concurrency;
                Supplier<Outbox> open = journal.equals("SQLite")
                        ? () -> new SqliteOutbox(dir.resolve(place), Clock.systemUTC(), Duration.ofDays(7))
                        : () -> PostgresOutbox.builder(dataSource).schema(place).connections(Math.max(4, concurrency)).build();
                try (Outbox outbox = open.get()) {
                    Flux.range(1, 20).flatMap(i -> journalOne(outbox, 1_000_000L + i), concurrency).blockLast(); // warm-up
                    long start = System.nanoTime();
                    Flux.range(1, n).flatMap(i -> journalOne(outbox, i), concurrency).blockLast(Duration.ofMinutes(30));
                    double seconds = (System.nanoTime() - start) / 1e9;
                    table.row(journal, concurrency, n, Stats.f2(seconds), Stats.f0(seconds * 1e6 / n), Stats.f0(n / seconds),
                            Stats.f0(6 * n / seconds));
                    Progress.say("6. journal %s at concurrency %d: %.0f µs per recording", journal, concurrency,
                            seconds * 1e6 / n);
                }
            }
        }
        // what a non-blocking driver (R2DBC) could save at most: the hop of each call to a JDBC thread and back
        reactor.core.scheduler.Scheduler jdbc = reactor.core.scheduler.Schedulers.newBoundedElastic(4, 1000, "bench-hop");
        long hops = 20_000;
        Flux.range(0, 2_000).concatMap(i -> Mono.fromCallable(() -> i).subscribeOn(jdbc)
                .publishOn(reactor.core.scheduler.Schedulers.parallel())).blockLast();
        long hopStart = System.nanoTime();
        Flux.range(0, (int) hops).concatMap(i -> Mono.fromCallable(() -> i).subscribeOn(jdbc)
                .publishOn(reactor.core.scheduler.Schedulers.parallel())).blockLast();
        double hopMicros = (System.nanoTime() - hopStart) / 1e3 / hops;
        jdbc.dispose();
        section.text("### Journaling cost per recording\n\nEach recording journaled as a run journals it, without the "
                + "uploads: accept, two files stored, the metadata stored, one delivery, finish (6 journal calls, each "
                + "durable before it answers). Concurrency: recordings journaled at once. After a warm-up of 20.")
                .table(table)
                .text("Thread hops: a journal call's hop to the outbox's JDBC scheduler and back to the parallel "
                        + "scheduler costs " + Stats.f1(hopMicros) + " µs (mean of " + hops + " in a row), so "
                        + Stats.f0(6 * hopMicros) + " µs of a recording's 6 calls: what a non-blocking driver (R2DBC) "
                        + "could save at most, against the round trips and the commit it would still make.");
    }

    private static Mono<Void> journalOne(Outbox outbox, long id) {
        Recording r = Recordings.base(id).video(Path.of("/recordings/" + id + "/video.mkv"))
                .transcript(Path.of("/recordings/" + id + "/transcript.txt")).build();
        return outbox.accept(r, "v1").flatMap(a -> {
            Lease lease = a.lease();
            String base = "http://s3/b/" + id + "/";
            RecordingMetadata metadata = Recordings.webhookDocument(id, "http://s3/b");
            return outbox.fileStored(lease, new FileOutcome(FileRole.VIDEO, "video.mkv", id + "/video.mkv", base + "video.mkv",
                            16 << 20, 1, null))
                    .then(outbox.fileStored(lease, new FileOutcome(FileRole.TRANSCRIPT, "transcript.txt",
                            id + "/transcript.txt", base + "transcript.txt", 20 << 10, 1, null)))
                    .then(outbox.metadataStored(lease, metadata, new FileOutcome(FileRole.METADATA, "metadata.json",
                            id + "/metadata.json", base + "metadata.json", 700, 1, null)))
                    .then(outbox.delivery(lease, new WebhookOutcome("http://receiver/hook", "msg_" + id,
                            WebhookOutcome.State.DELIVERED, 201, 1, null, null)))
                    .then(outbox.finish(lease, PipelineResult.notAccepted(r, "benchmark"), OutboxEntry.State.DONE, null));
        });
    }

    // ---- 2. claims with three instances competing

    private void claims(Section section, HikariDataSource dataSource) {
        int m = config.recordings() * 75;
        List<Outbox> instances = IntStream.range(0, 3)
                .mapToObj(i -> PostgresOutbox.builder(dataSource).schema("claims").instanceName("instance-" + i).build())
                .toList();
        try {
            Outbox first = instances.get(0);
            Flux.fromStream(LongStream.rangeClosed(1, m).boxed())
                    .flatMap(id -> first.accept(Recordings.base(id).video(Path.of("/r/" + id + "/video.mkv")).build(), "v1"), 16)
                    .flatMap(a -> first.release(a.lease()), 16)
                    .blockLast(Duration.ofMinutes(30));
            long start = System.nanoTime();
            List<Long> perInstance = Flux.fromIterable(instances)
                    .flatMapSequential(o -> drain(o), 3)
                    .collectList()
                    .block(Duration.ofMinutes(30));
            double seconds = (System.nanoTime() - start) / 1e9;
            long total = perInstance.stream().mapToLong(Long::longValue).sum();
            if (total != m) {
                throw new IllegalStateException("claims: " + total + " executions of " + m + " entries");
            }
            Progress.say("6. claims: %d claimed and finished by 3 instances in %.2f s", m, seconds);
            section.text("### Claims with three instances competing\n\n" + m + " interrupted entries, drained by three "
                    + "instances at once, each claiming pages of 16 (`claimUnfinished`: `FOR UPDATE SKIP LOCKED` inside "
                    + "the claim's transaction) and finishing each claim (8 at a time): an execution is a claim and its "
                    + "finish, two transactions.")
                    .table(Markdown.table("instances", "entries", "wall time (s)", "executions/s", "per instance")
                            .row(3, m, Stats.f2(seconds), Stats.f0(m / seconds), perInstance));
        } finally {
            instances.forEach(Outbox::close);
        }
    }

    /** Claims and finishes until a pass finds nothing free; returns how many it did. */
    private static Mono<Long> drain(Outbox outbox) {
        return Mono.defer(() -> outbox.claimUnfinished()
                        .flatMap(a -> outbox.finish(a.lease(), PipelineResult.notAccepted(a.entry().recording(), "benchmark"),
                                OutboxEntry.State.DONE, null).thenReturn(1), 8)
                        .count())
                .repeat()
                .takeUntil(n -> n == 0)
                .reduce(0L, Long::sum);
    }

    // ---- 3. workload 1 with one, two and three instances

    private void instances(Section section, HikariDataSource dataSource) {
        int n = config.recordings();
        List<Recording> recordings = LongStream.rangeClosed(1, n)
                .mapToObj(id -> Recordings.threeFiles(dir.resolve("batch"), id, BatchThroughput.VIDEO,
                        BatchThroughput.THUMBNAIL, BatchThroughput.TRANSCRIPT))
                .toList();
        long bytes = Recordings.bytes(recordings);
        Markdown table = Markdown.table("journal", "instances", "recordings", "wall time (s)", "MiB/s", "recordings/s");
        for (int k : List.of(-1, 0, 1, 2, 3)) { // -1: a warm-up, on SQLite, not in the table
            s3.clear();
            receiver.reset();
            String journal = k <= 0 ? "SQLite" : "PostgreSQL";
            int instances = Math.max(1, k);
            List<Outbox> outboxes = new ArrayList<>();
            List<RecordingPipeline> pipelines = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                Outbox outbox = k <= 0 ? new SqliteOutbox(dir.resolve("batch-sqlite" + k), Clock.systemUTC(), Duration.ofDays(7))
                        : PostgresOutbox.builder(dataSource).schema("batch_" + k).instanceName("instance-" + i).build();
                outboxes.add(outbox);
                pipelines.add(RecordingPipeline.create(ReelayContender.options(s3.endpoint(), receiver.url())
                        .outbox(OutboxOptions.builder().outbox(outbox).build()).build()));
            }
            try {
                long start = System.nanoTime();
                List<PipelineResult> results = Flux.range(0, instances)
                        .flatMap(i -> pipelines.get(i).process(Flux.fromIterable(recordings)
                                .filter(r -> r.id() % instances == i)), instances)
                        .collectList()
                        .block(Duration.ofMinutes(30));
                double seconds = (System.nanoTime() - start) / 1e9;
                long ok = results.stream().filter(r -> r.status() == PipelineResult.Status.COMPLETED).count();
                if (ok != n) {
                    throw new IllegalStateException(journal + " x" + instances + ": " + ok + " of " + n + " completed: "
                            + results.stream().filter(r -> r.status() != PipelineResult.Status.COMPLETED).findFirst());
                }
                if (k >= 0) {
                    table.row(journal, instances, n, Stats.f2(seconds), Stats.f1(bytes / 1048576.0 / seconds),
                            Stats.f2(n / seconds));
                }
                Progress.say("6. batch: %s with %d instance(s): %.2f s", journal, instances, seconds);
            } finally {
                pipelines.forEach(RecordingPipeline::close);
                outboxes.forEach(Outbox::close);
            }
        }
        section.text("### Workload 1 with instances sharing the journal\n\nWorkload 1's batch (" + n + " recordings, "
                + Stats.mib(bytes) + " MiB; S3 on loopback, no latency proxy), one run each after a warm-up run, split between one, two and "
                + "three pipelines in this JVM (recording id modulo the instances), each with its own `PostgresOutbox` "
                + "on one set of tables; beside it one pipeline on SQLite. The instances share this machine's two cores "
                + "and the S3 server: the figure to read is the journal's share, not a scaling factor.")
                .table(table);
    }
}
