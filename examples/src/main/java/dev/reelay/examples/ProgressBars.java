package dev.reelay.examples;

import dev.reelay.UploadProgress;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A text progress bar per file, one line each time a file passes another 10 %:
 *
 * <pre>
 *   video.mkv        [##########----------]  50%   1.9 MiB of 3.8 MiB
 * </pre>
 *
 * Reelay calls {@link #progress} on its I/O threads, every 64 KiB or so, and those threads must
 * never wait. So the callback does not print: when a file crosses another 10 % step it queues
 * the line and asks a printer thread of our own to print what is queued. That is at most
 * eleven lines per file, however fast or slow the upload. {@link #flush()} and {@link #close()}
 * print what is left, so every file that was stored ends with its {@code 100%} line.
 *
 * <pre>{@code
 * try (ProgressBars bars = new ProgressBars(System.out)) {
 *     PipelineOptions options = PipelineOptions.builder().s3(s3).uploadProgress(bars).build();
 *     ...
 * }
 * }</pre>
 */
final class ProgressBars implements UploadProgress, AutoCloseable {

    private static final int WIDTH = 20;

    private record Line(String file, long sent, long total) {
    }

    private final PrintStream out;
    private final Map<String, AtomicInteger> stepByFile = new ConcurrentHashMap<>();
    private final Queue<Line> pending = new ConcurrentLinkedQueue<>();
    private final Scheduler printer = Schedulers.newSingle("progress-bars", true);

    ProgressBars(PrintStream out) {
        this.out = out;
    }

    /** Called by Reelay on an I/O thread: quick, and never waits. */
    @Override
    public void progress(long recordingId, String fileName, long bytesSent, long totalBytes) {
        int step = totalBytes == 0 ? 10 : (int) (bytesSent * 10 / totalBytes);
        AtomicInteger printed = stepByFile.computeIfAbsent(recordingId + "/" + fileName, key -> new AtomicInteger(-1));
        int before = printed.get();
        while (step > before) {
            if (printed.compareAndSet(before, step)) {
                pending.add(new Line(fileName, bytesSent, totalBytes));
                try {
                    printer.schedule(this::flush);
                } catch (RejectedExecutionException closed) {
                    // Closed already: nobody is watching any more.
                }
                return;
            }
            before = printed.get();
        }
    }

    /** Prints the lines queued so far, e.g. before printing something else. */
    synchronized void flush() {
        for (Line line = pending.poll(); line != null; line = pending.poll()) {
            out.println(render(line));
        }
    }

    private static String render(Line line) {
        int percent = line.total == 0 ? 100 : (int) (line.sent * 100 / line.total);
        int filled = percent * WIDTH / 100;
        return String.format(Locale.ROOT, "  %-16s [%s%s] %3d%%  %9s of %s", line.file,
                "#".repeat(filled), "-".repeat(WIDTH - filled), percent,
                Printing.size(line.sent), Printing.size(line.total));
    }

    /** Stops the printer thread and prints what is left. */
    @Override
    public void close() {
        printer.dispose();
        flush();
    }
}
