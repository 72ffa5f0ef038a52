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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The media step of the pipeline: probes each recording's video and, when the recording brings
 * no thumbnail, cuts one into a work file. Every decode runs on a bounded scheduler of its own
 * ({@code reelay-media-*}, at most {@link MediaOptions#decodersInFlight()} at once), never on
 * the subscriber's thread. A video that cannot be read never fails the job: the job goes on
 * with a warning that names the recording and the file.
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
    private boolean closed;

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
            Attempt attempt = new Attempt();
            return Mono.fromCallable(() -> media(job, video.get(), needsThumbnail, attempt))
                    .subscribeOn(scheduler())
                    .doOnNext(done -> attempt.handedOver())
                    .doOnCancel(attempt::cancel)
                    .onErrorResume(RejectedExecutionException.class, e -> Mono.just(warn(job,
                            "recording " + job.id() + ": " + video.get().name() + ": media skipped: more than "
                                    + QUEUED_PER_THREAD + " videos waiting per decoder", null)));
        });
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
        synchronized (this) {
            closed = true;
            s = scheduler;
            scheduler = null;
        }
        if (s != null) {
            s.dispose();
        }
    }

    private synchronized Scheduler scheduler() {
        if (closed) {
            throw new IllegalStateException("the media stage is closed");
        }
        if (scheduler == null) {
            scheduler = Schedulers.newBoundedElastic(options.decodersInFlight(), QUEUED_PER_THREAD, "reelay-media",
                    60, true);
        }
        return scheduler;
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
            Files.createDirectories(options.workDirectory());
            target = Files.createTempFile(options.workDirectory(), "recording-" + job.id() + "-", "-" + name);
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
