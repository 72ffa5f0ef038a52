package dev.reelay.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A main class of the tests run in a JVM of its own, its output lines collected as they come. */
public final class ChildJvm {

    private final String name;
    private final Process process;
    private final List<String> output = new ArrayList<>();

    private ChildJvm(String name, Process process) {
        this.name = name;
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream()))) {
                for (String line; (line = in.readLine()) != null; ) {
                    synchronized (output) {
                        output.add(line);
                        output.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the process died: what was read is what there is
            } finally {
                synchronized (output) {
                    output.notifyAll();
                }
            }
        }, "child-jvm-output-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code main} with these arguments, on this test JVM's class path, with at most {@code heap} of heap. */
    public static ChildJvm start(String name, Class<?> main, String heap, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(args);
        return new ChildJvm(name, new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Every line so far. */
    public List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    public long count(Predicate<String> line) {
        return output().stream().filter(line).count();
    }

    /** Waits until {@code n} lines match or the process ended or the limit passed; true when they matched. */
    public boolean await(Predicate<String> line, long n, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        synchronized (output) {
            for (long left; output.stream().filter(line).count() < n && process.isAlive()
                    && (left = deadline - System.nanoTime()) > 0; ) {
                output.wait(Math.max(1, left / 1_000_000));
            }
            return output.stream().filter(line).count() >= n;
        }
    }

    public boolean await(Predicate<String> line, Duration limit) throws InterruptedException {
        return await(line, 1, limit);
    }

    /** Sends a signal (KILL, STOP, CONT) to the process. */
    public void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    /** Kills it with SIGKILL and waits for it to be gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " did not die");
        }
    }

    /** Closes its standard input (the workers' signal to stop) and waits for it to exit. */
    public boolean stop(Duration limit) throws IOException, InterruptedException {
        process.getOutputStream().close();
        return process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
