package dev.reelay.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server for workload 6, from the machine's server binaries (Debian:
 * {@code /usr/lib/postgresql/<version>/bin}, or {@code -Dbench.postgresBin=…}), in the run's
 * temporary directory, on a free loopback port, with PostgreSQL's default durability (fsync and
 * synchronous commit on: a journal write costs what it costs a host). As root it runs as the
 * {@code postgres} user (initdb refuses root). Stopped and deleted on close.
 */
final class BenchPostgres implements AutoCloseable {

    private final Path bin;
    private final Path dir;
    private final boolean asPostgres;
    private final int port;
    private final String version;

    private BenchPostgres(Path bin, Path dir, boolean asPostgres, int port, String version) {
        this.bin = bin;
        this.dir = dir;
        this.asPostgres = asPostgres;
        this.port = port;
        this.version = version;
    }

    /** The server's binaries, if the machine has them. */
    static Optional<Path> binaries() {
        String named = System.getProperty("bench.postgresBin", "");
        if (!named.isBlank()) {
            return Optional.of(Path.of(named)).filter(b -> Files.isExecutable(b.resolve("initdb")));
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(debian)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(debian)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(b -> b.getParent().getFileName().toString()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Starts a new cluster in {@code dir} (created); throws with the server's log when it cannot. */
    static BenchPostgres start(Path bin, Path dir) throws IOException, InterruptedException {
        boolean root = "root".equals(System.getProperty("user.name"));
        Files.createDirectories(dir);
        if (root) {
            run(List.of("chown", "-R", "postgres", dir.toString()), dir);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        BenchPostgres server = new BenchPostgres(bin, dir, root, port, bin.getParent().getFileName().toString());
        server.pg(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-A", "trust",
                "-U", "postgres", "-E", "UTF8", "--locale=C"));
        server.pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w", "-t", "120",
                "-l", dir.resolve("server.log").toString(), "-o", "-p " + port + " -k " + dir
                        + " -c listen_addresses=127.0.0.1 -c max_connections=200", "start"));
        return server;
    }

    String version() {
        return version;
    }

    HikariDataSource dataSource(int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres");
        config.setMaximumPoolSize(size);
        config.setPoolName("bench-postgres");
        return new HikariDataSource(config);
    }

    @Override
    public void close() {
        try {
            pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop"));
        } catch (IOException | InterruptedException | RuntimeException e) {
            Progress.say("stopping PostgreSQL in %s failed: %s", dir, e);
        }
        BenchFiles.deleteTree(dir);
    }

    private void pg(List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asPostgres) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        run(full, dir);
    }

    private static void run(List<String> command, Path dir) throws IOException, InterruptedException {
        Path out = Files.createTempFile("bench-pg", ".log");
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not end within 180 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " exited with " + p.exitValue() + ": "
                        + Files.readString(out, StandardCharsets.UTF_8));
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
