package dev.reelay.internal.media;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pipeline's own folder in a work directory that several pipelines may share (tests in one
 * JVM, several processes): {@code run-<uuid>/}, guarded by {@code run-<uuid>.lock}, which the
 * pipeline holds locked for as long as it lives. The operating system drops the lock when the
 * process dies, even by {@code kill -9}; so a folder whose lock can be taken belongs to a dead
 * run, and only such folders are swept. A lock held in this JVM cannot be taken either
 * ({@link OverlappingFileLockException}): a live pipeline's folder is never removed.
 *
 * <p>The lock file is created and locked under a temporary name, then renamed: a sweeper only
 * ever sees lock files that are already locked by their owner. A sweeper never opens a lock file
 * that a pipeline of its own JVM holds: closing any channel of a file drops every lock the
 * process holds on it (POSIX), which would leave a live folder open to other processes' sweeps.
 */
final class WorkDirectory implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("dev.reelay.media");
    private static final String PREFIX = "run-";
    private static final String LOCK = ".lock";
    private static final String CLAIMING = ".claiming-";
    /** The lock files this JVM holds, never to be opened by a sweep here. */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path parent;
    private final Path path;
    private final Path lockFile;
    private final FileChannel channel;
    private final FileLock lock;

    private WorkDirectory(Path parent, Path path, Path lockFile, FileChannel channel, FileLock lock) {
        this.parent = parent;
        this.path = path;
        this.lockFile = lockFile;
        this.channel = channel;
        this.lock = lock;
    }

    /** Claims a folder of its own under {@code parent}, after sweeping what dead runs left there. Blocking. */
    static WorkDirectory claim(Path parent) throws IOException {
        Files.createDirectories(parent);
        sweep(parent, null);
        for (int tries = 0; ; tries++) {
            String name = PREFIX + UUID.randomUUID();
            Path claiming = key(parent.resolve(CLAIMING + name + LOCK));
            Path lockFile = key(parent.resolve(name + LOCK));
            HELD.add(claiming);
            HELD.add(lockFile);
            FileChannel channel = FileChannel.open(claiming, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try {
                FileLock lock = channel.tryLock();
                if (lock != null) {
                    try {
                        Files.move(claiming, lockFile, StandardCopyOption.ATOMIC_MOVE);
                        Path path = Files.createDirectory(parent.resolve(name));
                        HELD.remove(claiming);
                        return new WorkDirectory(parent, path, lockFile, channel, lock);
                    } catch (NoSuchFileException | FileAlreadyExistsException swept) {
                        // another process's sweeper took the file before it was locked: try another name
                        lock.release();
                    }
                }
            } catch (IOException | RuntimeException e) {
                HELD.remove(claiming);
                HELD.remove(lockFile);
                channel.close();
                throw e;
            }
            HELD.remove(claiming);
            HELD.remove(lockFile);
            channel.close();
            if (tries > 10) {
                throw new IOException("could not claim a work folder under " + parent);
            }
        }
    }

    Path path() {
        return path;
    }

    /** Removes what dead runs left beside this one. Blocking. */
    void sweep() {
        sweep(parent, path);
    }

    /**
     * Removes every {@code run-*} folder under {@code parent} whose lock can be taken (its owner
     * died) or whose lock file is gone, and the lock files of dead runs; leaves {@code own} and
     * everything else alone.
     */
    static void sweep(Path parent, Path own) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.startsWith(PREFIX) && name.endsWith(LOCK)) {
                    Path folder = parent.resolve(name.substring(0, name.length() - LOCK.length()));
                    if (!folder.equals(own)) {
                        sweepIfDead(entry, folder);
                    }
                } else if (name.startsWith(CLAIMING) && name.endsWith(LOCK)) {
                    sweepIfDead(entry, null);
                } else if (name.startsWith(PREFIX) && Files.isDirectory(entry) && !entry.equals(own)
                        && !Files.exists(parent.resolve(name + LOCK))) {
                    // its owner deletes the folder before its lock file: a folder without one is an owner's leftover
                    deleteTree(entry);
                }
            }
        } catch (NoSuchFileException e) {
            // nothing there yet
        } catch (IOException e) {
            log.warn("Could not sweep the work directory {}: {}", parent, e.toString());
        }
    }

    private static Path key(Path p) {
        return p.toAbsolutePath().normalize();
    }

    private static void sweepIfDead(Path lockFile, Path folder) {
        if (HELD.contains(key(lockFile))) {
            return; // held by a pipeline of this JVM
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException alive) {
                return; // held by a pipeline of this JVM
            }
            if (lock == null) {
                return; // held by another process
            }
            try {
                if (folder != null) {
                    int removed = deleteTree(folder);
                    if (removed > 0) {
                        log.info("Removed {} work files that a run which ended without cleaning up left in {}", removed, folder);
                    }
                }
                Files.deleteIfExists(lockFile);
            } finally {
                lock.release();
            }
        } catch (NoSuchFileException gone) {
            // another sweeper was quicker
        } catch (IOException e) {
            log.warn("Could not sweep {}: {}", lockFile, e.toString());
        }
    }

    /** Deletes a folder and what it holds; the number of files removed. */
    private static int deleteTree(Path folder) {
        int[] files = {0};
        try (Stream<Path> all = Files.walk(folder)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    if (Files.deleteIfExists(p) && !p.equals(folder)) {
                        files[0]++;
                    }
                } catch (IOException e) {
                    log.warn("Could not delete {}: {}", p, e.toString());
                }
            });
        } catch (NoSuchFileException gone) {
            return 0;
        } catch (IOException e) {
            log.warn("Could not delete {}: {}", folder, e.toString());
        }
        return files[0];
    }

    /** Deletes the folder with what is left in it, then the lock file, and lets the lock go. Blocking. */
    @Override
    public void close() {
        deleteTree(path);
        try {
            Files.deleteIfExists(lockFile);
        } catch (IOException e) {
            log.warn("Could not delete {}: {}", lockFile, e.toString());
        }
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            log.warn("Could not release {}: {}", lockFile, e.toString());
        } finally {
            HELD.remove(lockFile);
        }
    }
}
