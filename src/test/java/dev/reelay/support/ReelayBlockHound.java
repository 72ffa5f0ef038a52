package dev.reelay.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * How BlockHound watches the test run (installed for every test by blockhound-junit-platform).
 * Every blocking call on a non-blocking thread is recorded, even one that a library swallows,
 * so that HygieneTest can fail the run on it.
 */
public final class ReelayBlockHound implements BlockHoundIntegration {

    private static final List<String> DETECTED = new CopyOnWriteArrayList<>();

    @Override
    public void applyTo(BlockHound.Builder builder) {
        // The AWS SDK closes its channel pools from Netty's GlobalEventExecutor and waits there
        // (Netty's SimpleChannelPool.close awaits the channel close): the SDK's shutdown, not ours.
        builder.allowBlockingCallsInside("io.netty.channel.pool.SimpleChannelPool", "close");
        // The SDK parses XML answers on the event loop, and makes each loop thread's XML factory on its first answer
        // (a ServiceLoader lookup that reads jars, once per thread). The SDK's own loops were not watched; the
        // pipeline's loops, shared with the webhooks, are.
        builder.allowBlockingCallsInside("software.amazon.awssdk.protocols.query.unmarshall.XmlDomParser",
                "createXmlInputFactory");
        // The SDK completes each response's future on its own executor (sdk-async-response): an async stage of a
        // CompletableFuture, handed over from the event loop with ThreadPoolExecutor.execute, whose queue lock may
        // park a moment under contention. Only that hand-over: a direct execute() on a loop is still caught.
        builder.allowBlockingCallsInside("java.util.concurrent.CompletableFuture$UniCompletion", "claim");
        // When a request is cut off (a timeout, a reset, close()), the SDK closes the file it was sending from the
        // event loop; AsynchronousFileChannel.close waits there for a read of that channel under way, one chunk at
        // most. The SDK's code (FileAsyncRequestBody), seen on the pipeline's shared loops, which are watched.
        builder.allowBlockingCallsInside("software.amazon.awssdk.core.internal.async.FileAsyncRequestBody$FileSubscription",
                "closeFile");
        // Netty 4.2's adaptive allocator briefly locks a magazine when it grows its pool: Netty's own event-loop code.
        builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines");
        builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free");
        builder.blockingMethodCallback(method -> {
            BlockingOperationError error = new BlockingOperationError(method);
            StringBuilder where = new StringBuilder(Thread.currentThread().getName()).append(": ").append(method);
            for (StackTraceElement e : error.getStackTrace()) {
                where.append("\n\tat ").append(e);
            }
            DETECTED.add(where.toString());
            throw error;
        });
    }

    /** What was caught blocking, with the thread and the stack. */
    public static List<String> detected() {
        return List.copyOf(DETECTED);
    }

    public static void clear() {
        DETECTED.clear();
    }
}
