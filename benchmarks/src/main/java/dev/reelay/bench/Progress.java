package dev.reelay.bench;

import java.util.Locale;

/** Progress lines on stderr, stamped with the time since the run began. */
final class Progress {

    private static final long START = System.nanoTime();

    private Progress() {
    }

    static void say(String format, Object... args) {
        double s = (System.nanoTime() - START) / 1e9;
        System.err.printf(Locale.ROOT, "[bench %6.1fs] %s%n", s, String.format(Locale.ROOT, format, args));
        System.err.flush();
    }

    static double elapsedSeconds() {
        return (System.nanoTime() - START) / 1e9;
    }
}
