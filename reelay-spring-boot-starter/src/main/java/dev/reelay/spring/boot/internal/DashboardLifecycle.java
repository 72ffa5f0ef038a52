package dev.reelay.spring.boot.internal;

import dev.reelay.dashboard.DashboardServer;
import dev.reelay.dashboard.ReelayDashboard;
import org.springframework.context.SmartLifecycle;

/**
 * Serves the dashboard on its own port while the context runs: it starts after the pipeline's lifecycle and
 * stops before the pipeline closes.
 */
public final class DashboardLifecycle implements SmartLifecycle {

    private final ReelayDashboard dashboard;
    private volatile DashboardServer server;

    public DashboardLifecycle(ReelayDashboard dashboard) {
        this.dashboard = dashboard;
    }

    @Override
    public synchronized void start() {
        if (server == null) {
            server = dashboard.start();   // binds now, logs where it is (with the URL to open when the token was made up)
        }
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    @Override
    public int getPhase() {
        return PipelineLifecycle.PHASE + 1;
    }

    /** The port it listens on, or -1 when it is not running. */
    public int port() {
        DashboardServer s = server;
        return s == null ? -1 : s.port();
    }
}
