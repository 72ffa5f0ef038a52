package dev.reelay.support;

import dev.reelay.storage.ObjectStore;
import dev.reelay.storage.ObjectUpload;
import dev.reelay.storage.StoredObject;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;

/** A host's store, through the public SPI, that counts what runs at once and otherwise defers to another. */
public final class CountingStore implements ObjectStore {

    private final ObjectStore delegate;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger mostRunning = new AtomicInteger();
    private final AtomicInteger puts = new AtomicInteger();
    private final AtomicInteger lookups = new AtomicInteger();

    public CountingStore(ObjectStore delegate) {
        this.delegate = delegate;
    }

    public int puts() {
        return puts.get();
    }

    /** How often an object's size was asked for (a HEAD request, confirming a stored file). */
    public int lookups() {
        return lookups.get();
    }

    /** The most puts that ran at the same moment. */
    public int mostRunning() {
        return mostRunning.get();
    }

    @Override
    public String bucket() {
        return delegate.bucket();
    }

    @Override
    public String region() {
        return delegate.region();
    }

    @Override
    public Mono<StoredObject> put(ObjectUpload upload) {
        return Mono.defer(() -> {
            puts.incrementAndGet();
            mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            // counted down before the end is passed on, so the next upload can't overlap the count
            return delegate.put(upload).doOnTerminate(running::decrementAndGet).doOnCancel(running::decrementAndGet);
        });
    }

    @Override
    public Mono<Long> size(String key) {
        return Mono.defer(() -> {
            lookups.incrementAndGet();
            return delegate.size(key);
        });
    }

    @Override
    public String url(String key) {
        return delegate.url(key);
    }
}
