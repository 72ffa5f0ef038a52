package dev.reelay.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The flags of a run, read from {@code -Dbench.*} system properties (the benchmarks pom passes
 * the Maven properties of the same names on to the harness JVM).
 *
 * @param workloads            which workloads to run, 1 to 7
 * @param reps                 measured repetitions of workloads 1 and 4 (after a warm-up)
 * @param recordings           recordings of workload 1
 * @param bigMiB               the size of workload 2's large video
 * @param backpressure         recordings of workload 3
 * @param backpressureInFlight {@code recordingsInFlight} of workload 3
 * @param deliveries           webhook deliveries per repetition of workload 4
 * @param mediaReps            measured repetitions of workload 5 (after a warm-up)
 * @param mediaSeconds         the length of workload 5's 1080p video (a short one makes a quick smoke run)
 * @param s3LatencyMs          one-way delay in ms that {@link LatencyProxyMain} adds in each direction between
 *                             workload 1's contenders and the S3 server (0: no proxy); the goals read this run
 * @param s3Loopback           whether workload 1 also runs straight against the S3 server (no proxy), for
 *                             comparison, when {@code s3LatencyMs} is not 0
 * @param out                  where the Markdown results are written
 * @param cache                where the generated 1080p video is kept between runs
 * @param tmp                  where the run's files go (the recordings, the S3 server's store and Reelay's
 *                             outbox journal), removed at the end: {@code -Dbench.tmp}, else java.io.tmpdir,
 *                             which is on a disk like a host's {@code ~/.reelay} on most machines, so that
 *                             the journal's fsyncs cost what they cost a host ({@code -Dbench.tmp=/dev/shm}
 *                             takes them out, for diagnosis)
 * @param dashboardEntries     the larger journal of workload 7 (the smaller has 1,000 entries)
 */
record Config(Set<Integer> workloads, int reps, int recordings, int bigMiB, int backpressure,
              int backpressureInFlight, int deliveries, int mediaReps, int mediaSeconds, int s3LatencyMs,
              boolean s3Loopback,
              Path out, Path cache, Path tmp, int dashboardEntries) {

    /** What the largest workload keeps on disk at once, with room to spare. */
    static final long TMP_NEEDED = 6L * 1024 * 1024 * 1024;

    static Config fromSystemProperties() {
        Set<Integer> workloads = Arrays.stream(System.getProperty("bench.workloads", "1,2,3,4,5,6,7").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).map(Integer::parseInt)
                .collect(Collectors.toCollection(TreeSet::new));
        return new Config(workloads,
                positive("bench.reps", 5),
                positive("bench.recordings", 40),
                positive("bench.bigMiB", 1024),
                positive("bench.backpressure", 100_000),
                positive("bench.backpressureInFlight", 64),
                positive("bench.deliveries", 10_000),
                positive("bench.mediaReps", 9),
                positive("bench.mediaSeconds", 60),
                atLeastZero("bench.s3LatencyMs", 10),
                !"false".equalsIgnoreCase(System.getProperty("bench.s3Loopback", "true").trim()),
                Path.of(System.getProperty("bench.out", "target/results.md")),
                Path.of(System.getProperty("bench.cache", "target/bench-cache")),
                tmp(System.getProperty("bench.tmp", "")),
                positive("bench.dashboardEntries", 100_000));
    }

    private static Path tmp(String chosen) {
        return Path.of(chosen.isBlank() ? System.getProperty("java.io.tmpdir") : chosen);
    }

    private static int positive(String name, int fallback) {
        String value = System.getProperty(name);
        int n = value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim());
        if (n <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + n);
        }
        return n;
    }

    private static int atLeastZero(String name, int fallback) {
        String value = System.getProperty(name);
        int n = value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim());
        if (n < 0) {
            throw new IllegalArgumentException(name + " must not be negative, was " + n);
        }
        return n;
    }

    /** The one-way latencies workload 1 runs at, in order: the configured one (the goals read it) first. */
    List<Integer> s3Latencies() {
        return s3LatencyMs > 0 && s3Loopback ? List.of(s3LatencyMs, 0) : List.of(s3LatencyMs);
    }

    String describe() {
        return "workloads=" + workloads.stream().map(String::valueOf).collect(Collectors.joining(","))
                + " reps=" + reps + " recordings=" + recordings + " bigMiB=" + bigMiB
                + " backpressure=" + backpressure + " backpressureInFlight=" + backpressureInFlight
                + " deliveries=" + deliveries + " mediaReps=" + mediaReps + " mediaSeconds=" + mediaSeconds
                + " s3LatencyMs=" + s3LatencyMs
                + " s3Loopback=" + s3Loopback + " tmp=" + tmp + " dashboardEntries=" + dashboardEntries;
    }
}
