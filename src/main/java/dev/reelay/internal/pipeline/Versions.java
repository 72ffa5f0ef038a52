package dev.reelay.internal.pipeline;

import dev.reelay.Recording;
import dev.reelay.RecordingFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * What a recording is when it is accepted: its files' paths made absolute (a resume in another
 * working directory must find them), and its version, a digest of what its files are now (path,
 * size, modification time). The same version journaled before means the same work, done or to
 * be continued; another version is new work.
 */
final class Versions {

    private Versions() {
    }

    /** The recording with every file's path absolute; the stored names stay as they were. */
    static Recording absolute(Recording r) {
        if (r.files().stream().allMatch(f -> f == null || f.path() == null || f.path().isAbsolute())) {
            return r;
        }
        List<RecordingFile> files = new ArrayList<>(r.files().size());
        for (RecordingFile f : r.files()) {
            files.add(f == null || f.path() == null || f.path().isAbsolute() ? f
                    : new RecordingFile(f.role(), f.path().toAbsolutePath().normalize(), f.name()));
        }
        Recording.Builder b = Recording.builder(r.id()).title(r.title()).createdAt(r.createdAt())
                .declaredDuration(r.declaredDuration().orElse(null)).user(r.user());
        files.forEach(b::file);
        return b.build();
    }

    /** The version of the recording's files as they are now; reads file attributes, so it may block. */
    static String of(Recording r) {
        MessageDigest sha = sha256();
        for (RecordingFile f : r.files()) {
            String line = f == null ? "-" : f.role() + "|" + f.name() + "|" + f.path() + "|" + attributes(f.path());
            sha.update(line.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) '\n');
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 16);
    }

    private static String attributes(Path path) {
        if (path == null) {
            return "-";
        }
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            return a.size() + "|" + a.lastModifiedTime().toMillis();
        } catch (IOException | SecurityException e) {
            return "missing";
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
