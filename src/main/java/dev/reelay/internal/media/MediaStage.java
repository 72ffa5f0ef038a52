package dev.reelay.internal.media;

import dev.reelay.FileAccess;
import dev.reelay.FileRole;
import dev.reelay.RecordingFile;
import dev.reelay.RecordingJob;
import dev.reelay.internal.LocalFiles;
import dev.reelay.media.MediaException;
import dev.reelay.media.MediaOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The media step of the pipeline: probes each recording's video and, when the recording brings
 * no thumbnail, cuts one into a work file. Every decode runs on threads of its own
 * ({@code reelay-media-*}, at most {@link MediaOptions#decodersInFlight()} at once), never on
 * the subscriber's thread. A video that cannot be read, or whose decode takes longer than
 * {@link MediaOptions#timeout()}, never fails the job: the job goes on with a warning that names
 * the recording and the file.
 *
 * <p>A decode that times out cannot be stopped (FFmpeg does not stop mid-frame): its thread is
 * abandoned, and the pool gets a thread more so that {@code decodersInFlight} decodes can still
 * run; it shrinks back when the abandoned decode returns. At most {@code decodersInFlight}
 * threads are abandoned at once; while that many are, videos are not decoded. Work files live
 * in a folder of this stage's own under the work directory ({@link WorkDirectory}).
 *
 * <p>The pipeline's prepare stage calls {@link #prepare} per job after validation; its upload
 * stage calls {@link #cleanup} once the job's files are uploaded, whatever happened, with
 * {@code usingWhen} so that an error or a cancel downstream still deletes the thumbnail.
 *
 * <p>{@link #close} stops the media threads with the pipeline.
 */
public final class MediaStage implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("dev.reelay.media");
    /** Tasks that may wait per media thread before the scheduler refuses more. */
    private static final int QUEUED_PER_THREAD = 10_000;

    private final MediaOptions options;
    private final FileAccess fileAccess;
    private Scheduler scheduler;
    private ThreadPoolExecutor decoders;
    private WorkDirectory work;
    private boolean closed;
    /** Decodes that timed out and have not returned yet. */
    private final AtomicInteger abandoned = new AtomicInteger();

    public MediaStage(MediaOptions options) {
        this(options, FileAccess.followLinks());
    }

    /** A stage that decodes only videos {@code fileAccess} lets it read. */
    public MediaStage(MediaOptions options, FileAccess fileAccess) {
        this.options = Objects.requireNonNull(options, "options");
        this.fileAccess = Objects.requireNonNull(fileAccess, "fileAccess");
    }

    /**
     * The job with its probed duration and, unless it brought one, a thumbnail (also listed in
     * {@link RecordingJob#workFiles()}), or with a warning saying why not. Returns the job as it
     * is when media is disabled, the job is rejected or it has no video. Never errors for a bad
     * video; nothing runs before subscription; a cancelled decode leaves no file behind.
     */
    public Mono<RecordingJob> prepare(RecordingJob job) {
        Objects.requireNonNull(job, "job");
        return Mono.defer(() -> {
            Optional<RecordingFile> video = job.rejected() || !options.enabled() ? Optional.empty()
                    : job.files().stream().filter(f -> f != null && f.role() == FileRole.VIDEO).findFirst();
            if (video.isEmpty()) {
                return Mono.just(job);
            }
            boolean needsThumbnail = job.files().stream().noneMatch(f -> f != null && f.role() == FileRole.THUMBNAIL);
            String who = "recording " + job.id() + ": " + video.get().name() + ": ";
            int hung = abandoned.get();
            if (hung >= options.decodersInFlight()) {
                return Mono.just(warn(job, who + "media skipped: " + hung + " earlier decodes did not return within "
                        + seconds(options.timeout()) + " and still hold their threads (a hung file or network mount?)", null));
            }
            Attempt attempt = new Attempt();
            Sinks.Empty<Void> started = Sinks.empty();
            return Mono.fromCallable(() -> {
                        started.tryEmitEmpty();
                        attempt.running();
                        try {
                            return media(job, video.get(), needsThumbnail, attempt);
                        } finally {
                            if (attempt.returned()) {
                                abandonedReturned();
                            }
                        }
                    })
                    .subscribeOn(scheduler())
                    // handing a task to the decoders' pool takes its lock: not on the subscriber's thread,
                    // which may be one that must not block
                    .subscribeOn(Schedulers.boundedElastic())
                    // the time counts from when a decoder takes the video, not while it waits for one
                    .timeout(started.asMono().then(Mono.delay(options.timeout())))
                    .doOnNext(done -> attempt.handedOver())
                    .doOnCancel(attempt::cancel)
                    .onErrorResume(TimeoutException.class, e -> {
                        attempt.cancel();
                        RecordingJob warned = warn(job, who + "media timed out after " + seconds(options.timeout())
                                + ": duration not probed, thumbnail not made", null);
                        // resizing the pool takes its lock too: the timeout fires on a parallel thread
                        return !attempt.abandon() ? Mono.just(warned)
                                : Mono.fromRunnable(this::abandon).subscribeOn(Schedulers.boundedElastic()).thenReturn(warned);
                    })
                    .onErrorResume(RejectedExecutionException.class, e -> Mono.just(warn(job,
                            who + "media skipped: more than " + QUEUED_PER_THREAD + " videos waiting per decoder", null)));
        });
    }

    /**
     * Removes the work files that runs which died left in the work directory (a pipeline's own
     * folder, once its lock is free). Does nothing when media is off.
     */
    public Mono<Void> sweepWorkFiles() {
        return Mono.defer(() -> !options.enabled() ? Mono.<Void>empty()
                : Mono.<Void>fromRunnable(() -> {
                    Path own;
                    synchronized (this) {
                        own = work == null ? null : work.path();
                    }
                    WorkDirectory.sweep(options.workDirectory(), own);
                }).subscribeOn(Schedulers.boundedElastic()));
    }

    /** Deletes the job's work files on a thread that may block; missing files are fine. */
    public Mono<Void> cleanup(RecordingJob job) {
        Objects.requireNonNull(job, "job");
        return Mono.defer(() -> job.workFiles().isEmpty() ? Mono.<Void>empty()
                : Mono.<Void>fromRunnable(() -> job.workFiles().forEach(MediaStage::delete))
                        .subscribeOn(Schedulers.boundedElastic()));
    }

    /**
     * Stops the media threads; later {@link #prepare} calls error. It does not wait: a decode
     * under way runs to its end on its thread (FFmpeg cannot be interrupted mid-frame).
     */
    @Override
    public void close() {
        Scheduler s;
        WorkDirectory w;
        synchronized (this) {
            closed = true;
            s = scheduler;
            scheduler = null;
            w = work;
            work = null;
        }
        if (s != null) {
            s.dispose();
        }
        if (w != null) {
            w.close();
        }
    }

    private synchronized Scheduler scheduler() {
        if (closed) {
            throw new IllegalStateException("the media stage is closed");
        }
        if (scheduler == null) {
            int n = options.decodersInFlight();
            AtomicInteger threads = new AtomicInteger();
            decoders = new ThreadPoolExecutor(n, n, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(n * QUEUED_PER_THREAD),
                    r -> {
                        Thread t = new Thread(r, "reelay-media-" + threads.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            decoders.allowCoreThreadTimeOut(true);
            scheduler = Schedulers.fromExecutorService(decoders, "reelay-media");
        }
        return scheduler;
    }

    /** A decode was abandoned: one thread more, so that as many decodes as before can run. */
    private synchronized void abandon() {
        abandoned.incrementAndGet();
        if (decoders != null) {
            decoders.setMaximumPoolSize(decoders.getMaximumPoolSize() + 1);
            decoders.setCorePoolSize(decoders.getCorePoolSize() + 1);
        }
    }

    /** An abandoned decode returned: its thread is free again, and the pool shrinks back. */
    private synchronized void abandonedReturned() {
        abandoned.decrementAndGet();
        if (decoders != null) {
            decoders.setCorePoolSize(decoders.getCorePoolSize() - 1);
            decoders.setMaximumPoolSize(decoders.getMaximumPoolSize() - 1);
        }
    }

    /** Decodes that timed out and still run; for tests and health checks. */
    public int abandonedDecodes() {
        return abandoned.get();
    }

    /** This stage's own folder for work files, claimed (and the dead runs' swept) on first use. On a media thread. */
    private synchronized Path workFolder() throws IOException {
        if (closed) {
            throw new IOException("the media stage is closed");
        }
        if (work == null) {
            work = WorkDirectory.claim(options.workDirectory());
        }
        return work.path();
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    // ---- on a media thread

    private RecordingJob media(RecordingJob job, RecordingFile video, boolean needsThumbnail, Attempt attempt) {
        String probeOff = ffmpegOff(options.probe());
        String thumbnailOff = needsThumbnail ? ffmpegOff(options.thumbnailer()) : null;
        // NativeMedia has said why, once, in the log: here one warning per job and no log line.
        if (probeOff != null && (thumbnailOff != null || !needsThumbnail)) {
            return job.withWarning("recording " + job.id() + ": thumbnails and probing are off: " + probeOff);
        }
        String who = "recording " + job.id() + ": " + video.name() + ": ";
        Optional<String> refused = LocalFiles.refusal(fileAccess, video.path());
        if (refused.isPresent()) {
            // the upload stage fails the file for the same reason; nothing of it is decoded or published
            return job.withWarning(who + "media skipped: " + refused.get());
        }
        if (Files.exists(video.path()) && !Files.isRegularFile(video.path())) {
            // a pipe or a device would hold FFmpeg in open() until someone writes to it
            return warn(job, who + (needsThumbnail ? "duration not probed, thumbnail not made: " : "duration not probed: ")
                    + "not a regular file (a pipe, a device or a folder)", null);
        }
        RecordingJob probed = job;
        Duration duration = null;
        if (probeOff != null) {
            probed = job.withWarning(who + "duration not probed: " + probeOff);
        } else {
            try {
                duration = Objects.requireNonNull(options.probe().probe(video.path()), "the probe returned null");
                probed = job.withProbedDuration(duration);
            } catch (RuntimeException e) {
                return warn(job, who + (needsThumbnail ? "duration not probed, thumbnail not made: "
                        : "duration not probed: ") + reason(e), e);
            }
        }
        if (!needsThumbnail || attempt.cancelled()) {
            return probed;
        }
        if (thumbnailOff != null) {
            return probed.withWarning(who + "thumbnail not made: " + thumbnailOff);
        }
        return thumbnail(probed, video, duration, who, attempt);
    }

    private RecordingJob thumbnail(RecordingJob job, RecordingFile video, Duration duration, String who, Attempt attempt) {
        String name = options.thumbnailName();
        if (job.files().stream().anyMatch(f -> f != null && name.equals(f.name()))) {
            return warn(job, who + "thumbnail not made: the recording already has a file named " + name, null);
        }
        Path target = null;
        try {
            target = Files.createTempFile(workFolder(), "recording-" + job.id() + "-", "-" + name);
            attempt.workFile(target);
            options.thumbnailer().thumbnail(video.path(), target, options.thumbnailSpec().withKnownDuration(duration));
            if (Files.size(target) == 0) {
                throw new MediaException(video.path(), "the thumbnailer wrote nothing");
            }
            List<RecordingFile> files = new ArrayList<>(job.files());
            files.add(RecordingFile.of(FileRole.THUMBNAIL, target, name));
            return job.withFiles(files).withWorkFile(target);
        } catch (IOException | RuntimeException e) {
            delete(target);
            return warn(job, who + "thumbnail not made: " + reason(e), e);
        } finally {
            attempt.finished();
        }
    }

    /** Why this part, when it is the FFmpeg default, cannot run here; null when it can. Loading takes time: call it on a media thread. */
    private static String ffmpegOff(Object part) {
        if (part instanceof JavaCvMedia && !((JavaCvMedia) part).natives().available()) {
            return ((JavaCvMedia) part).natives().unavailableReason();
        }
        return null;
    }

    private static String reason(Throwable e) {
        if (e instanceof MediaException) {
            return ((MediaException) e).problem();
        }
        return e.toString();
    }

    private static RecordingJob warn(RecordingJob job, String warning, Throwable unexpected) {
        if (unexpected == null || unexpected instanceof MediaException) {
            log.warn("{}", warning);
        } else {
            log.warn("{}", warning, unexpected);
        }
        return job.withWarning(warning);
    }

    private static void delete(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("Work file {} could not be deleted: {}", file, e.toString());
        }
    }

    /**
     * One job's decode and its work file. A cancel can come while the decode still runs (FFmpeg
     * does not stop mid-frame): whichever of the two ends last deletes the file, unless the
     * job was handed over downstream.
     */
    private static final class Attempt {
        private static final int WAITING = 0;
        private static final int RUNNING = 1;
        private static final int RETURNED = 2;
        private static final int ABANDONED = 3;
        private final AtomicInteger state = new AtomicInteger(WAITING);
        private final AtomicBoolean cancelled = new AtomicBoolean();
        private final AtomicBoolean finished = new AtomicBoolean();
        private final AtomicBoolean handedOver = new AtomicBoolean();
        private volatile Path workFile;

        void workFile(Path file) {
            workFile = file;
        }

        boolean cancelled() {
            return cancelled.get();
        }

        void handedOver() {
            handedOver.set(true);
        }

        void running() {
            state.set(RUNNING);
        }

        /** Left running after a timeout; false when it had returned (or never started). */
        boolean abandon() {
            return state.compareAndSet(RUNNING, ABANDONED);
        }

        /** The decode returned; true when it had been abandoned. */
        boolean returned() {
            return !state.compareAndSet(RUNNING, RETURNED) && state.compareAndSet(ABANDONED, RETURNED);
        }

        void cancel() {
            cancelled.set(true);
            if (finished.get() && !handedOver.get()) {
                delete(workFile);
            }
        }

        void finished() {
            finished.set(true);
            if (cancelled.get() && !handedOver.get()) {
                delete(workFile);
            }
        }
    }
}
