package dev.reelay.bench;

import java.net.URI;
import java.time.Duration;

/** The {@link LatencyProxyMain} child JVM in front of the S3 server: the endpoint the contenders use. */
final class LatencyProxy implements AutoCloseable {

    /** Connections taken and bytes carried each way since the proxy started. */
    record Stats(long connections, long bytesUp, long bytesDown) {
    }

    private final ChildJvm jvm;
    private final S3Endpoint endpoint;
    private final int delayMs;

    private LatencyProxy(ChildJvm jvm, S3Endpoint endpoint, int delayMs) {
        this.jvm = jvm;
        this.endpoint = endpoint;
        this.delayMs = delayMs;
    }

    /** A proxy to {@code target} that delays each direction by {@code delayMs}. */
    static LatencyProxy start(S3Endpoint target, int delayMs) {
        URI uri = target.uri();
        ChildJvm jvm = ChildJvm.start("latency-proxy", ChildJvm.flags("-Xmx512m", "bench.proxyJvm"),
                LatencyProxyMain.class, uri.getHost(), Integer.toString(uri.getPort()), Integer.toString(delayMs));
        try {
            String port = jvm.await("PORT", Duration.ofSeconds(60));
            return new LatencyProxy(jvm, new S3Endpoint(URI.create("http://127.0.0.1:" + port)), delayMs);
        } catch (RuntimeException e) {
            jvm.close();
            throw e;
        }
    }

    /** The S3 server, seen through the proxy. */
    S3Endpoint endpoint() {
        return endpoint;
    }

    int delayMs() {
        return delayMs;
    }

    ChildJvm jvm() {
        return jvm;
    }

    Stats stats() {
        String[] f = jvm.call("stats", Duration.ofSeconds(30)).split(" ");
        if (!f[0].equals("STATS")) {
            throw new IllegalStateException("latency proxy: " + String.join(" ", f));
        }
        return new Stats(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]));
    }

    @Override
    public void close() {
        jvm.close();
    }
}
