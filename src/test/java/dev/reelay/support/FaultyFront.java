package dev.reelay.support;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.NettyInbound;
import reactor.netty.NettyOutbound;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

/**
 * A TCP front for a test server (the S3 server or the receiver) that passes bytes through or,
 * connection by connection, injects a fault: it drops the connection on arrival, resets it once
 * the request has come or once the answer starts, swallows the request and never answers, or
 * closes before answering. It can also throttle answers, and throttle requests as one uplink that
 * all connections share (a home or office uplink in front of the store); it counts the bytes it
 * passed each way.
 */
public final class FaultyFront implements AutoCloseable {

    /** What happens to one connection. */
    public enum Fault {
        /** Bytes pass both ways. */
        PASS,
        /** Closed as soon as it is accepted. */
        DROP,
        /** Reset (RST) as soon as the first request bytes arrive: the request is lost. */
        RESET_REQUEST,
        /** The request reaches the server, which acts on it; reset as its answer starts: the client can't tell. */
        RESET_RESPONSE,
        /** The request is read and nothing is ever answered. */
        STALL,
        /** The request is read, then the connection is closed without an answer. */
        CLOSE_BEFORE_ANSWER
    }

    private final TcpClient target;
    private final AtomicInteger connections = new AtomicInteger();
    private final Map<Fault, AtomicInteger> injected = new EnumMap<>(Fault.class);
    private volatile IntFunction<Fault> plan = i -> Fault.PASS;
    private volatile long bytesPerSecond;
    private volatile long uplinkBytesPerSecond;
    /** When the shared uplink is free again, in nanoTime: chunks of all connections queue behind it. */
    private final AtomicLong uplinkFreeAt = new AtomicLong(System.nanoTime());
    private final AtomicLong bytesUp = new AtomicLong();
    private final AtomicLong bytesDown = new AtomicLong();
    private final AtomicInteger open = new AtomicInteger();
    private volatile double chunkResetProbability;
    private final SplittableRandom chunkRandom = new SplittableRandom(11);
    private final DisposableServer server;

    private FaultyFront(String host, int port) {
        for (Fault f : Fault.values()) {
            injected.put(f, new AtomicInteger());
        }
        target = TcpClient.create().host(host).port(port);
        // A small receive window, as a router's: what the front has not passed on yet, it has not taken
        // either, so a client's bytes wait in its own socket, not here, and the uplink's pace reaches it.
        server = TcpServer.create().host("127.0.0.1").port(0)
                .option(ChannelOption.SO_RCVBUF, 64 * 1024)
                .handle(this::handle).bindNow();
    }

    public static FaultyFront in(URI target) {
        return new FaultyFront(target.getHost(), target.getPort());
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    /** The URL of the same path as {@code url}, through this front. */
    public String front(String url) {
        URI u = URI.create(url);
        return "http://127.0.0.1:" + server.port() + u.getRawPath();
    }

    /** Decides each new connection's fault by its number (0, 1, 2, …). */
    public void plan(IntFunction<Fault> plan) {
        this.plan = plan;
    }

    /** The next {@code n} connections get {@code fault}; the ones after pass. */
    public void next(int n, Fault fault) {
        int from = connections.get();
        plan(i -> i < from + n ? fault : Fault.PASS);
    }

    /** Each connection gets {@code fault} with this probability, reproducibly for the seed. */
    public void random(double probability, Fault fault, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        plan(i -> {
            synchronized (random) {
                return random.nextDouble() < probability ? fault : Fault.PASS;
            }
        });
    }

    /**
     * On connections that pass, each chunk of request bytes resets the connection with this
     * probability: with keep-alive connections carrying many requests, faults then strike
     * requests, not only new connections.
     */
    public void resetRequestChunks(double probability) {
        this.chunkResetProbability = probability;
    }

    /** Answers trickle at this many bytes per second (0: no limit). */
    public void throttle(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    /**
     * Requests of all connections together pass at this many bytes per second, as through one
     * uplink (0: no limit). A connection's chunk waits its turn behind the chunks already sent.
     */
    public void throttleUploads(long bytesPerSecond) {
        uplinkFreeAt.set(System.nanoTime());
        this.uplinkBytesPerSecond = bytesPerSecond;
    }

    /** Request bytes passed on to the server so far, on all connections. */
    public long bytesUp() {
        return bytesUp.get();
    }

    /** Answer bytes passed on to the clients so far, on all connections. */
    public long bytesDown() {
        return bytesDown.get();
    }

    /**
     * Connections open now. A client that cancels a request closes its connection, but its
     * operating system still sends what it had buffered: wait for zero before counting anew.
     */
    public int openConnections() {
        return open.get();
    }

    /** Starts counting both ways from zero. */
    public void resetCounts() {
        bytesUp.set(0);
        bytesDown.set(0);
    }

    /** The next {@code n} connections are closed as soon as they are accepted. */
    public void dropNext(int n) {
        next(n, Fault.DROP);
    }

    /** The next {@code n} connections are reset as soon as their request arrives. */
    public void resetNext(int n) {
        next(n, Fault.RESET_REQUEST);
    }

    public int connections() {
        return connections.get();
    }

    /** How many connections got {@code fault}. */
    public int injected(Fault fault) {
        return injected.get(fault).get();
    }

    /** How many connections got any fault. */
    public int dropped() {
        return injected.entrySet().stream().filter(e -> e.getKey() != Fault.PASS).mapToInt(e -> e.getValue().get()).sum();
    }

    private Mono<Void> handle(NettyInbound in, NettyOutbound out) {
        open.incrementAndGet();
        in.withConnection(c -> c.onDispose(open::decrementAndGet));
        Fault fault = plan.apply(connections.getAndIncrement());
        injected.get(fault).incrementAndGet();
        switch (fault) {
            case DROP:
                in.withConnection(Connection::dispose);
                return Mono.empty();
            case STALL:
                return in.receive().then();
            case CLOSE_BEFORE_ANSWER:
                return in.receive().next().doOnNext(b -> in.withConnection(Connection::dispose)).then();
            case RESET_REQUEST:
                return in.receive().next().doOnNext(b -> reset(in)).then();
            default:
                return target.connect().flatMap(upstream -> {
                    Flux<ByteBuf> request;
                    if (uplinkBytesPerSecond > 0) {
                        // Copied out as it arrives, so that no pooled buffer waits out a delay: the
                        // receive side releases its own, and the copy is wrapped only to be written.
                        request = in.receive().asByteArray()
                                .concatMap(bytes -> Mono.delay(uplinkTurn(bytes.length)).thenReturn(bytes), 1)
                                .map(Unpooled::wrappedBuffer);
                    } else {
                        request = in.receive().retain();
                    }
                    if (chunkResetProbability > 0 && fault == Fault.PASS) {
                        request = request.handle((b, sink) -> {
                            boolean reset;
                            synchronized (chunkRandom) {
                                reset = chunkRandom.nextDouble() < chunkResetProbability;
                            }
                            if (reset) {
                                injected.get(Fault.RESET_REQUEST).incrementAndGet();
                                b.release();
                                reset(in);
                                sink.complete();
                            } else {
                                sink.next(b);
                            }
                        });
                    }
                    Mono<Void> up = upstream.outbound().send(request
                            .doOnNext(b -> bytesUp.addAndGet(b.readableBytes()))
                            .doOnDiscard(ByteBuf.class, ReferenceCountUtil::safeRelease)).then();
                    Flux<ByteBuf> answer = upstream.inbound().receive().retain();
                    if (fault == Fault.RESET_RESPONSE) {
                        answer = answer.take(1).doOnNext(b -> {
                            b.release();
                            reset(in);
                        }).filter(b -> false);
                    } else if (bytesPerSecond > 0) {
                        long bps = bytesPerSecond;
                        // a chunk waiting out its delay is not yet emitted: if the client goes, release it here
                        answer = answer.concatMap(b -> Mono.delay(Duration.ofNanos(b.readableBytes() * 1_000_000_000L / bps))
                                .thenReturn(b)
                                .doOnCancel(() -> ReferenceCountUtil.safeRelease(b)), 1);
                    }
                    Mono<Void> down = out.send(answer.doOnNext(b -> bytesDown.addAndGet(b.readableBytes())).doOnDiscard(ByteBuf.class, ReferenceCountUtil::safeRelease)).then();
                    return Mono.firstWithSignal(up, down).doFinally(s -> upstream.dispose());
                });
        }
    }

    /** How long a chunk of {@code bytes} waits for the shared uplink, which it then holds for its own time. */
    private Duration uplinkTurn(int bytes) {
        long bps = uplinkBytesPerSecond;
        if (bps <= 0) {
            return Duration.ZERO;
        }
        long now = System.nanoTime();
        long own = bytes * 1_000_000_000L / bps;
        long freeAt = uplinkFreeAt.accumulateAndGet(now, (free, n) -> Math.max(free, n) + own);
        return Duration.ofNanos(Math.max(0, freeAt - now));
    }

    private static void reset(NettyInbound in) {
        in.withConnection(c -> {
            c.channel().config().setOption(ChannelOption.SO_LINGER, 0);
            c.dispose();
        });
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
