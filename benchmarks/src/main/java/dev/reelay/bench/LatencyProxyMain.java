package dev.reelay.bench;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.NettyInbound;
import reactor.netty.NettyOutbound;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

/**
 * A TCP proxy that adds a fixed one-way delay in each direction, in a JVM of its own, between
 * the contenders and the S3 server of workload 1: on loopback a round trip costs nothing, which
 * no real store gives.
 *
 * <p>Every chunk read from one side is written to the other at its arrival time plus the delay,
 * in order, so the throughput is kept: a burst is delayed by the delay once, not once per chunk.
 * Each client connection gets its own upstream connection; when either side closes, both are
 * closed. The TCP handshake itself is not delayed.
 *
 * <p>Usage: {@code LatencyProxyMain <target host> <target port> <one-way delay ms>}. Prints
 * {@code PORT <n>} once listening, then answers commands on stdin: {@code stats} →
 * {@code STATS <connections> <bytes up> <bytes down>}. Exits when stdin closes.
 */
public final class LatencyProxyMain {

    /** Chunks a direction may hold between reading and writing; with 16–64 KiB chunks, far more than 10 ms of traffic. */
    static final int CHUNKS_IN_FLIGHT = 256;

    /**
     * A chunk and when it may go on. Whoever claims it first owns its buffer: the writer (it is sent) or
     * the discard hook (it is released). Reactor may discard a chunk it has already emitted, when a side
     * closes just then, so the claim is what keeps a buffer from being released twice.
     */
    private static final class Chunk {
        final ByteBuf buf;
        final long dueNanos;
        private final AtomicBoolean claimed = new AtomicBoolean();

        Chunk(ByteBuf buf, long dueNanos) {
            this.buf = buf;
            this.dueNanos = dueNanos;
        }

        boolean claim() {
            return claimed.compareAndSet(false, true);
        }

        void release() {
            if (claim()) {
                ReferenceCountUtil.safeRelease(buf);
            }
        }
    }

    private final String host;
    private final int port;
    private final long delayNanos;
    private final LongAdder connections = new LongAdder();
    private final LongAdder bytesUp = new LongAdder();
    private final LongAdder bytesDown = new LongAdder();

    private LatencyProxyMain(String host, int port, Duration delay) {
        this.host = host;
        this.port = port;
        this.delayNanos = delay.toNanos();
    }

    public static void main(String[] args) throws Exception {
        LatencyProxyMain proxy = new LatencyProxyMain(args[0], Integer.parseInt(args[1]),
                Duration.ofMillis(Long.parseLong(args[2])));
        DisposableServer server = TcpServer.create()
                .host("127.0.0.1")
                .port(0)
                .handle(proxy::handle)
                .bindNow();
        System.out.println("PORT " + server.port());
        System.out.flush();

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String answer = line.trim().equals("stats")
                    ? "STATS " + proxy.connections.sum() + " " + proxy.bytesUp.sum() + " " + proxy.bytesDown.sum()
                    : "ERROR unknown command " + line;
            System.out.println(answer);
            System.out.flush();
        }
        server.disposeNow();
        System.exit(0);
    }

    /** One client connection: a new connection to the target, and the bytes of each side delayed to the other. */
    private Mono<Void> handle(NettyInbound clientIn, NettyOutbound clientOut) {
        connections.increment();
        return TcpClient.newConnection()
                .host(host)
                .port(port)
                .connect()
                .flatMap((Connection target) -> Mono.firstWithSignal(
                                target.outbound().send(delayed(clientIn.receive(), bytesUp)).then(),
                                clientOut.send(delayed(target.inbound().receive(), bytesDown)).then())
                        .doFinally(signal -> target.dispose()))
                // A side that resets its connection ends the pair; there is nothing to report.
                .onErrorResume(e -> Mono.empty());
    }

    /** The chunks of {@code in}, each released downstream no earlier than its arrival plus the delay. */
    private Flux<ByteBuf> delayed(ByteBufFlux in, LongAdder bytes) {
        return in.retain()
                .map(buf -> {
                    bytes.add(buf.readableBytes());
                    return new Chunk(buf, System.nanoTime() + delayNanos);
                })
                .concatMap(chunk -> {
                    long wait = chunk.dueNanos - System.nanoTime();
                    return wait <= 0 ? Mono.just(chunk) : Mono.just(chunk).delayElement(Duration.ofNanos(wait));
                }, CHUNKS_IN_FLIGHT)
                .<ByteBuf>handle((chunk, sink) -> {
                    if (chunk.claim()) {
                        sink.next(chunk.buf);
                    }
                })
                // Chunks still queued or waiting when a side closes: the retain above is ours to undo.
                .doOnDiscard(Chunk.class, Chunk::release);
    }
}
