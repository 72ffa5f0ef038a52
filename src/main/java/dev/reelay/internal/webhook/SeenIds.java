package dev.reelay.internal.webhook;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code webhook-id}s verified recently, each until its timestamp leaves the tolerance window
 * (after that the timestamp check refuses it anyway). At most {@code capacity} are kept: when
 * full, the oldest is forgotten first. Thread-safe; every call holds the lock briefly.
 */
public final class SeenIds {

    private final int capacity;
    /** id → epoch second after which it no longer matters; in the order first seen. */
    private final LinkedHashMap<String, Long> seen = new LinkedHashMap<>();

    public SeenIds(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("the number of ids to remember must be > 0, was " + capacity);
        }
        this.capacity = capacity;
    }

    /** Records {@code id} until {@code expiresAt}; false when it was already there and not yet expired. */
    public synchronized boolean firstTime(String id, long expiresAt, long now) {
        dropExpired(now);
        Long before = seen.get(id);
        if (before != null && before >= now) {
            return false;
        }
        seen.remove(id);
        seen.put(id, expiresAt);
        while (seen.size() > capacity) {
            Iterator<Map.Entry<String, Long>> eldest = seen.entrySet().iterator();
            eldest.next();
            eldest.remove();
        }
        return true;
    }

    /** Forgets {@code id}, so that the same webhook verifies again (after its processing failed). */
    public synchronized void forget(String id) {
        seen.remove(id);
    }

    public synchronized int size() {
        return seen.size();
    }

    /** Expired entries at the head go; one further in waits for its turn, which costs memory but never correctness. */
    private void dropExpired(long now) {
        Iterator<Map.Entry<String, Long>> it = seen.entrySet().iterator();
        while (it.hasNext()) {
            if (it.next().getValue() >= now) {
                return;
            }
            it.remove();
        }
    }
}
