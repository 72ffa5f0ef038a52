package dev.reelay.internal.media;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.ffmpeg.avutil.LogCallback;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether FFmpeg's native libraries load on this machine, checked once. When they don't
 * (typically {@code libpulse.so.0} is missing), one warning line says which library and how to
 * fix it, and media work is skipped instead of failing every recording the same way.
 */
public final class NativeMedia {

    private static final Logger log = LoggerFactory.getLogger("dev.reelay.media");
    private static final NativeMedia SHARED = new NativeMedia(NativeMedia::loadFfmpeg, NativeMedia::onLibraryPath);

    private static final Pattern LINUX_MISSING = Pattern.compile("([\\w.+-]+\\.so(?:\\.\\d+)*): cannot open shared object file");
    private static final Pattern MAC_MISSING = Pattern.compile("Library not loaded: (?:\\S*/)?([^/\\s]+)");
    private static final Map<String, String> DEBIAN_PACKAGES = Map.of("libpulse.so.0", "libpulse0");
    /** What FFmpeg's avdevice links that minimal systems lack (see DEPENDENCIES.md). */
    private static final String AVDEVICE_NEEDS = "libpulse.so.0";
    private static final List<String> LIBRARY_DIRECTORIES = List.of("/lib", "/usr/lib", "/lib64", "/usr/lib64",
            "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
            "/usr/local/lib");

    /** Loads the natives; throws whatever loading throws. */
    @FunctionalInterface
    public interface Loader {
        void load() throws Throwable;
    }

    private final Loader loader;
    private final Predicate<String> libraryPresent;
    private volatile Result result;

    /** A check with its own loader; tests pass one that fails. {@link #shared()} is the real one. */
    public NativeMedia(Loader loader) {
        this(loader, NativeMedia::onLibraryPath);
    }

    /** A check with its own loader and its own way of telling whether a system library is installed. */
    public NativeMedia(Loader loader, Predicate<String> libraryPresent) {
        this.loader = loader;
        this.libraryPresent = libraryPresent;
    }

    /** The check of the JVM's FFmpeg, made once for all of Reelay. */
    public static NativeMedia shared() {
        return SHARED;
    }

    /** Whether FFmpeg can be used; loads the natives on the first call (up to a second: don't call it on an event loop). */
    public boolean available() {
        return result().reason == null;
    }

    /** Why FFmpeg cannot be used, e.g. {@code "FFmpeg's native libraries could not load (libpulse.so.0 missing)"}; null when it can. */
    public String unavailableReason() {
        return result().reason;
    }

    private Result result() {
        Result r = result;
        if (r == null) {
            synchronized (this) {
                r = result;
                if (r == null) {
                    r = check();
                    result = r;
                }
            }
        }
        return r;
    }

    private Result check() {
        try {
            loader.load();
            return new Result(null);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            String missing = missingLibrary(t);
            if (missing == null && mentionsAvdevice(t) && !libraryPresent.test(AVDEVICE_NEEDS)) {
                // JavaCV swallows avdevice's link error when another of its classes loads it first (a
                // recorder, say): later loads only say the class could not initialize
                missing = AVDEVICE_NEEDS;
            }
            String reason = "FFmpeg's native libraries could not load ("
                    + (missing != null ? missing + " missing" : firstLine(rootCause(t))) + ")";
            String fix = missing == null ? "Check the JavaCPP platform artifacts for this system"
                    : DEBIAN_PACKAGES.containsKey(missing)
                    ? "Install it (Debian/Ubuntu: apt-get install " + DEBIAN_PACKAGES.get(missing) + ")"
                    : "Install the system library that provides it";
            log.warn("Thumbnails and duration probing are off: {}. {} or disable media with MediaOptions.disabled().",
                    reason, fix);
            log.debug("FFmpeg's native libraries could not load", t);
            return new Result(reason);
        }
    }

    /** The system library named in a link error anywhere in the chain, e.g. {@code libpulse.so.0}; null if none is named. */
    static String missingLibrary(Throwable t) {
        for (Throwable each : chain(t)) {
            String message = each.getMessage();
            if (message == null) {
                continue;
            }
            Matcher m = LINUX_MISSING.matcher(message);
            if (m.find()) {
                return m.group(1);
            }
            m = MAC_MISSING.matcher(message);
            if (m.find()) {
                return m.group(1);
            }
        }
        return null;
    }

    private static boolean mentionsAvdevice(Throwable t) {
        return chain(t).stream().map(Throwable::getMessage)
                .anyMatch(m -> m != null && (m.contains("jniavdevice") || m.contains("ffmpeg.global.avdevice")));
    }

    /** Whether a shared library of this name is in the usual directories or on LD_LIBRARY_PATH. */
    private static boolean onLibraryPath(String name) {
        List<String> dirs = new ArrayList<>(LIBRARY_DIRECTORIES);
        String extra = System.getenv("LD_LIBRARY_PATH");
        if (extra != null) {
            dirs.addAll(List.of(extra.split(":")));
        }
        return dirs.stream().filter(d -> !d.isBlank()).anyMatch(d -> Files.exists(Path.of(d, name)));
    }

    /** The throwable, its causes and what they suppressed, each once. */
    private static List<Throwable> chain(Throwable t) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Throwable> out = new ArrayList<>();
        Deque<Throwable> todo = new ArrayDeque<>(List.of(t));
        while (!todo.isEmpty()) {
            Throwable each = todo.poll();
            if (!seen.add(each)) {
                continue;
            }
            out.add(each);
            if (each.getCause() != null) {
                todo.add(each.getCause());
            }
            todo.addAll(List.of(each.getSuppressed()));
        }
        return out;
    }

    private static Throwable rootCause(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        return r;
    }

    private static String firstLine(Throwable t) {
        String message = t.getMessage();
        String line = message == null ? "" : message.lines().findFirst().orElse("").strip();
        return t.getClass().getSimpleName() + (line.isEmpty() ? "" : ": " + line);
    }

    private static void loadFfmpeg() throws Throwable {
        FFmpegFrameGrabber.tryLoad();
        FfmpegLog.install();
    }

    private record Result(String reason) {
    }

    /**
     * FFmpeg writes to stderr by default, a format dump per file and a line per damaged packet.
     * Errors go to SLF4J at debug instead ({@code dev.reelay.media.ffmpeg}); lesser levels are
     * dropped in native code, before crossing into Java.
     */
    private static final class FfmpegLog extends LogCallback {
        private static final Logger ffmpeg = LoggerFactory.getLogger("dev.reelay.media.ffmpeg");
        // Kept reachable for as long as FFmpeg may call it.
        private static final FfmpegLog INSTANCE = new FfmpegLog().retainReference();

        static void install() {
            avutil.av_log_set_level(avutil.AV_LOG_ERROR);
            avutil.setLogCallback(INSTANCE);
        }

        @Override
        public void call(int level, BytePointer message) {
            if (ffmpeg.isDebugEnabled()) {
                ffmpeg.debug("{}", message.getString().strip());
            }
        }
    }
}
