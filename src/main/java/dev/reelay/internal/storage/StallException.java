package dev.reelay.internal.storage;

import java.util.concurrent.TimeoutException;

/** A request moved no byte for the idle timeout; a later attempt may go through. */
final class StallException extends TimeoutException {

    private static final long serialVersionUID = 1L;

    StallException(String message) {
        super(message);
    }
}
