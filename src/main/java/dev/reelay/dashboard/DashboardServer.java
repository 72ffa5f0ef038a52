package dev.reelay.dashboard;

import reactor.core.Disposable;

/**
 * A {@link ReelayDashboard} listening on its own port; {@link #close()} (or {@link #dispose()})
 * stops it and releases what the dashboard holds.
 */
public interface DashboardServer extends Disposable, AutoCloseable {

    /** The dashboard's address, e.g. {@code http://127.0.0.1:8077/}, without the token. */
    String url();

    /**
     * The URL to open in a browser, with the access token in it ({@code …/?token=…}): opening it sets
     * a session cookie and takes the token out of the address bar. Handle it like the token.
     */
    String loginUrl();

    /** The port it listens on (the one chosen when 0 was asked for). */
    int port();

    /** Stops listening and releases the dashboard; the pipeline goes on. */
    @Override
    void close();

    @Override
    default void dispose() {
        close();
    }
}
