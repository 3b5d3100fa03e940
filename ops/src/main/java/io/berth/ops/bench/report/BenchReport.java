package io.berth.ops.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.*;

/**
 * The results of one benchmark scenario, written the same way by every scenario of {@code ops/bench}:
 * {@code <dir>/<scenario>.json} (every figure and series, the machine, the date),
 * {@code <dir>/<scenario>.md} (the Markdown table the README's Performance section quotes) and one
 * PNG per chart ({@code <dir>/<scenario>-<chart>.png}, JFreeChart, headless).
 *
 * <p>A figure is one measured number with its goal and, where a peer was measured in the same run,
 * the peer's number and the ratio. Progress of long runs goes to stderr through {@link #progress}.
 */
public final class BenchReport {
    /** One measured figure. {@code peer}/{@code peerValue} null when no peer ran; {@code goal} free text ("≤ 20 s"), may be null. */
    public record Figure(String name, double value, String unit, String goal, String peer, Double peerValue, String note) {
        public Double ratio() {
            return peerValue == null || peerValue == 0 ? null : value / peerValue;
        }
    }

    /** One line of a chart: y over x. */
    public record Series(String chart, String name, String xLabel, String yLabel, List<double[]> points) {}

    private final String scenario;
    private final double loadAtStart = load();
    private final Instant started = Instant.now();
    private final List<Figure> figures = new ArrayList<>();
    private final Map<String, Series> series = new LinkedHashMap<>();
    private final Map<String, Object> parameters = new LinkedHashMap<>();

    public BenchReport(String scenario) {
        this.scenario = scenario;
    }

    public String scenario() {
        return scenario;
    }

    /** A parameter of the run (nodes, replicas …), shown above the table. */
    public BenchReport parameter(String name, Object value) {
        parameters.put(name, value);
        return this;
    }

    public BenchReport figure(String name, double value, String unit, String goal) {
        return figure(new Figure(name, value, unit, goal, null, null, null));
    }

    public BenchReport figure(String name, double value, String unit, String goal, String peer, Double peerValue) {
        return figure(new Figure(name, value, unit, goal, peer, peerValue, null));
    }

    public BenchReport figure(Figure f) {
        figures.add(f);
        System.out.printf(Locale.ROOT, "%s: %s = %s %s%s%s%n", scenario, f.name(), number(f.value()), f.unit(),
                f.peerValue() == null ? "" : "  (" + f.peer() + ": " + number(f.peerValue()) + " " + f.unit() + ", ratio " + number(f.ratio()) + ")",
                f.goal() == null ? "" : "  goal " + f.goal());
        return this;
    }

    public List<Figure> figures() {
        return List.copyOf(figures);
    }

    /** Adds a point to the line {@code name} of chart {@code chart}. */
    public BenchReport point(String chart, String name, String xLabel, String yLabel, double x, double y) {
        series.computeIfAbsent(chart + "\u0000" + name, k -> new Series(chart, name, xLabel, yLabel, new ArrayList<>())).points().add(new double[]{x, y});
        return this;
    }

    /** A progress line on stderr, with the time since the scenario started. */
    public void progress(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[%s %6.1fs] %s%n", scenario, (System.nanoTime() - startNanos) / 1e9, String.format(Locale.ROOT, format, args));
    }

    private final long startNanos = System.nanoTime();

    /** Writes the JSON, the Markdown table and the charts into {@code dir} (created); returns the Markdown. */
    public String write(Path dir) {
        try {
            Files.createDirectories(dir);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("scenario", scenario);
            json.put("date", started.truncatedTo(ChronoUnit.SECONDS).toString());
            json.put("machine", machine());
            json.put("parameters", parameters);
            List<Map<String, Object>> fs = new ArrayList<>();
            for (Figure f : figures) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", f.name());
                m.put("value", f.value());
                m.put("unit", f.unit());
                if (f.goal() != null) m.put("goal", f.goal());
                if (f.peer() != null) m.put("peer", f.peer());
                if (f.peerValue() != null) m.put("peerValue", f.peerValue());
                if (f.ratio() != null) m.put("ratio", f.ratio());
                if (f.note() != null) m.put("note", f.note());
                fs.add(m);
            }
            json.put("figures", fs);
            List<Map<String, Object>> ss = new ArrayList<>();
            for (Series s : series.values()) ss.add(Map.of("chart", s.chart(), "name", s.name(), "x", s.xLabel(), "y", s.yLabel(), "points", s.points()));
            json.put("series", ss);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve(scenario + ".json").toFile(), json);
            String md = markdown();
            Files.writeString(dir.resolve(scenario + ".md"), md);
            writeCharts(dir);
            return md;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The table: figure, value, goal, peer, ratio; the machine and date under it. */
    public String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("### ").append(scenario).append("\n\n");
        if (!parameters.isEmpty()) {
            StringJoiner j = new StringJoiner(", ");
            parameters.forEach((k, v) -> j.add(k + " " + v));
            b.append("Parameters: ").append(j).append(".\n\n");
        }
        b.append("| figure | value | goal | peer | peer value | ratio |\n|---|---|---|---|---|---|\n");
        for (Figure f : figures) {
            b.append("| ").append(f.name()).append(f.note() == null ? "" : " (" + f.note() + ")")
                    .append(" | ").append(number(f.value())).append(' ').append(f.unit())
                    .append(" | ").append(f.goal() == null ? "" : f.goal())
                    .append(" | ").append(f.peer() == null ? "" : f.peer())
                    .append(" | ").append(f.peerValue() == null ? "" : number(f.peerValue()) + " " + f.unit())
                    .append(" | ").append(f.ratio() == null ? "" : number(f.ratio()))
                    .append(" |\n");
        }
        b.append("\n").append(machine()).append(", ").append(started.truncatedTo(ChronoUnit.SECONDS)).append(".\n");
        return b.toString();
    }

    private void writeCharts(Path dir) throws IOException {
        Map<String, List<Series>> byChart = new LinkedHashMap<>();
        for (Series s : series.values()) byChart.computeIfAbsent(s.chart(), c -> new ArrayList<>()).add(s);
        for (Map.Entry<String, List<Series>> e : byChart.entrySet()) {
            XYSeriesCollection data = new XYSeriesCollection();
            for (Series s : e.getValue()) {
                XYSeries xy = new XYSeries(s.name(), false, true);
                for (double[] p : s.points()) xy.add(p[0], p[1]);
                data.addSeries(xy);
            }
            Series first = e.getValue().get(0);
            JFreeChart chart = ChartFactory.createXYLineChart(scenario + ": " + e.getKey(), first.xLabel(), first.yLabel(), data,
                    PlotOrientation.VERTICAL, true, false, false);
            ChartUtils.saveChartAsPNG(dir.resolve(scenario + "-" + e.getKey().replaceAll("[^A-Za-z0-9._-]+", "-") + ".png").toFile(), chart, 900, 500);
        }
    }

    /** Cores, memory, OS, Java and the load average at start and now. */
    public String machine() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        long mem = os instanceof com.sun.management.OperatingSystemMXBean s ? s.getTotalMemorySize() : -1;
        return String.format(Locale.ROOT, "%d cores, %.0f GiB, %s %s, Java %s, load average %.1f at start, %.1f at end",
                Runtime.getRuntime().availableProcessors(), mem / 1024.0 / 1024 / 1024, System.getProperty("os.name"),
                System.getProperty("os.version"), System.getProperty("java.version"), loadAtStart, load());
    }

    /** The one-minute load average now. */
    public static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    static String number(Double v) {
        if (v == null) return "";
        double a = Math.abs(v);
        if (a >= 1000) return String.format(Locale.ROOT, "%,.0f", v);
        if (a >= 100) return String.format(Locale.ROOT, "%.0f", v);
        if (a >= 10) return String.format(Locale.ROOT, "%.1f", v);
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /**
     * Where results go: {@code $BENCH_RESULTS} (the {@code ops/bench} script sets it to the checkout's
     * {@code ops/bench-results}: {@code ops/bench} itself is the command, so it cannot be a directory too).
     */
    public static Path resultsDir() {
        String env = System.getenv("BENCH_RESULTS");
        return Path.of(env != null && !env.isBlank() ? env : "ops/bench-results");
    }
}
