package dev.reelay.internal.outbox;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The journal's directory and files, readable by their owner only (0700, 0600), where the file
 * system has POSIX permissions: they hold emails, local paths, object keys and URLs.
 */
final class PrivateFiles {

    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateFiles() {
    }

    /** Creates the directory, and any missing parent, 0700; a directory that exists is left as it is. */
    static void directory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (posix(dir.toAbsolutePath().getRoot())) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
            Files.setPosixFilePermissions(dir, DIRECTORY); // the umask may have taken some away
        } else {
            Files.createDirectories(dir);
        }
    }

    /** Creates the file 0600 when missing, or makes it 0600 when an earlier version left it readable to others. */
    static void file(Path file) throws IOException {
        if (!posix(file.getParent())) {
            if (!Files.exists(file)) {
                Files.createFile(file);
            }
            return;
        }
        try {
            FileAttribute<Set<PosixFilePermission>> attribute = PosixFilePermissions.asFileAttribute(FILE);
            Files.createFile(file, attribute);
        } catch (FileAlreadyExistsException e) {
            // there already: tightened below
        }
        tighten(file);
    }

    /** Makes an existing file 0600. */
    static void tighten(Path file) throws IOException {
        if (Files.exists(file) && posix(file.getParent()) && !Files.getPosixFilePermissions(file).equals(FILE)) {
            Files.setPosixFilePermissions(file, FILE);
        }
    }

    private static boolean posix(Path anyPath) {
        return anyPath != null && anyPath.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
