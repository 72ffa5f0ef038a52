package dev.reelay.internal.pipeline;

import java.util.Locale;

/** The content type an object is stored with, from its file name's extension. */
final class ContentTypes {

    private ContentTypes() {
    }

    static String of(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        String ext = dot < 0 ? "" : n.substring(dot + 1);
        switch (ext) {
            case "mkv": return "video/x-matroska";
            case "mp4": case "m4v": return "video/mp4";
            case "webm": return "video/webm";
            case "mov": return "video/quicktime";
            case "avi": return "video/x-msvideo";
            case "jpg": case "jpeg": return "image/jpeg";
            case "png": return "image/png";
            case "txt": return "text/plain; charset=utf-8";
            case "vtt": return "text/vtt";
            case "srt": return "application/x-subrip";
            case "json": return "application/json";
            case "wav": return "audio/wav";
            case "mp3": return "audio/mpeg";
            case "m4a": return "audio/mp4";
            default: return "application/octet-stream";
        }
    }
}
