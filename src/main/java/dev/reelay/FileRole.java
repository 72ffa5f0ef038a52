package dev.reelay;

import java.util.Locale;

/**
 * What a file of a recording is. The role decides the key of the file in the webhook's
 * {@code uploaded_files} object: {@code video}, {@code thumbnail}, {@code transcript} and
 * {@code metadata}.
 *
 * <p>A recording has at most one file of each role but {@link #OTHER}. {@link #METADATA} is
 * reserved for the {@code metadata.json} that Reelay writes itself; a recording that brings a
 * file of that role is rejected.
 */
public enum FileRole {
    /** The recording's video, for example {@code video.mkv}. */
    VIDEO,
    /** A still image of the video, for example {@code thumbnail.jpg}. */
    THUMBNAIL,
    /** A text transcript, for example {@code transcript.txt}. */
    TRANSCRIPT,
    /** Any other file: stored and counted in {@code file_info}, not named in {@code uploaded_files}. */
    OTHER,
    /** The metadata document Reelay stores beside the files; reserved. */
    METADATA;

    /** The role's key in the webhook payload, e.g. {@code "video"}. */
    public String payloadKey() {
        return name().toLowerCase(Locale.ROOT);
    }
}
