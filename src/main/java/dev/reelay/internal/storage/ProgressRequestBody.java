package dev.reelay.internal.storage;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.core.async.AsyncRequestBody;

/** Reports the size of each buffer as the SDK takes it from the body. */
final class ProgressRequestBody implements AsyncRequestBody {

    private final AsyncRequestBody delegate;
    private final LongConsumer progress;

    ProgressRequestBody(AsyncRequestBody delegate, LongConsumer progress) {
        this.delegate = delegate;
        this.progress = progress;
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
        delegate.subscribe(new Subscriber<ByteBuffer>() {
            @Override
            public void onSubscribe(Subscription subscription) {
                s.onSubscribe(subscription);
            }

            @Override
            public void onNext(ByteBuffer buffer) {
                int n = buffer.remaining();
                s.onNext(buffer);
                progress.accept(n);
            }

            @Override
            public void onError(Throwable t) {
                s.onError(t);
            }

            @Override
            public void onComplete() {
                s.onComplete();
            }
        });
    }
}
