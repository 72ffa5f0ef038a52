package dev.reelay;

import java.nio.file.Path;

/**
 * One local file of a recording and its role.
 *
 * <pre>{@code
 * RecordingFile video = RecordingFile.of(FileRole.VIDEO, Path.of("/data/rec-3/video.mkv"));
 * RecordingFile notes = RecordingFile.of(FileRole.OTHER, Path.of("/tmp/n.txt"), "notes.txt");
 * }</pre>
 *
 * @param role what the file is
 * @param path where it lies on the local disk
 * @param name the name it is stored under, the last segment of its object key; by default
 *             the path's file name
 */
public record RecordingFile(FileRole role, Path path, String name) {

    /** A file stored under its own file name. */
    public static RecordingFile of(FileRole role, Path path) {
        return new RecordingFile(role, path, nameOf(path));
    }

    /** A file stored under {@code name}, whatever its local file name is. */
    public static RecordingFile of(FileRole role, Path path, String name) {
        return new RecordingFile(role, path, name);
    }

    private static String nameOf(Path path) {
        if (path == null || path.getFileName() == null) {
            return null;
        }
        return path.getFileName().toString();
    }
}
