package dev.reelay.internal.media;

import dev.reelay.media.MediaException;
import dev.reelay.media.MediaProbe;
import dev.reelay.media.ThumbnailSpec;
import dev.reelay.media.Thumbnailer;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.ffmpeg.global.swscale;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * The default {@link MediaProbe} and {@link Thumbnailer}: FFmpeg through JavaCV. Each call
 * opens, uses and releases its own grabber, so one instance serves any number of threads.
 * Calls block (opening a file, decoding a frame); Reelay makes them on its media scheduler.
 */
public final class JavaCvMedia implements MediaProbe, Thumbnailer {

    private static final Pattern FFMPEG_ERROR = Pattern.compile("(\\w+)\\(\\) error (-?\\d+)");
    /** Packets read looking for the first video packet; past that, audio may just come first. */
    private static final int PACKETS_TO_FIRST_VIDEO = 10_000;
    /** JavaCV multiplies seek times by 10^6; keep that product in a long. */
    private static final long LONGEST_SEEK_MICROS = Long.MAX_VALUE / avutil.AV_TIME_BASE;

    private final NativeMedia natives;
    private final int decodeThreads;

    /**
     * @param natives       the check of FFmpeg's native libraries
     * @param decodeThreads FFmpeg's threads per decode; 0 lets FFmpeg choose (one per processor)
     */
    public JavaCvMedia(NativeMedia natives, int decodeThreads) {
        this.natives = Objects.requireNonNull(natives, "natives");
        if (decodeThreads < 0) {
            throw new IllegalArgumentException("decodeThreads must be >= 0, was " + decodeThreads);
        }
        this.decodeThreads = decodeThreads;
    }

    /** For {@code decodersInFlight} decodes at once: they share the processors rather than each taking all of them. */
    public static JavaCvMedia forDecoders(int decodersInFlight) {
        int processors = Runtime.getRuntime().availableProcessors();
        return new JavaCvMedia(NativeMedia.shared(), Math.max(1, processors / Math.max(1, decodersInFlight)));
    }

    /** The check of FFmpeg's native libraries this instance relies on. */
    public NativeMedia natives() {
        return natives;
    }

    // ---- probe

    /** The container's duration when it declares one, else the span of the video's packets (a live-written file). */
    @Override
    public Duration probe(Path video) {
        requireFile(video);
        requireNatives(video);
        try (FFmpegFrameGrabber grabber = open(video)) {
            requireVideoStream(grabber, video);
            long declared = declaredMicros(grabber);
            if (declared > 0) {
                requireVideoPacket(grabber, video);
                return Duration.of(declared, ChronoUnit.MICROS);
            }
            return Duration.of(microsFromPackets(grabber, video), ChronoUnit.MICROS);
        } catch (FrameGrabber.Exception e) {
            throw failed(video, e);
        }
    }

    private static long declaredMicros(FFmpegFrameGrabber grabber) {
        long duration = grabber.getFormatContext().duration();
        if (duration == avutil.AV_NOPTS_VALUE || duration <= 0) {
            return 0;
        }
        return duration * 1_000_000L / avutil.AV_TIME_BASE;
    }

    /** A header that declares a duration says nothing of the frames: a file cut after its header has none. */
    private static void requireVideoPacket(FFmpegFrameGrabber grabber, Path video) throws FrameGrabber.Exception {
        int index = grabber.getVideoStream();
        for (int i = 0; i < PACKETS_TO_FIRST_VIDEO; i++) {
            AVPacket packet = grabber.grabPacket();
            if (packet == null) {
                throw noFrame(video);
            }
            boolean found = packet.stream_index() == index && packet.size() > 0;
            avcodec.av_packet_unref(packet);
            if (found) {
                return;
            }
        }
    }

    /** Reads (without decoding) every packet of the video stream: from the first timestamp to the end of the last frame. */
    private static long microsFromPackets(FFmpegFrameGrabber grabber, Path video) throws FrameGrabber.Exception {
        int index = grabber.getVideoStream();
        AVStream stream = grabber.getFormatContext().streams(index);
        AVRational timeBase = stream.time_base();
        long frameTicks = frameTicks(stream, timeBase);
        boolean any = false;
        long first = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        AVPacket packet;
        while ((packet = grabber.grabPacket()) != null) {
            try {
                if (packet.stream_index() != index) {
                    continue;
                }
                any = true;
                long ts = packet.pts() != avutil.AV_NOPTS_VALUE ? packet.pts() : packet.dts();
                if (ts != avutil.AV_NOPTS_VALUE) {
                    first = Math.min(first, ts);
                    end = Math.max(end, ts + (packet.duration() > 0 ? packet.duration() : frameTicks));
                }
            } finally {
                avcodec.av_packet_unref(packet);
            }
        }
        if (!any) {
            throw noFrame(video);
        }
        if (end == Long.MIN_VALUE) {
            throw new MediaException(video, "duration unknown: the container does not declare it and its frames carry"
                    + " no timestamps");
        }
        return Math.max(0, Math.round((end - first) * 1_000_000.0 * timeBase.num() / timeBase.den()));
    }

    /** One frame's length in the stream's time base, from its frame rate; 0 when unknown. */
    private static long frameTicks(AVStream stream, AVRational timeBase) {
        AVRational rate = stream.avg_frame_rate();
        if (rate.num() <= 0 || rate.den() <= 0) {
            rate = stream.r_frame_rate();
        }
        if (rate.num() <= 0 || rate.den() <= 0 || timeBase.num() <= 0) {
            return 0;
        }
        return Math.round((double) timeBase.den() * rate.den() / ((double) timeBase.num() * rate.num()));
    }

    // ---- thumbnail

    @Override
    public void thumbnail(Path video, Path target, ThumbnailSpec spec) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(spec, "spec");
        requireFile(video);
        requireNatives(video);
        writeJpeg(grab(video, spec), target, spec.jpegQuality(), video);
    }

    private BufferedImage grab(Path video, ThumbnailSpec spec) {
        long offset;
        try (FFmpegFrameGrabber grabber = open(video)) {
            requireVideoStream(grabber, video);
            Geometry geometry = Geometry.apply(grabber, spec.maxWidth(), video);
            offset = offsetMicros(grabber, spec);
            BufferedImage image = offset > 0 ? seekAndGrab(grabber, offset, geometry) : grabNext(grabber, geometry);
            if (image != null) {
                return image;
            }
        } catch (FrameGrabber.Exception e) {
            throw failed(video, e);
        }
        if (offset > 0) {
            // The seek ran past what decodes (a truncated file, an overstated duration): take the first frame there is.
            try (FFmpegFrameGrabber grabber = open(video)) {
                BufferedImage image = grabNext(grabber, Geometry.apply(grabber, spec.maxWidth(), video));
                if (image != null) {
                    return image;
                }
            } catch (FrameGrabber.Exception e) {
                throw failed(video, e);
            }
        }
        throw noFrame(video);
    }

    /** The spec's offset, but never past the middle of the shorter of the known and the declared durations. */
    private static long offsetMicros(FFmpegFrameGrabber grabber, ThumbnailSpec spec) {
        long declared = declaredMicros(grabber);
        Duration duration = spec.knownDuration();
        if (declared > 0 && (duration == null || duration.compareTo(Duration.of(declared, ChronoUnit.MICROS)) > 0)) {
            duration = Duration.of(declared, ChronoUnit.MICROS);
        }
        Duration offset = spec.offsetWithin(duration);
        if (offset.compareTo(Duration.of(LONGEST_SEEK_MICROS, ChronoUnit.MICROS)) > 0) {
            return LONGEST_SEEK_MICROS;
        }
        return offset.getSeconds() * 1_000_000L + offset.getNano() / 1_000;
    }

    private static BufferedImage seekAndGrab(FFmpegFrameGrabber grabber, long micros, Geometry geometry)
            throws FrameGrabber.Exception {
        try {
            grabber.setVideoTimestamp(micros);
        } catch (FrameGrabber.Exception e) {
            return null; // not seekable: the caller falls back to the first frame
        }
        return grabNext(grabber, geometry);
    }

    private static BufferedImage grabNext(FFmpegFrameGrabber grabber, Geometry geometry) throws FrameGrabber.Exception {
        Frame frame = grabber.grabImage();
        return frame == null || frame.image == null ? null : geometry.toImage(frame);
    }

    /**
     * The size FFmpeg scales each frame to (so Java never handles a full-size frame) and the
     * quarter turns that then stand it up as the video's display matrix says.
     */
    private record Geometry(int width, int height, int clockwiseTurns) {

        static Geometry apply(FFmpegFrameGrabber grabber, int maxWidth, Path video) {
            int w = grabber.getImageWidth();
            int h = grabber.getImageHeight();
            if (w <= 0 || h <= 0) {
                throw noFrame(video);
            }
            double pixelAspect = grabber.getAspectRatio();
            if (!(pixelAspect >= 0.1 && pixelAspect <= 10)) {
                pixelAspect = 1;
            }
            int turns = clockwiseTurns(grabber.getDisplayRotation());
            boolean sideways = turns % 2 == 1;
            double shownWidth = sideways ? h : w * pixelAspect;
            double shownHeight = sideways ? w * pixelAspect : h;
            double scale = Math.min(1.0, maxWidth / shownWidth);
            int outWidth = Math.max(1, (int) Math.round(shownWidth * scale));
            int outHeight = Math.max(1, (int) Math.round(shownHeight * scale));
            Geometry g = sideways ? new Geometry(outHeight, outWidth, turns) : new Geometry(outWidth, outHeight, turns);
            grabber.setImageWidth(g.width);
            grabber.setImageHeight(g.height);
            grabber.setImageScalingFlags(swscale.SWS_AREA);
            return g;
        }

        /** FFmpeg gives the counterclockwise angle that displays the frame upright. */
        private static int clockwiseTurns(double counterclockwiseDegrees) {
            if (!Double.isFinite(counterclockwiseDegrees)) {
                return 0;
            }
            return (int) Math.floorMod(Math.round(-counterclockwiseDegrees / 90.0), 4L);
        }

        BufferedImage toImage(Frame frame) {
            int w = frame.imageWidth;
            int h = frame.imageHeight;
            if (frame.imageChannels != 3 || frame.imageDepth != Frame.DEPTH_UBYTE || w <= 0 || h <= 0) {
                return null;
            }
            ByteBuffer pixels = (ByteBuffer) frame.image[0];
            BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
            byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
            for (int y = 0; y < h; y++) {
                pixels.get(y * frame.imageStride, bgr, y * w * 3, w * 3);
            }
            return clockwiseTurns == 0 ? image : turn(bgr, w, h);
        }

        private BufferedImage turn(byte[] bgr, int w, int h) {
            boolean sideways = clockwiseTurns % 2 == 1;
            int tw = sideways ? h : w;
            int th = sideways ? w : h;
            BufferedImage turned = new BufferedImage(tw, th, BufferedImage.TYPE_3BYTE_BGR);
            byte[] out = ((DataBufferByte) turned.getRaster().getDataBuffer()).getData();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int tx;
                    int ty;
                    switch (clockwiseTurns) {
                        case 1: tx = h - 1 - y; ty = x; break;
                        case 2: tx = w - 1 - x; ty = h - 1 - y; break;
                        default: tx = y; ty = w - 1 - x; break;
                    }
                    System.arraycopy(bgr, (y * w + x) * 3, out, (ty * tw + tx) * 3, 3);
                }
            }
            return turned;
        }
    }

    private static void writeJpeg(BufferedImage image, Path target, float quality, Path video) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        if (!writers.hasNext()) {
            throw new MediaException(video, "thumbnail not written: this JVM has no JPEG writer");
        }
        ImageWriter writer = writers.next();
        // An explicit memory cache: ImageIO's default would put a cache file in java.io.tmpdir.
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(target));
             ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new MediaException(video, "thumbnail could not be written to " + target + ": " + e, e);
        } finally {
            writer.dispose();
        }
    }

    // ---- opening, and what went wrong

    private static void requireFile(Path video) {
        Objects.requireNonNull(video, "video");
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(video, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new MediaException(video, "file not found: " + video);
        } catch (AccessDeniedException e) {
            throw new MediaException(video, "file cannot be read (permission denied): " + video);
        } catch (IOException e) {
            throw new MediaException(video, "file cannot be read: " + e, e);
        }
        if (attributes.isDirectory()) {
            throw new MediaException(video, "is a directory, not a file: " + video);
        }
        if (!attributes.isRegularFile()) {
            throw new MediaException(video, "is not a regular file: " + video);
        }
        if (attributes.size() == 0) {
            throw new MediaException(video, "file is empty");
        }
        if (!Files.isReadable(video)) {
            throw new MediaException(video, "file cannot be read (permission denied): " + video);
        }
    }

    private void requireNatives(Path video) {
        if (!natives.available()) {
            throw new MediaException(video, natives.unavailableReason());
        }
    }

    private FFmpegFrameGrabber open(Path video) {
        FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(video.toAbsolutePath().toString());
        grabber.setImageMode(FrameGrabber.ImageMode.COLOR);
        if (decodeThreads > 0) {
            grabber.setVideoOption("threads", Integer.toString(decodeThreads));
        }
        try {
            grabber.start();
            return grabber;
        } catch (FrameGrabber.Exception | RuntimeException e) {
            try {
                grabber.release();
            } catch (FrameGrabber.Exception | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw notOpened(video, e);
        }
    }

    private static void requireVideoStream(FFmpegFrameGrabber grabber, Path video) {
        if (!grabber.hasVideo()) {
            throw new MediaException(video, grabber.hasAudio() ? "has no video stream (audio only)"
                    : "has no video stream");
        }
    }

    private static MediaException notOpened(Path video, Exception e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("Did not find a video or audio stream")) {
            return new MediaException(video, "has no video stream", e);
        }
        if (message.contains("avcodec_find_decoder()")) {
            return new MediaException(video, "its codec is not supported by this FFmpeg build (" + clean(message, video) + ")",
                    e);
        }
        Matcher m = FFMPEG_ERROR.matcher(message);
        if (m.find()) {
            int code = Integer.parseInt(m.group(2));
            String why = strerror(code);
            switch (m.group(1)) {
                case "avformat_open_input":
                    if (code == -2) {
                        return new MediaException(video, "file not found: " + video, e);
                    }
                    return new MediaException(video, "not a video file (FFmpeg could not open it: " + why + ")", e);
                case "avformat_find_stream_info":
                    return new MediaException(video, "not a video file (FFmpeg could not read its streams: " + why + ")", e);
                default:
                    return new MediaException(video, "FFmpeg could not open it: " + m.group(1) + "(): " + why, e);
            }
        }
        return new MediaException(video, "FFmpeg could not open it: " + clean(message, video), e);
    }

    private static MediaException failed(Path video, FrameGrabber.Exception e) {
        return new MediaException(video, "FFmpeg failed reading it: " + clean(String.valueOf(e.getMessage()), video), e);
    }

    static MediaException noFrame(Path video) {
        return new MediaException(video, "no frame could be decoded (truncated or corrupt)");
    }

    /** FFmpeg's words for an error code, e.g. "Invalid data found when processing input". */
    private static String strerror(int code) {
        byte[] buffer = new byte[256];
        if (avutil.av_strerror(code, buffer, buffer.length) < 0) {
            return "error " + code;
        }
        int end = 0;
        while (end < buffer.length && buffer[end] != 0) {
            end++;
        }
        return new String(buffer, 0, end, StandardCharsets.UTF_8);
    }

    /** JavaCV's message without the path it quotes and without its hint about FFmpegLogCallback. */
    private static String clean(String message, Path video) {
        String m = message.replace(video.toAbsolutePath().toString(), String.valueOf(video.getFileName()));
        int hint = m.indexOf(" (For more details");
        return (hint >= 0 ? m.substring(0, hint) : m).strip();
    }

    @Override
    public String toString() {
        return "JavaCvMedia{decodeThreads=" + (decodeThreads == 0 ? "auto" : decodeThreads) + "}";
    }
}
