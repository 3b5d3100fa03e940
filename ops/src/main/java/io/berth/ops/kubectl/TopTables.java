package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.gateway.manifest.Quantities;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The tables {@code kubectl top} prints, from {@code metrics.k8s.io} objects: CPU as ceiled millicores
 * ({@code 3m}), memory as whole MiB ({@code 12Mi}), node percentages of allocatable (integer, as kubectl), laid
 * out by Go's tabwriter with kubectl's settings (cli-runtime: min width 6, padding 3, every cell tab-terminated). Plain functions.
 */
final class TopTables {
    private TopTables() {}

    /** One row's usage: CPU in millicores, memory in bytes (what sorting compares). */
    record Usage(long cpuMillis, long memoryBytes) {
        String cpu() {
            return cpuMillis + "m";
        }

        String memory() {
            return memoryBytes / (1024 * 1024) + "Mi";
        }
    }

    /** The usage of a metrics object: its {@code usage}, or the sum of its containers' (a pod). */
    static Usage usage(JsonNode metrics) {
        if (metrics.has("usage")) return usage(metrics.path("usage"), BigDecimal.ZERO, BigDecimal.ZERO);
        BigDecimal cpu = BigDecimal.ZERO, mem = BigDecimal.ZERO;
        for (JsonNode c : metrics.path("containers")) {
            cpu = cpu.add(Quantities.parse(c.path("usage").path("cpu").asText("0")));
            mem = mem.add(Quantities.parse(c.path("usage").path("memory").asText("0")));
        }
        return of(cpu, mem);
    }

    private static Usage usage(JsonNode u, BigDecimal cpu, BigDecimal mem) {
        return of(cpu.add(Quantities.parse(u.path("cpu").asText("0"))), mem.add(Quantities.parse(u.path("memory").asText("0"))));
    }

    /** Quantity.MilliValue and Value round up, as kubectl's do. */
    private static Usage of(BigDecimal cores, BigDecimal bytes) {
        return new Usage(cores.movePointRight(3).setScale(0, java.math.RoundingMode.CEILING).longValueExact(),
                bytes.setScale(0, java.math.RoundingMode.CEILING).longValueExact());
    }

    /** Sorts in place, highest first, by {@code cpu} or {@code memory}; null or empty leaves the order. */
    static <T> void sort(List<T> rows, java.util.function.Function<T, Usage> usage, String sortBy) {
        if (sortBy == null || sortBy.isEmpty()) return;
        Comparator<T> c = switch (sortBy) {
            case "cpu" -> Comparator.comparingLong(r -> usage.apply(r).cpuMillis());
            case "memory" -> Comparator.comparingLong(r -> usage.apply(r).memoryBytes());
            default -> throw new IllegalArgumentException("--sort-by accepts only cpu or memory");
        };
        rows.sort(c.reversed());
    }

    /** {@code kubectl top pod} rows: [NAMESPACE] NAME CPU MEMORY, or with containers [NAMESPACE] POD NAME CPU MEMORY. */
    static List<List<String>> pods(List<JsonNode> items, boolean allNamespaces, boolean containers, String sortBy, boolean headers) {
        List<JsonNode> sorted = new ArrayList<>(items);
        sort(sorted, TopTables::usage, sortBy);
        List<List<String>> rows = new ArrayList<>();
        if (headers) {
            List<String> h = new ArrayList<>();
            if (allNamespaces) h.add("NAMESPACE");
            if (containers) h.add("POD");
            h.addAll(List.of("NAME", "CPU(cores)", "MEMORY(bytes)"));
            rows.add(h);
        }
        for (JsonNode p : sorted) {
            String ns = p.path("metadata").path("namespace").asText(), name = p.path("metadata").path("name").asText();
            if (!containers) {
                Usage u = usage(p);
                rows.add(allNamespaces ? List.of(ns, name, u.cpu(), u.memory()) : List.of(name, u.cpu(), u.memory()));
                continue;
            }
            for (JsonNode c : p.path("containers")) {
                Usage u = usage(c);
                List<String> r = new ArrayList<>();
                if (allNamespaces) r.add(ns);
                r.addAll(List.of(name, c.path("name").asText(), u.cpu(), u.memory()));
                rows.add(r);
            }
        }
        return rows;
    }

    /** A node and its metrics (null: none yet, printed {@code <unknown>} as kubectl ≥ 1.22 does). */
    record NodeRow(JsonNode node, JsonNode metrics) {}

    /** {@code kubectl top node} rows: NAME CPU(cores) CPU(%) MEMORY(bytes) MEMORY(%), percentages of allocatable (or capacity). */
    static List<List<String>> nodes(List<NodeRow> nodes, String sortBy, boolean headers, boolean showCapacity) {
        List<NodeRow> known = new ArrayList<>(), unknown = new ArrayList<>();
        for (NodeRow n : nodes) (n.metrics() == null ? unknown : known).add(n);
        sort(known, n -> usage(n.metrics()), sortBy);
        List<List<String>> rows = new ArrayList<>();
        if (headers) rows.add(List.of("NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"));
        for (NodeRow n : known) {
            Usage u = usage(n.metrics());
            JsonNode total = n.node().path("status").path(showCapacity ? "capacity" : "allocatable");
            long cpuTotal = Quantities.cpuMillis(total.path("cpu").asText("0")), memTotal = Quantities.memoryBytes(total.path("memory").asText("0"));
            rows.add(List.of(n.node().path("metadata").path("name").asText(), u.cpu(), percent(u.cpuMillis(), cpuTotal),
                    u.memory(), percent(u.memoryBytes(), memTotal)));
        }
        for (NodeRow n : unknown) {
            String x = "<unknown>";
            rows.add(List.of(n.node().path("metadata").path("name").asText(), x, x, x, x));
        }
        return rows;
    }

    private static String percent(long used, long total) {
        return total <= 0 ? "<unknown>" : (used * 100 / total) + "%";
    }

    /** Go's tabwriter as kubectl sets it up: each cell padded to max(width + 3, 6), every cell (the last too) tab-terminated. */
    static String render(List<List<String>> rows) {
        int cols = rows.stream().mapToInt(List::size).max().orElse(0);
        int[] width = new int[cols];
        for (List<String> r : rows) for (int i = 0; i < r.size(); i++) width[i] = Math.max(width[i], Math.max(r.get(i).length() + 3, 6));
        StringBuilder sb = new StringBuilder();
        for (List<String> r : rows) {
            for (int i = 0; i < r.size(); i++) sb.append(r.get(i)).append(" ".repeat(width[i] - r.get(i).length()));
            sb.append('\n');
        }
        return sb.toString();
    }
}
