package dev.reelay.internal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;

/**
 * Jackson's streaming reader and writer, for every document Reelay writes and reads on its own path (the metadata,
 * the journal's JSON, the receiver's answer): databind's ~300 classes are never loaded for them, which a cold run
 * paid for. The factory stays here, unchangeable from outside.
 */
public final class Json {

    /**
     * Answers are parsed on Netty's event loops: the buffer pool must be lock-free (Jackson's default pool may park
     * a thread under contention).
     */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.newLockFreePool())
            .build();

    private Json() {
    }

    public static JsonGenerator generator(OutputStream out) throws IOException {
        return FACTORY.createGenerator(out, JsonEncoding.UTF8);
    }

    public static JsonGenerator generator(Writer out) throws IOException {
        return FACTORY.createGenerator(out);
    }

    public static JsonParser parser(byte[] json) throws IOException {
        return FACTORY.createParser(json);
    }

    public static JsonParser parser(String json) throws IOException {
        return FACTORY.createParser(json);
    }

    /** The factory's settings, for a databind mapper that must read as this does (a lenient public reader). */
    public static JsonFactory newFactory() {
        return JsonFactory.builder().recyclerPool(JsonRecyclerPools.newLockFreePool()).build();
    }
}
