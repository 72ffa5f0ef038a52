package dev.reelay.internal;

import dev.reelay.FileAccess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** Whether {@link FileAccess} lets a local file be read; does file I/O, so call it where blocking is allowed. */
public final class LocalFiles {

    private LocalFiles() {
    }

    /** Why {@code path} must not be read, or empty; a file that does not exist is left to the caller to report. */
    public static Optional<String> refusal(FileAccess access, Path path) {
        if (access.refusesLinks() && Files.isSymbolicLink(path)) {
            return Optional.of("is a symbolic link, and links are refused (FileAccess.refuseLinks()): " + path);
        }
        if (access.baseDirectory().isEmpty()) {
            return Optional.empty();
        }
        Path base = access.baseDirectory().get();
        Path realBase;
        try {
            realBase = base.toRealPath();
        } catch (IOException e) {
            return Optional.of("cannot be checked: the base directory " + base + " cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        }
        Path real;
        try {
            real = path.toAbsolutePath().toRealPath();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cannot be checked against the base directory " + base + " ("
                    + e.getClass().getSimpleName() + "): " + path);
        }
        if (!real.startsWith(realBase)) {
            return Optional.of("lies outside the base directory " + base
                    + " (FileAccess.withBaseDirectory(…)): " + path);
        }
        return Optional.empty();
    }
}
