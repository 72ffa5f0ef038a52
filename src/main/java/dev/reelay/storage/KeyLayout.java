package dev.reelay.storage;

import java.util.Objects;

/**
 * Decides the object key of each file of a recording.
 *
 * <p>The default, {@link #byRecordingId(String)}, is the original system's layout
 * {@code {prefix}{recordingId}/{fileName}}, e.g. {@code 3/video.mkv}. Reelay has already
 * checked that {@code fileName} is a single safe path segment.
 *
 * <pre>{@code
 * KeyLayout layout = KeyLayout.byRecordingId("recordings/");   // recordings/3/video.mkv
 * KeyLayout custom = (id, name) -> "tenant-a/" + id + "/" + name;
 * }</pre>
 */
@FunctionalInterface
public interface KeyLayout {

    /** The key of the file called {@code fileName} of the recording {@code recordingId}. */
    String key(long recordingId, String fileName);

    /** {@code {prefix}{recordingId}/{fileName}}; the prefix may be empty. */
    static KeyLayout byRecordingId(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.startsWith("/")) {
            throw new IllegalArgumentException("key prefix must not start with '/': " + prefix);
        }
        return (id, fileName) -> prefix + id + "/" + fileName;
    }
}
