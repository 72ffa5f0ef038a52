package dev.reelay.outbox;

import dev.reelay.internal.outbox.SqliteOutbox;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** A second process that tries to open an outbox; prints what happened. */
public final class OutboxProbe {

    private OutboxProbe() {
    }

    public static void main(String[] args) {
        SqliteOutbox outbox = new SqliteOutbox(Path.of(args[0]), Clock.systemUTC(), Duration.ofDays(1));
        try {
            outbox.entry(1).block(Duration.ofSeconds(30));
            System.out.println("OPENED");
        } catch (RuntimeException e) {
            System.out.println("REFUSED " + e.getMessage());
        } finally {
            outbox.close();
        }
        System.exit(0);
    }
}
