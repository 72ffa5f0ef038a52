package dev.reelay.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.support.ChildJvm;
import dev.reelay.support.PostgresServer;
import dev.reelay.support.Recordings;
import dev.reelay.support.S3TestServer;
import dev.reelay.support.TestReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * Three host instances, each a child JVM, share one journal in PostgreSQL and process 300
 * recordings (a few large enough to go in parts); every tenth recording is submitted to all three
 * at once. One instance is killed with SIGKILL three times, mid-work, and started again only once
 * the others took over what it held. In the end every recording was delivered, every repeat with
 * the webhook-id of its first delivery, every object's bytes are right, and the journal holds
 * every recording as done.
 */
class SharedCrashTest {

    static final int RECORDINGS = 300;
    static final Set<Long> LARGE = Set.of(3L, 99L, 201L, 297L);
    static final int KILLS = 3;
    static final Duration LEASE = Duration.ofSeconds(3);
    /** The pipelines' default recordingsInFlight; a worker runs two streams of them (its submissions, its takeovers). */
    static final int IN_FLIGHT = 8;

    @TempDir
    Path dir;

    final String schema = PostgresServer.freshSchema();
    final PostgresServer postgres = PostgresServer.shared();

    @Test
    void instancesTakeOverWhatAKilledInstanceHeldAndEveryRecordingIsDeliveredWithItsBytes() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Path recordings = dir.resolve("recordings");
        for (long id = 1; id <= RECORDINGS; id++) {
            Path d = recordings.resolve(Long.toString(id));
            long video = LARGE.contains(id) ? 2 * SharedWorker.PART + random.nextInt((int) SharedWorker.PART)
                    : 1_000 + random.nextInt(20_000);
            Recordings.file(d, "video.mkv", video);
            Recordings.file(d, "transcript.txt", 100 + random.nextInt(2_000));
        }

        List<ChildJvm> all = new ArrayList<>();
        try (S3TestServer s3 = S3TestServer.start(); TestReceiver receiver = TestReceiver.start(Recordings.EMAIL)) {
            ChildJvm victim = worker(0, "victim", s3, receiver, recordings);
            all.add(victim);
            all.add(worker(1, "steady-1", s3, receiver, recordings));
            all.add(worker(2, "steady-2", s3, receiver, recordings));
            List<String> kills = new ArrayList<>();
            Set<Long> takenOver = new TreeSet<>();
            for (int k = 0; k < KILLS; k++) {
                // mid-work: while a large file is under way the first time, after a few more results later on,
                // and always while it holds recordings
                ChildJvm current = victim;
                int results = 3 + random.nextInt(10);
                boolean midway = k == 0 ? victim.await(l -> l.startsWith("midway"), Duration.ofSeconds(60))
                        : awaitUntil(Duration.ofSeconds(60), () -> current.count(l -> l.startsWith("done ")) >= results
                        && !heldBy("victim-").isEmpty());
                victim.kill();
                Set<Long> held = heldBy("victim-");
                kills.add("after " + victim.count(l -> l.startsWith("done ")) + " results" + (midway ? "" : " (timed out)")
                        + ", holding " + held);
                takenOver.addAll(held);
                // the others take over what it held once its leases expired; only then does it come back
                assertThat(awaitUntil(Duration.ofSeconds(60), () -> heldBy("victim-").isEmpty()))
                        .as("the others took over %s; kills: %s, seed %d", held, kills, seed).isTrue();
                victim = worker(0, "victim", s3, receiver, recordings);
                all.add(victim);
            }
            assertThat(awaitUntil(Duration.ofSeconds(150), () -> count("state = 'DONE'") == RECORDINGS))
                    .as("every recording done; kills %s, seed %d; journal: %s", kills, seed, states()).isTrue();
            for (ChildJvm w : all) {
                if (w.alive()) {
                    assertThat(w.stop(Duration.ofSeconds(30))).as("%s stops", w).isTrue();
                    assertThat(w.output()).as("%s", w).contains("ALL DONE");
                }
            }

            int repeats = receiver.assertEveryDeliveredRepeatsSameId(LongStream.rangeClosed(1, RECORDINGS).boxed().toList());
            assertThat(repeats).as("a kill can repeat at most the deliveries the killed instance had in flight (seed %d)", seed)
                    .isLessThanOrEqualTo(KILLS * 2 * IN_FLIGHT);
            for (long id = 1; id <= RECORDINGS; id++) {
                for (String name : List.of("video.mkv", "transcript.txt")) {
                    assertThat(s3.sha256(id + "/" + name)).as("%d/%s (seed %d)", id, name, seed)
                            .isEqualTo(S3TestServer.sha256(Files.readAllBytes(recordings.resolve(id + "/" + name))));
                }
                assertThat(s3.exists(id + "/metadata.json")).isTrue();
            }
            long bySurvivors = takenOver.stream().filter(id -> all.stream().skip(1).limit(2)
                    .anyMatch(w -> w.output().contains("done " + id + " COMPLETED"))).count();
            assertThat(takenOver).as("the victim held work when killed").isNotEmpty();
            assertThat(bySurvivors).as("some of what the victim held was finished by the others (%s)", takenOver)
                    .isPositive();
            System.out.printf("shared crash: %d kills (%s), %d taken over (%d finished by the others), %d deliveries "
                    + "repeated, seed %d%n", KILLS, kills, takenOver.size(), bySurvivors, repeats, seed);
        } finally {
            for (ChildJvm w : all) {
                if (w.alive()) {
                    w.kill();
                }
            }
        }
    }

    /** Worker {@code k}: every recording whose id is k modulo 3, and every tenth recording. */
    ChildJvm worker(int k, String name, S3TestServer s3, TestReceiver receiver, Path recordings) throws Exception {
        String ids = LongStream.rangeClosed(1, RECORDINGS).filter(id -> id % 3 == k || id % 10 == 0)
                .mapToObj(Long::toString).collect(Collectors.joining(","));
        return ChildJvm.start(name, SharedWorker.class, "192m", List.of(postgres.jdbcUrl(), schema, name,
                s3.endpoint().toString(), receiver.url(), recordings.toString(), ids, Long.toString(LEASE.toMillis())));
    }

    /** The ids IN_PROGRESS under a lease of an instance whose name starts so. */
    Set<Long> heldBy(String name) {
        Set<Long> ids = new TreeSet<>();
        try (Connection c = postgres.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM " + schema + ".reelay_recordings WHERE state = 'IN_PROGRESS' "
                     + "AND lease_owner LIKE '" + name + "%'")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        } catch (SQLException e) {
            if (!"42P01".equals(e.getSQLState())) { // the tables are not there yet
                throw new IllegalStateException(e);
            }
        }
        return ids;
    }

    long count(String condition) {
        try (Connection c = postgres.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + schema + ".reelay_recordings WHERE " + condition)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            return -1;
        }
    }

    String states() {
        try (Connection c = postgres.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT state, count(*), min(id) FROM " + schema
                     + ".reelay_recordings GROUP BY state")) {
            StringBuilder out = new StringBuilder();
            while (rs.next()) {
                out.append(rs.getString(1)).append('=').append(rs.getLong(2)).append(" (first ").append(rs.getLong(3))
                        .append(") ");
            }
            return out.toString();
        } catch (SQLException e) {
            return e.toString();
        }
    }

    /** Checks every 200 ms, on a thread that may block, until the condition holds or the limit passes. */
    static boolean awaitUntil(Duration limit, BooleanSupplier condition) {
        Boolean held = Flux.interval(Duration.ZERO, Duration.ofMillis(200), Schedulers.boundedElastic())
                .onBackpressureDrop()
                .map(t -> condition.getAsBoolean())
                .filter(Boolean::booleanValue)
                .next()
                .timeout(limit, reactor.core.publisher.Mono.just(false))
                .block();
        return Boolean.TRUE.equals(held);
    }
}
