package dev.reelay.support;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelOption;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

/**
 * A TCP front for a test server that passes bytes through, or on command drops the next
 * connections the moment they arrive, or resets them once the request has come.
 */
public final class FaultyFront implements AutoCloseable {

    private final AtomicInteger dropNext = new AtomicInteger();
    private final AtomicInteger resetNext = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();
    private final DisposableServer server;

    private FaultyFront(String host, int port) {
        TcpClient target = TcpClient.create().host(host).port(port);
        server = TcpServer.create()
                .host("127.0.0.1")
                .port(0)
                .handle((in, out) -> {
                    connections.incrementAndGet();
                    if (dropNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        dropped.incrementAndGet();
                        in.withConnection(Connection::dispose);
                        return Mono.empty();
                    }
                    Flux<ByteBuf> request = in.receive().retain().switchOnFirst((first, all) -> {
                        if (first.hasValue() && resetNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                            dropped.incrementAndGet();
                            first.get().release();
                            in.withConnection(c -> {
                                c.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                                c.dispose();
                            });
                            return Flux.empty();
                        }
                        return all;
                    });
                    return target.connect().flatMap(upstream -> {
                        Mono<Void> up = upstream.outbound().send(request).then();
                        Mono<Void> down = out.send(upstream.inbound().receive().retain()).then();
                        return Mono.firstWithSignal(up, down).doFinally(s -> upstream.dispose());
                    });
                })
                .bindNow();
    }

    public static FaultyFront in(URI target) {
        return new FaultyFront(target.getHost(), target.getPort());
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    /** The next {@code n} connections are closed as soon as they are accepted. */
    public void dropNext(int n) {
        dropNext.set(n);
    }

    /**
     * The next {@code n} connections are reset (RST) as soon as their first request bytes
     * arrive: the client has sent its request and gets no answer.
     */
    public void resetNext(int n) {
        resetNext.set(n);
    }

    public int connections() {
        return connections.get();
    }

    public int dropped() {
        return dropped.get();
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
