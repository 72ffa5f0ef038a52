package dev.reelay.bench;

import java.util.ArrayList;
import java.util.List;

/** One workload's part of the results: its Markdown and the goals it checked. */
final class Section {

    /** A goal of the issue, with what was measured. */
    record Goal(String name, String measured, Verdict verdict) {
    }

    /** Whether a goal was met; a goal that compares with a tool this machine does not have cannot be judged. */
    enum Verdict {
        MET("yes"), MISSED("**no**"), NOT_MEASURED("not measured");

        private final String label;

        Verdict(String label) {
            this.label = label;
        }

        static Verdict of(boolean met) {
            return met ? MET : MISSED;
        }

        /** The goals table's cell. */
        String label() {
            return label;
        }
    }

    private final String title;
    private final StringBuilder body = new StringBuilder();
    private final List<Goal> goals = new ArrayList<>();

    Section(String title) {
        this.title = title;
    }

    Section text(String markdown) {
        body.append(markdown).append(markdown.endsWith("\n") ? "" : "\n").append('\n');
        return this;
    }

    Section table(Markdown table) {
        return text(table.toString());
    }

    Section goal(String name, String measured, boolean met) {
        return goal(name, measured, Verdict.of(met));
    }

    Section goal(String name, String measured, Verdict verdict) {
        goals.add(new Goal(name, measured, verdict));
        return this;
    }

    List<Goal> goals() {
        return goals;
    }

    String title() {
        return title;
    }

    String markdown() {
        return "## " + title + "\n\n" + body;
    }
}
