package dev.reelay.internal.storage;

import dev.reelay.internal.EventLoops;
import dev.reelay.storage.ObjectStore;
import dev.reelay.storage.ObjectUpload;
import dev.reelay.storage.S3StorageOptions;
import dev.reelay.storage.StoredObject;
import dev.reelay.storage.UrlStrategy;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import software.amazon.awssdk.core.async.AsyncRequestBody;

/**
 * The default {@link ObjectStore}: the AWS SDK v2 async client, with multipart uploads of our
 * own so that each part is retried on its own, parts stream from disk, and an interrupted upload
 * continues from its stored parts. Requests fail when they stall, never for taking long.
 */
public final class S3ObjectStore implements ObjectStore, AutoCloseable {

    private final S3StorageOptions options;
    private final String bucket;
    private final UrlStrategy urls;
    private final S3Calls calls;
    private final MultipartUploads multipart;
    /** The event loops, when this store made them (and so shuts them down); null when they are a pipeline's. */
    private final EventLoops ownLoops;

    /** A store with event loops of its own, shut down by {@link #close()}. */
    public S3ObjectStore(S3StorageOptions options) {
        this(options, new EventLoops(), true);
    }

    /** A store whose client runs on {@code loops}, which stay open when it closes (a pipeline's, shared with its webhooks). */
    public S3ObjectStore(S3StorageOptions options, EventLoops loops) {
        this(options, loops, false);
    }

    private S3ObjectStore(S3StorageOptions options, EventLoops loops, boolean ownsLoops) {
        this.options = options;
        this.ownLoops = ownsLoops ? loops : null;
        this.bucket = options.bucket();
        this.urls = options.presignedUrlExpiry().isPresent() ? new PresignedUrls(options) : options.urlStrategy();
        this.calls = new S3Calls(options, new LinkWatch(options.idleTimeout(), Schedulers.parallel()), loops);
        this.multipart = new MultipartUploads(options, calls, new PartPacer(options.maxConnections()));
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
            Mono<Integer> stored = upload.file().isEmpty() ? putBytes(upload, attempts)
                    : fileState(upload).flatMap(state -> state.size() >= options.multipartThreshold()
                    ? multipart.put(upload, state, attempts)
                    : putFile(upload, state, attempts));
            return stored
                    .map(n -> new StoredObject(upload.key(), url(upload.key()), upload.size(), n))
                    .onErrorMap(e -> S3Errors.toStoreException(bucket, upload.key(), Math.max(1, attempts.get()), e));
        });
    }

    /** The file as it is now, which must be as the upload says: a file that changed since it was handed in is not sent. */
    private Mono<FileState> fileState(ObjectUpload upload) {
        Path file = upload.file().orElseThrow();
        return Mono.fromCallable(() -> FileState.of(file))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(state -> state.size() == upload.size() ? Mono.just(state)
                        : Mono.error(FileChangedException.of(file, new FileState(upload.size(), state.modified()), state)));
    }

    @Override
    public Mono<Long> size(String key) {
        AtomicInteger attempts = new AtomicInteger();
        return calls.request(attempts, (c, watch) -> c.headObject(r -> r.bucket(bucket).key(key)
                        .overrideConfiguration(calls.override())))
                .map(r -> r.contentLength())
                .onErrorResume(e -> MultipartUploads.notFound(e) ? Mono.empty() : Mono.error(e))
                .onErrorMap(e -> S3Errors.toStoreException(bucket, key, Math.max(1, attempts.get()), e));
    }

    /** Resolves to the attempts it took. */
    private Mono<Integer> putBytes(ObjectUpload upload, AtomicInteger attempts) {
        byte[] bytes = upload.bytes().orElseThrow();
        return calls.request(attempts, (c, watch) -> c.putObject(r -> r.bucket(bucket).key(upload.key())
                                .contentType(upload.contentType()).contentLength((long) bytes.length)
                                .overrideConfiguration(calls.override()),
                        TrackedBody.ofBytes(AsyncRequestBody.fromBytesUnsafe(bytes), bytes.length, upload.progress(), watch)))
                .then(Mono.fromSupplier(attempts::get));
    }

    /** A file under the multipart threshold, in one streamed PUT. Resolves to the attempts it took. */
    private Mono<Integer> putFile(ObjectUpload upload, FileState state, AtomicInteger attempts) {
        // a multipart upload of it that a journal remembers has no use any more (the threshold moved)
        Mono<Void> stale = upload.resumableFrom().map(p -> multipart.abort(upload.key(), p.uploadId())).orElse(Mono.empty());
        return stale.then(calls.request(attempts, (c, watch) -> c.putObject(r -> r.bucket(bucket).key(upload.key())
                                .contentType(upload.contentType()).contentLength(state.size())
                                .overrideConfiguration(calls.override()),
                        MultipartUploads.fileBody(upload, state, 0, state.size(), watch))))
                .then(Mono.fromSupplier(attempts::get));
    }

    /**
     * Builds the S3 client (and so its loops and the SDK's classes) ahead of the first request, on a thread that
     * may block; errors are the first request's to report. Nothing for a host's client.
     */
    public Mono<Void> warmUp() {
        return calls.warmUp();
    }

    /**
     * Closes the client if Reelay built it (a host's client stays open), then the event loops if they are this
     * store's own. Blocks until they have stopped: call it from a thread that may block.
     */
    @Override
    public synchronized void close() {
        if (urls instanceof PresignedUrls) {
            ((PresignedUrls) urls).close();
        }
        calls.close();
        if (ownLoops != null) {
            ownLoops.close();
        }
    }

    @Override
    public String toString() {
        return "S3ObjectStore{" + options + "}";
    }
}
