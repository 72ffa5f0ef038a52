package dev.reelay;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A finished recording that the host hands to Reelay: who made it, when, and its files.
 *
 * <p>A recording is a plain value: building one never fails. Whether it can be processed
 * (a positive id, an email, at least one file, file names distinct even in case and Unicode form,
 * values within {@link InputLimits}, …) is decided by the pipeline, which answers an invalid
 * recording with a {@link PipelineResult.Status#REJECTED} result naming the recording and the
 * field, and goes on with the next one.
 *
 * <pre>{@code
 * Recording recording = Recording.builder(3)
 *         .title("Meeting 2025-10-24 21:55")
 *         .createdAt(Instant.parse("2025-10-25T01:55:59.374860Z"))
 *         .declaredDuration(Duration.ofSeconds(77))
 *         .user("souvik", "souvik@example.com")
 *         .video(Path.of("rec-3/video.mkv"))
 *         .transcript(Path.of("rec-3/transcript.txt"))
 *         .build();
 * }</pre>
 */
public final class Recording {

    private final long id;
    private final String title;
    private final Instant createdAt;
    private final Duration declaredDuration;
    private final UserInfo user;
    private final List<RecordingFile> files;

    private Recording(Builder b) {
        this.id = b.id;
        this.title = b.title;
        this.createdAt = b.createdAt;
        this.declaredDuration = b.declaredDuration;
        this.user = b.user;
        this.files = Collections.unmodifiableList(new ArrayList<>(b.files));
    }

    /** A builder for the recording with this id; the receiver upserts on the id. */
    public static Builder builder(long id) {
        return new Builder(id);
    }

    /** A builder that starts from this recording's values. */
    public Builder toBuilder() {
        Builder b = new Builder(id).title(title).createdAt(createdAt).user(user);
        b.declaredDuration = declaredDuration;
        b.files.addAll(files);
        return b;
    }

    /** The recording's id, sent as {@code recording_id}. */
    public long id() {
        return id;
    }

    /** The title, sent as {@code title}. */
    public String title() {
        return title;
    }

    /** When the recording was made, sent as {@code created_at} in UTC. */
    public Instant createdAt() {
        return createdAt;
    }

    /** The duration the host declared, sent as {@code duration_database}. */
    public Optional<Duration> declaredDuration() {
        return Optional.ofNullable(declaredDuration);
    }

    /** The recording's owner. */
    public UserInfo user() {
        return user;
    }

    /** The recording's files, in the order the host gave them. */
    public List<RecordingFile> files() {
        return files;
    }

    /** The first file of this role, if any. */
    public Optional<RecordingFile> file(FileRole role) {
        return files.stream().filter(f -> f != null && f.role() == role).findFirst();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Recording)) {
            return false;
        }
        Recording r = (Recording) o;
        return id == r.id && Objects.equals(title, r.title) && Objects.equals(createdAt, r.createdAt)
                && Objects.equals(declaredDuration, r.declaredDuration) && Objects.equals(user, r.user)
                && files.equals(r.files);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, title, createdAt, declaredDuration, user, files);
    }

    @Override
    public String toString() {
        return "Recording{id=" + id + ", files=" + files.size() + "}";
    }

    /** Collects a recording's values; {@link #build()} copies them. */
    public static final class Builder {
        private final long id;
        private String title;
        private Instant createdAt = Instant.now();
        private Duration declaredDuration;
        private UserInfo user;
        private final List<RecordingFile> files = new ArrayList<>();

        private Builder(long id) {
            this.id = id;
        }

        public Builder title(String title) {
            this.title = title;
            return this;
        }

        /** When the recording was made; defaults to the time the builder was created. */
        public Builder createdAt(Instant createdAt) {
            this.createdAt = createdAt;
            return this;
        }

        /** The duration the host knows of, e.g. from its own database. */
        public Builder declaredDuration(Duration declaredDuration) {
            this.declaredDuration = declaredDuration;
            return this;
        }

        public Builder user(UserInfo user) {
            this.user = user;
            return this;
        }

        public Builder user(String username, String email) {
            return user(new UserInfo(username, email));
        }

        public Builder file(RecordingFile file) {
            files.add(file);
            return this;
        }

        public Builder file(FileRole role, Path path) {
            return file(RecordingFile.of(role, path));
        }

        public Builder video(Path path) {
            return file(FileRole.VIDEO, path);
        }

        public Builder thumbnail(Path path) {
            return file(FileRole.THUMBNAIL, path);
        }

        public Builder transcript(Path path) {
            return file(FileRole.TRANSCRIPT, path);
        }

        public Recording build() {
            return new Recording(this);
        }
    }
}
