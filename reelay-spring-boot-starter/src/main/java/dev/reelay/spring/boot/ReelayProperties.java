package dev.reelay.spring.boot;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Reelay's settings under {@code reelay.*}, from which the starter builds the pipeline's
 * {@link dev.reelay.PipelineOptions}. Only the store's region and bucket are required:
 *
 * <pre>{@code
 * reelay:
 *   store:
 *     endpoint: https://s3.us-west-1.idrivee2.com   # leave out for AWS
 *     region: us-west-1
 *     bucket: recordings
 *     access-key-id: ${S3_ACCESS_KEY}               # leave both keys out for the SDK's default chain
 *     secret-access-key: ${S3_SECRET_KEY}
 *   webhooks:
 *     - url: https://ops.example.com/recordings/webhook/
 *       secret: ${WEBHOOK_SECRET}
 * }</pre>
 *
 * <p>Values left out keep the library's defaults. Invalid values stop the application's start with a
 * failure analysis that names the property; secrets (keys, webhook secrets, tokens) are never printed,
 * by {@code toString()} or anywhere else.
 */
@ConfigurationProperties("reelay")
public class ReelayProperties {

    /** Whether Reelay is auto-configured at all. */
    private boolean enabled = true;

    /** Where files go: an S3-compatible store. */
    private final Store store = new Store();

    /** The receivers of the webhook, each delivered independently. */
    private List<Webhook> webhooks = new ArrayList<>();

    /** How much is in flight at once. */
    private final Bounds bounds = new Bounds();

    /** Duration probing and thumbnails (JavaCV). */
    private final Media media = new Media();

    /** The journal of every accepted recording. */
    private final Outbox outbox = new Outbox();

    /** When the pipeline resumes, retries and closes. */
    private final Lifecycle lifecycle = new Lifecycle();

    /** Where webhooks may go. */
    private final NetworkPolicy networkPolicy = new NetworkPolicy();

    /** Reelay's meters, bound to the application's MeterRegistry. */
    private final Metrics metrics = new Metrics();

    /** Traces of every recording as Micrometer Observations in the application's ObservationRegistry. */
    private final Observations observations = new Observations();

    /** The health indicator's threshold. */
    private final Health health = new Health();

    /** Reelay's status page. */
    private final Dashboard dashboard = new Dashboard();

    /** Sent as upload_source in the webhook's document. */
    private String uploadSource = "reelay";

    /** The name of the metadata document stored beside the files. */
    private String metadataFileName = "metadata.json";

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Store getStore() {
        return store;
    }

    public List<Webhook> getWebhooks() {
        return webhooks;
    }

    public void setWebhooks(List<Webhook> webhooks) {
        this.webhooks = webhooks;
    }

    public Bounds getBounds() {
        return bounds;
    }

    public Media getMedia() {
        return media;
    }

    public Outbox getOutbox() {
        return outbox;
    }

    public Lifecycle getLifecycle() {
        return lifecycle;
    }

    public NetworkPolicy getNetworkPolicy() {
        return networkPolicy;
    }

    public Metrics getMetrics() {
        return metrics;
    }

    public Observations getObservations() {
        return observations;
    }

    public Health getHealth() {
        return health;
    }

    public Dashboard getDashboard() {
        return dashboard;
    }

    public String getUploadSource() {
        return uploadSource;
    }

    public void setUploadSource(String uploadSource) {
        this.uploadSource = uploadSource;
    }

    public String getMetadataFileName() {
        return metadataFileName;
    }

    public void setMetadataFileName(String metadataFileName) {
        this.metadataFileName = metadataFileName;
    }

    @Override
    public String toString() {
        return "ReelayProperties{enabled=" + enabled + ", store=" + store + ", webhooks=" + webhooks
                + ", dashboard=" + dashboard + "}";
    }

    /** An S3-compatible store (AWS S3, IDrive e2, MinIO, Ceph, R2, …). */
    public static class Store {

        /**
         * An S3-compatible store's URL; path-style addressing and checksums only when required are then
         * on. Leave it out for AWS S3.
         */
        private URI endpoint;

        /** The store's region, sent as region in the webhook's document. Required. */
        private String region;

        /** The bucket, sent as bucket_name. Required. */
        private String bucket;

        /** The access key id; leave it and the secret key out to use the AWS SDK's default credentials chain. */
        private String accessKeyId;

        /** The secret access key; never logged. */
        private String secretAccessKey;

        /** A prefix of every object key ({prefix}/{recordingId}/{fileName}). */
        private String keyPrefix;

        /** Publish presigned GET URLs living this long (at most 7 days) instead of plain ones. */
        private Duration presignedUrlExpiry;

        /** Files from this size on are uploaded in parts. */
        private DataSize multipartThreshold = DataSize.ofMegabytes(32);

        /** The size of each part of a multipart upload (at least 5 MB). */
        private DataSize partSize = DataSize.ofMegabytes(8);

        /** The most parts of one file in flight at once. */
        private int partsInFlight = 4;

        /** Connections of the S3 client Reelay builds. */
        private int maxConnections = 32;

        /** A request that moves no byte for this long is stalled and tried again. */
        private Duration idleTimeout = Duration.ofSeconds(60);

        public URI getEndpoint() {
            return endpoint;
        }

        public void setEndpoint(URI endpoint) {
            this.endpoint = endpoint;
        }

        public String getRegion() {
            return region;
        }

        public void setRegion(String region) {
            this.region = region;
        }

        public String getBucket() {
            return bucket;
        }

        public void setBucket(String bucket) {
            this.bucket = bucket;
        }

        public String getAccessKeyId() {
            return accessKeyId;
        }

        public void setAccessKeyId(String accessKeyId) {
            this.accessKeyId = accessKeyId;
        }

        public String getSecretAccessKey() {
            return secretAccessKey;
        }

        public void setSecretAccessKey(String secretAccessKey) {
            this.secretAccessKey = secretAccessKey;
        }

        public String getKeyPrefix() {
            return keyPrefix;
        }

        public void setKeyPrefix(String keyPrefix) {
            this.keyPrefix = keyPrefix;
        }

        public Duration getPresignedUrlExpiry() {
            return presignedUrlExpiry;
        }

        public void setPresignedUrlExpiry(Duration presignedUrlExpiry) {
            this.presignedUrlExpiry = presignedUrlExpiry;
        }

        public DataSize getMultipartThreshold() {
            return multipartThreshold;
        }

        public void setMultipartThreshold(DataSize multipartThreshold) {
            this.multipartThreshold = multipartThreshold;
        }

        public DataSize getPartSize() {
            return partSize;
        }

        public void setPartSize(DataSize partSize) {
            this.partSize = partSize;
        }

        public int getPartsInFlight() {
            return partsInFlight;
        }

        public void setPartsInFlight(int partsInFlight) {
            this.partsInFlight = partsInFlight;
        }

        public int getMaxConnections() {
            return maxConnections;
        }

        public void setMaxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
        }

        public Duration getIdleTimeout() {
            return idleTimeout;
        }

        public void setIdleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
        }

        @Override
        public String toString() {
            return "Store{endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket
                    + ", credentials=" + (accessKeyId == null && secretAccessKey == null ? "default chain" : "****") + "}";
        }
    }

    /** One receiver of the webhook. */
    public static class Webhook {

        /** The receiver's URL (https, or http to loopback unless allow-insecure-http). Required. */
        private String url;

        /** A name shown in logs, results and the journal in place of the URL. */
        private String name;

        /** A Standard Webhooks signing secret (whsec_ followed by base64); never logged. */
        private String secret;

        /** Sent as Authorization: Bearer; never logged. */
        private String bearerToken;

        /** The URL's path is a secret (Slack, Discord): shown only up to its first segment. */
        private boolean secretPath;

        /** The time one request may take, connection and answer included. */
        private Duration attemptTimeout = Duration.ofSeconds(30);

        /** The time all attempts together may take. */
        private Duration deadline = Duration.ofMinutes(5);

        /** Accept plain http:// to hosts other than loopback. */
        private boolean allowInsecureHttp;

        public String getUrl() {
            return url;
        }

        public void setUrl(String url) {
            this.url = url;
        }

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public String getSecret() {
            return secret;
        }

        public void setSecret(String secret) {
            this.secret = secret;
        }

        public String getBearerToken() {
            return bearerToken;
        }

        public void setBearerToken(String bearerToken) {
            this.bearerToken = bearerToken;
        }

        public boolean isSecretPath() {
            return secretPath;
        }

        public void setSecretPath(boolean secretPath) {
            this.secretPath = secretPath;
        }

        public Duration getAttemptTimeout() {
            return attemptTimeout;
        }

        public void setAttemptTimeout(Duration attemptTimeout) {
            this.attemptTimeout = attemptTimeout;
        }

        public Duration getDeadline() {
            return deadline;
        }

        public void setDeadline(Duration deadline) {
            this.deadline = deadline;
        }

        public boolean isAllowInsecureHttp() {
            return allowInsecureHttp;
        }

        public void setAllowInsecureHttp(boolean allowInsecureHttp) {
            this.allowInsecureHttp = allowInsecureHttp;
        }

        @Override
        public String toString() {
            // the URL may carry a secret path or credentials: its name only
            return "Webhook{name=" + name + ", secret=" + (secret == null ? "none" : "****")
                    + ", bearerToken=" + (bearerToken == null ? "none" : "****") + "}";
        }
    }

    /** Bounds of the work in flight. */
    public static class Bounds {

        /** Recordings taken from upstream and not yet finished. */
        private int recordingsInFlight = 8;

        /** File uploads at once, across all recordings. */
        private int uploadsInFlight = 8;

        /** One file's upload, all attempts and parts included; none by default. */
        private Duration uploadTimeout;

        public int getRecordingsInFlight() {
            return recordingsInFlight;
        }

        public void setRecordingsInFlight(int recordingsInFlight) {
            this.recordingsInFlight = recordingsInFlight;
        }

        public int getUploadsInFlight() {
            return uploadsInFlight;
        }

        public void setUploadsInFlight(int uploadsInFlight) {
            this.uploadsInFlight = uploadsInFlight;
        }

        public Duration getUploadTimeout() {
            return uploadTimeout;
        }

        public void setUploadTimeout(Duration uploadTimeout) {
            this.uploadTimeout = uploadTimeout;
        }
    }

    /** Duration probing and thumbnails. */
    public static class Media {

        /** Probe videos' duration and cut a thumbnail when a recording brings none. */
        private boolean enabled = true;

        /** Where in the video the thumbnail is taken (never past the middle of a short video). */
        private Duration thumbnailOffset = Duration.ofSeconds(1);

        /** The thumbnail's largest width in pixels. */
        private int thumbnailMaxWidth = 640;

        /** The thumbnail's JPEG quality, from 0 to 1. */
        private float jpegQuality = 0.85f;

        /** Where thumbnails are made before upload; reelay-media under the system's temporary directory by default. */
        private Path workDirectory;

        /** Videos decoded at once; one per core by default. */
        private Integer decodersInFlight;

        /** The longest one video's media work may take before it is skipped with a warning. */
        private Duration timeout = Duration.ofSeconds(60);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getThumbnailOffset() {
            return thumbnailOffset;
        }

        public void setThumbnailOffset(Duration thumbnailOffset) {
            this.thumbnailOffset = thumbnailOffset;
        }

        public int getThumbnailMaxWidth() {
            return thumbnailMaxWidth;
        }

        public void setThumbnailMaxWidth(int thumbnailMaxWidth) {
            this.thumbnailMaxWidth = thumbnailMaxWidth;
        }

        public float getJpegQuality() {
            return jpegQuality;
        }

        public void setJpegQuality(float jpegQuality) {
            this.jpegQuality = jpegQuality;
        }

        public Path getWorkDirectory() {
            return workDirectory;
        }

        public void setWorkDirectory(Path workDirectory) {
            this.workDirectory = workDirectory;
        }

        public Integer getDecodersInFlight() {
            return decodersInFlight;
        }

        public void setDecodersInFlight(Integer decodersInFlight) {
            this.decodersInFlight = decodersInFlight;
        }

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }
    }

    /** Which journal keeps every accepted recording. */
    public enum OutboxType {
        /** One SQLite file in a directory of this host; one process per journal. */
        EMBEDDED,
        /** Shared by several instances, in the PostgreSQL of the application's DataSource. */
        POSTGRES,
        /** No journal: nothing survives a restart. */
        DISABLED
    }

    /** The journal. */
    public static class Outbox {

        /** embedded (SQLite, the default), postgres (the application's DataSource) or disabled. */
        private OutboxType type = OutboxType.EMBEDDED;

        /** The embedded journal's directory; ~/.reelay/outbox (or -Dreelay.outbox.dir) by default. */
        private Path directory;

        /** The slow schedule of retryDue(): the delays before each retry, the last one repeating. */
        private List<Duration> retrySchedule = new ArrayList<>(List.of(Duration.ofMinutes(1), Duration.ofMinutes(5),
                Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(6), Duration.ofHours(12)));

        /** A recording still short of complete this long after it was accepted is given up. */
        private Duration giveUpAfter = Duration.ofDays(3);

        /** Finished entries are pruned after this long. */
        private Duration retention = Duration.ofDays(7);

        /** The shared journal in PostgreSQL (type postgres). */
        private final Postgres postgres = new Postgres();

        public OutboxType getType() {
            return type;
        }

        public void setType(OutboxType type) {
            this.type = type;
        }

        public Path getDirectory() {
            return directory;
        }

        public void setDirectory(Path directory) {
            this.directory = directory;
        }

        public List<Duration> getRetrySchedule() {
            return retrySchedule;
        }

        public void setRetrySchedule(List<Duration> retrySchedule) {
            this.retrySchedule = retrySchedule;
        }

        public Duration getGiveUpAfter() {
            return giveUpAfter;
        }

        public void setGiveUpAfter(Duration giveUpAfter) {
            this.giveUpAfter = giveUpAfter;
        }

        public Duration getRetention() {
            return retention;
        }

        public void setRetention(Duration retention) {
            this.retention = retention;
        }

        public Postgres getPostgres() {
            return postgres;
        }
    }

    /** The shared journal's settings; the tables are created on first use unless create-schema is false. */
    public static class Postgres {

        /** The schema of the tables; the connections' current schema by default. */
        private String schema;

        /** What every table name starts with. */
        private String tablePrefix = "reelay_";

        /** How long a lease on a recording lasts unrenewed. */
        private Duration lease = Duration.ofSeconds(30);

        /** JDBC threads of the journal, so connections taken from the pool at once (plus one for the heartbeat). */
        private int connections = 4;

        /** How other instances name this one; $HOSTNAME-pid by default. */
        private String instanceName;

        /** Create and migrate the tables on first use, or only check their version. */
        private boolean createSchema = true;

        public String getSchema() {
            return schema;
        }

        public void setSchema(String schema) {
            this.schema = schema;
        }

        public String getTablePrefix() {
            return tablePrefix;
        }

        public void setTablePrefix(String tablePrefix) {
            this.tablePrefix = tablePrefix;
        }

        public Duration getLease() {
            return lease;
        }

        public void setLease(Duration lease) {
            this.lease = lease;
        }

        public int getConnections() {
            return connections;
        }

        public void setConnections(int connections) {
            this.connections = connections;
        }

        public String getInstanceName() {
            return instanceName;
        }

        public void setInstanceName(String instanceName) {
            this.instanceName = instanceName;
        }

        public boolean isCreateSchema() {
            return createSchema;
        }

        public void setCreateSchema(boolean createSchema) {
            this.createSchema = createSchema;
        }
    }

    /** When the pipeline resumes, retries and closes. */
    public static class Lifecycle {

        /** Run resume() when the application starts: finish what a stop or a crash interrupted. */
        private boolean resumeOnStart = true;

        /** How often retryDue() runs (recordings due on the slow schedule); 0 turns it off. */
        private Duration retryInterval = Duration.ofMinutes(5);

        /** How long the work under way may finish when the application stops, before it is cut off for the next resume(). */
        private Duration closeGracePeriod = Duration.ofSeconds(10);

        public boolean isResumeOnStart() {
            return resumeOnStart;
        }

        public void setResumeOnStart(boolean resumeOnStart) {
            this.resumeOnStart = resumeOnStart;
        }

        public Duration getRetryInterval() {
            return retryInterval;
        }

        public void setRetryInterval(Duration retryInterval) {
            this.retryInterval = retryInterval;
        }

        public Duration getCloseGracePeriod() {
            return closeGracePeriod;
        }

        public void setCloseGracePeriod(Duration closeGracePeriod) {
            this.closeGracePeriod = closeGracePeriod;
        }
    }

    /** Where webhooks may go, checked on resolved addresses at connect time. */
    public static class NetworkPolicy {

        /** Refuse loopback, private, link-local and cloud metadata addresses (turn on once URLs come from someone less trusted). */
        private boolean publicOnly;

        /** With public-only: hosts, addresses or CIDR blocks allowed all the same. */
        private List<String> allow = new ArrayList<>();

        public boolean isPublicOnly() {
            return publicOnly;
        }

        public void setPublicOnly(boolean publicOnly) {
            this.publicOnly = publicOnly;
        }

        public List<String> getAllow() {
            return allow;
        }

        public void setAllow(List<String> allow) {
            this.allow = allow;
        }
    }

    /** Reelay's meters. */
    public static class Metrics {

        /** Bind Reelay's meters (reelay.*) to the application's MeterRegistry when there is one. */
        private boolean enabled = true;

        /** Publish percentile histograms of the timers. */
        private boolean percentileHistogram;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public boolean isPercentileHistogram() {
            return percentileHistogram;
        }

        public void setPercentileHistogram(boolean percentileHistogram) {
            this.percentileHistogram = percentileHistogram;
        }
    }

    /** Reelay's observations. */
    public static class Observations {

        /** Observe every recording in the application's ObservationRegistry when there is one. */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** The health indicator (management.health.reelay.enabled turns it off). */
    public static class Health {

        /**
         * When the oldest recording still to be done has waited longer than this, the health is
         * backlog-status instead of UP; no threshold by default.
         */
        private Duration maxBacklogAge;

        /** The status when the backlog is older than max-backlog-age: OUT_OF_SERVICE, or a status of your own. */
        private String backlogStatus = "OUT_OF_SERVICE";

        public Duration getMaxBacklogAge() {
            return maxBacklogAge;
        }

        public void setMaxBacklogAge(Duration maxBacklogAge) {
            this.maxBacklogAge = maxBacklogAge;
        }

        public String getBacklogStatus() {
            return backlogStatus;
        }

        public void setBacklogStatus(String backlogStatus) {
            this.backlogStatus = backlogStatus;
        }
    }

    /** Reelay's status page, served by its own server on loopback. */
    public static class Dashboard {

        /** Start the dashboard with the application. Off by default. */
        private boolean enabled;

        /** The address it listens on; loopback by default. */
        private String host = "127.0.0.1";

        /** The port it listens on; 0 picks a free one. */
        private int port = 8077;

        /** The access token (at least 16 characters); made up at start and logged as a URL when left out. Never logged when given. */
        private String token;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getHost() {
            return host;
        }

        public void setHost(String host) {
            this.host = host;
        }

        public int getPort() {
            return port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public String getToken() {
            return token;
        }

        public void setToken(String token) {
            this.token = token;
        }

        @Override
        public String toString() {
            return "Dashboard{enabled=" + enabled + ", host=" + host + ", port=" + port
                    + ", token=" + (token == null ? "made up at start" : "****") + "}";
        }
    }
}
