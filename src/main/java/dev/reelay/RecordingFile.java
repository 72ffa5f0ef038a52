package dev.reelay;

import java.nio.file.Path;
import java.text.Normalizer;

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
 *             the path's file name. Held in Unicode NFC, so that {@code café.txt} is one name
 *             however the disk spelled it (macOS writes NFD): keys, the metadata and the webhook
 *             all use that form.
 */
public record RecordingFile(FileRole role, Path path, String name) {

    public RecordingFile {
        if (name != null && !Normalizer.isNormalized(name, Normalizer.Form.NFC)) {
            name = Normalizer.normalize(name, Normalizer.Form.NFC);
        }
    }

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
