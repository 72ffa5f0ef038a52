package dev.reelay.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reelay.internal.storage.S3ObjectStore;
import dev.reelay.support.FaultyFront;
import dev.reelay.support.Recordings;
import dev.reelay.support.S3TestServer;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * A multipart upload continued from its {@link MultipartProgress} sends only the parts the store
 * does not hold (bytes counted at a front before the store); one that cannot be continued is
 * aborted and started again; nothing unfinished is left in the bucket.
 */
class MultipartResumeTest {

    static final long PART = 5L << 20;
    static final long SIZE = 6 * PART;
    /** Request headers and the like: far below a part. */
    static final long OVERHEAD = 64 * 1024;
    static final Duration LIMIT = Duration.ofSeconds(60);

    static S3TestServer s3;
    FaultyFront front;
    S3ObjectStore store;
    @TempDir
    Path dir;
    Path file;

    @BeforeAll
    static void startS3() {
        s3 = S3TestServer.start();
    }

    @AfterAll
    static void stopS3() {
        s3.close();
    }

    @BeforeEach
    void setUp() {
        front = FaultyFront.in(s3.endpoint());
        store = new S3ObjectStore(s3.options(front.endpoint()).multipartThreshold(PART).partSize(PART).build());
        file = Recordings.file(dir, "video.mkv", SIZE);
    }

    @AfterEach
    void tearDown() {
        store.close();
        front.close();
        s3.clear();
        s3.unfinishedUploads().forEach(u -> {
            String[] keyAndId = u.split(" ");
            s3.client().abortMultipartUpload(r -> r.bucket(S3TestServer.BUCKET).key(keyAndId[0]).uploadId(keyAndId[1])).join();
        });
    }

    /** Keeps what a journal would: the upload's start and each part as it is stored. */
    static final class Journal implements MultipartListener {
        final AtomicReference<MultipartProgress> progress = new AtomicReference<>();
        final List<String> started = new ArrayList<>();
        final AtomicInteger parts = new AtomicInteger();
        final Sinks.Empty<Void> enough = Sinks.empty();
        final int stopAfter;

        Journal(int stopAfter) {
            this.stopAfter = stopAfter;
        }

        @Override
        public synchronized Mono<Void> started(MultipartProgress p) {
            started.add(p.uploadId());
            progress.set(p);
            return Mono.empty();
        }

        @Override
        public synchronized Mono<Void> partStored(String uploadId, MultipartProgress.Part part) {
            progress.updateAndGet(p -> p.withPart(part));
            if (parts.incrementAndGet() == stopAfter) {
                enough.tryEmitEmpty();
            }
            return Mono.empty();
        }
    }

    ObjectUpload upload(String key) {
        return ObjectUpload.ofFile(key, file, SIZE, "video/x-matroska");
    }

    /** Stores two parts of {@code key}, then cancels the upload as a stop would; the journal holds its progress. */
    Journal interruptedAfterTwoParts(String key) {
        Journal journal = new Journal(2);
        StepVerifier.create(store.put(upload(key).withMultipartListener(journal)).takeUntilOther(journal.enough.asMono()))
                .expectComplete()
                .verify(LIMIT);
        assertThat(s3.unfinishedUploads()).as("kept for a later attempt").hasSize(1);
        // the cancelled request's connection closes; what the OS had buffered for it is not the next upload's
        await().atMost(Duration.ofSeconds(30)).until(() -> front.openConnections() == 0);
        return journal;
    }

    long storedBytes(String key, String uploadId) {
        return s3.client().listParts(r -> r.bucket(S3TestServer.BUCKET).key(key).uploadId(uploadId)).join()
                .parts().stream().mapToLong(p -> p.size()).sum();
    }

    StoredObject put(ObjectUpload upload) {
        AtomicReference<StoredObject> stored = new AtomicReference<>();
        StepVerifier.create(store.put(upload)).consumeNextWith(stored::set).expectComplete().verify(LIMIT);
        return stored.get();
    }

    void assertStoredWhole(String key) throws Exception {
        assertThat(s3.sha256(key)).isEqualTo(S3TestServer.sha256(Files.readAllBytes(file)));
        assertThat(s3.unfinishedUploads()).as("no unfinished upload left").isEmpty();
    }

    @Test
    void anUploadContinuedFromItsProgressSendsOnlyThePartsTheStoreDoesNotHold() throws Exception {
        Journal first = interruptedAfterTwoParts("1/video.mkv");
        MultipartProgress progress = first.progress.get();
        assertThat(progress.parts()).hasSizeGreaterThanOrEqualTo(2);
        long held = storedBytes("1/video.mkv", progress.uploadId());
        front.resetCounts();

        Journal second = new Journal(0);
        put(upload("1/video.mkv").resumeFrom(progress).withMultipartListener(second));

        assertThat(front.bytesUp()).isBetween(SIZE - held, SIZE - held + OVERHEAD);
        assertThat(second.started).containsExactly(progress.uploadId());
        assertThat(second.progress.get().parts()).hasSize(6);
        assertStoredWhole("1/video.mkv");
    }

    @Test
    void withoutAJournalTheNewestUploadOfTheKeyIsContinuedWhereItsPartsMatchTheFile() throws Exception {
        Journal first = interruptedAfterTwoParts("2/video.mkv");
        String uploadId = first.progress.get().uploadId();
        long held = storedBytes("2/video.mkv", uploadId);
        // the first part's bytes change but not the file's size: its MD5 no longer matches, it is sent again
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(100);
            f.write(new byte[] {1, 2, 3, 4});
        }
        front.resetCounts();

        Journal second = new Journal(0);
        put(upload("2/video.mkv").withMultipartListener(second));

        assertThat(second.started).containsExactly(uploadId);
        assertThat(front.bytesUp()).isBetween(SIZE - held + PART, SIZE - held + PART + OVERHEAD);
        assertStoredWhole("2/video.mkv");
    }

    @Test
    void anUploadTheStoreForgotIsStartedAgain() throws Exception {
        Journal first = interruptedAfterTwoParts("3/video.mkv");
        MultipartProgress progress = first.progress.get();
        s3.client().abortMultipartUpload(r -> r.bucket(S3TestServer.BUCKET).key("3/video.mkv").uploadId(progress.uploadId()))
                .join();
        front.resetCounts();

        Journal second = new Journal(0);
        put(upload("3/video.mkv").resumeFrom(progress).withMultipartListener(second));

        assertThat(second.started).hasSize(1).doesNotContain(progress.uploadId());
        assertThat(front.bytesUp()).isBetween(SIZE, SIZE + OVERHEAD);
        assertStoredWhole("3/video.mkv");
    }

    @Test
    void anUploadWhoseFileChangedSinceIsAbortedAndStartedAgain() throws Exception {
        Journal first = interruptedAfterTwoParts("4/video.mkv");
        MultipartProgress progress = first.progress.get();
        Files.setLastModifiedTime(file, FileTime.fromMillis(progress.fileModifiedMillis() + 60_000));
        front.resetCounts();

        Journal second = new Journal(0);
        put(upload("4/video.mkv").resumeFrom(progress).withMultipartListener(second));

        assertThat(second.started).hasSize(1).doesNotContain(progress.uploadId());
        assertThat(front.bytesUp()).isBetween(SIZE, SIZE + OVERHEAD);
        assertStoredWhole("4/video.mkv");
    }

    @Test
    void unfinishedUploadsOfTheKeyThatCannotBeContinuedAreAborted() throws Exception {
        for (int i = 0; i < 2; i++) {
            s3.client().createMultipartUpload(r -> r.bucket(S3TestServer.BUCKET).key("5/video.mkv")).join();
        }
        s3.client().createMultipartUpload(r -> r.bucket(S3TestServer.BUCKET).key("5/video.mkv.other")).join();
        assertThat(s3.unfinishedUploads()).hasSize(3);

        put(upload("5/video.mkv"));

        assertThat(s3.sha256("5/video.mkv")).isEqualTo(S3TestServer.sha256(Files.readAllBytes(file)));
        assertThat(s3.unfinishedUploads()).as("another key's upload is not ours to judge").singleElement().asString()
                .startsWith("5/video.mkv.other ");
    }

    @Test
    void withoutAListenerACancelledUploadIsAborted() {
        Sinks.Empty<Void> stop = Sinks.empty();
        AtomicLong sent = new AtomicLong();
        StepVerifier.create(store.put(upload("6/video.mkv").withProgress(n -> {
                            if (sent.addAndGet(n) > PART + PART / 2) {
                                stop.tryEmitEmpty();
                            }
                        }))
                        .takeUntilOther(stop.asMono()))
                .expectComplete()
                .verify(LIMIT);

        // the abort goes out as the cancel comes back: one request, after the test's cancel returned
        await().atMost(Duration.ofSeconds(20)).until(() -> s3.unfinishedUploads().isEmpty());
    }
}
