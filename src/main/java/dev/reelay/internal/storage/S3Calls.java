package dev.reelay.internal.storage;

import dev.reelay.ReelayException;
import dev.reelay.internal.EventLoops;
import dev.reelay.storage.S3StorageOptions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.RetryBackoffSpec;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkPlugin;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;

/**
 * The store's S3 calls: the client (built lazily, or the host's), and one request with a new
 * future per attempt, a stall watch per attempt, and retries of what may succeed later only.
 */
final class S3Calls {

    /**
     * Turns the SDK's retries off for one request, on a host's client too: the SDK applies a
     * request's plugins to a copy of the client's configuration. Ours are per request and per
     * part; the SDK's would stack on them.
     */
    private static final SdkPlugin NO_SDK_RETRIES = config -> config.overrideConfiguration(
            config.overrideConfiguration().toBuilder().retryStrategy(AwsRetryStrategy.doNotRetry()).build());
    private static final AwsRequestOverrideConfiguration HOST_CLIENT_OVERRIDE =
            AwsRequestOverrideConfiguration.builder().addPlugin(NO_SDK_RETRIES).build();
    /** Waiting for a connection is queueing, not a stall: the link watch decides, this only bounds it. */
    private static final Duration ACQUIRE_TIMEOUT = Duration.ofHours(1);

    private final S3StorageOptions options;
    private final LinkWatch link;
    /** Where the client Reelay builds runs its I/O; a host's client keeps its own. */
    private final EventLoops loops;
    private volatile S3AsyncClient client;
    private volatile boolean closed;

    S3Calls(S3StorageOptions options, LinkWatch link, EventLoops loops) {
        this.options = options;
        this.link = link;
        this.loops = loops;
        this.client = options.client().orElse(null);
    }

    LinkWatch link() {
        return link;
    }

    /** What each request carries: for a host's client, its SDK retries turned off; null for ours (built without). */
    AwsRequestOverrideConfiguration override() {
        return options.client().isPresent() ? HOST_CLIENT_OVERRIDE : null;
    }

    /**
     * One S3 call, retried with the options' backoff while the failure may pass. The call itself
     * (signing, marshalling, opening the file) is started on a thread that may block: the SDK's
     * request path takes locks, and must not run on an event loop or a parallel thread.
     */
    <T> Mono<T> request(AtomicInteger attempts, BiFunction<S3AsyncClient, LinkWatch.Request, CompletableFuture<T>> call) {
        RetryBackoffSpec retry = options.retry().filter(S3Errors::retryable);
        return attempt(attempts, call).retryWhen(retry.onRetryExhaustedThrow((spec, signal) -> signal.failure()));
    }

    /** One S3 call, tried once (a best effort: a listing, an abort). */
    <T> Mono<T> once(Function<S3AsyncClient, CompletableFuture<T>> call) {
        return attempt(new AtomicInteger(), (c, watch) -> call.apply(c));
    }

    private <T> Mono<T> attempt(AtomicInteger attempts, BiFunction<S3AsyncClient, LinkWatch.Request, CompletableFuture<T>> call) {
        return client().flatMap(c -> Mono.defer(() -> {
            LinkWatch.Request watch = link.request();
            return watch.watch(Mono.fromFuture((Supplier<CompletableFuture<T>>) () -> {
                attempts.incrementAndGet();
                return call.apply(c, watch);
            }).subscribeOn(Schedulers.boundedElastic()));
        }));
    }

    /** Builds the client now, if Reelay builds it, so that the first request does not wait for it. */
    Mono<Void> warmUp() {
        return client().then();
    }

    private Mono<S3AsyncClient> client() {
        S3AsyncClient c = client;
        if (c != null) {
            return Mono.just(c);
        }
        return Mono.fromCallable(this::createClient).subscribeOn(Schedulers.boundedElastic());
    }

    private synchronized S3AsyncClient createClient() {
        if (closed) {
            throw new ReelayException("the object store is closed");
        }
        if (client == null) {
            S3AsyncClientBuilder b = S3AsyncClient.builder()
                    .region(Region.of(options.region()))
                    // No read, write or acquire time limits of the SDK: on a slow uplink they cut
                    // requests that are merely slow. The link watch tells a stall from slowness.
                    // An HTTP client the S3 client does not own, so that its close leaves it alone: see close()
                    .httpClient(NettyNioAsyncHttpClient.builder()
                            // loops the SDK does not own: its close would wait a fixed 2 s quiet period for them
                            .eventLoopGroup(loops.forSdk())
                            .maxConcurrency(options.maxConnections())
                            .readTimeout(Duration.ZERO)
                            .writeTimeout(Duration.ZERO)
                            .connectionAcquisitionTimeout(ACQUIRE_TIMEOUT)
                            .build())
                    // Our retries are per request and per part; the SDK's would stack on them.
                    .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
            options.credentials().ifPresent(b::credentialsProvider);
            options.endpoint().ifPresent(endpoint -> b.endpointOverride(endpoint)
                    .forcePathStyle(true)
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED));
            client = b.build();
        }
        return client;
    }

    /**
     * Closes the client if Reelay built it; a host's client stays open. Its HTTP client is not closed:
     * its connections live on the pipeline's event loops, and shutting those down (which the pipeline
     * does next) closes every one of them. Closing it would close its connection pools through Netty's
     * global executor, whose thread, started for that and not a daemon, keeps the JVM from exiting for a
     * quiet second after a host's {@code main} returns (1.00 s of a one-shot run of 4.7 s, measured).
     */
    synchronized void close() {
        closed = true;
        S3AsyncClient c = client;
        if (c != null && options.client().isEmpty()) {
            c.close();
        }
    }
}
