package dev.reelay.spring.boot.internal;

import dev.reelay.PipelineOptions;
import dev.reelay.dashboard.DashboardOptions;
import dev.reelay.media.MediaOptions;
import dev.reelay.outbox.Outbox;
import dev.reelay.outbox.OutboxOptions;
import dev.reelay.outbox.PostgresOutbox;
import dev.reelay.spring.boot.PipelineOptionsCustomizer;
import dev.reelay.spring.boot.ReelayProperties;
import dev.reelay.storage.S3StorageOptions;
import dev.reelay.webhook.NetworkPolicy;
import dev.reelay.webhook.WebhookEndpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * {@link ReelayProperties} to the library's options. Every value goes through the library's own
 * builders, which check it; a refusal becomes an {@link InvalidReelayPropertyException} naming the
 * property, never its value.
 */
public final class PipelineOptionsFactory {

    private PipelineOptionsFactory() {
    }

    /** The options of the properties, then of the customizers, with this journal (null: per the properties). */
    public static PipelineOptions create(ReelayProperties p, Outbox outbox, List<PipelineOptionsCustomizer> customizers) {
        PipelineOptions.Builder b = PipelineOptions.builder();
        b.s3(store(p.getStore()));
        if (present(p.getStore().getKeyPrefix())) {
            check("reelay.store.key-prefix", () -> b.keyPrefix(p.getStore().getKeyPrefix()));
        }
        List<WebhookEndpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < p.getWebhooks().size(); i++) {
            endpoints.add(webhook("reelay.webhooks[" + i + "]", p.getWebhooks().get(i)));
        }
        check("reelay.webhooks", () -> b.webhooks(endpoints));
        ReelayProperties.Bounds bounds = p.getBounds();
        b.recordingsInFlight(positive("reelay.bounds.recordings-in-flight", bounds.getRecordingsInFlight()));
        b.uploadsInFlight(positive("reelay.bounds.uploads-in-flight", bounds.getUploadsInFlight()));
        if (bounds.getUploadTimeout() != null) {
            b.uploadTimeout(positive("reelay.bounds.upload-timeout", bounds.getUploadTimeout()));
        }
        b.closeGracePeriod(notNegative("reelay.lifecycle.close-grace-period", p.getLifecycle().getCloseGracePeriod()));
        notNegative("reelay.lifecycle.retry-interval", p.getLifecycle().getRetryInterval());
        check("reelay.upload-source", () -> b.uploadSource(p.getUploadSource()));
        check("reelay.metadata-file-name", () -> b.metadataFileName(p.getMetadataFileName()));
        b.media(media(p.getMedia()));
        b.networkPolicy(networkPolicy(p.getNetworkPolicy()));
        b.outbox(outbox(p.getOutbox(), outbox));
        customizers.forEach(c -> c.customize(b));
        return check("reelay", b::build);
    }

    /** The shared journal of {@code reelay.outbox.postgres.*} on the application's data source; the caller closes it. */
    public static Outbox postgresOutbox(ReelayProperties.Outbox p, DataSource dataSource) {
        if (dataSource == null) {
            throw new InvalidReelayPropertyException("reelay.outbox.type", "is postgres, but the application has no "
                    + "DataSource bean (add spring-boot-starter-jdbc and the PostgreSQL driver, and set spring.datasource.url)");
        }
        ReelayProperties.Postgres pg = p.getPostgres();
        PostgresOutbox.Builder b = PostgresOutbox.builder(dataSource);
        if (present(pg.getSchema())) {
            check("reelay.outbox.postgres.schema", () -> b.schema(pg.getSchema()));
        }
        check("reelay.outbox.postgres.table-prefix", () -> b.tablePrefix(pg.getTablePrefix()));
        b.lease(positive("reelay.outbox.postgres.lease", pg.getLease()));
        b.connections(positive("reelay.outbox.postgres.connections", pg.getConnections()));
        if (present(pg.getInstanceName())) {
            check("reelay.outbox.postgres.instance-name", () -> b.instanceName(pg.getInstanceName()));
        }
        b.retention(positive("reelay.outbox.retention", p.getRetention()));
        b.createSchema(pg.isCreateSchema());
        return check("reelay.outbox.postgres", b::build);
    }

    /** The dashboard's options of {@code reelay.dashboard.*}. */
    public static DashboardOptions dashboard(ReelayProperties.Dashboard d) {
        String prefix = "reelay.dashboard.";
        DashboardOptions.Builder b = DashboardOptions.builder();
        required(prefix + "host", d.getHost());
        b.host(d.getHost());
        if (d.getPort() < 0 || d.getPort() > 65535) {
            throw new InvalidReelayPropertyException(prefix + "port", "must be 0 to 65535 (0 picks a free port), was " + d.getPort());
        }
        b.port(d.getPort());
        if (present(d.getToken())) {
            if (d.getToken().strip().length() < 16) {
                throw new InvalidReelayPropertyException(prefix + "token", "must hold at least 16 characters "
                        + "(leave it out to have one made up at start)");
            }
            b.accessToken(d.getToken());
        }
        return check("reelay.dashboard", b::build);
    }

    private static S3StorageOptions store(ReelayProperties.Store s) {
        String prefix = "reelay.store.";
        required(prefix + "region", s.getRegion());
        required(prefix + "bucket", s.getBucket());
        S3StorageOptions.Builder b = S3StorageOptions.builder();
        if (s.getEndpoint() != null && !s.getEndpoint().toString().isEmpty()) {
            check(prefix + "endpoint", () -> b.endpoint(s.getEndpoint()));
        }
        check(prefix + "region", () -> b.region(s.getRegion()));
        check(prefix + "bucket", () -> b.bucket(s.getBucket()));
        boolean key = s.getAccessKeyId() != null && !s.getAccessKeyId().isBlank();
        boolean secret = s.getSecretAccessKey() != null && !s.getSecretAccessKey().isBlank();
        if (key != secret) {
            throw new InvalidReelayPropertyException(prefix + (key ? "secret-access-key" : "access-key-id"),
                    "must be set with " + prefix + (key ? "access-key-id" : "secret-access-key")
                            + " (or leave both out for the AWS SDK's default credentials chain)");
        }
        if (key) {
            check(prefix + "access-key-id", () -> b.credentials(s.getAccessKeyId(), s.getSecretAccessKey()));
        }
        if (s.getPresignedUrlExpiry() != null) {
            check(prefix + "presigned-url-expiry", () -> b.presignedUrls(s.getPresignedUrlExpiry()));
        }
        long threshold = s.getMultipartThreshold() == null ? 0 : s.getMultipartThreshold().toBytes();
        if (threshold <= 0) {
            throw new InvalidReelayPropertyException(prefix + "multipart-threshold", "must be greater than 0");
        }
        b.multipartThreshold(threshold);
        long partSize = s.getPartSize() == null ? 0 : s.getPartSize().toBytes();
        if (partSize < S3StorageOptions.MIN_PART_SIZE) {
            throw new InvalidReelayPropertyException(prefix + "part-size", "must be at least 5MB, was " + partSize + " bytes");
        }
        b.partSize(partSize);
        b.partsInFlight(positive(prefix + "parts-in-flight", s.getPartsInFlight()));
        b.maxConnections(positive(prefix + "max-connections", s.getMaxConnections()));
        b.idleTimeout(positive(prefix + "idle-timeout", s.getIdleTimeout()));
        // checked again as a whole: what only the combination can refuse (the part size is checked at build)
        return check(prefix + "part-size", b::build);
    }

    private static WebhookEndpoint webhook(String prefix, ReelayProperties.Webhook w) {
        required(prefix + ".url", w.getUrl());
        WebhookEndpoint.Builder b = check(prefix + ".url", () -> WebhookEndpoint.builder(w.getUrl()));
        if (present(w.getName())) {
            check(prefix + ".name", () -> b.name(w.getName()));
        }
        if (present(w.getSecret())) {
            check(prefix + ".secret", () -> b.secret(w.getSecret()));
        }
        if (present(w.getBearerToken())) {
            check(prefix + ".bearer-token", () -> b.bearerToken(w.getBearerToken()));
        }
        if (w.isSecretPath()) {
            b.secretPath();
        }
        if (w.isAllowInsecureHttp()) {
            b.allowInsecureHttp();
        }
        b.attemptTimeout(positive(prefix + ".attempt-timeout", w.getAttemptTimeout()));
        b.deadline(positive(prefix + ".deadline", w.getDeadline()));
        return check(prefix + ".url", b::build);
    }

    private static MediaOptions media(ReelayProperties.Media m) {
        if (!m.isEnabled()) {
            return MediaOptions.disabled();
        }
        String prefix = "reelay.media.";
        MediaOptions.Builder b = MediaOptions.builder();
        check(prefix + "thumbnail-offset", () -> b.thumbnailOffset(required(m.getThumbnailOffset())));
        check(prefix + "thumbnail-max-width", () -> b.thumbnailMaxWidth(m.getThumbnailMaxWidth()));
        check(prefix + "jpeg-quality", () -> b.jpegQuality(m.getJpegQuality()));
        if (m.getWorkDirectory() != null && !m.getWorkDirectory().toString().isEmpty()) {
            check(prefix + "work-directory", () -> b.workDirectory(m.getWorkDirectory()));
        }
        if (m.getDecodersInFlight() != null) {
            b.decodersInFlight(positive(prefix + "decoders-in-flight", m.getDecodersInFlight()));
        }
        b.timeout(positive(prefix + "timeout", m.getTimeout()));
        return check("reelay.media", b::build);
    }

    private static NetworkPolicy networkPolicy(ReelayProperties.NetworkPolicy n) {
        if (!n.isPublicOnly()) {
            if (!n.getAllow().isEmpty()) {
                throw new InvalidReelayPropertyException("reelay.network-policy.allow",
                        "only applies with reelay.network-policy.public-only=true (every address is allowed otherwise)");
            }
            return NetworkPolicy.allowAll();
        }
        return check("reelay.network-policy.allow", () -> NetworkPolicy.publicOnly().allowing(n.getAllow().toArray(String[]::new)));
    }

    private static OutboxOptions outbox(ReelayProperties.Outbox o, Outbox outbox) {
        if (o.getType() == ReelayProperties.OutboxType.DISABLED && outbox == null) {
            return OutboxOptions.disabled();
        }
        String prefix = "reelay.outbox.";
        OutboxOptions.Builder b = OutboxOptions.builder();
        if (outbox != null) {
            b.outbox(outbox);
        } else if (o.getType() == ReelayProperties.OutboxType.POSTGRES) {
            throw new IllegalStateException("the postgres journal is a bean of its own; none was given");
        } else if (o.getDirectory() != null && !o.getDirectory().toString().isEmpty()) {
            check(prefix + "directory", () -> b.directory(o.getDirectory()));
        }
        List<Duration> schedule = o.getRetrySchedule();
        if (schedule == null || schedule.isEmpty()) {
            throw new InvalidReelayPropertyException(prefix + "retry-schedule", "must hold at least one delay");
        }
        for (int i = 0; i < schedule.size(); i++) {
            positive(prefix + "retry-schedule[" + i + "]", schedule.get(i));
        }
        b.retrySchedule(schedule);
        b.giveUpAfter(positive(prefix + "give-up-after", o.getGiveUpAfter()));
        b.retention(positive(prefix + "retention", o.getRetention()));
        return check(prefix + "retry-schedule", b::build);
    }

    private static int positive(String property, int value) {
        if (value <= 0) {
            throw new InvalidReelayPropertyException(property, "must be greater than 0, was " + value);
        }
        return value;
    }

    private static Duration positive(String property, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new InvalidReelayPropertyException(property, value == null ? "must be set" : "must be longer than 0, was " + value);
        }
        return value;
    }

    private static Duration notNegative(String property, Duration value) {
        if (value == null || value.isNegative()) {
            throw new InvalidReelayPropertyException(property, value == null ? "must be set" : "must not be negative, was " + value);
        }
        return value;
    }

    /** Set and not blank: an empty value (a placeholder's empty default, {@code key:} in YAML) means "not set". */
    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }

    private static void required(String property, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidReelayPropertyException(property, "must be set");
        }
    }

    private static <T> T required(T value) {
        if (value == null) {
            throw new IllegalArgumentException("must be set");
        }
        return value;
    }

    private static <T> T check(String property, Supplier<T> step) {
        try {
            return step.get();
        } catch (IllegalArgumentException | NullPointerException e) {
            // the library's messages name no secret (its rule); the value itself is never added
            throw new InvalidReelayPropertyException(property, "is invalid: " + e.getMessage());
        }
    }
}
