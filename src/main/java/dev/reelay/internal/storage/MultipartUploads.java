package dev.reelay.internal.storage;

import dev.reelay.storage.MultipartListener;
import dev.reelay.storage.MultipartProgress;
import dev.reelay.storage.MultipartProgress.Part;
import dev.reelay.storage.ObjectUpload;
import dev.reelay.storage.S3StorageOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.FileRequestBodyConfiguration;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * Reelay's own multipart uploads: each part is retried on its own, parts stream from disk, and
 * an upload continues from the parts the store confirms.
 *
 * <p>Before a file's upload starts, the store's unfinished uploads of the same key are listed:
 * the one to continue is kept (the one the journal names, when the file still has the size and
 * modification time it had then; without a journal, the newest, whose parts are each checked
 * against an MD5 of the file's bytes), and every other one is aborted. A continued upload sends
 * only the parts the store does not confirm. An upload whose file changed is aborted; one that
 * fails for a reason that may pass, or is cancelled, is left for a later attempt when someone
 * keeps its progress (a {@link MultipartListener}), and aborted otherwise.
 */
final class MultipartUploads {

    private static final Logger log = LoggerFactory.getLogger(S3ObjectStore.class);
    private static final int MAX_PARTS = 10_000;
    private static final int CHUNK_SIZE = 64 * 1024;

    private final S3StorageOptions options;
    private final String bucket;
    private final S3Calls calls;
    private final PartPacer pacer;

    MultipartUploads(S3StorageOptions options, S3Calls calls, PartPacer pacer) {
        this.options = options;
        this.bucket = options.bucket();
        this.calls = calls;
        this.pacer = pacer;
    }

    /** The part size for a file of {@code size} bytes: the options', or larger when 10,000 parts would not hold it. */
    long partSize(long size) {
        return Math.max(options.partSize(), (size + MAX_PARTS - 1) / MAX_PARTS);
    }

    /**
     * Stores the file in parts. Resolves to the attempts of the request that needed the most;
     * {@code mostAttempts} holds that count as it goes, for the error message when it fails.
     */
    Mono<Integer> put(ObjectUpload upload, FileState state, AtomicInteger mostAttempts) {
        long size = state.size();
        long partSize = partSize(size);
        int count = (int) ((size + partSize - 1) / partSize);
        String key = upload.key();
        Optional<MultipartListener> listener = upload.multipartListener();
        return continuable(upload, state, partSize, count)
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .flatMap(found -> found.map(Mono::just).orElseGet(() -> create(upload, mostAttempts)
                        .map(id -> new Continuation(id, Map.of()))))
                .flatMap(c -> Mono.usingWhen(Mono.just(c),
                        go -> send(upload, state, go, partSize, count, mostAttempts),
                        go -> Mono.empty(),
                        (go, error) -> keepsAfter(error, listener.isPresent()) ? kept(key, go, error) : abort(key, go.uploadId),
                        go -> listener.isPresent() ? kept(key, go, null) : abort(key, go.uploadId)));
    }

    private Mono<Integer> send(ObjectUpload upload, FileState state, Continuation c, long partSize, int count,
                               AtomicInteger mostAttempts) {
        String key = upload.key();
        MultipartProgress started = new MultipartProgress(c.uploadId, partSize, state.size(), state.modifiedMillis(),
                new ArrayList<>(c.confirmed.values()));
        if (!c.confirmed.isEmpty()) {
            log.info("Continuing the upload of s3://{}/{}: {} of {} parts ({} of {} bytes) are stored already", bucket, key,
                    c.confirmed.size(), count, started.storedBytes(), state.size());
        }
        return listened(upload, l -> l.started(started), "its start")
                .thenMany(Flux.range(1, count)
                        .filter(n -> !c.confirmed.containsKey(n))
                        .flatMapSequential(n -> pacer.paced(() -> uploadPart(upload, state, c.uploadId, n, partSize, mostAttempts))
                                        .flatMap(part -> listened(upload, l -> l.partStored(c.uploadId, part), "part " + n)
                                                .thenReturn(part)),
                                options.partsInFlight(), 1))
                .collectList()
                .flatMap(sent -> {
                    Map<Integer, Part> all = new TreeMap<>(c.confirmed);
                    sent.forEach(p -> all.put(p.number(), p));
                    return complete(key, c.uploadId, new ArrayList<>(all.values()), state.size(), mostAttempts);
                })
                .then(Mono.fromSupplier(mostAttempts::get));
    }

    /** A listener's write; its failure is logged, never fails the upload. */
    private Mono<Void> listened(ObjectUpload upload, java.util.function.Function<MultipartListener, Mono<Void>> event,
                                String what) {
        return upload.multipartListener()
                .map(l -> Mono.defer(() -> event.apply(l))
                        .onErrorResume(e -> {
                            log.warn("The multipart listener of s3://{}/{} failed on {}: {}", bucket, upload.key(), what,
                                    e.toString());
                            return Mono.empty();
                        }))
                .orElse(Mono.empty());
    }

    private Mono<Part> uploadPart(ObjectUpload upload, FileState state, String uploadId, int partNumber, long partSize,
                                  AtomicInteger mostAttempts) {
        long offset = (partNumber - 1L) * partSize;
        long length = Math.min(partSize, state.size() - offset);
        AtomicInteger attempts = new AtomicInteger();
        AtomicReference<LinkWatch.Request> last = new AtomicReference<>();
        int inFlightAtStart = pacer.inFlight();
        return calls.request(attempts, (c, watch) -> {
                    last.set(watch);
                    return c.uploadPart(r -> r.bucket(bucket).key(upload.key()).uploadId(uploadId).partNumber(partNumber)
                                    .contentLength(length).overrideConfiguration(calls.override()),
                            fileBody(upload, state, offset, length, watch));
                })
                .map(r -> {
                    LinkWatch.Request watch = last.get();
                    if (watch != null && watch.firstTaken() != 0) {
                        pacer.sample(length, watch.now() - watch.firstTaken(), (inFlightAtStart + pacer.inFlight() + 1) / 2);
                    }
                    return new Part(partNumber, r.eTag(), length);
                })
                .doFinally(s -> mostAttempts.accumulateAndGet(attempts.get(), Math::max));
    }

    static AsyncRequestBody fileBody(ObjectUpload upload, FileState state, long offset, long length, LinkWatch.Request watch) {
        Path file = upload.file().orElseThrow();
        AsyncRequestBody body = AsyncRequestBody.fromFile(FileRequestBodyConfiguration.builder()
                .path(file)
                .position(offset)
                .numBytesToRead(length)
                .chunkSizeInBytes(CHUNK_SIZE)
                .build());
        return TrackedBody.ofFile(body, length, upload.progress(), watch, file, state);
    }

    private Mono<String> create(ObjectUpload upload, AtomicInteger mostAttempts) {
        AtomicInteger attempts = new AtomicInteger();
        return calls.request(attempts, (c, watch) -> c.createMultipartUpload(r -> r.bucket(bucket).key(upload.key())
                        .contentType(upload.contentType()).overrideConfiguration(calls.override())))
                .map(r -> r.uploadId())
                .doFinally(s -> mostAttempts.accumulateAndGet(attempts.get(), Math::max));
    }

    private Mono<Void> complete(String key, String uploadId, List<Part> parts, long size, AtomicInteger mostAttempts) {
        AtomicInteger attempts = new AtomicInteger();
        List<CompletedPart> completed = parts.stream()
                .sorted(Comparator.comparingInt(Part::number))
                .map(p -> CompletedPart.builder().partNumber(p.number()).eTag(p.eTag()).build())
                .toList();
        return calls.request(attempts, (c, watch) -> c.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId)
                        .multipartUpload(CompletedMultipartUpload.builder().parts(completed).build())
                        .overrideConfiguration(calls.override())))
                .then()
                // A retried complete whose first try did land finds no upload any more: the object tells.
                .onErrorResume(e -> attempts.get() > 1 && notFound(e),
                        e -> calls.request(new AtomicInteger(), (c, watch) -> c.headObject(r -> r.bucket(bucket).key(key)
                                        .overrideConfiguration(calls.override())))
                                .filter(r -> r.contentLength() == size)
                                .switchIfEmpty(Mono.error(e))
                                .then())
                .doFinally(s -> mostAttempts.accumulateAndGet(attempts.get(), Math::max));
    }

    // ---- continuing

    /** The upload to continue, with the parts the store confirms; empty when a new one must start. */
    private Mono<Continuation> continuable(ObjectUpload upload, FileState state, long partSize, int count) {
        String key = upload.key();
        Optional<MultipartProgress> journaled = upload.resumableFrom();
        Optional<String> usable = journaled
                .filter(p -> state.sameAs(p.fileSize(), p.fileModifiedMillis()) && p.partSize() == partSize)
                .map(MultipartProgress::uploadId);
        journaled.filter(p -> usable.isEmpty()).ifPresent(p -> log.info(
                "The multipart upload {} of s3://{}/{} cannot be continued: the file or the part size changed since it started;"
                        + " it is aborted and the file sent again", p.uploadId(), bucket, key));
        return uploadsOf(key)
                .flatMap(listed -> {
                    // the journal's upload if it may go on (and the store lists it, when it can list);
                    // without a journal, the newest upload of the key, to be checked part by part
                    String candidate = journaled.isPresent()
                            ? usable.filter(id -> listed.isEmpty() || listed.get().contains(id)).orElse(null)
                            : listed.flatMap(ids -> ids.stream().findFirst()).orElse(null);
                    List<String> others = new ArrayList<>(listed.orElse(List.of()));
                    if (listed.isEmpty()) {
                        journaled.map(MultipartProgress::uploadId).filter(id -> !id.equals(candidate)).ifPresent(others::add);
                    }
                    others.remove(candidate);
                    Mono<Void> aborted = Flux.fromIterable(others).concatMap(id -> abort(key, id)).then();
                    if (candidate == null) {
                        return aborted.then(Mono.<Continuation>empty());
                    }
                    return aborted
                            .then(confirmedParts(upload, state, candidate, partSize, count, journaled.isEmpty())
                                    .map(Optional::of)
                                    .defaultIfEmpty(Optional.empty()))
                            .flatMap(confirmed -> {
                                // unknown to the store, or nothing of it vouched for: a fresh upload is as cheap and clearer
                                if (confirmed.isEmpty() || confirmed.get().isEmpty() && journaled.isEmpty()) {
                                    return abort(key, candidate).then(Mono.<Continuation>empty());
                                }
                                return Mono.just(new Continuation(candidate, confirmed.get()));
                            });
                });
    }

    /**
     * The store's unfinished uploads of exactly this key, newest first; empty inside when the
     * store cannot list them (no permission, not implemented): then nothing is swept.
     */
    private Mono<Optional<List<String>>> uploadsOf(String key) {
        return listUploads(key, null, null, new ArrayList<>())
                .map(Optional::of)
                .onErrorResume(e -> {
                    log.debug("Could not list the unfinished uploads of s3://{}/{}: {}", bucket, key, S3Errors.unwrap(e).toString());
                    return Mono.just(Optional.empty());
                });
    }

    private Mono<List<String>> listUploads(String key, String keyMarker, String idMarker, List<MultipartUpload> found) {
        return calls.once(c -> c.listMultipartUploads(r -> r.bucket(bucket).prefix(key).keyMarker(keyMarker)
                        .uploadIdMarker(idMarker).overrideConfiguration(calls.override())))
                .flatMap((ListMultipartUploadsResponse page) -> {
                    page.uploads().stream().filter(u -> key.equals(u.key())).forEach(found::add);
                    if (Boolean.TRUE.equals(page.isTruncated()) && page.nextKeyMarker() != null && found.size() < 1_000) {
                        return listUploads(key, page.nextKeyMarker(), page.nextUploadIdMarker(), found);
                    }
                    return Mono.just(found.stream()
                            .sorted(Comparator.comparing((MultipartUpload u) -> u.initiated() == null ? Instant.EPOCH : u.initiated())
                                    .reversed())
                            .map(MultipartUpload::uploadId)
                            .toList());
                });
    }

    /**
     * The parts of the upload the store holds with the size they must have; checked against an
     * MD5 of the file's bytes too when no journal vouches for the file. Empty (no element) when
     * the store does not know the upload.
     */
    private Mono<Map<Integer, Part>> confirmedParts(ObjectUpload upload, FileState state, String uploadId, long partSize,
                                                    int count, boolean verifyContent) {
        return listParts(upload.key(), uploadId, null, new ArrayList<>())
                .onErrorResume(e -> {
                    log.info("The multipart upload {} of s3://{}/{} cannot be continued: {}", uploadId, bucket, upload.key(),
                            S3Errors.unwrap(e).toString());
                    return Mono.empty();
                })
                .flatMap(listed -> {
                    List<Part> sized = listed.stream()
                            .filter(p -> p.number() <= count && p.size() == expectedSize(p.number(), partSize, state.size()))
                            .toList();
                    if (!verifyContent) {
                        return Mono.just(byNumber(sized));
                    }
                    return Mono.fromCallable(() -> byNumber(sameBytes(upload.file().orElseThrow(), sized, partSize)))
                            .subscribeOn(Schedulers.boundedElastic());
                });
    }

    private static Map<Integer, Part> byNumber(List<Part> parts) {
        Map<Integer, Part> m = new TreeMap<>();
        parts.forEach(p -> m.put(p.number(), p));
        return m;
    }

    private static long expectedSize(int number, long partSize, long size) {
        return Math.min(partSize, size - (number - 1L) * partSize);
    }

    private Mono<List<Part>> listParts(String key, String uploadId, Integer marker, List<Part> found) {
        return calls.once(c -> c.listParts(r -> r.bucket(bucket).key(key).uploadId(uploadId).partNumberMarker(marker)
                        .overrideConfiguration(calls.override())))
                .flatMap((ListPartsResponse page) -> {
                    page.parts().forEach(p -> found.add(new Part(p.partNumber(), p.eTag(), p.size())));
                    if (Boolean.TRUE.equals(page.isTruncated()) && page.nextPartNumberMarker() != null
                            && found.size() <= MAX_PARTS) {
                        return listParts(key, uploadId, page.nextPartNumberMarker(), found);
                    }
                    return Mono.just(found);
                });
    }

    /** The parts whose entity tag is the MD5 of the file's bytes at their place (a blocking read). */
    private static List<Part> sameBytes(Path file, List<Part> parts, long partSize) throws IOException {
        List<Part> same = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.allocate(256 * 1024);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            for (Part p : parts) {
                String tag = p.eTag().replace("\"", "").toLowerCase(Locale.ROOT);
                if (tag.length() != 32) {
                    continue; // not an MD5 (an encrypted or composite tag): cannot be vouched for
                }
                MessageDigest md5 = md5();
                long position = (p.number() - 1L) * partSize;
                long left = p.size();
                while (left > 0) {
                    buffer.clear().limit((int) Math.min(buffer.capacity(), left));
                    int n = channel.read(buffer, position);
                    if (n < 0) {
                        break;
                    }
                    buffer.flip();
                    md5.update(buffer);
                    position += n;
                    left -= n;
                }
                if (left == 0 && HexFormat.of().formatHex(md5.digest()).equals(tag)) {
                    same.add(p);
                }
            }
        }
        return same;
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is not available", e);
        }
    }

    // ---- ending

    /**
     * Whether an upload that failed is left for a later attempt: only when someone keeps its
     * progress, and only for a failure that may pass; a changed file or a refusal is aborted.
     */
    private static boolean keepsAfter(Throwable error, boolean listened) {
        return listened && S3Errors.retryable(error);
    }

    private Mono<Void> kept(String key, Continuation c, Throwable error) {
        return Mono.fromRunnable(() -> log.info("The multipart upload {} of s3://{}/{} is kept for a later attempt ({})",
                c.uploadId, bucket, key, error == null ? "cancelled" : S3Errors.unwrap(error).toString()));
    }

    /** Aborts an upload, once; logged, never failed: a failure leaves it to the bucket's lifecycle rule. */
    Mono<Void> abort(String key, String uploadId) {
        return calls.once(c -> c.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId)
                        .overrideConfiguration(calls.override())))
                .doOnError(e -> log.warn("Could not abort the multipart upload {} of s3://{}/{}: {}", uploadId, bucket, key,
                        S3Errors.unwrap(e).toString()))
                .onErrorResume(e -> Mono.empty())
                .then();
    }

    static boolean notFound(Throwable e) {
        Throwable t = S3Errors.unwrap(e);
        return t instanceof AwsServiceException && ((AwsServiceException) t).statusCode() == 404;
    }

    /** An upload to go on with, and the parts of it the store holds. */
    private record Continuation(String uploadId, Map<Integer, Part> confirmed) {
    }
}
