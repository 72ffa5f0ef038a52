package dev.reelay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.PipelineResult.Status;
import dev.reelay.media.MediaOptions;
import dev.reelay.support.FaultyFront;
import dev.reelay.support.Recordings;
import dev.reelay.support.S3TestServer;
import dev.reelay.support.ServersTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * Uploads through a slow uplink (a front that passes the requests of all connections at a fixed
 * rate) finish, with one attempt per part and no byte sent twice: requests fail on stalls, not on
 * how long a large file takes.
 */
class SlowLinkTest extends ServersTest {

    /** Request headers and small documents: far below a part. */
    static final long OVERHEAD = 256 * 1024;

    /**
     * The numbers, with every default: a 40 MiB video through 256 KiB/s (2 Mbit/s) takes
     * 160 s of transfer. Before, it failed after 4 attempts per part with 52 MiB sent.
     */
    @Test
    void aFortyMebibyteVideoThroughTwoMegabitsCompletesWithDefaults() throws Exception {
        Path video = Recordings.file(dir.resolve("61"), "video.mkv", 40L << 20);
        try (FaultyFront front = FaultyFront.in(s3.endpoint())) {
            front.throttleUploads(256 * 1024);

            PipelineResult result = submit(PipelineOptions.builder()
                    .s3(s3.options(front.endpoint()).build())
                    .webhook(fastEndpoint(receiver.url()).build())
                    .media(MediaOptions.disabled())
                    .build(), Recordings.base(61).video(video).build(), Duration.ofMinutes(5));

            assertThat(result.status()).isEqualTo(Status.COMPLETED);
            assertThat(result.files().get(0).attempts()).as("attempts of the most-tried part").isEqualTo(1);
            assertThat(front.bytesUp()).isBetween(40L << 20, (40L << 20) + OVERHEAD);
            assertThat(s3.sha256("61/video.mkv")).isEqualTo(S3TestServer.sha256(Files.readAllBytes(video)));
            assertThat(s3.unfinishedUploads()).isEmpty();
        }
    }

    /**
     * A backlog of eight recordings at once, scaled down from eight 40 MiB videos on a 10 Mbit/s
     * uplink (268 s) to eight 10 MiB videos in 5 MiB parts through 2 MiB/s (40 s), with the idle
     * timeout scaled from 60 to 10 s. What made the original fail is kept: with every file's parts
     * in flight at once (8 files × 4 parts), each part would get 64 KiB/s and need 80 s, eight
     * times the idle timeout, as 8 MiB parts at 39 KiB/s needed 215 s against the old 2-minute
     * attempt budget. And what the idle timeout must bear is kept too: a few MiB per connection
     * that the OS has taken and not yet sent, which drain only at the link's pace.
     */
    @Test
    void aBacklogOfEightVideosCompletesWithOneAttemptPerPart() throws Exception {
        List<Recording> backlog = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < 8; i++) {
            Path d = dir.resolve(Integer.toString(62 + i));
            backlog.add(Recordings.base(62 + i).video(Recordings.file(d, "video.mkv", 10L << 20))
                    .transcript(Recordings.file(d, "transcript.txt", 2_000)).build());
            total += (10L << 20) + 2_000;
        }
        try (FaultyFront front = FaultyFront.in(s3.endpoint())) {
            front.throttleUploads(2L << 20);

            List<PipelineResult> results = processAll(PipelineOptions.builder()
                    .s3(s3.options(front.endpoint()).multipartThreshold(5L << 20).partSize(5L << 20)
                            .idleTimeout(Duration.ofSeconds(10)).build())
                    .webhook(fastEndpoint(receiver.url()).build())
                    .media(MediaOptions.disabled())
                    .build(), Flux.fromIterable(backlog));

            assertThat(results).hasSize(8).allSatisfy(r -> {
                assertThat(r.status()).isEqualTo(Status.COMPLETED);
                assertThat(r.files()).allSatisfy(f -> assertThat(f.attempts()).isEqualTo(1));
            });
            assertThat(front.bytesUp()).isBetween(total, total + 8 * OVERHEAD);
            assertThat(s3.unfinishedUploads()).isEmpty();
        }
    }

    private PipelineResult submit(PipelineOptions options, Recording recording, Duration limit) {
        pipeline = RecordingPipeline.create(options);
        List<PipelineResult> results = new ArrayList<>();
        StepVerifier.create(pipeline.submit(recording)).recordWith(() -> results).expectNextCount(1).expectComplete()
                .verify(limit);
        return results.get(0);
    }
}
