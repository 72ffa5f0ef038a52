package dev.reelay.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.NonBlocking;
import reactor.netty.resources.LoopResources;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;

/**
 * The event loops of one pipeline ({@code reelay-io-*}, one per core), shared by the S3 client and
 * the webhook client it builds, so that a 2-core machine runs one set of I/O threads instead of
 * the SDK's and Reactor Netty's each. Created on first use. {@link #close()} shuts them down
 * without a quiet period: the clients using them are closed first, so nothing can still arrive,
 * and the SDK's own shutdown waits a fixed 2 s for nothing.
 *
 * <p>NIO, not epoll: the SDK's Netty client is written and tested for NIO channels, and the
 * webhook client runs on whatever the group is. A {@link NioEventLoopGroup} (in Netty 4.2 a
 * {@code MultiThreadIoEventLoopGroup} with the NIO handler) rather than the generic group: the SDK
 * (2.57) tells the transport, for its DNS channels, only of the transport-specific groups, and
 * refuses others.
 */
public final class EventLoops implements AutoCloseable {

    /** How long the loops may take to run what is queued on them once told to stop. */
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);

    private final int threads;
    private EventLoopGroup group;
    private boolean closed;

    /** One loop per available processor. */
    public EventLoops() {
        this(Runtime.getRuntime().availableProcessors());
    }

    public EventLoops(int threads) {
        this.threads = Math.max(1, threads);
    }

    @SuppressWarnings("deprecation") // see the class's comment
    private synchronized EventLoopGroup group() {
        if (closed) {
            throw new IllegalStateException("the pipeline's event loops are shut down");
        }
        if (group == null) {
            group = new NioEventLoopGroup(threads, new LoopThreads());
        }
        return group;
    }

    /**
     * The loops for the SDK's Netty client. Given as an {@link SdkEventLoopGroup} made from an existing group, the
     * SDK does not shut them down when its client closes; {@link #close()} does.
     */
    public SdkEventLoopGroup forSdk() {
        return SdkEventLoopGroup.create(group(), NioSocketChannel::new);
    }

    /** The loops for a Reactor Netty client ({@code runOn(loops, false)}); disposing them there does nothing. */
    public LoopResources forReactorNetty() {
        return new Shared();
    }

    /**
     * Shuts the loops down at once (no quiet period) and waits, up to a few seconds, until their threads have run
     * what was queued and ended; close the clients on them first. From one of the loops' own threads it does not
     * wait (a loop cannot wait for itself). Further use fails.
     */
    @Override
    public void close() {
        EventLoopGroup g;
        synchronized (this) {
            closed = true;
            g = group;
            group = null;
        }
        if (g == null) {
            return;
        }
        Future<?> terminated = g.shutdownGracefully(0, SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        for (EventExecutor loop : g) {
            if (loop.inEventLoop()) {
                return;
            }
        }
        terminated.awaitUninterruptibly(SHUTDOWN_TIMEOUT.toMillis() + 1_000);
    }

    @Override
    public String toString() {
        return "EventLoops{threads=" + threads + "}";
    }

    /**
     * Daemon threads {@code reelay-io-<group>-<n>} that Reactor knows as non-blocking (as Reactor Netty's own
     * loops are): a {@code block()} there fails at once instead of waiting for the loop it runs on.
     */
    private static final class LoopThreads extends DefaultThreadFactory {

        LoopThreads() {
            super("reelay-io", true);
        }

        @Override
        protected Thread newThread(Runnable r, String name) {
            return new LoopThread(threadGroup, r, name);
        }
    }

    private static final class LoopThread extends FastThreadLocalThread implements NonBlocking {

        LoopThread(ThreadGroup group, Runnable r, String name) {
            super(group, r, name);
        }
    }

    /** The group as Reactor Netty's loop resources; its life is the pipeline's, so a client's dispose leaves it. */
    private final class Shared implements LoopResources {

        @Override
        public EventLoopGroup onServer(boolean useNative) {
            return group();
        }

        @Override
        public boolean daemon() {
            return true;
        }

        @Override
        public void dispose() {
            // the pipeline's close shuts the loops down
        }

        @Override
        public Mono<Void> disposeLater(Duration quietPeriod, Duration timeout) {
            return Mono.empty();
        }
    }
}
