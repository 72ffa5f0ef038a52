package dev.reelay.internal.pipeline;

import dev.reelay.FileRole;
import dev.reelay.InputLimits;
import dev.reelay.PipelineOptions;
import dev.reelay.Recording;
import dev.reelay.RecordingFile;
import dev.reelay.UserInfo;
import dev.reelay.storage.KeyLayout;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Decides whether a recording can be processed; the reason names the recording, the field and,
 * for a limit, the option that sets it.
 */
final class Validation {

    /** S3's limit is 1024 bytes of UTF-8; file names are one path segment of it. */
    static final int MAX_KEY_BYTES = 1024;
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

    private Validation() {
    }

    static Optional<String> problem(Recording r, PipelineOptions options) {
        KeyLayout layout = options.keyLayout();
        String metadataFileName = options.metadataFileName();
        InputLimits limits = options.limits();
        String who = "recording " + r.id() + ": ";
        if (r.id() <= 0) {
            return Optional.of(who + "recording_id must be a positive number, was " + r.id());
        }
        if (r.id() > limits.maxRecordingId()) {
            return Optional.of(who + "recording_id is above " + limits.maxRecordingId()
                    + (limits.maxRecordingId() == InputLimits.MAX_SAFE_JSON_INTEGER
                    ? " (2^53 - 1), the largest integer a JavaScript receiver reads exactly" : "")
                    + " (InputLimits.maxRecordingId)");
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
        Optional<String> tooLong = tooLong(who, "title", r.title(), limits.maxTitleLength(), "maxTitleLength");
        if (tooLong.isPresent()) {
            return tooLong;
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
        tooLong = tooLong(who, "user_info.email", user.email(), limits.maxEmailLength(), "maxEmailLength")
                .or(() -> tooLong(who, "user_info.username", user.username(), limits.maxUsernameLength(),
                        "maxUsernameLength"));
        if (tooLong.isPresent()) {
            return tooLong;
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
        if (r.files().size() > limits.maxFiles()) {
            return Optional.of(who + "has " + r.files().size() + " files; at most " + limits.maxFiles()
                    + " are accepted (InputLimits.maxFiles)");
        }
        Map<String, String> names = new HashMap<>();
        String metadataFolded = folded(metadataFileName);
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
            Optional<String> nameProblem = nameProblem(f.name(), limits.maxFileNameBytes());
            if (nameProblem.isPresent()) {
                return Optional.of(which + "(" + f.path() + ") " + nameProblem.get());
            }
            String folded = folded(f.name());
            if (f.role() == FileRole.METADATA || folded.equals(metadataFolded)) {
                return Optional.of(which + "'" + printable(f.name()) + "': " + metadataFileName
                        + " and the metadata role are reserved for the document Reelay writes (the name in any case)");
            }
            String before = names.putIfAbsent(folded, f.name());
            if (before != null) {
                return Optional.of(who + (before.equals(f.name()) ? "two files are named '" + printable(f.name()) + "'"
                        : "two files are named '" + printable(before) + "' and '" + printable(f.name())
                        + "', which differ only in case or Unicode form: they would look the same to the receiver "
                        + "and on case-insensitive disks"));
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

    /** Too many code points in {@code value}, with the option that sets the limit. */
    private static Optional<String> tooLong(String who, String field, String value, int max, String option) {
        if (value == null || value.length() <= max) {
            return Optional.empty();
        }
        int length = value.codePointCount(0, value.length());
        return length <= max ? Optional.empty() : Optional.of(who + field + " is " + length
                + " characters long; at most " + max + " are accepted (InputLimits." + option + ")");
    }

    /**
     * The form in which two names count as the same: Unicode NFC, then case folded (upper then
     * lower case, so that {@code ß} and {@code SS} meet).
     */
    static String folded(String name) {
        String nfc = Normalizer.normalize(name, Normalizer.Form.NFC);
        return Normalizer.normalize(nfc.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT), Normalizer.Form.NFC);
    }

    /** A stored name is one safe path segment: it can never leave the recording's key prefix. */
    private static Optional<String> nameProblem(String name, int maxBytes) {
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
        if (name.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            return Optional.of("has a file name longer than " + maxBytes + " bytes (InputLimits.maxFileNameBytes)");
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
