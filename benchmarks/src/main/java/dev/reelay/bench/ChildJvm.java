package dev.reelay.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A JVM started from the harness's own classpath, spoken to by lines: commands on its stdin,
 * answers on its stdout. Its stderr goes to ours. Children exit when their stdin closes, so
 * none outlives the harness.
 */
final class ChildJvm implements AutoCloseable {

    private final String name;
    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    /** Reads its stdout, so that a child that hangs fails a call after a timeout instead of the harness. */
    private final ExecutorService reader;

    private ChildJvm(String name, Process process) {
        this.name = name;
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.reader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name + "-stdout");
            t.setDaemon(true);
            return t;
        });
    }

    static ChildJvm start(String name, List<String> jvmFlags, Class<?> main, String... args) {
        return start(name, jvmFlags, System.getProperty("java.class.path"), main, args);
    }

    /** A child JVM on another classpath than the harness's. */
    static ChildJvm start(String name, List<String> jvmFlags, String classpath, Class<?> main, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.add("-cp");
        command.add(classpath);
        command.add(main.getName());
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            return new ChildJvm(name, p);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
    }

    /**
     * {@code base} and the flags in system property {@code property}, e.g.
     * {@code -Dbench.s3Jvm=-XX:StartFlightRecording=filename=target/s3.jfr} to profile the S3 server.
     */
    static List<String> flags(String base, String property) {
        List<String> flags = new ArrayList<>(List.of(base));
        for (String f : System.getProperty(property, "").trim().split("\\s+")) {
            if (!f.isEmpty()) {
                flags.add(f);
            }
        }
        return flags;
    }

    long pid() {
        return process.pid();
    }

    long cpuNanos() {
        return Proc.cpuNanos(process.pid());
    }

    /** The next line of stdout that starts with {@code prefix}, without it. */
    String await(String prefix, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = readLine(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length()).trim();
            }
        }
    }

    /** Sends a command and returns its one-line answer. */
    synchronized String call(String command, Duration timeout) {
        try {
            in.write(command + "\n");
            in.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(name + " does not take commands any more", e);
        }
        return readLine(timeout);
    }

    private String readLine(Duration timeout) {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, reader);
        try {
            String s = line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (s == null) {
                throw new IllegalStateException(name + " ended" + exitDescription());
            }
            return s;
        } catch (TimeoutException e) {
            throw new IllegalStateException(name + " did not answer within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(name + " failed" + exitDescription(), e.getCause());
        }
    }

    private String exitDescription() {
        try {
            if (process.waitFor(5, TimeUnit.SECONDS)) {
                return " with exit code " + process.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "";
    }

    /** Waits for the process to end by itself; its exit code, or -1 on timeout. */
    int waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Closes its stdin (it exits), then ends it if it does not within 10 s. */
    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // it is going anyway
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        reader.shutdownNow();
    }
}
