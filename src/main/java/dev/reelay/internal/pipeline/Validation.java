package dev.reelay.internal.pipeline;

import dev.reelay.FileRole;
import dev.reelay.Recording;
import dev.reelay.RecordingFile;
import dev.reelay.UserInfo;
import dev.reelay.storage.KeyLayout;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Decides whether a recording can be processed; the reason names the recording and the field. */
final class Validation {

    /** S3's limit is 1024 bytes of UTF-8; file names are one path segment of it. */
    static final int MAX_KEY_BYTES = 1024;
    static final int MAX_NAME_BYTES = 255;
    static final int MAX_FILES = 100;
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

    private Validation() {
    }

    static Optional<String> problem(Recording r, KeyLayout layout, String metadataFileName) {
        String who = "recording " + r.id() + ": ";
        if (r.id() <= 0) {
            return Optional.of(who + "recording_id must be a positive number, was " + r.id());
        }
        if (r.title() == null) {
            return Optional.of(who + "title is missing");
        }
        for (String[] text : new String[][] {{"title", r.title()},
                {"user_info.username", r.user() == null ? null : r.user().username()},
                {"user_info.email", r.user() == null ? null : r.user().email()}}) {
            int broken = brokenSurrogate(text[1]);
            if (broken >= 0) {
                return Optional.of(who + text[0] + " is not valid Unicode: a lone surrogate at index " + broken);
            }
        }
        if (r.createdAt() == null) {
            return Optional.of(who + "created_at is missing");
        }
        UserInfo user = r.user();
        if (user == null) {
            return Optional.of(who + "user_info is missing");
        }
        if (user.email() == null || user.email().isBlank()) {
            return Optional.of(who + "user_info.email is missing");
        }
        if (!EMAIL.matcher(user.email()).matches()) {
            return Optional.of(who + "user_info.email is not an email address: '" + printable(user.email()) + "'");
        }
        if (user.username() == null) {
            return Optional.of(who + "user_info.username is missing");
        }
        if (r.declaredDuration().filter(d -> d.isNegative()).isPresent()) {
            return Optional.of(who + "declared duration is negative: " + r.declaredDuration().get());
        }
        if (r.files().isEmpty()) {
            return Optional.of(who + "has no files");
        }
        if (r.files().size() > MAX_FILES) {
            return Optional.of(who + "has " + r.files().size() + " files; at most " + MAX_FILES + " are accepted");
        }
        Set<String> names = new HashSet<>();
        Map<FileRole, Integer> roles = new EnumMap<>(FileRole.class);
        for (int i = 0; i < r.files().size(); i++) {
            RecordingFile f = r.files().get(i);
            String which = who + "file " + (i + 1) + " ";
            if (f == null) {
                return Optional.of(which + "is null");
            }
            if (f.role() == null) {
                return Optional.of(which + "has no role");
            }
            if (f.path() == null) {
                return Optional.of(which + "(" + f.role().payloadKey() + ") has no path");
            }
            Optional<String> nameProblem = nameProblem(f.name());
            if (nameProblem.isPresent()) {
                return Optional.of(which + "(" + f.path() + ") " + nameProblem.get());
            }
            if (f.role() == FileRole.METADATA || f.name().equals(metadataFileName)) {
                return Optional.of(which + "'" + f.name() + "': " + metadataFileName
                        + " and the metadata role are reserved for the document Reelay writes");
            }
            if (!names.add(f.name())) {
                return Optional.of(who + "two files are named '" + printable(f.name()) + "'");
            }
            if (f.role() != FileRole.OTHER && roles.merge(f.role(), 1, Integer::sum) > 1) {
                return Optional.of(who + "has more than one " + f.role().payloadKey() + " file");
            }
            String key = layout.key(r.id(), f.name());
            if (key == null || key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
                return Optional.of(which + "'" + printable(f.name()) + "': its object key is longer than "
                        + MAX_KEY_BYTES + " bytes");
            }
        }
        return Optional.empty();
    }

    /** A stored name is one safe path segment: it can never leave the recording's key prefix. */
    private static Optional<String> nameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("has no file name");
        }
        if (name.equals(".") || name.equals("..")) {
            return Optional.of("has the file name '" + name + "', which is not allowed");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\') {
                return Optional.of("has a file name with '" + c + "' in it: '" + printable(name) + "'");
            }
            if (c < 0x20 || c == 0x7f) {
                return Optional.of("has a file name with a control character in it: '" + printable(name) + "'");
            }
        }
        int broken = brokenSurrogate(name);
        if (broken >= 0) {
            return Optional.of("has a file name that is not valid Unicode: a lone surrogate at index " + broken);
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            return Optional.of("has a file name longer than " + MAX_NAME_BYTES + " bytes");
        }
        return Optional.empty();
    }

    /** The index of the first unpaired UTF-16 surrogate, or -1: such text cannot be written as JSON or UTF-8. */
    static int brokenSurrogate(String s) {
        if (s == null) {
            return -1;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            } else if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /** Control characters shown as escapes, long values cut, so a message stays one readable line. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 120; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (sb.length() >= 120) {
            sb.append('…');
        }
        return sb.toString();
    }
}
