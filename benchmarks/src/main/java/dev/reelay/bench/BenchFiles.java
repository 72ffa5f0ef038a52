package dev.reelay.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.SplittableRandom;

/** Files the benchmarks make: random bytes of the sizes asked, and their removal. */
final class BenchFiles {

    static final int KiB = 1024;
    static final int MiB = 1024 * 1024;

    private BenchFiles() {
    }

    /** A file of {@code size} random bytes (incompressible, like encoded video), seeded for reruns. */
    static Path random(Path file, long size, long seed) {
        try {
            Files.createDirectories(file.getParent());
            SplittableRandom random = new SplittableRandom(seed);
            ByteBuffer chunk = ByteBuffer.allocate(MiB);
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                long left = size;
                while (left > 0) {
                    chunk.clear();
                    while (chunk.remaining() >= Long.BYTES) {
                        chunk.putLong(random.nextLong());
                    }
                    chunk.flip();
                    chunk.limit((int) Math.min(chunk.limit(), left));
                    left -= chunk.remaining();
                    while (chunk.hasRemaining()) {
                        out.write(chunk);
                    }
                }
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
    }

    /** Removes a directory and everything in it; a missing one is fine. */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove " + dir, e);
        }
    }
}
