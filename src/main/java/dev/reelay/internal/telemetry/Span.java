package dev.reelay.internal.telemetry;

/** One timed piece of work in a trace: a recording, its media, an upload, a webhook attempt. */
public interface Span {

    /** The span of a pipeline without tracing. */
    Span NONE = new Span() {
        @Override
        public void tag(String key, String value) {
        }

        @Override
        public void detail(String key, String value) {
        }

        @Override
        public void error(Throwable error) {
        }

        @Override
        public void end() {
        }
    };

    /** A value of few possibilities (a role, a status class): metrics may group by it. */
    void tag(String key, String value);

    /** A value of many possibilities (a recording id, a file name): for the trace only. */
    void detail(String key, String value);

    void error(Throwable error);

    /** Ends it; once only, later calls do nothing. */
    void end();
}
