package dev.reelay.bench;

import java.util.ArrayList;
import java.util.List;

/** A Markdown table, built a row at a time. */
final class Markdown {

    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    private Markdown(List<String> headers) {
        this.headers = headers;
    }

    static Markdown table(String... headers) {
        return new Markdown(List.of(headers));
    }

    Markdown row(Object... cells) {
        List<String> row = new ArrayList<>();
        for (Object c : cells) {
            row.add(String.valueOf(c).replace("|", "\\|"));
        }
        rows.add(row);
        return this;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append("| ").append(String.join(" | ", headers)).append(" |\n");
        sb.append("|").append("---|".repeat(headers.size())).append("\n");
        for (List<String> row : rows) {
            sb.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        return sb.toString();
    }
}
