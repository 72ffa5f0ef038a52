package dev.reelay.bench;

import java.time.Duration;

/** The receiver child JVM. */
final class Receiver implements AutoCloseable {

    /** Requests answered since the last reset, by answer. */
    record Counts(long created, long updated, long notFound, long badRequest) {
        long delivered() {
            return created + updated;
        }
    }

    static final String EMAIL = "souvik@fyelabs.com";

    private final ChildJvm jvm;
    private final String url;

    private Receiver(ChildJvm jvm, String url) {
        this.jvm = jvm;
        this.url = url;
    }

    static Receiver start() {
        ChildJvm jvm = ChildJvm.start("receiver", ChildJvm.flags("-Xmx512m", "bench.receiverJvm"), ReceiverMain.class,
                EMAIL);
        try {
            String port = jvm.await("PORT", Duration.ofSeconds(60));
            return new Receiver(jvm, "http://127.0.0.1:" + port + ReceiverMain.PATH);
        } catch (RuntimeException e) {
            jvm.close();
            throw e;
        }
    }

    String url() {
        return url;
    }

    ChildJvm jvm() {
        return jvm;
    }

    void delay(Duration delay) {
        expectOk(jvm.call("delay " + delay.toMillis(), Duration.ofSeconds(30)));
    }

    void reset() {
        expectOk(jvm.call("reset", Duration.ofSeconds(30)));
    }

    Counts counts() {
        String[] f = jvm.call("stats", Duration.ofSeconds(30)).split(" ");
        if (!f[0].equals("STATS")) {
            throw new IllegalStateException("receiver: " + String.join(" ", f));
        }
        return new Counts(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]));
    }

    private static void expectOk(String answer) {
        if (!answer.equals("OK")) {
            throw new IllegalStateException("receiver: " + answer);
        }
    }

    @Override
    public void close() {
        jvm.close();
    }
}
