package dev.reelay.support;

import dev.reelay.storage.S3StorageOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.Blob;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * A real S3 API server in this JVM: S3Proxy in strict mode with SigV4 authentication over an
 * in-memory blob store. Tests read what was stored straight from the blob store.
 */
public final class S3TestServer implements AutoCloseable {

    public static final String ACCESS_KEY = "AKIAREELAYTEST000001";
    public static final String SECRET_KEY = "reelay-test-secret-key-do-not-log-0123456789";
    public static final String BUCKET = "fyemeet";
    public static final String REGION = "us-west-1";

    private final BlobStoreContext context;
    private final S3Proxy proxy;
    private final URI endpoint;
    private S3AsyncClient client;

    private S3TestServer() throws Exception {
        Properties props = new Properties();
        context = ContextBuilder.newBuilder("transient")
                .credentials("identity", "credential")
                .overrides(props)
                .build(BlobStoreContext.class);
        context.getBlobStore().createContainerInLocation(null, BUCKET);
        proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
            }
            Thread.onSpinWait();
        }
        endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    public static S3TestServer start() {
        try {
            return new S3TestServer();
        } catch (Exception e) {
            throw new IllegalStateException("could not start S3Proxy", e);
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    public int port() {
        return proxy.getPort();
    }

    /** Options for a client that Reelay builds (and closes) itself. */
    public S3StorageOptions.Builder options() {
        return options(endpoint);
    }

    /** Options for a client Reelay builds against another endpoint, e.g. a faulty front of this server. */
    public S3StorageOptions.Builder options(URI endpoint) {
        return S3StorageOptions.builder()
                .endpoint(endpoint)
                .region(REGION)
                .bucket(BUCKET)
                .credentials(ACCESS_KEY, SECRET_KEY);
    }

    /** Options that share one host-owned client, so that tests don't pay for a client each. */
    public S3StorageOptions.Builder sharedClientOptions() {
        return options().client(client());
    }

    public synchronized S3AsyncClient client() {
        if (client == null) {
            client = S3AsyncClient.builder()
                    .endpointOverride(endpoint)
                    .forcePathStyle(true)
                    .region(Region.of(REGION))
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                    .build();
        }
        return client;
    }

    public BlobStore blobStore() {
        return context.getBlobStore();
    }

    public boolean exists(String key) {
        return blobStore().blobExists(BUCKET, key);
    }

    public byte[] read(String key) {
        Blob blob = blobStore().getBlob(BUCKET, key);
        if (blob == null) {
            throw new AssertionError("no object " + key + " in " + BUCKET);
        }
        try (InputStream in = blob.getPayload().openStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new AssertionError("cannot read " + key, e);
        }
    }

    public String sha256(String key) {
        return sha256(read(key));
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every object in the bucket, page after page. */
    public int objectCount() {
        int count = 0;
        String marker = null;
        do {
            var options = org.jclouds.blobstore.options.ListContainerOptions.Builder.recursive();
            if (marker != null) {
                options.afterMarker(marker);
            }
            var page = blobStore().list(BUCKET, options);
            count += page.size();
            marker = page.getNextMarker();
        } while (marker != null);
        return count;
    }

    /** The keys of the multipart uploads the bucket holds unfinished, asked through the S3 API. */
    public java.util.List<String> unfinishedUploads() {
        return client().listMultipartUploads(r -> r.bucket(BUCKET)).join().uploads().stream()
                .map(u -> u.key() + " " + u.uploadId()).toList();
    }

    public void clear() {
        blobStore().clearContainer(BUCKET);
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
        }
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        context.close();
    }
}
