package dev.reelay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.PipelineResult.Status;
import dev.reelay.storage.S3StorageOptions;
import dev.reelay.support.FaultyFront;
import dev.reelay.support.Recordings;
import dev.reelay.support.S3TestServer;
import dev.reelay.support.ServersTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.util.retry.Retry;
import reactor.util.retry.RetryBackoffSpec;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/** Storage that fails: for a while, for good, and files large enough to go in parts. */
class StorageFaultsTest extends ServersTest {

    PipelineResult submit(S3StorageOptions storage, Recording recording) {
        return submit(PipelineOptions.builder().s3(storage).webhook(fastEndpoint(receiver.url()).build()).build(), recording);
    }

    static RetryBackoffSpec fastRetry() {
        return Retry.backoff(4, Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(100));
    }

    @Test
    void requestsResetByTheStoreAreRetriedUntilStored() throws Exception {
        try (FaultyFront front = FaultyFront.in(s3.endpoint())) {
            front.resetNext(3);
            Recording recording = Recordings.threeFiles(dir, 31, 300_000, 5_000, 1_000);

            PipelineResult result = submit(s3.options(front.endpoint()).retry(fastRetry()).build(), recording);

            assertThat(result.status()).isEqualTo(Status.COMPLETED);
            assertThat(front.dropped()).isEqualTo(3);
            // four objects, and one more attempt for each request the store reset
            assertThat(result.files().stream().mapToInt(FileOutcome::attempts).sum()
                    + result.metadataFile().orElseThrow().attempts()).isEqualTo(4 + 3);
            assertThat(s3.sha256("31/video.mkv"))
                    .isEqualTo(S3TestServer.sha256(Files.readAllBytes(dir.resolve("31/video.mkv"))));
            assertThat(receiver.requests()).hasSize(1);
        }
    }

    @Test
    void wrongCredentialsFailFastWithoutWebhook() {
        Recording recording = Recordings.threeFiles(dir, 32, 1000, 100, 10);
        S3StorageOptions storage = s3.options().credentials(S3TestServer.ACCESS_KEY, "not-the-secret-0123456789")
                .retry(fastRetry()).build();

        PipelineResult result = submit(storage, recording);

        assertThat(result.status()).isEqualTo(Status.UPLOAD_FAILED);
        assertThat(result.files()).allSatisfy(f -> {
            assertThat(f.stored()).isFalse();
            assertThat(f.attempts()).isEqualTo(1);
            assertThat(f.error()).contains("recording 32").contains(f.name()).contains("403");
        });
        assertThat(result.webhooks()).isEmpty();
        assertThat(receiver.requests()).isEmpty();
    }

    @Test
    void aMissingBucketFailsFastWithoutWebhook() {
        Recording recording = Recordings.threeFiles(dir, 33, 1000, 100, 10);

        PipelineResult result = submit(s3.options().bucket("no-such-bucket").retry(fastRetry()).build(), recording);

        assertThat(result.status()).isEqualTo(Status.UPLOAD_FAILED);
        assertThat(result.files()).allSatisfy(f -> {
            assertThat(f.attempts()).isEqualTo(1);
            assertThat(f.error()).contains("NoSuchBucket").contains("s3://no-such-bucket/33/");
        });
        assertThat(receiver.requests()).isEmpty();
    }

    @Test
    void credentialsThatCannotBeLoadedFailAtOnceWithoutRetries() {
        AtomicInteger asked = new AtomicInteger();
        AwsCredentialsProvider broken = () -> {
            asked.incrementAndGet();
            throw SdkClientException.create("Unable to load credentials from any of the providers in the chain");
        };
        Recording recording = Recordings.threeFiles(dir, 36, 1000, 100, 10);

        PipelineResult result = submit(s3.options().credentialsProvider(broken).retry(fastRetry()).build(), recording);

        assertThat(result.status()).isEqualTo(Status.UPLOAD_FAILED);
        assertThat(result.files()).allSatisfy(f -> {
            assertThat(f.attempts()).isEqualTo(1);
            assertThat(f.error()).contains("the credentials could not be loaded");
        });
        assertThat(asked.get()).isEqualTo(3);
    }

    @Test
    void theSdkRetriesOfAHostsClientDoNotStackOnReelays() throws Exception {
        try (FaultyFront front = FaultyFront.in(s3.endpoint());
             S3AsyncClient client = S3AsyncClient.builder()
                     .endpointOverride(front.endpoint())
                     .forcePathStyle(true)
                     .region(Region.of(S3TestServer.REGION))
                     .credentialsProvider(StaticCredentialsProvider.create(
                             AwsBasicCredentials.create(S3TestServer.ACCESS_KEY, S3TestServer.SECRET_KEY)))
                     .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                     .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                     .build()) { // the SDK's default: 3 attempts a request
            front.resetNext(2);
            Recording recording = Recordings.base(37).video(Recordings.file(dir, "video.mkv", 1000)).build();

            PipelineResult result = submit(s3.options(front.endpoint()).client(client).retry(fastRetry()).build(), recording);

            assertThat(result.status()).isEqualTo(Status.COMPLETED);
            // each request the front reset was one of Reelay's attempts: the SDK retried none of them itself
            assertThat(result.files().get(0).attempts()).isEqualTo(3);
        }
    }

    @Test
    void aRequestThatStallsIsCutAfterTheIdleTimeoutAndTriedAgain() throws Exception {
        try (FaultyFront front = FaultyFront.in(s3.endpoint())) {
            front.next(1, FaultyFront.Fault.STALL);
            Recording recording = Recordings.base(38).video(Recordings.file(dir, "video.mkv", 1000)).build();
            long start = System.nanoTime();

            PipelineResult result = submit(s3.options(front.endpoint()).idleTimeout(Duration.ofSeconds(1)).retry(fastRetry())
                    .build(), recording);

            assertThat(result.status()).isEqualTo(Status.COMPLETED);
            assertThat(result.files().get(0).attempts()).isEqualTo(2);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        }
    }

    @Test
    void aStoreThatNeverAcceptsEndsAfterTheRetries() throws Exception {
        try (FaultyFront front = FaultyFront.in(s3.endpoint())) {
            front.dropNext(Integer.MAX_VALUE);
            Recording recording = Recordings.base(34).video(Recordings.file(dir, "video.mkv", 1000)).build();

            PipelineResult result = submit(s3.options(front.endpoint())
                    .retry(Retry.backoff(2, Duration.ofMillis(10))).build(), recording);

            assertThat(result.status()).isEqualTo(Status.UPLOAD_FAILED);
            assertThat(result.files().get(0).attempts()).isEqualTo(3);
            assertThat(result.files().get(0).error()).contains("after 3 attempts");
            assertThat(receiver.requests()).isEmpty();
        }
    }

    @Test
    void aFortyMebibyteFileGoesInPartsAndComesBackIdentical() throws Exception {
        List<String> operations = new CopyOnWriteArrayList<>();
        try (S3AsyncClient client = S3AsyncClient.builder()
                .endpointOverride(s3.endpoint())
                .forcePathStyle(true)
                .region(Region.of(S3TestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3TestServer.ACCESS_KEY, S3TestServer.SECRET_KEY)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> o.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                        operations.add(context.request().getClass().getSimpleName());
                    }
                }))
                .build()) {
            Path video = Recordings.file(dir, "video.mkv", 40L * 1024 * 1024);
            Recording recording = Recordings.base(35).video(video).build();

            PipelineResult result = submit(s3.options().client(client).build(), recording);

            assertThat(result.status()).isEqualTo(Status.COMPLETED);
            assertThat(s3.sha256("35/video.mkv")).isEqualTo(S3TestServer.sha256(Files.readAllBytes(video)));
            assertThat(operations).containsOnlyOnce("CreateMultipartUploadRequest", "CompleteMultipartUploadRequest");
            assertThat(operations.stream().filter("UploadPartRequest"::equals).count()).isEqualTo(5);
            assertThat(receiver.requests().get(0).json().at("/file_info/individual_sizes_mb/video.mkv").asDouble())
                    .isEqualTo(40.0);
        }
    }
}
