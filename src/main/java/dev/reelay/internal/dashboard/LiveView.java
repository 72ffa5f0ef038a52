package dev.reelay.internal.dashboard;

import dev.reelay.RecordingPipeline;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.reactivestreams.Publisher;
import reactor.netty.http.server.HttpServerResponse;

/** Recordings in flight with each file's progress, from the pipeline's events. (Waits for pipeline.events().) */
final class LiveView implements AutoCloseable {

    LiveView(RecordingPipeline pipeline) {
    }

    boolean available() {
        return false;
    }

    String snapshot() {
        return JsonOut.object(j -> j.array("recordings", a -> { }));
    }

    Publisher<Void> stream(HttpServerResponse response) {
        return response.status(HttpResponseStatus.SERVICE_UNAVAILABLE).send();
    }

    @Override
    public void close() {
    }
}
