package dev.reelay;

import dev.reelay.internal.Checks;
import dev.reelay.media.MediaOptions;
import dev.reelay.outbox.OutboxOptions;
import dev.reelay.storage.KeyLayout;
import dev.reelay.storage.ObjectStore;
import dev.reelay.storage.S3StorageOptions;
import dev.reelay.webhook.NetworkPolicy;
import dev.reelay.webhook.WebhookClient;
import dev.reelay.webhook.WebhookEndpoint;
import io.micrometer.observation.ObservationRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Immutable settings of a {@link RecordingPipeline}, checked when built.
 *
 * <pre>{@code
 * PipelineOptions options = PipelineOptions.builder()
 *         .s3(S3StorageOptions.builder()
 *                 .endpoint(URI.create("https://s3.us-west-1.idrivee2.com"))
 *                 .region("us-west-1").bucket("fyemeet")
 *                 .credentials(accessKey, secretKey)
 *                 .build())
 *         .webhook("https://ops.example.com/recordings/webhook/")
 *         .recordingsInFlight(2)
 *         .uploadsInFlight(8)
 *         .build();
 * }</pre>
 *
 * <p>Exactly one of {@link Builder#s3} (Reelay builds, owns and closes the store) and
 * {@link Builder#objectStore} (the host's store, never closed by Reelay) must be set.
 * Webhooks are optional; without one, a recording is complete once its files are stored.
 */
public final class PipelineOptions {

    private final S3StorageOptions s3;
    private final ObjectStore objectStore;
    private final List<WebhookEndpoint> webhooks;
    private final KeyLayout keyLayout;
    private final int recordingsInFlight;
    private final int uploadsInFlight;
    private final Duration uploadTimeout;
    private final Duration closeGracePeriod;
    private final String uploadSource;
    private final String metadataFileName;
    private final Clock clock;
    private final UploadProgress uploadProgress;
    private final MediaOptions media;
    private final OutboxOptions outbox;
    private final NetworkPolicy networkPolicy;
    private final InputLimits limits;
    private final FileAccess fileAccess;
    /** An {@code ObservationRegistry}, held as an Object: nothing links Micrometer unless a host gave one. */
    private final Object observationRegistry;

    private PipelineOptions(Builder b) {
        if ((b.s3 == null) == (b.objectStore == null)) {
            throw new IllegalArgumentException(b.s3 == null
                    ? "storage is not set: call s3(S3StorageOptions) or objectStore(ObjectStore)"
                    : "set either s3(...) or objectStore(...), not both");
        }
        this.s3 = b.s3;
        this.objectStore = b.objectStore;
        this.webhooks = List.copyOf(b.webhooks);
        Set<String> seen = new HashSet<>();
        for (WebhookEndpoint w : webhooks) {
            if (!seen.add(w.displayName())) {
                throw new IllegalArgumentException(w.name().isPresent()
                        ? "two webhook endpoints are named " + w.displayName() + "; each endpoint needs a name of its own"
                        : "two webhook endpoints have the URL " + w.displayName() + " (query strings, credentials"
                        + " and secret paths aside); each endpoint needs a URL, or a name(…), of its own");
            }
        }
        this.keyLayout = Objects.requireNonNull(b.keyLayout, "keyLayout");
        this.recordingsInFlight = (int) Checks.positive(b.recordingsInFlight, "recordingsInFlight");
        this.uploadsInFlight = (int) Checks.positive(b.uploadsInFlight, "uploadsInFlight");
        this.uploadTimeout = b.uploadTimeout == null ? null : Checks.positive(b.uploadTimeout, "uploadTimeout");
        this.closeGracePeriod = Objects.requireNonNull(b.closeGracePeriod, "closeGracePeriod");
        if (closeGracePeriod.isNegative()) {
            throw new IllegalArgumentException("closeGracePeriod must be >= 0, was " + closeGracePeriod);
        }
        this.uploadSource = Checks.notBlank(b.uploadSource, "uploadSource");
        this.metadataFileName = Checks.notBlank(b.metadataFileName, "metadataFileName");
        if (metadataFileName.contains("/") || metadataFileName.contains("\\")) {
            throw new IllegalArgumentException("metadataFileName must be a plain file name, was " + metadataFileName);
        }
        this.clock = Objects.requireNonNull(b.clock, "clock");
        this.uploadProgress = Objects.requireNonNull(b.uploadProgress, "uploadProgress");
        this.media = Objects.requireNonNull(b.media, "media");
        this.outbox = b.outbox != null ? b.outbox : OutboxOptions.defaults();
        this.networkPolicy = Objects.requireNonNull(b.networkPolicy, "networkPolicy");
        this.limits = Objects.requireNonNull(b.limits, "limits");
        this.fileAccess = Objects.requireNonNull(b.fileAccess, "fileAccess");
        this.observationRegistry = b.observationRegistry;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The S3 settings, when Reelay builds the store. */
    public Optional<S3StorageOptions> s3() {
        return Optional.ofNullable(s3);
    }

    /** The host's own store, when it passed one. */
    public Optional<ObjectStore> objectStore() {
        return Optional.ofNullable(objectStore);
    }

    /** The receivers of the webhook, each delivered independently. */
    public List<WebhookEndpoint> webhooks() {
        return webhooks;
    }

    public KeyLayout keyLayout() {
        return keyLayout;
    }

    /**
     * Recordings taken from upstream and not yet emitted as results. Default 8: with three files
     * a recording, fewer would leave upload slots idle while recordings store their metadata and
     * deliver their webhooks.
     */
    public int recordingsInFlight() {
        return recordingsInFlight;
    }

    /** File uploads running at once, across all recordings. Default 8. */
    public int uploadsInFlight() {
        return uploadsInFlight;
    }

    /**
     * The longest one file's upload may take, all its attempts and parts included, counted from
     * when it gets its upload slot. Default: no limit; a stalled request fails on the store's idle
     * timeout instead ({@code S3StorageOptions.idleTimeout}), and a large file on a slow uplink
     * takes as long as it takes.
     */
    public Optional<Duration> uploadTimeout() {
        return Optional.ofNullable(uploadTimeout);
    }

    /**
     * How long {@link RecordingPipeline#close()} lets the work under way finish before it cuts
     * it off, to be continued by {@code resume()}. Default 10 seconds.
     */
    public Duration closeGracePeriod() {
        return closeGracePeriod;
    }

    /** Sent as {@code upload_source}. Default {@code "reelay"}. */
    public String uploadSource() {
        return uploadSource;
    }

    /** The name of the metadata document beside the files. Default {@code metadata.json}. */
    public String metadataFileName() {
        return metadataFileName;
    }

    /** The clock of {@code upload_timestamp} and webhook timestamps. Default UTC system clock. */
    public Clock clock() {
        return clock;
    }

    /** Hears the progress of every file's upload. Default: nobody. */
    public UploadProgress uploadProgress() {
        return uploadProgress;
    }

    /** Duration probing and thumbnails. Default: on, with JavaCV. */
    public MediaOptions media() {
        return media;
    }

    /** The journal that makes accepted recordings survive crashes. Default: embedded, in {@code ~/.reelay/outbox}. */
    public OutboxOptions outbox() {
        return outbox;
    }

    /** Where webhooks may be sent. Default {@link NetworkPolicy#allowAll()}. */
    public NetworkPolicy networkPolicy() {
        return networkPolicy;
    }

    /** How large a recording's values may be. Default {@link InputLimits#defaults()}. */
    public InputLimits limits() {
        return limits;
    }

    /** Which local files may be read. Default {@link FileAccess#followLinks()}. */
    public FileAccess fileAccess() {
        return fileAccess;
    }

    /**
     * The {@code io.micrometer.observation.ObservationRegistry} recordings are traced in, if any:
     * typed as Object so that a host without Micrometer never loads the class.
     */
    public Optional<Object> observationRegistry() {
        return Optional.ofNullable(observationRegistry);
    }

    /** A builder that starts from these values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.s3 = s3;
        b.objectStore = objectStore;
        b.webhooks.addAll(webhooks);
        b.keyLayout = keyLayout;
        b.recordingsInFlight = recordingsInFlight;
        b.uploadsInFlight = uploadsInFlight;
        b.uploadTimeout = uploadTimeout;
        b.closeGracePeriod = closeGracePeriod;
        b.uploadSource = uploadSource;
        b.metadataFileName = metadataFileName;
        b.clock = clock;
        b.uploadProgress = uploadProgress;
        b.media = media;
        b.outbox = outbox;
        b.networkPolicy = networkPolicy;
        b.limits = limits;
        b.fileAccess = fileAccess;
        b.observationRegistry = observationRegistry;
        return b;
    }

    @Override
    public String toString() {
        return "PipelineOptions{storage=" + (s3 != null ? s3 : objectStore) + ", webhooks=" + webhooks
                + ", recordingsInFlight=" + recordingsInFlight + ", uploadsInFlight=" + uploadsInFlight
                + (uploadTimeout == null ? "" : ", uploadTimeout=" + uploadTimeout)
                + ", closeGracePeriod=" + closeGracePeriod + ", uploadSource=" + uploadSource + ", media=" + media
                + ", outbox=" + outbox + ", networkPolicy=" + networkPolicy + ", limits=" + limits
                + ", fileAccess=" + fileAccess + (observationRegistry == null ? "" : ", traced") + "}";
    }

    /** Collects the settings; {@link #build()} checks them. */
    public static final class Builder {
        private S3StorageOptions s3;
        private ObjectStore objectStore;
        private final List<WebhookEndpoint> webhooks = new ArrayList<>();
        private KeyLayout keyLayout = KeyLayout.byRecordingId("");
        private long recordingsInFlight = 8;
        private long uploadsInFlight = 8;
        private Duration uploadTimeout;
        private Duration closeGracePeriod = Duration.ofSeconds(10);
        private String uploadSource = "reelay";
        private String metadataFileName = "metadata.json";
        private Clock clock = Clock.systemUTC();
        private UploadProgress uploadProgress = UploadProgress.NONE;
        private MediaOptions media = MediaOptions.defaults();
        private OutboxOptions outbox;
        private NetworkPolicy networkPolicy = NetworkPolicy.allowAll();
        private InputLimits limits = InputLimits.defaults();
        private FileAccess fileAccess = FileAccess.followLinks();
        private Object observationRegistry;

        private Builder() {
        }

        /** Store in S3-compatible storage; Reelay builds the client lazily and closes it. */
        public Builder s3(S3StorageOptions s3) {
            this.s3 = s3;
            return this;
        }

        /** Store with the host's own store; Reelay never closes it. */
        public Builder objectStore(ObjectStore store) {
            this.objectStore = store;
            return this;
        }

        /** Adds a receiver with the default timeouts and retries. */
        public Builder webhook(String url) {
            return webhook(WebhookEndpoint.of(url));
        }

        /** Adds a receiver. */
        public Builder webhook(WebhookEndpoint endpoint) {
            webhooks.add(Objects.requireNonNull(endpoint, "endpoint"));
            return this;
        }

        /** Replaces the receivers. */
        public Builder webhooks(List<WebhookEndpoint> endpoints) {
            webhooks.clear();
            endpoints.forEach(this::webhook);
            return this;
        }

        public Builder keyLayout(KeyLayout layout) {
            this.keyLayout = layout;
            return this;
        }

        /** Keys {@code {prefix}{recordingId}/{fileName}}, e.g. {@code "recordings/"}. */
        public Builder keyPrefix(String prefix) {
            return keyLayout(KeyLayout.byRecordingId(prefix));
        }

        public Builder recordingsInFlight(int n) {
            this.recordingsInFlight = n;
            return this;
        }

        public Builder uploadsInFlight(int n) {
            this.uploadsInFlight = n;
            return this;
        }

        /** A limit on one file's upload, counted from its upload slot; null for none (the default). */
        public Builder uploadTimeout(Duration timeout) {
            this.uploadTimeout = timeout;
            return this;
        }

        /** How long {@code close()} lets work under way finish; zero cuts it off at once. */
        public Builder closeGracePeriod(Duration grace) {
            this.closeGracePeriod = grace;
            return this;
        }

        public Builder uploadSource(String source) {
            this.uploadSource = source;
            return this;
        }

        public Builder metadataFileName(String name) {
            this.metadataFileName = name;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Hears how far each upload has got; must not block. */
        public Builder uploadProgress(UploadProgress listener) {
            this.uploadProgress = listener;
            return this;
        }

        /** How videos are probed and thumbnails made; {@code MediaOptions.disabled()} turns both off. */
        public Builder media(MediaOptions media) {
            this.media = media;
            return this;
        }

        /** The journal of accepted recordings; {@code OutboxOptions.disabled()} keeps none. */
        public Builder outbox(OutboxOptions outbox) {
            this.outbox = outbox;
            return this;
        }

        /**
         * Where webhooks may be sent, for every endpoint: {@link NetworkPolicy#publicOnly()} once a
         * URL can come from someone less trusted than your operators. Default
         * {@link NetworkPolicy#allowAll()}. For a {@link WebhookClient} of your own, pass it to
         * {@link WebhookClient#create(NetworkPolicy)}.
         */
        public Builder networkPolicy(NetworkPolicy policy) {
            this.networkPolicy = policy;
            return this;
        }

        /** How large a recording's values may be; beyond them it is {@code REJECTED}. Default {@link InputLimits#defaults()}. */
        public Builder limits(InputLimits limits) {
            this.limits = limits;
            return this;
        }

        /** Which local files may be read, e.g. {@code FileAccess.refuseLinks()}. Default: any, links followed. */
        public Builder fileAccess(FileAccess access) {
            this.fileAccess = access;
            return this;
        }

        /**
         * Traces every recording as Micrometer Observations in this registry: one observation per
         * recording ({@code reelay.recording}) with a child for its media work ({@code reelay.media}),
         * each upload ({@code reelay.upload}) and each webhook attempt ({@code reelay.webhook.attempt}),
         * whose request carries the trace's headers (W3C {@code traceparent} with Micrometer Tracing's
         * propagating handlers), so that a receiver's trace joins the recording's. A recording run
         * inside a host's observation (in the Reactor context) is its child. Default: none, and
         * nothing of Micrometer is loaded; it is an optional dependency, present only where the host
         * brings it. Null turns tracing off again.
         *
         * <pre>{@code
         * PipelineOptions options = PipelineOptions.builder()
         *         .s3(s3)
         *         .observationRegistry(observationRegistry)   // e.g. Spring Boot's, with micrometer-tracing
         *         .build();
         * }</pre>
         */
        public Builder observationRegistry(ObservationRegistry registry) {
            this.observationRegistry = registry;
            return this;
        }

        public PipelineOptions build() {
            return new PipelineOptions(this);
        }
    }
}
