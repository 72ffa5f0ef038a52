package dev.reelay;

import dev.reelay.internal.webhook.Redaction;
import java.util.Optional;

/**
 * How one file of a recording fared.
 *
 * @param role     the file's role
 * @param name     the name it was (or would have been) stored under
 * @param key      its object key
 * @param url      its published URL, or null when it was not stored
 * @param size     the bytes stored, or the bytes it had when it failed (0 when unknown)
 * @param attempts the requests made (0 when the file never reached the store)
 * @param error    why it was not stored, naming the recording and the file, or null
 */
public record FileOutcome(FileRole role, String name, String key, String url, long size, int attempts, String error) {

    /** Whether the file is in the store. */
    public boolean stored() {
        return error == null;
    }

    /** Its published URL, when stored. */
    public Optional<String> urlIfStored() {
        return Optional.ofNullable(url);
    }

    /** Shown without the URL's query string, which may hold a presigned signature. */
    @Override
    public String toString() {
        return "FileOutcome{role=" + role + ", name=" + name + ", key=" + key + ", url="
                + (url == null ? null : Redaction.url(url)) + ", size=" + size + ", attempts=" + attempts
                + (error == null ? "" : ", error=" + error) + "}";
    }

    /** Why it was not stored. */
    public Optional<String> errorMessage() {
        return Optional.ofNullable(error);
    }
}
