package dev.reelay.examples;

import dev.reelay.PipelineOptions;
import dev.reelay.storage.S3StorageOptions;
import dev.reelay.webhook.WebhookEndpoint;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import reactor.util.retry.Retry;

/**
 * The store and the receiver the examples talk to: the real ones named by the configuration,
 * or in-process stand-ins ({@link EmbeddedS3}, {@link DemoReceiver}) for what it leaves unset.
 * Closing it stops what it started.
 *
 * <pre>{@code
 * try (DemoServices services = DemoServices.start(QuickStartConfig.fromEnvironment(System.getenv()));
 *      RecordingPipeline pipeline = RecordingPipeline.create(services.pipelineOptions().build())) {
 *     ...
 * }
 * }</pre>
 */
final class DemoServices implements AutoCloseable {

    private final EmbeddedS3 embeddedS3;
    private final DemoReceiver receiver;
    private final S3StorageOptions storage;
    private final WebhookEndpoint webhook;
    private final boolean generatedSecret;

    private DemoServices(EmbeddedS3 embeddedS3, DemoReceiver receiver, S3StorageOptions storage,
                         WebhookEndpoint webhook, boolean generatedSecret) {
        this.embeddedS3 = embeddedS3;
        this.receiver = receiver;
        this.storage = storage;
        this.webhook = webhook;
        this.generatedSecret = generatedSecret;
    }

    static DemoServices start(QuickStartConfig config) {
        EmbeddedS3 s3 = null;
        DemoReceiver receiver = null;
        try {
            S3StorageOptions storage;
            if (config.s3Endpoint().isPresent()) {
                storage = S3StorageOptions.builder()
                        .endpoint(config.s3Endpoint().get())
                        .region(config.s3Region())
                        .bucket(config.s3Bucket())
                        .credentials(config.s3AccessKey().orElseThrow(), config.s3SecretKey().orElseThrow())
                        .build();
            } else {
                s3 = config.s3AccessKey().isPresent()
                        ? EmbeddedS3.start(config.s3Bucket(), config.s3Region(),
                                config.s3AccessKey().get(), config.s3SecretKey().orElseThrow())
                        : EmbeddedS3.start(config.s3Bucket(), config.s3Region());
                storage = s3.storageOptions();
            }

            // Sign even the demo's requests, so that the signature header shows.
            String secret = config.webhookSecret().orElse(null);
            boolean generatedSecret = secret == null && config.webhookUrl().isEmpty();
            if (generatedSecret) {
                secret = newSecret();
            }
            String url;
            if (config.webhookUrl().isPresent()) {
                url = config.webhookUrl().get();
            } else {
                receiver = DemoReceiver.start(Set.of(config.userEmail()), secret, config.webhookToken().orElse(null));
                url = receiver.url();
            }
            WebhookEndpoint.Builder endpoint = WebhookEndpoint.builder(url)
                    // An example should fail within a minute, not after the default 5 minutes of retries.
                    .attemptTimeout(Duration.ofSeconds(10))
                    .deadline(Duration.ofMinutes(1))
                    .retry(Retry.backoff(3, Duration.ofMillis(500)).maxBackoff(Duration.ofSeconds(5)).jitter(0.5));
            if (secret != null) {
                endpoint.secret(secret);
            }
            config.webhookToken().ifPresent(endpoint::bearerToken);
            return new DemoServices(s3, receiver, storage, endpoint.build(), generatedSecret);
        } catch (RuntimeException e) {
            if (receiver != null) {
                receiver.close();
            }
            if (s3 != null) {
                s3.close();
            }
            throw e;
        }
    }

    /** A {@code whsec_} secret of 24 random bytes. */
    private static String newSecret() {
        byte[] key = new byte[24];
        new SecureRandom().nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }

    /** Options with the store and the receiver set; add your own before {@code build()}. */
    PipelineOptions.Builder pipelineOptions() {
        return PipelineOptions.builder()
                .s3(storage)
                .webhook(webhook);
    }

    /** The in-process receiver, when no REELAY_WEBHOOK_URL was given. */
    Optional<DemoReceiver> receiver() {
        return Optional.ofNullable(receiver);
    }

    WebhookEndpoint webhook() {
        return webhook;
    }

    /** Two lines saying where files and webhooks go; no secret in them. */
    List<String> describe() {
        String store = embeddedS3 != null
                ? "embedded S3Proxy at " + embeddedS3.endpoint() + " (bucket " + storage.bucket() + ", region "
                        + storage.region() + ")"
                : storage.endpoint().map(Object::toString).orElse("AWS S3") + " (bucket " + storage.bucket()
                        + ", region " + storage.region() + ")";
        String signing = webhook.signingKeys().isEmpty() ? "unsigned"
                : generatedSecret ? "signed with a whsec_ secret made up for this run" : "signed with REELAY_WEBHOOK_SECRET";
        String where = receiver != null ? "embedded DemoReceiver at " + webhook.displayUrl() : webhook.displayUrl();
        return List.of(
                "S3 store   " + store,
                "webhook    " + where + " (" + signing
                        + (webhook.bearerToken().isPresent() ? ", with a bearer token" : "") + ")");
    }

    @Override
    public void close() {
        try {
            if (receiver != null) {
                receiver.close();
            }
        } finally {
            if (embeddedS3 != null) {
                embeddedS3.close();
            }
        }
    }
}
