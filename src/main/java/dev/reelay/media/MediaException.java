package dev.reelay.media;

import dev.reelay.ReelayException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A video could not be probed or a thumbnail could not be cut from it. The message names the
 * file and the problem, for example {@code "video.mkv: has no video stream (audio only)"} or
 * {@code "video.mkv: no frame could be decoded (truncated or corrupt)"}.
 *
 * <pre>{@code
 * try {
 *     Duration d = probe.probe(Path.of("rec-3/video.mkv"));
 * } catch (MediaException e) {
 *     log.warn("{}", e.getMessage());   // "video.mkv: not a video file (FFmpeg could not open it: …)"
 * }
 * }</pre>
 */
public class MediaException extends ReelayException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String problem;

    /** A problem with {@code file}; {@code problem} says what, without the file's name. */
    public MediaException(Path file, String problem) {
        this(file, problem, null);
    }

    public MediaException(Path file, String problem, Throwable cause) {
        super(nameOf(file) + ": " + Objects.requireNonNull(problem, "problem"), cause);
        this.file = file;
        this.problem = problem;
    }

    /** The file that could not be read. */
    public Path file() {
        return file;
    }

    /** What went wrong, without the file's name, e.g. {@code "file is empty"}. */
    public String problem() {
        return problem;
    }

    private static String nameOf(Path file) {
        if (file == null) {
            return "(no file)";
        }
        Path name = file.getFileName();
        return name != null ? name.toString() : file.toString();
    }
}
