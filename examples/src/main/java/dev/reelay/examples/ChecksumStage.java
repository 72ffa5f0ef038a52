package dev.reelay.examples;

import dev.reelay.FileOutcome;
import dev.reelay.PipelineResult;
import dev.reelay.RecordingFile;
import dev.reelay.RecordingJob;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A stage of our own for the pipeline: after the upload, the SHA-256 of each stored file's
 * local copy, attached to the job as {@code "sha256"} (a {@code Map<String, String>} of file
 * name to lower-case hex). It goes between Reelay's stages in the composition the pipeline
 * runs for every recording:
 *
 * <pre>{@code
 * RecordingPipeline pipeline = RecordingPipeline.create(options, stages -> stages.prepare()
 *         .andThen(stages.upload())
 *         .andThen(new ChecksumStage())
 *         .andThen(stages.metadata())
 *         .andThen(stages.deliver()));
 * }</pre>
 *
 * Reading files is blocking I/O, so it runs on {@link Schedulers#boundedElastic()}, never on the
 * thread that emits the job (often a Netty event loop, once the upload is done). A rejected job,
 * or one with nothing stored, passes through untouched; a file that cannot be read leaves a
 * warning on its job instead of ending the stream.
 */
public final class ChecksumStage implements Function<Flux<RecordingJob>, Flux<RecordingJob>> {

    /** The attribute's name on the job and on the result. */
    public static final String ATTRIBUTE = "sha256";

    /** Jobs checksummed at once; the upstream stages bound the rest. */
    private static final int JOBS_IN_FLIGHT = 2;
    /** Files of one job read at once. */
    private static final int FILES_IN_FLIGHT = 2;

    @Override
    public Flux<RecordingJob> apply(Flux<RecordingJob> jobs) {
        return jobs.flatMapSequential(job -> job.rejected() || job.storedFiles().isEmpty()
                ? Mono.just(job)
                : checksums(job)
                        .map(sums -> job.withAttribute(ATTRIBUTE, sums))
                        // A checksum that cannot be made is a warning on this job, not the end of the stream.
                        .onErrorResume(e -> Mono.just(job.withWarning("recording " + job.id()
                                + ": no checksums: " + e.getMessage()))),
                JOBS_IN_FLIGHT);
    }

    /** The checksum of every stored file of the job, in upload order. */
    private static Mono<Map<String, String>> checksums(RecordingJob job) {
        Map<String, Path> localPaths = new LinkedHashMap<>();
        for (RecordingFile file : job.files()) {
            localPaths.put(file.name(), file.path());
        }
        return Flux.fromIterable(job.storedFiles())
                .map(FileOutcome::name)
                .filter(localPaths::containsKey)
                .flatMapSequential(name -> sha256(localPaths.get(name)).map(hex -> Map.entry(name, hex)),
                        FILES_IN_FLIGHT)
                .collect(LinkedHashMap<String, String>::new, (sums, e) -> sums.put(e.getKey(), e.getValue()))
                .map(Collections::unmodifiableMap);
    }

    /** The file's SHA-256 as lower-case hex, read on a thread that may block. */
    static Mono<String> sha256(Path file) {
        return Mono.fromCallable(() -> {
            MessageDigest digest = newSha256();
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = Files.newInputStream(file)) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    digest.update(buffer, 0, n);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + " for its checksum", e);
            }
            return HexFormat.of().formatHex(digest.digest());
        }).subscribeOn(Schedulers.boundedElastic());
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** The checksums this stage attached, read back from a result; empty when there are none. */
    public static Map<String, String> of(PipelineResult result) {
        Object value = result.attributes().get(ATTRIBUTE);
        Map<String, String> sums = new LinkedHashMap<>();
        if (value instanceof Map<?, ?> map) {
            map.forEach((name, hex) -> sums.put(String.valueOf(name), String.valueOf(hex)));
        }
        return sums;
    }
}
