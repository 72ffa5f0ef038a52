package dev.reelay.support;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server for the tests of the shared outbox: Debian's binaries
 * ({@code /usr/lib/postgresql/<version>/bin}, or the directory named by {@code -Dreelay.postgres.bin}
 * or {@code REELAY_POSTGRES_BIN}), a new cluster in a temporary directory, on a free loopback
 * port, started once per test JVM and stopped by a shutdown hook. As root (initdb refuses root)
 * it runs as the {@code postgres} user. Clusters left behind by a test JVM that was killed are
 * stopped and deleted by the next start. Durability is off (fsync, synchronous_commit): the
 * tests kill clients, never the server.
 *
 * <p>Each test takes a schema of its own ({@link #freshSchema()}), so that nothing one test
 * journaled is seen by another.
 */
public final class PostgresServer {

    private static final String DIR_PREFIX = "reelay-pg-";
    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private static PostgresServer shared;

    private final Path bin;
    private final Path dir;
    private final boolean asPostgres;
    private final int port;

    private PostgresServer(Path bin, Path dir, boolean asPostgres, int port) {
        this.bin = bin;
        this.dir = dir;
        this.asPostgres = asPostgres;
        this.port = port;
    }

    /** The server of this test JVM, started on first use. */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            shared = start(List.of("fsync=off", "synchronous_commit=off", "full_page_writes=off"));
            PostgresServer server = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "reelay-test-postgres-stop"));
        }
        return shared;
    }

    /** A new cluster with these settings ({@code name=value}); the caller stops it. */
    public static PostgresServer start(List<String> settings) {
        Path bin = binaries();
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            removeAbandoned(bin, root);
            Path dir = Files.createTempDirectory(DIR_PREFIX);
            Files.writeString(dir.resolve("owner.pid"), Long.toString(ProcessHandle.current().pid()));
            if (root) {
                run(List.of("chown", "-R", "postgres", dir.toString()), dir);
            }
            PostgresServer server = null;
            for (int attempt = 1; ; attempt++) {
                int port = freePort();
                server = new PostgresServer(bin, dir, root, port);
                if (attempt == 1) {
                    server.pg(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(),
                            "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"));
                }
                List<String> options = new ArrayList<>(List.of("-p", Integer.toString(port), "-k", dir.toString(),
                        "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300"));
                settings.forEach(s -> options.addAll(List.of("-c", s)));
                try {
                    server.pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w",
                            "-t", "120", "-l", dir.resolve("server.log").toString(), "-o", String.join(" ", options),
                            "start"));
                    return server;
                } catch (IllegalStateException e) {
                    if (attempt >= 3) {
                        throw e; // the port was taken meanwhile, three times: something else is wrong
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The server's binaries: named by the property or the environment, else the newest Debian cluster's. */
    static Path binaries() {
        String named = System.getProperty("reelay.postgres.bin", System.getenv("REELAY_POSTGRES_BIN"));
        if (named != null && !named.isBlank()) {
            return Path.of(named);
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                return versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.comparingInt(b -> version(b.getParent().getFileName().toString())))
                        .orElseThrow(PostgresServer::missing);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw missing();
    }

    private static int version(String name) {
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static IllegalStateException missing() {
        return new IllegalStateException("No PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin: "
                + "install them (Debian: apt-get install -y postgresql-15; .ci/run does) or name their directory with "
                + "-Dreelay.postgres.bin=... or REELAY_POSTGRES_BIN");
    }

    /** Stops and deletes clusters of test JVMs that are gone (killed before their shutdown hook ran). */
    private static void removeAbandoned(Path bin, boolean root) throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (Stream<Path> dirs = Files.list(tmp)) {
            for (Path d : dirs.filter(d -> d.getFileName().toString().startsWith(DIR_PREFIX)).toList()) {
                Path owner = d.resolve("owner.pid");
                long pid;
                try {
                    pid = Long.parseLong(Files.readString(owner).strip());
                } catch (IOException | NumberFormatException e) {
                    continue;
                }
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                new PostgresServer(bin, d, root, 0).stop();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    /** The JDBC URL of the {@code postgres} database (user {@code postgres}, no password: trust on loopback). */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    /** A pool of at most {@code size} connections to the server; the caller closes it. */
    public HikariDataSource dataSource(int size) {
        return dataSource(jdbcUrl(), size);
    }

    /** A pool of at most {@code size} connections to this JDBC URL; the caller closes it. */
    public static HikariDataSource dataSource(String jdbcUrl, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(30_000);
        config.setPoolName("reelay-test-pool");
        return new HikariDataSource(config);
    }

    /** A new connection of its own (auto-commit), for a test's own queries. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl());
    }

    /** A schema name no other test of this JVM uses; the outbox creates it. */
    public static String freshSchema() {
        return "t" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
    }

    /** Stops the server at once and deletes its cluster. */
    public void stop() {
        try {
            if (Files.exists(dir.resolve("data/postmaster.pid"))) {
                pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate",
                        "-w", "stop"));
            }
        } catch (RuntimeException e) {
            System.err.println("Stopping the test PostgreSQL in " + dir + " failed: " + e.getMessage());
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("Deleting the test PostgreSQL in " + dir + " failed: " + e.getMessage());
        }
    }

    /** Runs a PostgreSQL command, as the postgres user when we are root. */
    private void pg(List<String> command) {
        List<String> full = new ArrayList<>();
        if (asPostgres) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        run(full, dir);
    }

    private static void run(List<String> command, Path dir) {
        try {
            Path out = Files.createTempFile("reelay-pg-cmd", ".log");
            try {
                Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                        .redirectOutput(out.toFile()).start();
                if (!p.waitFor(180, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", command) + " did not end within 180 s");
                }
                if (p.exitValue() != 0) {
                    String log = Files.readString(out, StandardCharsets.UTF_8);
                    Path serverLog = dir.resolve("server.log");
                    if (Files.exists(serverLog)) {
                        log += "\nserver.log:\n" + Files.readString(serverLog, StandardCharsets.UTF_8);
                    }
                    throw new IllegalStateException(String.join(" ", command) + " exited with " + p.exitValue()
                            + ":\n" + log);
                }
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
