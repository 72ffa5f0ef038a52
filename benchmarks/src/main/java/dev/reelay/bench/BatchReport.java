package dev.reelay.bench;

import dev.reelay.bench.BatchThroughput.Lineup;
import dev.reelay.bench.BatchThroughput.Measured;
import dev.reelay.bench.BatchThroughput.Rounds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Workload 1's results at one latency, as Markdown: every contender's wall time, throughput, client CPU (per GiB
 * too) and throughput against each tool users would pick instead; the ratios the goals read; Reelay's whole process
 * by its own clock beside Reelay warm; and the goals, from the medians of the rounds. A tool that is not installed
 * is a row that says so, and its goals are not measured.
 */
final class BatchReport {

    private static final double GiB = 1024.0 * 1024 * 1024;
    /** The goal for {@code close()} of a whole process, in seconds. */
    private static final double CLOSE_GOAL = 0.100;

    private final Config config;
    /** The tools users would pick instead, installed or not. */
    private final List<ExternalTool> tools;

    BatchReport(Config config, List<ExternalTool> tools) {
        this.config = config;
        this.tools = List.copyOf(tools);
    }

    /**
     * Adds the tables of one latency's rounds to {@code section}: the contenders, the ratios, Reelay's whole process
     * by its own clock; and their goals ({@code goals}: also those of A and B, which read one table).
     */
    void write(Section section, Rounds rounds, long bytes, boolean goals) {
        double mib = bytes / 1048576.0;
        double gib = bytes / GiB;
        int latencyMs = rounds.latencyMs();
        String where = latencyMs > 0 ? "S3 +" + latencyMs + " ms each way" : "S3 on loopback";
        Lineup l = rounds.lineup();
        Map<Contender, List<Measured>> runs = rounds.runs();

        Markdown table = Markdown.table("contender (" + where + ")", "does", "wall time (s): median (min–max)", "MiB/s",
                "client CPU s", "client CPU s per GiB", "× aws-cli", "× rclone",
                "CPU s: S3 server / receiver" + (latencyMs > 0 ? " / proxy" : ""), "others' CPU s",
                "S3 server read / wrote (MiB)", "stored per run");
        for (Map.Entry<Contender, List<Measured>> e : runs.entrySet()) {
            Contender c = e.getKey();
            List<Measured> ms = e.getValue();
            double seconds = rounds.wall(c);
            Measured last = ms.get(ms.size() - 1);
            table.row(c.name(), c.sendsWebhooks() ? "files, metadata.json, webhook" : "files only (upload only)",
                    Stats.f2(seconds) + " (" + range(ms, Measured::seconds) + ")", Stats.f1(mib / seconds),
                    Stats.f2(rounds.median(c, Measured::clientCpuSeconds)),
                    Stats.f2(rounds.median(c, Measured::clientCpuSeconds) / gib),
                    l.aws() == null ? "" : Stats.f2(rounds.wall(l.aws()) / seconds) + "×",
                    l.rclone() == null ? "" : Stats.f2(rounds.wall(l.rclone()) / seconds) + "×",
                    median(ms, Proc.Cpu::s3) + " / " + median(ms, Proc.Cpu::receiver)
                            + (latencyMs > 0 ? " / " + median(ms, Proc.Cpu::proxy) : ""),
                    median(ms, Proc.Cpu::others),
                    Stats.f0(Stats.median(ms.stream().map(m -> m.cpu().s3Read() / 1048576.0).toList())) + " / "
                            + Stats.f0(Stats.median(ms.stream().map(m -> m.cpu().s3Written() / 1048576.0).toList())),
                    last.stored().objects() + " objects, " + last.webhooks().created() + " webhooks");
        }
        for (ExternalTool t : tools) {
            if (!t.installed()) {
                table.row(t.name(), t.notInstalled(), "", "", "", "", "", "", "", "", "", "");
            }
        }

        double vsA = rounds.wall(l.a()) / rounds.wall(l.warm());
        double vsB = rounds.wall(l.b()) / rounds.wall(l.warm());
        Markdown ratios = Markdown.table("ratio of throughputs (" + where + ")", "from the medians", "per round",
                        "goal", "met")
                .row("Reelay (warm) / A", Stats.f2(vsA) + "×", perRep(runs.get(l.a()), runs.get(l.warm())),
                        goals ? "≥ 3×" : "", goals ? (vsA >= 3 ? "yes" : "**no**") : "")
                .row("Reelay (warm) / B", Stats.f2(vsB) + "×", perRep(runs.get(l.b()), runs.get(l.warm())),
                        goals ? "≥ 0.9×" : "", goals ? (vsB >= 0.9 ? "yes" : "**no**") : "")
                .row("B / A (the ceiling over A)", Stats.f2(rounds.wall(l.a()) / rounds.wall(l.b())) + "×",
                        perRep(runs.get(l.a()), runs.get(l.b())), "", "");
        ratio(ratios, rounds, "Reelay (whole process) / aws-cli", l.aws(), l.cold(), "≥ 1×", 1);
        ratio(ratios, rounds, "Reelay (whole process) / rclone", l.rclone(), l.cold(), "", 0);
        ratio(ratios, rounds, "Reelay (warm) / rclone", l.rclone(), l.warm(), "≥ 1×", 1);
        ratio(ratios, rounds, "rclone / aws-cli", l.aws(), l.rclone(), "", 0);
        ratios.row("Reelay (warm) / Reelay (whole process)", Stats.f2(rounds.wall(l.cold()) / rounds.wall(l.warm())) + "×",
                perRep(runs.get(l.cold()), runs.get(l.warm())), "", "");

        if (latencyMs == config.s3Latencies().get(0)) {
            Markdown what = Markdown.table("contender", "timed", "how");
            l.all().forEach(c -> what.row(c.name(), c.wholeProcess() ? "whole process, start to exit"
                    : "in the harness, warm, close excluded", c.description()));
            for (ExternalTool t : tools) {
                if (!t.installed()) {
                    what.row(t.name(), "", t.notInstalled());
                }
            }
            section.table(what);
        }
        section.text("### " + (latencyMs > 0 ? "S3 " + latencyMs + " ms away: one-way latency " + latencyMs
                        + " ms, round trip " + 2 * latencyMs + " ms, through the latency proxy"
                        : "S3 on loopback: no added latency, no proxy")
                        + (goals && config.s3Latencies().size() > 1 ? " (the goals of A and B read this table)" : ""))
                .table(table)
                .table(ratios)
                .text("Reelay as a whole process, by its own clock (`ReelayProcessMain`; medians over the rounds, CPU "
                        + "from /proc in 10 ms ticks), beside Reelay warm in the harness:")
                .table(processTable(rounds, where));

        String suffix = latencyMs > 0 ? " (workload 1, " + latencyMs + " ms each way)" : " (workload 1, loopback)";
        if (goals) {
            section.goal("Reelay (warm) ≥ 3× A" + suffix, Stats.f2(vsA) + "× (B, the ceiling, is "
                            + Stats.f2(rounds.wall(l.a()) / rounds.wall(l.b())) + "× A)", vsA >= 3)
                    .goal("Reelay (warm) ≥ 0.9× B" + suffix, Stats.f2(vsB) + "×", vsB >= 0.9);
        }
        toolGoals(section, rounds, gib, suffix);
    }

    /** A row of the ratio table: {@code fast}'s throughput relative to {@code slow}'s, when both ran. */
    private static void ratio(Markdown ratios, Rounds rounds, String name, Contender slow, Contender fast, String goal,
                              double atLeast) {
        if (slow == null || fast == null) {
            ratios.row(name, "not measured: a tool is not installed", "", goal, "");
            return;
        }
        double r = rounds.wall(slow) / rounds.wall(fast);
        ratios.row(name, Stats.f2(r) + "×", perRep(rounds.runs().get(slow), rounds.runs().get(fast)), goal,
                goal.isEmpty() ? "" : r >= atLeast ? "yes" : "**no**");
    }

    /** The whole process's parts by its own clock, and its CPU against the warm run's. */
    private static Markdown processTable(Rounds rounds, String where) {
        Contender cold = rounds.lineup().cold();
        Contender warm = rounds.lineup().warm();
        List<Measured> ms = rounds.runs().get(cold);
        Function<String, ToDoubleFunction<Measured>> figure = name -> m -> m.figures().getOrDefault(name, Double.NaN);
        ToDoubleFunction<Measured> exit = m -> m.seconds() - m.figures().getOrDefault("launchToClosed", Double.NaN);
        ToDoubleFunction<Measured> cpuExit = m -> m.clientCpuSeconds() - m.figures().getOrDefault("cpuAtClosed", Double.NaN);
        Markdown t = Markdown.table("Reelay (whole process), " + where, "wall s: median (min–max)",
                "CPU s: median (min–max)");
        t.row("JVM start to `main` (from the harness starting the process)", cell(rounds, cold, figure.apply("launchToMain")),
                cell(rounds, cold, figure.apply("cpuToMain")));
        t.row("`create` + `process()` to the first result", cell(rounds, cold, figure.apply("firstResult")), "");
        t.row("`create` + `process()` to the last result", cell(rounds, cold, figure.apply("process")),
                cell(rounds, cold, figure.apply("cpuProcess")));
        t.row("`close()`", cell(rounds, cold, figure.apply("close")), cell(rounds, cold, figure.apply("cpuClose")));
        t.row("after `close()`: to the process's end, as the harness saw it", cell(rounds, cold, exit),
                cell(rounds, cold, cpuExit));
        t.row("**the whole process**", cell(rounds, cold, Measured::seconds), cell(rounds, cold, Measured::clientCpuSeconds));
        t.row("for comparison: Reelay (warm) in the harness, build to last result", cell(rounds, warm, Measured::seconds),
                cell(rounds, warm, Measured::clientCpuSeconds));
        List<Double> extra = new ArrayList<>();
        List<Measured> warms = rounds.runs().get(warm);
        for (int i = 0; i < Math.min(ms.size(), warms.size()); i++) {
            extra.add(ms.get(i).clientCpuSeconds() - warms.get(i).clientCpuSeconds());
        }
        t.row("whole process − warm, same round (what a cold process spends on top)",
                Stats.f2(rounds.wall(cold) - rounds.wall(warm)), Stats.f2(Stats.median(extra)) + " (" + range(extra) + ")");
        return t;
    }

    private static String cell(Rounds rounds, Contender c, ToDoubleFunction<Measured> figure) {
        List<Double> values = rounds.runs().get(c).stream().map(figure::applyAsDouble).toList();
        return Stats.f2(Stats.median(values)) + " (" + range(values) + ")";
    }

    /** The goals against the tools users would pick, from one run's medians; a missing tool is not measured. */
    private static void toolGoals(Section section, Rounds rounds, double gib, String suffix) {
        Lineup l = rounds.lineup();
        double cold = rounds.wall(l.cold());
        double warm = rounds.wall(l.warm());
        String name = "Reelay (whole process, with webhooks) ≥ aws-cli (upload only)" + suffix;
        if (l.aws() == null) {
            section.goal(name, "aws-cli not installed", Section.Verdict.NOT_MEASURED);
        } else {
            double r = rounds.wall(l.aws()) / cold;
            section.goal(name, Stats.f2(r) + "× aws-cli's throughput (" + Stats.f2(cold) + " s against "
                    + Stats.f2(rounds.wall(l.aws())) + " s)" + (l.rclone() == null ? ""
                    : "; " + Stats.f2(rounds.wall(l.rclone()) / cold) + "× rclone's (" + Stats.f2(rounds.wall(l.rclone()))
                            + " s)"), r >= 1);
        }
        String warmName = "Reelay (warm, with webhooks) ≥ rclone (upload only)" + suffix;
        String cpuName = "Reelay (warm) client CPU per GiB ≤ rclone's" + suffix;
        if (l.rclone() == null) {
            section.goal(warmName, "rclone not installed", Section.Verdict.NOT_MEASURED)
                    .goal(cpuName, "rclone not installed", Section.Verdict.NOT_MEASURED);
        } else {
            double r = rounds.wall(l.rclone()) / warm;
            section.goal(warmName, Stats.f2(r) + "× rclone's throughput (" + Stats.f2(warm) + " s against "
                    + Stats.f2(rounds.wall(l.rclone())) + " s)", r >= 1);
            double reelayCpu = rounds.median(l.warm(), Measured::clientCpuSeconds) / gib;
            double rcloneCpu = rounds.median(l.rclone(), Measured::clientCpuSeconds) / gib;
            section.goal(cpuName, Stats.f2(reelayCpu / rcloneCpu) + "× rclone's (" + Stats.f2(reelayCpu) + " against "
                    + Stats.f2(rcloneCpu) + " CPU s per GiB)", reelayCpu <= rcloneCpu);
        }
        double close = rounds.median(l.cold(), m -> m.figures().getOrDefault("close", Double.NaN));
        List<Double> closes = rounds.runs().get(l.cold()).stream()
                .map(m -> m.figures().getOrDefault("close", Double.NaN) * 1000).toList();
        section.goal("Reelay's `close()` < " + Stats.f0(CLOSE_GOAL * 1000) + " ms (whole process)" + suffix,
                Stats.f0(close * 1000) + " ms (median; " + Stats.f0(closes.stream().mapToDouble(d -> d).min().orElse(0))
                        + "–" + Stats.f0(closes.stream().mapToDouble(d -> d).max().orElse(0)) + " ms)", close < CLOSE_GOAL);
    }

    private static String median(List<Measured> runs, ToLongFunction<Proc.Cpu> part) {
        return Stats.f1(Stats.median(runs.stream().map(m -> part.applyAsLong(m.cpu()) / 1e9).toList()));
    }

    private static String range(List<Measured> runs, ToDoubleFunction<Measured> figure) {
        return range(runs.stream().map(figure::applyAsDouble).toList());
    }

    private static String range(List<Double> values) {
        double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        return Stats.f2(min) + "–" + Stats.f2(max);
    }

    /** The range of {@code slow / fast} over the repetitions, each pair from the same round. */
    private static String perRep(List<Measured> slow, List<Measured> fast) {
        List<Double> r = new ArrayList<>();
        for (int i = 0; i < Math.min(slow.size(), fast.size()); i++) {
            r.add(slow.get(i).seconds() / fast.get(i).seconds());
        }
        double min = r.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        double max = r.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        return Stats.f2(min) + "–" + Stats.f2(max) + "× (median " + Stats.f2(Stats.median(r)) + "×)";
    }
}
