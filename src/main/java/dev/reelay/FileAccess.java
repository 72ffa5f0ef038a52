package dev.reelay;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Which local files Reelay may read for a recording. By default it reads whatever path it is
 * given, following symbolic links, as any program does. When the paths come from somewhere
 * less trusted than your own code (a directory users can write to, an upload area), a link named
 * {@code transcript.txt} that points at {@code /etc/passwd} would be uploaded and published:
 * refuse links, or confine files to a directory.
 *
 * <pre>{@code
 * PipelineOptions options = PipelineOptions.builder()
 *         .s3(storage)
 *         .fileAccess(FileAccess.refuseLinks().withBaseDirectory(Path.of("/var/recordings")))
 *         .build();
 * }</pre>
 *
 * <p>A refused file fails on its own, as a missing one does: its {@link FileOutcome} says why,
 * the recording's other files are still stored (the result is {@code PARTIAL}), and it is neither
 * probed, thumbnailed, uploaded nor listed in the webhook. Files are checked when they are about
 * to be read; a process that can swap files in the recording's directory between that check and
 * the read can still get round it, so keep such directories writable by the recorder only.
 */
public final class FileAccess {

    private static final FileAccess FOLLOW = new FileAccess(false, null);
    private static final FileAccess REFUSE = new FileAccess(true, null);

    private final boolean refuseLinks;
    private final Path baseDirectory;

    private FileAccess(boolean refuseLinks, Path baseDirectory) {
        this.refuseLinks = refuseLinks;
        this.baseDirectory = baseDirectory;
    }

    /** Any readable regular file; symbolic links are followed. The default. */
    public static FileAccess followLinks() {
        return FOLLOW;
    }

    /**
     * A file that is itself a symbolic link is refused. Links among the directories above it are
     * still followed; add {@link #withBaseDirectory(Path)} to confine the whole path.
     */
    public static FileAccess refuseLinks() {
        return REFUSE;
    }

    /**
     * These rules, and every file's real path (all links resolved) must lie inside
     * {@code directory} (itself resolved the same way), e.g. {@code /var/recordings}.
     */
    public FileAccess withBaseDirectory(Path directory) {
        return new FileAccess(refuseLinks, Objects.requireNonNull(directory, "directory").toAbsolutePath().normalize());
    }

    /** Whether a file that is a symbolic link is refused. */
    public boolean refusesLinks() {
        return refuseLinks;
    }

    /** The directory files must lie in, if any. */
    public Optional<Path> baseDirectory() {
        return Optional.ofNullable(baseDirectory);
    }

    @Override
    public String toString() {
        return "FileAccess{" + (refuseLinks ? "refuseLinks" : "followLinks")
                + (baseDirectory == null ? "" : ", baseDirectory=" + baseDirectory) + "}";
    }
}
