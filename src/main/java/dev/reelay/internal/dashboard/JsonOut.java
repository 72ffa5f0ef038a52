package dev.reelay.internal.dashboard;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;

/**
 * JSON written with Jackson's streaming generator: no databind, so no caches that lock on first use
 * on an event loop, and every string escaped by the generator. Values from recordings and receivers
 * are only ever strings here; the page shows them as text.
 */
final class JsonOut {

    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private final StringWriter out = new StringWriter(512);
    private final JsonGenerator g;

    JsonOut() {
        try {
            g = FACTORY.createGenerator(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FunctionalInterface
    interface Body {
        void write(JsonOut json) throws IOException;
    }

    static String object(Body body) {
        JsonOut json = new JsonOut();
        try {
            json.g.writeStartObject();
            body.write(json);
            json.g.writeEndObject();
            json.g.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return json.out.toString();
    }

    JsonOut field(String name, String value) throws IOException {
        if (value == null) {
            g.writeNullField(name);
        } else {
            g.writeStringField(name, value);
        }
        return this;
    }

    JsonOut field(String name, long value) throws IOException {
        g.writeNumberField(name, value);
        return this;
    }

    JsonOut field(String name, double value) throws IOException {
        g.writeNumberField(name, Math.round(value * 1000) / 1000.0);
        return this;
    }

    JsonOut field(String name, boolean value) throws IOException {
        g.writeBooleanField(name, value);
        return this;
    }

    JsonOut field(String name, Instant value) throws IOException {
        return field(name, value == null ? null : value.toString());
    }

    JsonOut field(String name, Duration value) throws IOException {
        if (value == null) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, value.toMillis());
        }
        return this;
    }

    JsonOut nullField(String name) throws IOException {
        g.writeNullField(name);
        return this;
    }

    JsonOut object(String name, Body body) throws IOException {
        g.writeObjectFieldStart(name);
        body.write(this);
        g.writeEndObject();
        return this;
    }

    JsonOut array(String name, Body items) throws IOException {
        g.writeArrayFieldStart(name);
        items.write(this);
        g.writeEndArray();
        return this;
    }

    /** An object as an element of the array being written. */
    JsonOut element(Body body) throws IOException {
        g.writeStartObject();
        body.write(this);
        g.writeEndObject();
        return this;
    }

    JsonOut value(String s) throws IOException {
        g.writeString(s);
        return this;
    }
}
