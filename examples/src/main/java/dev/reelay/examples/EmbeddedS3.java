package dev.reelay.examples;

import dev.reelay.storage.S3StorageOptions;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.logging.slf4j.config.SLF4JLoggingModule;

/**
 * A real S3 API server inside this JVM, so that the examples need no account and no network:
 * <a href="https://github.com/gaul/s3proxy">S3Proxy</a> over jclouds' in-memory
 * ({@code "transient"}) blob store, listening on 127.0.0.1 on a free port, checking SigV4
 * signatures like a real store.
 *
 * <pre>{@code
 * try (EmbeddedS3 s3 = EmbeddedS3.start("reelay-demo", "us-east-1")) {
 *     PipelineOptions options = PipelineOptions.builder().s3(s3.storageOptions()).build();
 *     ...
 * }
 * }</pre>
 *
 * <p>What is stored lives in memory and is gone when the server is closed.
 */
public final class EmbeddedS3 implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final BlobStoreContext blobStore;
    private final S3Proxy proxy;
    private final URI endpoint;
    private final String bucket;
    private final String region;
    private final String accessKey;
    private final String secretKey;

    private EmbeddedS3(String bucket, String region, String accessKey, String secretKey) throws Exception {
        this.bucket = bucket;
        this.region = region;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        // The blob store's own credentials are never checked; S3Proxy checks the S3 key pair.
        blobStore = ContextBuilder.newBuilder("transient")
                .credentials("identity", "credential")
                .modules(List.of(new SLF4JLoggingModule()))
                .build(BlobStoreContext.class);
        // Created through the blob store: a strict store refuses CreateBucket from some regions.
        blobStore.getBlobStore().createContainerInLocation(null, bucket);
        proxy = S3Proxy.builder()
                .blobStore(blobStore.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                .build();
        proxy.start();
        waitUntilStarted();
        endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** Starts a server with a made-up key pair and one empty bucket. */
    public static EmbeddedS3 start(String bucket, String region) {
        return start(bucket, region, "AKIA" + randomText(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
                randomText(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"));
    }

    /** Starts a server that accepts this key pair, with one empty bucket. */
    public static EmbeddedS3 start(String bucket, String region, String accessKey, String secretKey) {
        try {
            return new EmbeddedS3(bucket, region, accessKey, secretKey);
        } catch (Exception e) {
            throw new IllegalStateException("the embedded S3 server (S3Proxy) did not start: " + e, e);
        }
    }

    private void waitUntilStarted() throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                proxy.stop();
                throw new IllegalStateException("S3Proxy is still " + proxy.getState() + " after " + START_TIMEOUT);
            }
            Thread.sleep(10);
        }
    }

    /** {@code http://127.0.0.1:<port>}. */
    public URI endpoint() {
        return endpoint;
    }

    public String bucket() {
        return bucket;
    }

    public String region() {
        return region;
    }

    /** Reelay's settings for this server: endpoint, region, bucket and the key pair. */
    public S3StorageOptions storageOptions() {
        return S3StorageOptions.builder()
                .endpoint(endpoint)
                .region(region)
                .bucket(bucket)
                .credentials(accessKey, secretKey)
                .build();
    }

    private static String randomText(int length, String alphabet) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    /** Stops the server; what it stored is gone. */
    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop S3Proxy", e);
        } finally {
            blobStore.close();
        }
    }

    @Override
    public String toString() {
        return "EmbeddedS3{" + endpoint + ", bucket=" + bucket + ", region=" + region + "}";
    }
}
