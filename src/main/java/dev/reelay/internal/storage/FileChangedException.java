package dev.reelay.internal.storage;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file changed while it was read: it was handed in before it was finished. Trying again at once
 * would read another version of it; it fails the upload without retries.
 */
final class FileChangedException extends IOException {

    private static final long serialVersionUID = 1L;

    FileChangedException(String message) {
        super(message);
    }

    /** Says what changed: the size, or only the modification time. */
    static FileChangedException of(Path file, FileState expected, FileState now) {
        String what;
        if (now == null) {
            what = "it is gone or cannot be read any more";
        } else if (now.size() != expected.size()) {
            what = "its size went from " + expected.size() + " to " + now.size() + " bytes";
        } else {
            what = "it was modified (at " + now.modified() + ", was " + expected.modified() + ")";
        }
        return new FileChangedException("the file changed while it was being uploaded: " + what
                + "; it was handed in before it was finished, so it is not stored");
    }
}
