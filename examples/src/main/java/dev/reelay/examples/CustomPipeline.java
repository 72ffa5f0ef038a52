package dev.reelay.examples;

import dev.reelay.FileOutcome;
import dev.reelay.PipelineResult;
import dev.reelay.RecordingPipeline;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * Reelay's stages with one of our own between them: {@link ChecksumStage} runs after the
 * upload and before the metadata, and what it finds comes back in
 * {@link PipelineResult#attributes()}. The composition is given to
 * {@link RecordingPipeline#create(dev.reelay.PipelineOptions, java.util.function.Function)}, so
 * the recording is journaled as a whole and the thumbnail Reelay cuts lives until the run ends,
 * for our stage to read.
 *
 * <pre>
 * mvn -q -f examples/pom.xml compile exec:java -Dexec.mainClass=dev.reelay.examples.CustomPipeline
 * </pre>
 *
 * It runs against the same embedded S3 server and receiver as {@link QuickStart}, and honours
 * the same {@code REELAY_*} variables. Exit status: 0 when the recording is {@code COMPLETED}
 * and every stored file has its checksum, 1 otherwise, 2 when a variable is malformed.
 */
public final class CustomPipeline {

    public static void main(String[] args) {
        System.exit(new CustomPipeline().run(System.getenv(), System.out));
    }

    /** Runs the example, printing to {@code out}; answers the exit status. */
    public int run(Map<String, String> env, PrintStream out) {
        QuickStartConfig config;
        try {
            config = QuickStartConfig.fromEnvironment(env);
        } catch (IllegalArgumentException e) {
            e.getMessage().lines().forEach(problem -> out.println("error: " + problem));
            return 2;
        }
        out.println("Reelay CustomPipeline: prepare → upload → ChecksumStage → metadata → deliver");
        try (DemoServices services = DemoServices.start(config)) {
            services.describe().forEach(line -> out.println("  " + line));
            try (DemoRecording demo = DemoRecording.create(config, out);
                 RecordingPipeline pipeline = RecordingPipeline.create(services.pipelineOptions().build(),
                         stages -> stages.prepare()
                                 .andThen(stages.upload())
                                 .andThen(new ChecksumStage())
                                 .andThen(stages.metadata())
                                 .andThen(stages.deliver()))) {
                out.println("  recording  " + demo.recording().id() + ": " + demo.description());
                return runStages(pipeline, demo, out);
            }
        } catch (IOException | RuntimeException e) {
            out.println("error: " + e);
            return 1;
        }
    }

    private static int runStages(RecordingPipeline pipeline, DemoRecording demo, PrintStream out) {
        PipelineResult result = pipeline.submit(demo.recording())
                .block(); // fine in main; never inside a reactive chain

        Printing.section(out, "SHA-256 of each stored file, from result.attributes().get(\""
                + ChecksumStage.ATTRIBUTE + "\")");
        Map<String, String> checksums = ChecksumStage.of(result);
        checksums.forEach((name, hex) -> out.printf(Locale.ROOT, "  %-16s %s%n", name, hex));
        result.warnings().forEach(w -> out.println("  warning: " + w));

        out.println();
        out.println("Result: " + result.status() + result.reason().map(r -> ": " + r).orElse(""));
        boolean everyFileSummed = result.files().stream()
                .filter(FileOutcome::stored)
                .allMatch(f -> checksums.containsKey(f.name()));
        return result.status() == PipelineResult.Status.COMPLETED && everyFileSummed ? 0 : 1;
    }
}
