package dev.reelay;

import dev.reelay.storage.MultipartProgress;
import dev.reelay.webhook.WebhookOutcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A recording on its way through the pipeline, with what each stage produced so far. Immutable:
 * each {@code withX} returns a new job. A host's own stage reads what it needs and adds to it:
 *
 * <pre>{@code
 * Function<Flux<RecordingJob>, Flux<RecordingJob>> tagStage = jobs -> jobs.map(job ->
 *         job.rejected() ? job : job.withAttribute("reviewed", Boolean.TRUE));
 * }</pre>
 *
 * <p>A rejected job passes through every later stage untouched.
 */
public final class RecordingJob {

    private final Recording recording;
    private final String rejection;
    private final List<RecordingFile> files;
    private final List<Path> workFiles;
    private final Duration probedDuration;
    private final List<FileOutcome> uploads;
    private final RecordingMetadata metadata;
    private final FileOutcome metadataUpload;
    private final List<WebhookOutcome> webhooks;
    private final List<String> warnings;
    private final Map<String, Object> attributes;
    private final Map<String, MultipartProgress> resumableUploads;

    private RecordingJob(Recording recording, String rejection, List<RecordingFile> files, List<Path> workFiles,
                         Duration probedDuration, List<FileOutcome> uploads, RecordingMetadata metadata,
                         FileOutcome metadataUpload, List<WebhookOutcome> webhooks, List<String> warnings,
                         Map<String, Object> attributes, Map<String, MultipartProgress> resumableUploads) {
        this.recording = recording;
        this.rejection = rejection;
        this.files = files;
        this.workFiles = workFiles;
        this.probedDuration = probedDuration;
        this.uploads = uploads;
        this.metadata = metadata;
        this.metadataUpload = metadataUpload;
        this.webhooks = webhooks;
        this.warnings = warnings;
        this.attributes = attributes;
        this.resumableUploads = resumableUploads;
    }

    /** A new job for this recording, its files to be uploaded as the recording lists them. */
    public static RecordingJob of(Recording recording) {
        Objects.requireNonNull(recording, "recording");
        return new RecordingJob(recording, null, recording.files(), List.of(), null, List.of(), null, null,
                List.of(), List.of(), Map.of(), Map.of());
    }

    private RecordingJob copy(String rejection, List<RecordingFile> files, List<Path> workFiles, Duration probed,
                              List<FileOutcome> uploads, RecordingMetadata metadata, FileOutcome metadataUpload,
                              List<WebhookOutcome> webhooks, List<String> warnings, Map<String, Object> attributes) {
        return new RecordingJob(recording, rejection, files, workFiles, probed, uploads, metadata, metadataUpload,
                webhooks, warnings, attributes, resumableUploads);
    }

    public Recording recording() {
        return recording;
    }

    /** The recording's id. */
    public long id() {
        return recording.id();
    }

    /** Whether the recording was refused as invalid. */
    public boolean rejected() {
        return rejection != null;
    }

    /** Why it was refused, naming the recording and the field. */
    public Optional<String> rejection() {
        return Optional.ofNullable(rejection);
    }

    /** This job refused, with the reason. */
    public RecordingJob reject(String reason) {
        Objects.requireNonNull(reason, "reason");
        return copy(reason, files, workFiles, probedDuration, uploads, metadata, metadataUpload, webhooks, warnings,
                attributes);
    }

    /** The files to upload: the recording's, plus any a stage made (a thumbnail). */
    public List<RecordingFile> files() {
        return files;
    }

    public RecordingJob withFiles(List<RecordingFile> files) {
        return copy(rejection, List.copyOf(files), workFiles, probedDuration, uploads, metadata, metadataUpload,
                webhooks, warnings, attributes);
    }

    /** Files a stage made for this job; they are deleted when the job is done, whatever happened. */
    public List<Path> workFiles() {
        return workFiles;
    }

    public RecordingJob withWorkFile(Path file) {
        return copy(rejection, files, append(workFiles, file), probedDuration, uploads, metadata, metadataUpload,
                webhooks, warnings, attributes);
    }

    /** The duration probed from the video, when it could be. */
    public Optional<Duration> probedDuration() {
        return Optional.ofNullable(probedDuration);
    }

    public RecordingJob withProbedDuration(Duration duration) {
        return copy(rejection, files, workFiles, duration, uploads, metadata, metadataUpload, webhooks, warnings,
                attributes);
    }

    /** How each file fared, once the upload stage ran. */
    public List<FileOutcome> uploads() {
        return uploads;
    }

    public RecordingJob withUploads(List<FileOutcome> uploads) {
        return copy(rejection, files, workFiles, probedDuration, List.copyOf(uploads), metadata, metadataUpload,
                webhooks, warnings, attributes);
    }

    /** The files that are in the store. */
    public List<FileOutcome> storedFiles() {
        return uploads.stream().filter(FileOutcome::stored).toList();
    }

    /** The metadata document, once the metadata stage ran and at least one file was stored. */
    public Optional<RecordingMetadata> metadata() {
        return Optional.ofNullable(metadata);
    }

    /** How the upload of {@code metadata.json} fared. */
    public Optional<FileOutcome> metadataUpload() {
        return Optional.ofNullable(metadataUpload);
    }

    public RecordingJob withMetadata(RecordingMetadata metadata, FileOutcome metadataUpload) {
        return copy(rejection, files, workFiles, probedDuration, uploads, metadata, metadataUpload, webhooks, warnings,
                attributes);
    }

    /** Each endpoint's delivery, once the deliver stage ran. */
    public List<WebhookOutcome> webhooks() {
        return webhooks;
    }

    public RecordingJob withWebhooks(List<WebhookOutcome> webhooks) {
        return copy(rejection, files, workFiles, probedDuration, uploads, metadata, metadataUpload,
                List.copyOf(webhooks), warnings, attributes);
    }

    /** Things that went wrong without failing the job, e.g. a thumbnail that could not be made. */
    public List<String> warnings() {
        return warnings;
    }

    public RecordingJob withWarning(String warning) {
        return copy(rejection, files, workFiles, probedDuration, uploads, metadata, metadataUpload, webhooks,
                append(warnings, warning), attributes);
    }

    /**
     * Multipart uploads an earlier run left unfinished, by file name, as the journal kept them:
     * the upload stage continues each from the parts the store confirms instead of from byte 0.
     */
    public Map<String, MultipartProgress> resumableUploads() {
        return resumableUploads;
    }

    public RecordingJob withResumableUploads(Map<String, MultipartProgress> uploads) {
        return new RecordingJob(recording, rejection, files, workFiles, probedDuration, this.uploads, metadata,
                metadataUpload, webhooks, warnings, attributes, Map.copyOf(uploads));
    }

    /** Values host stages attached to the job. */
    public Map<String, Object> attributes() {
        return attributes;
    }

    /** The attribute under {@code name}, when it is there and of that type. */
    public <T> Optional<T> attribute(String name, Class<T> type) {
        Object v = attributes.get(name);
        return type.isInstance(v) ? Optional.of(type.cast(v)) : Optional.empty();
    }

    public RecordingJob withAttribute(String name, Object value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        Map<String, Object> m = new LinkedHashMap<>(attributes);
        m.put(name, value);
        return copy(rejection, files, workFiles, probedDuration, uploads, metadata, metadataUpload, webhooks, warnings,
                Collections.unmodifiableMap(m));
    }

    /** What happened to the recording, as the pipeline reports it. */
    public PipelineResult result() {
        return PipelineResult.of(this);
    }

    private static <T> List<T> append(List<T> list, T item) {
        List<T> l = new ArrayList<>(list.size() + 1);
        l.addAll(list);
        l.add(Objects.requireNonNull(item));
        return Collections.unmodifiableList(l);
    }

    @Override
    public String toString() {
        return "RecordingJob{id=" + id() + (rejected() ? ", rejected" : "") + ", files=" + files.size()
                + ", uploads=" + uploads.size() + ", webhooks=" + webhooks.size() + "}";
    }
}
