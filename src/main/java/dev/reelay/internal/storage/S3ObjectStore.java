package dev.reelay.internal.storage;

import dev.reelay.ReelayException;
import dev.reelay.storage.ObjectStore;
import dev.reelay.storage.ObjectUpload;
import dev.reelay.storage.S3StorageOptions;
import dev.reelay.storage.StoredObject;
import dev.reelay.storage.UrlStrategy;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.RetryBackoffSpec;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.FileRequestBodyConfiguration;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * The default {@link ObjectStore}: the AWS SDK v2 async client, with multipart uploads of our
 * own so that each part is retried on its own, parts stream from disk, and a failed or
 * cancelled upload is aborted.
 */
public final class S3ObjectStore implements ObjectStore, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(S3ObjectStore.class);
    private static final int MAX_PARTS = 10_000;
    private static final int CHUNK_SIZE = 64 * 1024;

    private final S3StorageOptions options;
    private final String bucket;
    private final UrlStrategy urls;
    private volatile S3AsyncClient client;
    private volatile boolean closed;

    public S3ObjectStore(S3StorageOptions options) {
        this.options = options;
        this.bucket = options.bucket();
        this.client = options.client().orElse(null);
        this.urls = options.presignedUrlExpiry().isPresent() ? new PresignedUrls(options) : options.urlStrategy();
    }

    @Override
    public String bucket() {
        return bucket;
    }

    @Override
    public String region() {
        return options.region();
    }

    @Override
    public String url(String key) {
        return urls.url(bucket, key);
    }

    @Override
    public Mono<StoredObject> put(ObjectUpload upload) {
        return Mono.defer(() -> {
            AtomicInteger attempts = new AtomicInteger();
            Mono<Integer> stored = upload.size() >= options.multipartThreshold() && upload.file().isPresent()
                    ? putMultipart(upload, attempts)
                    : putSingle(upload, attempts);
            return stored
                    .map(n -> new StoredObject(upload.key(), url(upload.key()), upload.size(), n))
                    .onErrorMap(e -> S3Errors.toStoreException(bucket, upload.key(), Math.max(1, attempts.get()), e));
        });
    }

    @Override
    public Mono<Long> size(String key) {
        AtomicInteger attempts = new AtomicInteger();
        return request(attempts, c -> c.headObject(r -> r.bucket(bucket).key(key)))
                .map(r -> r.contentLength())
                .onErrorResume(e -> notFound(e) ? Mono.empty() : Mono.error(e))
                .onErrorMap(e -> S3Errors.toStoreException(bucket, key, Math.max(1, attempts.get()), e));
    }

    private static boolean notFound(Throwable e) {
        Throwable t = S3Errors.unwrap(e);
        return t instanceof AwsServiceException && ((AwsServiceException) t).statusCode() == 404;
    }

    /** Resolves to the attempts it took. */
    private Mono<Integer> putSingle(ObjectUpload upload, AtomicInteger attempts) {
        return request(attempts, c -> c.putObject(
                r -> r.bucket(bucket).key(upload.key()).contentType(upload.contentType()).contentLength(upload.size()),
                body(upload, 0, upload.size())))
                .then(Mono.fromSupplier(attempts::get));
    }

    /**
     * Resolves to the attempts of the request that needed the most; {@code mostAttempts} holds
     * that count as it goes, for the error message when the upload fails.
     */
    private Mono<Integer> putMultipart(ObjectUpload upload, AtomicInteger mostAttempts) {
        long size = upload.size();
        long partSize = Math.max(options.partSize(), (size + MAX_PARTS - 1) / MAX_PARTS);
        int parts = (int) ((size + partSize - 1) / partSize);
        String key = upload.key();
        AtomicInteger createAttempts = new AtomicInteger();
        Mono<String> create = request(createAttempts,
                c -> c.createMultipartUpload(r -> r.bucket(bucket).key(key).contentType(upload.contentType())))
                .map(r -> r.uploadId())
                .doFinally(s -> mostAttempts.accumulateAndGet(createAttempts.get(), Math::max));
        return Mono.usingWhen(create,
                uploadId -> Flux.range(1, parts)
                        .flatMapSequential(n -> uploadPart(upload, uploadId, n, partSize, mostAttempts),
                                options.partsInFlight(), 1)
                        .collectList()
                        .flatMap(done -> complete(key, uploadId, done, size, mostAttempts))
                        .then(Mono.fromSupplier(mostAttempts::get)),
                uploadId -> Mono.empty(),
                (uploadId, error) -> abort(key, uploadId),
                uploadId -> abort(key, uploadId));
    }

    private Mono<CompletedPart> uploadPart(ObjectUpload upload, String uploadId, int partNumber, long partSize,
                                           AtomicInteger mostAttempts) {
        long offset = (partNumber - 1L) * partSize;
        long length = Math.min(partSize, upload.size() - offset);
        AtomicInteger attempts = new AtomicInteger();
        return request(attempts, c -> c.uploadPart(
                r -> r.bucket(bucket).key(upload.key()).uploadId(uploadId).partNumber(partNumber).contentLength(length),
                body(upload, offset, length)))
                .map((UploadPartResponse r) -> CompletedPart.builder().partNumber(partNumber).eTag(r.eTag())
                        .checksumCRC32(r.checksumCRC32()).build())
                .doFinally(s -> mostAttempts.accumulateAndGet(attempts.get(), Math::max));
    }

    private Mono<Void> complete(String key, String uploadId, List<CompletedPart> parts, long size,
                                AtomicInteger mostAttempts) {
        AtomicInteger attempts = new AtomicInteger();
        return request(attempts, c -> c.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId)
                .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build())))
                .then()
                // A retried complete whose first try did land finds no upload any more: the object tells.
                .onErrorResume(e -> attempts.get() > 1 && notFound(e),
                        e -> size(key).filter(n -> n == size)
                                .switchIfEmpty(Mono.error(e))
                                .then())
                .doFinally(s -> mostAttempts.accumulateAndGet(attempts.get(), Math::max));
    }

    private Mono<Void> abort(String key, String uploadId) {
        return client()
                .flatMap(c -> Mono.fromFuture(() -> c.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId)))
                        .subscribeOn(Schedulers.boundedElastic()))
                .timeout(options.attemptTimeout())
                .doOnError(e -> log.warn("Could not abort the multipart upload of s3://{}/{}: {}", bucket, key,
                        S3Errors.unwrap(e).toString()))
                .onErrorResume(e -> Mono.empty())
                .then();
    }

    private AsyncRequestBody body(ObjectUpload upload, long offset, long length) {
        AsyncRequestBody body;
        if (upload.file().isPresent()) {
            Path file = upload.file().get();
            body = AsyncRequestBody.fromFile(FileRequestBodyConfiguration.builder()
                    .path(file)
                    .position(offset)
                    .numBytesToRead(length)
                    .chunkSizeInBytes(CHUNK_SIZE)
                    .build());
        } else {
            byte[] bytes = upload.bytes().orElseThrow();
            body = AsyncRequestBody.fromBytesUnsafe(bytes);
        }
        return new ProgressRequestBody(body, upload.progress());
    }

    /**
     * One S3 call: a new future per attempt, a timeout per attempt, retries of what may
     * succeed later only, counting the attempts. The call itself (signing, marshalling, opening
     * the file) is started on a thread that may block: the SDK's request path takes locks, and
     * must not run on an event loop or a parallel thread, whoever subscribes.
     */
    private <T> Mono<T> request(AtomicInteger attempts, java.util.function.Function<S3AsyncClient, CompletableFuture<T>> call) {
        RetryBackoffSpec retry = options.retry().filter(S3Errors::retryable);
        return client()
                .flatMap(c -> Mono.fromFuture((Supplier<CompletableFuture<T>>) () -> {
                    attempts.incrementAndGet();
                    return call.apply(c);
                }).subscribeOn(Schedulers.boundedElastic()))
                .timeout(options.attemptTimeout())
                .retryWhen(retry.onRetryExhaustedThrow((spec, signal) -> signal.failure()));
    }

    private Mono<S3AsyncClient> client() {
        S3AsyncClient c = client;
        if (c != null) {
            return Mono.just(c);
        }
        return Mono.fromCallable(this::createClient).subscribeOn(Schedulers.boundedElastic());
    }

    private synchronized S3AsyncClient createClient() {
        if (closed) {
            throw new ReelayException("the object store is closed");
        }
        if (client == null) {
            S3AsyncClientBuilder b = S3AsyncClient.builder()
                    .region(Region.of(options.region()))
                    .httpClientBuilder(NettyNioAsyncHttpClient.builder().maxConcurrency(options.maxConnections()))
                    // Our retries are per request and per part; the SDK's would stack on them.
                    .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
            options.credentials().ifPresent(b::credentialsProvider);
            options.endpoint().ifPresent(endpoint -> b.endpointOverride(endpoint)
                    .forcePathStyle(true)
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED));
            client = b.build();
        }
        return client;
    }

    /** Closes the client if Reelay built it; a host's client stays open. */
    @Override
    public synchronized void close() {
        closed = true;
        if (urls instanceof PresignedUrls) {
            ((PresignedUrls) urls).close();
        }
        S3AsyncClient c = client;
        if (c != null && options.client().isEmpty()) {
            c.close();
        }
    }

    @Override
    public String toString() {
        return "S3ObjectStore{" + options + "}";
    }
}
