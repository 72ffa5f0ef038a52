package dev.reelay.examples.boot;

import dev.reelay.PipelineClosedException;
import dev.reelay.PipelineResult;
import dev.reelay.Recording;
import dev.reelay.RecordingPipeline;
import dev.reelay.event.RecordingAccepted;
import dev.reelay.event.RecordingResumed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A small REST front of the pipeline: a recording posted as files (multipart) or as paths on disk is handed to
 * {@link RecordingPipeline#submit} and answered 202 once Reelay's journal holds it (not before: an answer given
 * earlier could be lost with the process); {@code GET /recordings/{id}} reads where it stands from the journal.
 */
@RestController
class RecordingsController {

    private static final Logger log = LoggerFactory.getLogger(RecordingsController.class);

    private final RecordingPipeline pipeline;
    private final SpoolProperties spool;

    RecordingsController(RecordingPipeline pipeline, SpoolProperties spool) {
        this.pipeline = pipeline;
        this.spool = spool;
    }

    /** The files themselves, e.g. {@code curl -F id=3 -F title=… -F username=… -F email=… -F video=@video.mkv …}. */
    @PostMapping(path = "/recordings", consumes = "multipart/form-data")
    Mono<ResponseEntity<Map<String, Object>>> upload(@RequestParam long id, @RequestParam String title,
                                               @RequestParam String username, @RequestParam String email,
                                               @RequestParam(required = false) Long durationSeconds,
                                               @RequestParam(required = false) MultipartFile video,
                                               @RequestParam(required = false) MultipartFile thumbnail,
                                               @RequestParam(required = false) MultipartFile transcript) throws IOException {
        if (id <= 0) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "id must be positive");
        }
        Path dir = Files.createDirectories(spool.spoolDirectory().resolve(Long.toString(id)));
        Recording.Builder recording = Recording.builder(id).title(title).createdAt(Instant.now()).user(username, email);
        if (durationSeconds != null) {
            recording.declaredDuration(Duration.ofSeconds(durationSeconds));
        }
        if (video != null) {
            recording.video(keep(video, dir, "video"));
        }
        if (thumbnail != null) {
            recording.thumbnail(keep(thumbnail, dir, "thumbnail"));
        }
        if (transcript != null) {
            recording.transcript(keep(transcript, dir, "transcript"));
        }
        return handOver(recording.build());
    }

    /** Paths of files already on this host, under {@code recordings.disk-directory}. */
    @PostMapping(path = "/recordings/from-disk", consumes = "application/json")
    Mono<ResponseEntity<Map<String, Object>>> fromDisk(@RequestBody OnDisk body) {
        Recording.Builder recording = Recording.builder(body.id()).title(body.title())
                .createdAt(body.createdAt() == null ? Instant.now() : body.createdAt())
                .user(body.username(), body.email());
        if (body.video() != null) {
            recording.video(underDiskDirectory(body.video()));
        }
        if (body.thumbnail() != null) {
            recording.thumbnail(underDiskDirectory(body.thumbnail()));
        }
        if (body.transcript() != null) {
            recording.transcript(underDiskDirectory(body.transcript()));
        }
        return handOver(recording.build());
    }

    /** Where a recording stands, from the journal: IN_PROGRESS, PENDING, PARKED, GAVE_UP, REJECTED or DONE. */
    @GetMapping("/recordings/{id}")
    Mono<ResponseEntity<Map<String, Object>>> status(@PathVariable long id) {
        return pipeline.outbox().entry(id)
                .map(e -> {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("recording_id", id);
                    body.put("state", e.state().name());
                    e.reasonIfAny().ifPresent(r -> body.put("reason", r));
                    body.put("attempts", e.attempts());
                    return ResponseEntity.ok(body);
                })
                .defaultIfEmpty(ResponseEntity.notFound().build());
    }

    /** A body of {@code POST /recordings/from-disk}. */
    record OnDisk(long id, String title, Instant createdAt, String username, String email,
                  String video, String thumbnail, String transcript) {
    }

    /**
     * Hands the recording to the pipeline and answers once Reelay's journal holds it (its
     * {@link RecordingAccepted} or {@link RecordingResumed} event): 202, and from then on nothing
     * is lost, whatever happens to this process. A recording the pipeline answers for at once is
     * answered with that result instead: already complete (200), invalid (422), or not accepted
     * because the journal refused it (503, to be sent again).
     */
    private Mono<ResponseEntity<Map<String, Object>>> handOver(Recording recording) {
        long id = recording.id();
        Sinks.One<PipelineResult> result = Sinks.one();
        // first the events (subscribed before the submission starts, so the acceptance cannot be missed) ...
        Mono<ResponseEntity<Map<String, Object>>> journaled = pipeline.events()
                .filter(e -> e instanceof RecordingAccepted a && a.recordingId() == id
                        || e instanceof RecordingResumed r && r.recordingId() == id)
                .next()
                .map(e -> answer(HttpStatus.ACCEPTED, recording, "accepted", null));
        // ... then the submission, on a subscription of its own: the run goes on after the answer
        Mono<ResponseEntity<Map<String, Object>>> answeredAtOnce = Mono.defer(() -> {
            pipeline.submit(recording).subscribe(
                    r -> {
                        log.info("Recording {}: {}{}", r.recordingId(), r.status(), r.reason().map(s -> " (" + s + ")").orElse(""));
                        result.tryEmitValue(r);
                    },
                    e -> {
                        if (e instanceof PipelineClosedException) {
                            log.info("Recording {} was cut off by the stop; the next start resumes it", id);
                        } else {
                            log.error("Recording {} failed in the pipeline", id, e);
                        }
                        result.tryEmitError(e);
                    });
            return result.asMono();
        }).map(r -> switch (r.status()) {
            case COMPLETED -> answer(HttpStatus.OK, recording, "completed", null);
            case NOT_ACCEPTED -> answer(HttpStatus.SERVICE_UNAVAILABLE, recording, "not accepted", r.reason().orElse(null));
            case REJECTED -> answer(HttpStatus.UNPROCESSABLE_ENTITY, recording, "rejected", r.reason().orElse(null));
            default -> answer(HttpStatus.ACCEPTED, recording, r.status().name().toLowerCase(java.util.Locale.ROOT),
                    r.reason().orElse(null));
        });
        return Mono.firstWithSignal(journaled, answeredAtOnce);
    }

    private static ResponseEntity<Map<String, Object>> answer(HttpStatus status, Recording recording, String state,
                                                              String reason) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("recording_id", recording.id());
        body.put("status", state);
        body.put("files", recording.files().size());
        if (reason != null) {
            body.put("reason", reason);
        }
        return ResponseEntity.status(status).body(body);
    }

    private static Path keep(MultipartFile file, Path dir, String role) throws IOException {
        String name = file.getOriginalFilename() == null ? role : Path.of(file.getOriginalFilename()).getFileName().toString();
        if (name.isBlank() || name.startsWith(".")) {
            name = role;
        }
        Path target = dir.resolve(name);
        file.transferTo(target);
        return target;
    }

    private Path underDiskDirectory(String path) {
        if (spool.diskDirectory() == null) {
            throw new ResponseStatusException(HttpStatus.FORBIDDEN, "recordings.disk-directory is not set");
        }
        Path base = spool.diskDirectory().toAbsolutePath().normalize();
        Path p = base.resolve(path).toAbsolutePath().normalize();
        if (!p.startsWith(base)) {
            throw new ResponseStatusException(HttpStatus.FORBIDDEN, "paths must be under recordings.disk-directory");
        }
        return p;
    }
}
