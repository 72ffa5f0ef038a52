package dev.reelay.internal.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/** A file's size and modification time: what must not change while the file is read. */
record FileState(long size, FileTime modified) {

    /** Reads it; a blocking call. */
    static FileState of(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return new FileState(a.size(), a.lastModifiedTime());
    }

    long modifiedMillis() {
        return modified.toMillis();
    }

    /** The same file for a journal that keeps milliseconds. */
    boolean sameAs(long size, long modifiedMillis) {
        return this.size == size && modifiedMillis() == modifiedMillis;
    }
}
