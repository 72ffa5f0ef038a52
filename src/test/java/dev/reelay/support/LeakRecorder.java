package dev.reelay.support;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every report of Netty's leak detector for the whole test run (see logback-test.xml). */
public final class LeakRecorder extends AppenderBase<ILoggingEvent> {

    private static final List<String> REPORTS = new CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
        REPORTS.add(event.getFormattedMessage());
    }

    public static List<String> reports() {
        return List.copyOf(REPORTS);
    }

    public static void clear() {
        REPORTS.clear();
    }
}
