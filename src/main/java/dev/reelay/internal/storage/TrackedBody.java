package dev.reelay.internal.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.core.async.AsyncRequestBody;

/**
 * A request body as the SDK takes it: each buffer is reported to the progress listener and to
 * the request's {@link LinkWatch}; for a file, the file is checked before the last buffer goes
 * out, and a file that changed since the upload started fails the body with a
 * {@link FileChangedException}, so that the store never receives a whole object of mixed
 * versions.
 */
final class TrackedBody implements AsyncRequestBody {

    private final AsyncRequestBody delegate;
    private final long length;
    private final LongConsumer progress;
    private final LinkWatch.Request watch;
    private final Path file;
    private final FileState expected;

    private TrackedBody(AsyncRequestBody delegate, long length, LongConsumer progress, LinkWatch.Request watch,
                        Path file, FileState expected) {
        this.delegate = delegate;
        this.length = length;
        this.progress = progress;
        this.watch = watch;
        this.file = file;
        this.expected = expected;
    }

    static TrackedBody ofBytes(AsyncRequestBody delegate, long length, LongConsumer progress, LinkWatch.Request watch) {
        return new TrackedBody(delegate, length, progress, watch, null, null);
    }

    /** A range of a file that must still be as {@code expected} when its last byte is read. */
    static TrackedBody ofFile(AsyncRequestBody delegate, long length, LongConsumer progress, LinkWatch.Request watch,
                              Path file, FileState expected) {
        return new TrackedBody(delegate, length, progress, watch, file, expected);
    }

    @Override
    public Optional<Long> contentLength() {
        return delegate.contentLength();
    }

    @Override
    public String contentType() {
        return delegate.contentType();
    }

    @Override
    public void subscribe(Subscriber<? super ByteBuffer> s) {
        watch.bodyStarted();
        delegate.subscribe(new Subscriber<ByteBuffer>() {
            private Subscription subscription;
            private long taken;
            private boolean done;

            @Override
            public void onSubscribe(Subscription subscription) {
                this.subscription = subscription;
                s.onSubscribe(subscription);
            }

            @Override
            public void onNext(ByteBuffer buffer) {
                if (done) {
                    return;
                }
                int n = buffer.remaining();
                taken += n;
                if (taken >= length && file != null) {
                    FileChangedException changed = changed();
                    if (changed != null) {
                        done = true;
                        subscription.cancel();
                        s.onError(changed);
                        return;
                    }
                }
                watch.taken();
                s.onNext(buffer);
                progress.accept(n);
            }

            @Override
            public void onError(Throwable t) {
                if (done) {
                    return;
                }
                done = true;
                // the SDK's own check ("File size changed after reading started") says it less clearly
                FileChangedException changed = file == null ? null : changed();
                s.onError(changed != null ? changed : t);
            }

            @Override
            public void onComplete() {
                if (done) {
                    return;
                }
                done = true;
                watch.bodySent();
                s.onComplete();
            }
        });
    }

    /**
     * The file's change since the upload started, or null. A stat, as the SDK's file body makes
     * on the same thread after its last read.
     */
    private FileChangedException changed() {
        FileState now;
        try {
            now = FileState.of(file);
        } catch (IOException e) {
            now = null;
        }
        return expected.equals(now) ? null : FileChangedException.of(file, expected, now);
    }
}
