package dev.reelay.bench;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Set;

/** The machine a run was made on, for the top of the results. */
final class Machine {

    /** File systems that live in memory: an fsync there costs nothing. */
    private static final Set<String> IN_MEMORY = Set.of("tmpfs", "ramfs");

    private Machine() {
    }

    /**
     * The table at the top of the results; {@code storage} is {@link #storage} of the run's directory and
     * {@code loadAtStart} the {@link #loadAverage} read when the run began (the table is made at its end).
     */
    static Markdown describe(Config config, String storage, String loadAtStart) {
        return Markdown.table("what", "value")
                .row("date (UTC)", OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")))
                .row("CPU", cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores available")
                .row("memory", Stats.f1(memTotalKiB() / 1048576.0) + " GiB")
                .row("Java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                        + " (" + System.getProperty("java.vendor") + ")")
                .row("OS", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"))
                .row("harness JVM", String.join(" ", java.lang.management.ManagementFactory.getRuntimeMXBean()
                        .getInputArguments().stream().filter(a -> !a.startsWith("-Dbench.")).toList()))
                .row("load average at the start (1, 5, 15 min)", loadAtStart)
                .row("load average at the end (1, 5, 15 min)", loadAverage())
                .row("run's files and Reelay's outbox journal", storage)
                .row("flags", config.describe());
    }

    /**
     * Where the run's files and the journal are, and on what: the file system's type (the JDK reads it from
     * /proc/mounts) and whether it is tmpfs, where the journal's fsyncs cost nothing and its cost would not show.
     */
    static String storage(Path work, Path journal) {
        try {
            FileStore store = Files.getFileStore(work);
            boolean inMemory = IN_MEMORY.contains(store.type());
            Path home = Path.of(System.getProperty("user.home"));
            boolean besideHome = Files.isDirectory(home) && Files.getFileStore(home).equals(store);
            String fileSystem = store.type() + (store.name().equals(store.type()) ? "" : " (" + store.name() + ")");
            return "`" + work + "` (journal in `" + work.relativize(journal) + "/`) on " + fileSystem
                    + (inMemory ? ": in memory, the journal's fsyncs cost nothing (for diagnosis only)"
                            : ": not tmpfs, the journal's fsyncs reach the device")
                    + (besideHome ? "; the file system of ~, where a host's journal (~/.reelay) is by default" : "");
        } catch (IOException | RuntimeException e) {
            return "`" + work + "` (file system unknown: " + e + ")";
        }
    }

    /** Free space where the run's files go, in bytes; -1 when unknown. */
    static long usableSpace(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    /** The kernel's load averages: other work on the machine shows here (see "others' CPU" in workload 1). */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + ", " + f[1] + ", " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    private static long memTotalKiB() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream()
                    .filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                    .findFirst().orElse(0L);
        } catch (IOException e) {
            return 0;
        }
    }
}
