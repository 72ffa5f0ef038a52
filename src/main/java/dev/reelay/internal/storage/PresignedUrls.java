package dev.reelay.internal.storage;

import dev.reelay.storage.S3StorageOptions;
import dev.reelay.storage.UrlStrategy;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** Presigned GET URLs, signed like the uploads: same endpoint, region, addressing and credentials. */
final class PresignedUrls implements UrlStrategy, AutoCloseable {

    private final S3StorageOptions options;
    private final Duration expiry;
    private volatile S3Presigner presigner;

    PresignedUrls(S3StorageOptions options) {
        this.options = options;
        this.expiry = options.presignedUrlExpiry().orElseThrow();
    }

    @Override
    public String url(String bucket, String key) {
        return presigner().presignGetObject(r -> r.signatureDuration(expiry)
                        .getObjectRequest(g -> g.bucket(bucket).key(key)))
                .url().toString();
    }

    private S3Presigner presigner() {
        S3Presigner p = presigner;
        if (p == null) {
            synchronized (this) {
                p = presigner;
                if (p == null) {
                    S3Presigner.Builder b = S3Presigner.builder()
                            .region(Region.of(options.region()))
                            .serviceConfiguration(S3Configuration.builder()
                                    .pathStyleAccessEnabled(options.endpoint().isPresent())
                                    .build());
                    options.endpoint().ifPresent(b::endpointOverride);
                    options.credentials().ifPresent(b::credentialsProvider);
                    p = b.build();
                    presigner = p;
                }
            }
        }
        return p;
    }

    @Override
    public synchronized void close() {
        if (presigner != null) {
            presigner.close();
        }
    }

    @Override
    public String toString() {
        return "PresignedUrls{expiry=" + expiry + ", endpoint=" + options.endpoint().map(URI::toString).orElse("AWS") + "}";
    }
}
