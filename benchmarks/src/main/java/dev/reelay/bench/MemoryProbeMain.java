package dev.reelay.bench;

import dev.reelay.PipelineResult;
import dev.reelay.Recording;
import dev.reelay.RecordingPipeline;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * Workload 2's child JVM (started with a small {@code -Xmx}): uploads one video, watching its
 * own heap and resident set, and prints one line:
 * {@code RESULT status=… seconds=… peakHeap=… peakCommitted=… heapAfterGc=… gcs=… vmHwmKiB=…}.
 *
 * <p>Usage: {@code MemoryProbeMain reelay|sequential <video> <s3 endpoint> <webhook url>}.
 */
public final class MemoryProbeMain {

    private MemoryProbeMain() {
    }

    public static void main(String[] args) {
        String mode = args[0];
        Path video = Path.of(args[1]);
        S3Endpoint s3 = new S3Endpoint(URI.create(args[2]));
        String webhook = args[3];
        Recording recording = Recordings.base(1).video(video).build();

        String status;
        Stopwatch stopwatch = new Stopwatch(() -> Proc.Cpu.now(null, null));
        try (HeapWatch watch = new HeapWatch()) {
            if (mode.equals("reelay")) {
                stopwatch.start();
                try (RecordingPipeline pipeline = RecordingPipeline.create(ReelayContender.options(s3, webhook).build())) {
                    PipelineResult result = pipeline.submit(recording).block();
                    stopwatch.stop();
                    status = result.status().name();
                }
            } else {
                Contender.Outcome outcome = new SequentialUploader(s3, webhook).run(List.of(recording), stopwatch);
                status = outcome.recordingsOk() == 1 ? "COMPLETED" : "FAILED: " + outcome.firstProblem();
            }
            long afterGc = Proc.heapUsedAfterGc();
            System.out.println("RESULT status=" + status.replace(' ', '_')
                    + " seconds=" + stopwatch.nanos() / 1e9
                    + " peakHeap=" + watch.peakUsed()
                    + " peakCommitted=" + watch.peakCommitted()
                    + " heapAfterGc=" + afterGc
                    + " gcs=" + watch.collections()
                    + " cpuSeconds=" + stopwatch.cpu().harness() / 1e9
                    + " vmHwmKiB=" + Proc.statusKiB("VmHWM"));
            System.out.flush();
        }
        System.exit(0);
    }
}
