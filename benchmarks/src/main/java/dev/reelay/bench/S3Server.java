package dev.reelay.bench;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/** The S3Proxy child JVM: started, cleared between runs, counted after them. */
final class S3Server implements AutoCloseable {

    /** Objects and bytes in the bucket. */
    record Count(long objects, long bytes) {
    }

    private final ChildJvm jvm;
    private final S3Endpoint endpoint;

    private S3Server(ChildJvm jvm, S3Endpoint endpoint) {
        this.jvm = jvm;
        this.endpoint = endpoint;
    }

    static S3Server start(Path basedir) {
        ChildJvm jvm = ChildJvm.start("s3proxy", ChildJvm.flags("-Xmx1g", "bench.s3Jvm"), S3ServerMain.class,
                basedir.toString());
        try {
            String port = jvm.await("PORT", Duration.ofSeconds(60));
            return new S3Server(jvm, new S3Endpoint(URI.create("http://127.0.0.1:" + port)));
        } catch (RuntimeException e) {
            jvm.close();
            throw e;
        }
    }

    S3Endpoint endpoint() {
        return endpoint;
    }

    ChildJvm jvm() {
        return jvm;
    }

    void clear() {
        String answer = jvm.call("clear", Duration.ofMinutes(5));
        if (!answer.equals("OK")) {
            throw new IllegalStateException("could not clear the bucket: " + answer);
        }
    }

    Count count() {
        String answer = jvm.call("count", Duration.ofMinutes(5));
        String[] f = answer.split(" ");
        if (!f[0].equals("COUNT")) {
            throw new IllegalStateException("could not count the bucket: " + answer);
        }
        return new Count(Long.parseLong(f[1]), Long.parseLong(f[2]));
    }

    @Override
    public void close() {
        jvm.close();
    }
}
