package dev.reelay.storage;

import dev.reelay.internal.storage.UnguessableTokens;
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

    /**
     * {@code {prefix}{recordingId}/{token}/{fileName}}, where the token is 32 base32 characters
     * (160 bits) derived from the recording id with HMAC-SHA256 under {@code key}: the same
     * recording always gets the same token, and nobody without the key can guess it. Keep the
     * key secret and stable (e.g. from your secret store) so that a recording's keys survive a
     * restart.
     *
     * <pre>{@code
     * KeyLayout layout = KeyLayout.unguessable("recordings/", keyBytesFromVault);
     * // recordings/3/k3m9x0c2…/video.mkv
     * }</pre>
     */
    static KeyLayout unguessable(String prefix, byte[] key) {
        KeyLayout plain = byRecordingId(prefix);
        UnguessableTokens tokens = new UnguessableTokens(key);
        return (id, fileName) -> plain.key(id, tokens.token(id) + "/" + fileName);
    }

    /** {@code {prefix}{recordingId}/{fileName}}; the prefix may be empty. */
    static KeyLayout byRecordingId(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.startsWith("/")) {
            throw new IllegalArgumentException("key prefix must not start with '/': " + prefix);
        }
        return (id, fileName) -> prefix + id + "/" + fileName;
    }
}
