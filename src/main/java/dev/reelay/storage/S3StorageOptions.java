package dev.reelay.storage;

import dev.reelay.internal.Checks;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import reactor.util.retry.Retry;
import reactor.util.retry.RetryBackoffSpec;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Immutable settings of the default S3-compatible {@link ObjectStore}. Values are checked
 * when built.
 *
 * <p>With an endpoint override (IDrive e2, MinIO, Ceph, R2, …) the client uses path-style
 * addressing and computes checksums only when required, which strict S3-compatible stores
 * need. Files at or above the multipart threshold are sent in parts, streamed from disk, so
 * heap use does not grow with file size; a multipart upload that is interrupted continues from
 * its stored parts. Each request is retried on its own (5xx, throttling, I/O errors, stalls)
 * with the {@link #retry()} spec; the SDK's own retries are off so that the two never stack.
 *
 * <p>Requests have no fixed time limit: a request fails when it stalls, that is when no byte of
 * its body was taken for {@link #idleTimeout()} while it sends, or when nothing at all moved on
 * the store's connections for that long while it waits (for a connection, or for its answer).
 * A large file on a slow uplink therefore takes as long as it takes.
 *
 * <pre>{@code
 * S3StorageOptions s3 = S3StorageOptions.builder()
 *         .endpoint(URI.create("https://s3.us-west-1.idrivee2.com"))
 *         .region("us-west-1")
 *         .bucket("fyemeet")
 *         .credentials(System.getenv("S3_ACCESS_KEY"), System.getenv("S3_SECRET_KEY"))
 *         .build();
 * }</pre>
 *
 * <p>A host that passes its own {@link S3AsyncClient} with {@link Builder#client} keeps
 * owning it: Reelay never closes it, and uses the endpoint only to build URLs.
 */
public final class S3StorageOptions {

    /** 8 MiB: the default part size. */
    public static final long DEFAULT_PART_SIZE = 8L * 1024 * 1024;
    /**
     * 32 MiB, four default parts: the default multipart threshold. A smaller file goes in one
     * PUT: in parts it would cost three more requests, and a store that assembles the parts by
     * copying them (S3Proxy's filesystem store, some gateways) would handle its bytes twice.
     */
    public static final long DEFAULT_MULTIPART_THRESHOLD = 4 * DEFAULT_PART_SIZE;
    /** S3's smallest part but the last. */
    public static final long MIN_PART_SIZE = 5L * 1024 * 1024;

    private final URI endpoint;
    private final String region;
    private final String bucket;
    private final AwsCredentialsProvider credentials;
    private final S3AsyncClient client;
    private final long multipartThreshold;
    private final long partSize;
    private final int partsInFlight;
    private final int maxConnections;
    private final Duration idleTimeout;
    private final RetryBackoffSpec retry;
    private final UrlStrategy urlStrategy;
    private final Duration presignedUrlExpiry;

    /** The longest a SigV4 presigned URL can live. */
    public static final Duration MAX_PRESIGNED_EXPIRY = Duration.ofDays(7);

    private S3StorageOptions(Builder b) {
        this.endpoint = b.endpoint;
        this.region = Checks.notBlank(b.region, "region");
        this.bucket = Checks.notBlank(b.bucket, "bucket");
        this.credentials = b.credentials;
        this.client = b.client;
        this.multipartThreshold = Checks.positive(b.multipartThreshold, "multipartThreshold");
        this.partSize = b.partSize;
        if (partSize < MIN_PART_SIZE) {
            throw new IllegalArgumentException("partSize must be at least 5 MiB (" + MIN_PART_SIZE + " bytes), was " + partSize);
        }
        this.partsInFlight = (int) Checks.positive(b.partsInFlight, "partsInFlight");
        this.maxConnections = (int) Checks.positive(b.maxConnections, "maxConnections");
        this.idleTimeout = Checks.positive(b.idleTimeout, "idleTimeout");
        this.retry = Objects.requireNonNull(b.retry, "retry");
        if (endpoint != null) {
            String scheme = endpoint.getScheme();
            if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme) || endpoint.getHost() == null) {
                throw new IllegalArgumentException("endpoint must be an http(s) URL with a host, was " + endpoint);
            }
            if (endpoint.getUserInfo() != null) {
                throw new IllegalArgumentException("endpoint must not carry credentials; use credentials(...)");
            }
        }
        this.presignedUrlExpiry = b.presignedUrlExpiry;
        if (presignedUrlExpiry != null) {
            Checks.positive(presignedUrlExpiry, "presignedUrls expiry");
            if (presignedUrlExpiry.compareTo(MAX_PRESIGNED_EXPIRY) > 0) {
                throw new IllegalArgumentException("presigned URLs live at most 7 days, asked for " + presignedUrlExpiry);
            }
            if (b.urlStrategy != null) {
                throw new IllegalArgumentException("set either presignedUrls(...) or urlStrategy(...), not both");
            }
        }
        this.urlStrategy = b.urlStrategy != null ? b.urlStrategy
                : UrlStrategy.pathStyle(endpoint != null ? endpoint : URI.create("https://s3." + region + ".amazonaws.com"));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The endpoint override, when the store is not AWS S3 itself. */
    public Optional<URI> endpoint() {
        return Optional.ofNullable(endpoint);
    }

    public String region() {
        return region;
    }

    public String bucket() {
        return bucket;
    }

    /** The credentials, when set; otherwise the SDK's default chain is used. */
    public Optional<AwsCredentialsProvider> credentials() {
        return Optional.ofNullable(credentials);
    }

    /** The host's own client, when it passed one (Reelay never closes it). */
    public Optional<S3AsyncClient> client() {
        return Optional.ofNullable(client);
    }

    /** Files of this size or more are uploaded in parts. Default 32 MiB. */
    public long multipartThreshold() {
        return multipartThreshold;
    }

    /** The size of each part but the last. Default 8 MiB, at least 5 MiB. */
    public long partSize() {
        return partSize;
    }

    /**
     * The most parts of one file sent at once. Default 4. Fewer go when the link is full: parts
     * in flight, across all files, follow the measured throughput of parts (see the README).
     */
    public int partsInFlight() {
        return partsInFlight;
    }

    /** Connections of the client Reelay builds. Default 32. */
    public int maxConnections() {
        return maxConnections;
    }

    /**
     * How long a request may go without moving a byte before it counts as stalled and is tried
     * again. Default 60 seconds. It measures stalls, not size: a 2 GiB file on a 2 Mbit/s uplink
     * is not cut short.
     */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** The backoff between attempts of a request; applied to retryable failures only. */
    public RetryBackoffSpec retry() {
        return retry;
    }

    /**
     * How URLs are published when not presigned: path-style {@code {endpoint}/{bucket}/{key}}
     * by default.
     */
    public UrlStrategy urlStrategy() {
        return urlStrategy;
    }

    /** How long presigned GET URLs live, when URLs are presigned. */
    public Optional<Duration> presignedUrlExpiry() {
        return Optional.ofNullable(presignedUrlExpiry);
    }

    /** A builder that starts from these values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.endpoint = endpoint;
        b.region = region;
        b.bucket = bucket;
        b.credentials = credentials;
        b.client = client;
        b.multipartThreshold = multipartThreshold;
        b.partSize = partSize;
        b.partsInFlight = partsInFlight;
        b.maxConnections = maxConnections;
        b.idleTimeout = idleTimeout;
        b.retry = retry;
        b.urlStrategy = presignedUrlExpiry == null ? urlStrategy : null;
        b.presignedUrlExpiry = presignedUrlExpiry;
        return b;
    }

    @Override
    public String toString() {
        return "S3StorageOptions{endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket
                + ", credentials=" + (credentials == null ? "default chain" : "(set)")
                + ", client=" + (client == null ? "built by Reelay" : "host's")
                + ", multipartThreshold=" + multipartThreshold + ", partSize=" + partSize
                + ", partsInFlight=" + partsInFlight + ", idleTimeout=" + idleTimeout
                + (presignedUrlExpiry == null ? "" : ", presignedUrls=" + presignedUrlExpiry) + "}";
    }

    /** Collects the settings; {@link #build()} checks them. */
    public static final class Builder {
        private URI endpoint;
        private String region;
        private String bucket;
        private AwsCredentialsProvider credentials;
        private S3AsyncClient client;
        private long multipartThreshold = DEFAULT_MULTIPART_THRESHOLD;
        private long partSize = DEFAULT_PART_SIZE;
        private long partsInFlight = 4;
        private long maxConnections = 32;
        private Duration idleTimeout = Duration.ofSeconds(60);
        private RetryBackoffSpec retry = Retry.backoff(3, Duration.ofMillis(200))
                .maxBackoff(Duration.ofSeconds(5))
                .jitter(0.5);
        private UrlStrategy urlStrategy;
        private Duration presignedUrlExpiry;

        private Builder() {
        }

        /** An S3-compatible endpoint, e.g. {@code https://s3.us-west-1.idrivee2.com}. */
        public Builder endpoint(URI endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        public Builder region(String region) {
            this.region = region;
            return this;
        }

        public Builder bucket(String bucket) {
            this.bucket = bucket;
            return this;
        }

        /** Static credentials; they never appear in logs, exceptions or {@code toString()}. */
        public Builder credentials(String accessKeyId, String secretAccessKey) {
            Checks.notBlank(accessKeyId, "accessKeyId");
            Checks.notBlank(secretAccessKey, "secretAccessKey");
            this.credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretAccessKey));
            return this;
        }

        public Builder credentialsProvider(AwsCredentialsProvider credentials) {
            this.credentials = credentials;
            return this;
        }

        /**
         * The host's own client; Reelay never closes it. Its retries are turned off for Reelay's
         * requests (a request-level plugin), so that they do not stack on Reelay's. Its HTTP
         * client's own timeouts still apply: on slow uplinks give it a read and a write timeout of
         * at least {@link #idleTimeout(Duration) idleTimeout}, or none.
         */
        public Builder client(S3AsyncClient client) {
            this.client = client;
            return this;
        }

        public Builder multipartThreshold(long bytes) {
            this.multipartThreshold = bytes;
            return this;
        }

        public Builder partSize(long bytes) {
            this.partSize = bytes;
            return this;
        }

        public Builder partsInFlight(int parts) {
            this.partsInFlight = parts;
            return this;
        }

        public Builder maxConnections(int connections) {
            this.maxConnections = connections;
            return this;
        }

        /** How long a request may move no byte before it counts as stalled; see {@link S3StorageOptions#idleTimeout()}. */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = timeout;
            return this;
        }

        /** The backoff between attempts, e.g. {@code Retry.backoff(5, Duration.ofSeconds(1))}. */
        public Builder retry(RetryBackoffSpec retry) {
            this.retry = retry;
            return this;
        }

        public Builder urlStrategy(UrlStrategy urlStrategy) {
            this.urlStrategy = urlStrategy;
            return this;
        }

        /**
         * Publishes presigned GET URLs that expire after {@code expiry} (at most 7 days), for
         * private buckets. They are signed with the same endpoint, region, path-style addressing
         * and credentials as uploads. The URLs are in the webhook payload and in
         * {@link dev.reelay.FileOutcome#url()}; their query strings never appear in logs or
         * {@code toString()}.
         */
        public Builder presignedUrls(Duration expiry) {
            this.presignedUrlExpiry = expiry;
            return this;
        }

        public S3StorageOptions build() {
            return new S3StorageOptions(this);
        }
    }
}
