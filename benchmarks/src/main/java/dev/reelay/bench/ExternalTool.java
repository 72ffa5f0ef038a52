package dev.reelay.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A command-line tool that users would pick instead of Reelay (rclone, the AWS CLI), as this machine has it: the
 * executable that answered {@code --version}, and that answer; or, when none did, how to install it. The benchmark
 * never installs a tool: a missing one is a row that says so.
 *
 * <p>Where it is looked for: {@code -Dbench.<command>=/path} when set (inside {@code bench.jvm}), else the places
 * given, else every directory of {@code PATH}; the first that runs wins. Places matter for the AWS CLI: Debian's is
 * {@code /usr/bin/aws}, while a Python environment manager's {@code aws} may come first on {@code PATH} and be
 * another major version, whose figures would not compare with the last run's.
 */
final class ExternalTool {

    private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(60);

    private final String name;
    private final Path executable;
    private final String version;
    private final String install;

    private ExternalTool(String name, Path executable, String version, String install) {
        this.name = name;
        this.executable = executable;
        this.version = version;
        this.install = install;
    }

    /**
     * The first of the places above where {@code command --version} exits 0.
     *
     * @param name    what the tables call it
     * @param command the executable's file name, and the {@code bench.<command>} property
     * @param places  where to look; empty: every directory of {@code PATH}
     * @param install how to install it, for the row that says it is missing
     */
    static ExternalTool find(String name, String command, List<Path> places, String install) {
        Set<Path> candidates = new LinkedHashSet<>();
        String chosen = System.getProperty("bench." + command, "").trim();
        if (!chosen.isEmpty()) {
            candidates.add(Path.of(chosen));
        } else if (!places.isEmpty()) {
            candidates.addAll(places);
        } else {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    candidates.add(Path.of(dir, command));
                }
            }
        }
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                String version = version(candidate);
                if (version != null) {
                    return new ExternalTool(name, candidate, version, install);
                }
            }
        }
        return new ExternalTool(name, null, null, install);
    }

    /** The first line {@code executable --version} prints, or null when it does not exit 0 in time. */
    private static String version(Path executable) {
        try {
            Process p = new ProcessBuilder(executable.toString(), "--version").redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(VERSION_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            String first = new String(out, StandardCharsets.UTF_8).lines().findFirst().orElse("").trim();
            return p.exitValue() == 0 && !first.isEmpty() ? first : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    String name() {
        return name;
    }

    boolean installed() {
        return executable != null;
    }

    /** What {@code --version} said, e.g. {@code rclone v1.60.1-DEV}; only when {@link #installed()}. */
    String version() {
        return version;
    }

    /** Where it was found; only when {@link #installed()}. */
    Path executable() {
        return executable;
    }

    /** The table's row for a missing tool, e.g. {@code not installed: apt-get install rclone}. */
    String notInstalled() {
        return "not installed: " + install;
    }

    /**
     * Runs it with {@code args} to its exit, both its output streams to {@code log}, with this harness's
     * environment less every {@code AWS_*} and {@code RCLONE_*} variable (a developer's own profile, keys or CA
     * bundle must not change the run) plus {@code env}. Returns its exit code; throws when it runs past
     * {@code timeout} (it is killed).
     */
    int run(List<String> args, Map<String, String> env, Path log, Duration timeout) {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("RCLONE_"));
        builder.environment().putAll(env);
        try {
            Process p = builder.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException(name + " did not finish within " + timeout + "; its output: " + tail(log));
            }
            return p.exitValue();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The last lines of a log, on one line, for an error message. */
    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" / ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
