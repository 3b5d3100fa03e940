package io.berth.gateway.metrics;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.schemas.avro.ContainerStats;
import io.berth.schemas.avro.NodeStats;
import io.berth.schemas.avro.PodStats;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The objects of {@code metrics.k8s.io/v1beta1} as metrics-server renders them: {@code NodeMetrics},
 * {@code PodMetrics} and their lists, with quantities in canonical form ({@code "12345678n"}, {@code "250m"},
 * {@code "12345Ki"}) and the window as a Go duration ({@code "10.004s"}). Plain functions.
 */
public final class MetricsObjects {
    public static final String GROUP = "metrics.k8s.io";
    public static final String API_VERSION = GROUP + "/v1beta1";
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private MetricsObjects() {}

    /** CPU in canonical Kubernetes quantity form: whole cores, else millicores, microcores, nanocores (the largest exact unit). */
    public static String cpu(long nanoCores) {
        if (nanoCores == 0) return "0";
        if (nanoCores % 1_000_000_000L == 0) return Long.toString(nanoCores / 1_000_000_000L);
        if (nanoCores % 1_000_000L == 0) return nanoCores / 1_000_000L + "m";
        if (nanoCores % 1_000L == 0) return nanoCores / 1_000L + "u";
        return nanoCores + "n";
    }

    /** Bytes in canonical binary-SI form: the largest power-of-1024 suffix that divides exactly ({@code 1068Ki}, {@code 12Mi}), else plain bytes. */
    public static String memory(long bytes) {
        String[] suffixes = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
        int i = 0;
        long v = bytes;
        while (v != 0 && v % 1024 == 0 && i < suffixes.length - 1) {
            v /= 1024;
            i++;
        }
        return v + suffixes[i];
    }

    /** A window as Go's {@code time.Duration.String()} prints it: {@code 10s}, {@code 10.004s}, {@code 1m0s}, {@code 1m30.5s}. */
    public static String window(long millis) {
        if (millis == 0) return "0s";
        long minutes = millis / 60_000, ms = millis % 60_000;
        String seconds = ms % 1000 == 0 ? Long.toString(ms / 1000)
                : (ms / 1000) + "." + String.format("%03d", ms % 1000).replaceAll("0+$", "");
        if (minutes == 0) return seconds + "s";
        long hours = minutes / 60;
        return (hours > 0 ? hours + "h" + (minutes % 60) + "m" : minutes + "m") + seconds + "s";
    }

    static String time(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** {@code NodeMetrics} of node {@code name} (its labels, as metrics-server copies them) from its latest window. */
    public static ObjectNode nodeMetrics(String name, Map<String, String> labels, NodeStats s, long now) {
        ObjectNode o = head("NodeMetrics", name, null, labels, now);
        window(o, s);
        usage(o.putObject("usage"), s.getCpuNanoCores(), s.getMemoryWorkingSetBytes());
        return o;
    }

    /** {@code PodMetrics} of pod {@code namespace/name}: one entry per container, by name. */
    public static ObjectNode podMetrics(String namespace, String name, Map<String, String> labels, PodStats p, NodeStats s, long now) {
        ObjectNode o = head("PodMetrics", name, namespace, labels, now);
        window(o, s);
        ArrayNode containers = o.putArray("containers");
        for (ContainerStats c : p.getContainers()) {
            ObjectNode co = containers.addObject().put("name", c.getName());
            usage(co.putObject("usage"), c.getCpuNanoCores(), c.getMemoryWorkingSetBytes());
        }
        return o;
    }

    /** {@code NodeMetricsList} / {@code PodMetricsList}. */
    public static ObjectNode list(String kind, List<ObjectNode> items) {
        ObjectNode o = JSON.objectNode().put("kind", kind).put("apiVersion", API_VERSION);
        o.putObject("metadata");
        ArrayNode a = o.putArray("items");
        items.forEach(a::add);
        return o;
    }

    private static ObjectNode head(String kind, String name, String namespace, Map<String, String> labels, long now) {
        ObjectNode o = JSON.objectNode().put("kind", kind).put("apiVersion", API_VERSION);
        ObjectNode md = o.putObject("metadata").put("name", name);
        if (namespace != null) md.put("namespace", namespace);
        md.put("creationTimestamp", time(now)); // metrics-server: the time of the read, the object is not stored
        if (labels != null && !labels.isEmpty()) {
            ObjectNode l = md.putObject("labels");
            new TreeMap<>(labels).forEach(l::put);
        }
        return o;
    }

    private static void window(ObjectNode o, NodeStats s) {
        o.put("timestamp", time(s.getTimestamp())).put("window", window(s.getWindowMs()));
    }

    private static void usage(ObjectNode u, long nanoCores, long bytes) {
        u.put("cpu", cpu(nanoCores)).put("memory", memory(bytes));
    }
}
