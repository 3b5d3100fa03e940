package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/** The CLI's view of {@link io.berth.gateway.view.JsonTables}: the same tables, named by {@link ResourceTypes.Resource}. */
final class JsonTables {
    private JsonTables() {}

    /** kubectl's tabwriter layout: {@link io.berth.gateway.view.JsonTables#table}. */
    static String table(List<String> header, List<List<String>> rows) {
        return io.berth.gateway.view.JsonTables.table(header, rows);
    }

    static String render(ResourceTypes.Resource r, List<JsonNode> items, boolean wide, boolean allNamespaces, long now) {
        return io.berth.gateway.view.JsonTables.render(r.plural(), r.namespaced(), items, wide, allNamespaces, now);
    }

    static List<String> header(ResourceTypes.Resource r, boolean wide, boolean allNamespaces) {
        return io.berth.gateway.view.JsonTables.header(r.plural(), r.namespaced(), wide, allNamespaces);
    }

    static List<String> row(ResourceTypes.Resource r, JsonNode o, boolean wide, boolean allNamespaces, long now) {
        return io.berth.gateway.view.JsonTables.row(r.plural(), r.namespaced(), o, wide, allNamespaces, now);
    }

    static String endpoints(JsonNode ep, String portName) {
        return io.berth.gateway.view.JsonTables.endpoints(ep, portName);
    }

    static String eventTime(JsonNode e) {
        return io.berth.gateway.view.JsonTables.eventTime(e);
    }

    static String jobDuration(JsonNode job, long now) {
        return io.berth.gateway.view.JsonTables.jobDuration(job, now);
    }

    static String podStatus(JsonNode pod) {
        return io.berth.gateway.view.JsonTables.podStatus(pod);
    }

    static String roles(JsonNode labels) {
        return io.berth.gateway.view.JsonTables.roles(labels);
    }

    static String selector(JsonNode labels) {
        return io.berth.gateway.view.JsonTables.selector(labels);
    }

    static String age(String timestamp, long now) {
        return io.berth.gateway.view.JsonTables.age(timestamp, now);
    }

    static long millis(String timestamp) {
        return io.berth.gateway.view.JsonTables.millis(timestamp);
    }
}
