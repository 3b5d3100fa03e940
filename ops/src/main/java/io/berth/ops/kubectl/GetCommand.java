package io.berth.ops.kubectl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.berth.gateway.view.KubeObjects;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.NodeView;
import io.berth.schemas.avro.ResourceKind;
import io.berth.schemas.avro.TaskView;
import io.berth.schemas.avro.WorkloadView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code berth get pods|deployments|services|nodes [NAME] [-n NS|-A] [-o json|yaml|wide|name]}: reads the
 * compacted views from the beginning to their end offsets and prints them as kubectl does.
 */
@Command(name = "get", mixinStandardHelpOptions = true, description = "Display pods, deployments, replicasets, daemonsets, statefulsets, persistentvolumeclaims, controllerrevisions, jobs, cronjobs, services, nodes or events.")
public final class GetCommand extends KubectlCommand {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** kubectl's JSON layout: four-space indent, {@code "key": value}, {@code []} and {@code {}} when empty. */
    private static final DefaultPrettyPrinter KUBECTL_JSON = new DefaultPrettyPrinter(Separators.createDefaultInstance()
            .withObjectFieldValueSpacing(Separators.Spacing.AFTER).withArrayEmptySeparator("").withObjectEmptySeparator(""))
            .withObjectIndenter(new DefaultIndenter("    ", "\n")).withArrayIndenter(new DefaultIndenter("    ", "\n"));
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    @Parameters(index = "0", paramLabel = "TYPE", description = "pods (po), deployments (deploy), replicasets (rs), daemonsets (ds), statefulsets (sts), persistentvolumeclaims (pvc), controllerrevisions, jobs, cronjobs (cj), services (svc), nodes (no), events (ev), …; all (pods, services, daemonsets, deployments, replicasets, cronjobs, jobs); or TYPE/NAME")
    String type;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NAME")
    String name;

    @Option(names = {"-n", "--namespace"}, defaultValue = "default", description = "namespace (default: ${DEFAULT-VALUE})")
    String namespace;

    @Option(names = {"-A", "--all-namespaces"}, description = "list across all namespaces")
    boolean allNamespaces;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "json, yaml, wide or name")
    String output;

    @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR", description = "label selector, e.g. app=nginx,tier!=db")
    String selector;

    @Option(names = "--field-selector", paramLabel = "SELECTOR", description = "field selector, e.g. spec.nodeName=n1,status.phase=Running")
    String fieldSelector;

    @Option(names = {"-w", "--watch"}, description = "after listing, watch for changes: table rows as kubectl prints them, or with -o json one event per line ({\"type\":\"ADDED\",\"object\":{…}})")
    boolean watch;

    @Option(names = {"-L", "--label-columns"}, paramLabel = "LABEL", split = ",",
            description = "labels to show as columns, upper-cased as kubectl does (e.g. -L app,track or -L app -L track)")
    List<String> labelColumns = new ArrayList<>();

    @Option(names = "--show-labels", description = "show every label as the last column (LABELS)")
    boolean showLabels;

    @Option(names = "--at", paramLabel = "TIME", description = "show the objects as they were at TIME (RFC 3339, e.g. 2026-12-03T22:10:00Z, or relative, e.g. -10m), rebuilt from berth.audit")
    String at;

    public GetCommand() {}

    @Override
    public Integer call() {
        String[] typeAndName = ResourceTypes.typeAndName(type);
        if (typeAndName != null) {
            if (name != null) return fail("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form");
            type = typeAndName[0];
            name = typeAndName[1];
        }
        if (output != null && !List.of("json", "yaml", "wide", "name").contains(output)) {
            return fail("unable to match a printer suitable for the output format \"" + output + "\", allowed formats are: json,name,wide,yaml");
        }
        if (at != null && watch) return fail("--at and --watch cannot be combined: the past does not change");
        if ("all".equals(type)) {
            try {
                return all(gateway());
            } catch (Gateway.ApiException e) {
                return fail(e);
            }
        }
        ResourceTypes.Resource resource = ResourceTypes.resource(type);
        if (resource == null) return fail("the server doesn't have a resource type \"" + type + "\"");
        if (at != null && (resource == ResourceTypes.EVENTS || "replicasets".equals(resource.plural()))) {
            return fail("--at is not supported for " + resource.plural() + ": they are not part of the audit");
        }
        try {
            return viaGateway(gateway(), resource);
        } catch (Gateway.ApiException e) {
            return fail(e);
        }
    }

    // ---------------------------------------------------------------- through the gateway

    /** kubectl's order of listed objects: namespace, then name. */
    private static final Comparator<JsonNode> BY_NAMESPACE_AND_NAME = Comparator.comparing((JsonNode o) -> o.path("metadata").path("namespace").asText(""))
            .thenComparing(o -> o.path("metadata").path("name").asText(""));

    /** The resources of kubectl's {@code all} category that Berth serves, in kubectl's order. */
    static final List<ResourceTypes.Resource> ALL = List.of(ResourceTypes.PODS, ResourceTypes.SERVICES, ResourceTypes.DAEMONSETS, ResourceTypes.DEPLOYMENTS,
            ResourceTypes.REPLICASETS, ResourceTypes.STATEFULSETS, ResourceTypes.CRONJOBS, ResourceTypes.JOBS);

    /**
     * {@code get all}: one table per kind that has objects, names prefixed with the kind
     * ({@code pod/web-1}, {@code deployment.apps/web}), a blank line between tables, as kubectl prints it.
     */
    private int all(Gateway gw) {
        if (name != null) return fail("a resource name cannot be given with \"all\"; use TYPE/NAME");
        if (watch || at != null) return fail("--watch and --at are not supported with \"all\"");
        boolean showNs = allNamespaces;
        boolean wide = "wide".equals(output);
        java.util.Map<String, String> params = Gateway.params("labelSelector", selector, "fieldSelector", fieldSelector);
        List<ObjectNode> objects = new ArrayList<>();
        StringBuilder tables = new StringBuilder();
        for (ResourceTypes.Resource r : ALL) {
            List<JsonNode> items = new ArrayList<>();
            gw.get(Gateway.collection(r.plural(), allNamespaces ? null : namespace) + Gateway.query(params)).path("items").forEach(items::add);
            items.sort(BY_NAMESPACE_AND_NAME);
            for (JsonNode o : items) {
                objects.add((ObjectNode) o);
                if ("name".equals(output)) tables.append(r.printed()).append('/').append(o.path("metadata").path("name").asText()).append('\n');
            }
            if (items.isEmpty() || output != null && !wide) continue;
            int nameColumn = showNs ? 1 : 0;
            List<String> header = withLabels(JsonTables.header(r, wide, showNs), null);
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode o : items) {
                List<String> row = new ArrayList<>(withLabels(JsonTables.row(r, o, wide, showNs, clock.millis()), o));
                row.set(nameColumn, r.printed() + "/" + row.get(nameColumn));
                rows.add(row);
            }
            if (tables.length() > 0) tables.append('\n');
            tables.append(JsonTables.table(header, rows));
        }
        if ("json".equals(output) || "yaml".equals(output)) {
            out().print(serialize(KubeObjects.list(objects), "yaml".equals(output) ? YAML : JSON));
        } else if (objects.isEmpty()) {
            err().println(allNamespaces ? "No resources found" : "No resources found in " + namespace + " namespace.");
        } else {
            out().print(tables);
        }
        out().flush();
        err().flush();
        return 0;
    }

    private int viaGateway(Gateway gw, ResourceTypes.Resource r) {
        if (allNamespaces && name != null && r.namespaced()) {
            return fail("a resource cannot be retrieved by name across all namespaces");
        }
        String ns = !r.namespaced() ? null : allNamespaces ? null : namespace;
        boolean showNs = allNamespaces && name == null;
        java.util.Map<String, String> params = Gateway.params("labelSelector", selector, "fieldSelector", fieldSelector, "at", at);
        List<JsonNode> items = new ArrayList<>();
        String resourceVersion = null;
        if (name != null) {
            JsonNode o = gw.get(Gateway.item(r.plural(), ns, name) + Gateway.query(Gateway.params("at", at)));
            items.add(o);
            resourceVersion = o.path("metadata").path("resourceVersion").asText(null);
        } else {
            JsonNode list = gw.get(Gateway.collection(r.plural(), ns) + Gateway.query(params));
            list.path("items").forEach(items::add);
            resourceVersion = list.path("metadata").path("resourceVersion").asText(null);
            if (r == ResourceTypes.EVENTS) items.sort(Comparator.comparingLong(e -> JsonTables.millis(JsonTables.eventTime(e))));
            else items.sort(BY_NAMESPACE_AND_NAME);
        }
        boolean wide = "wide".equals(output);
        List<String> header = withLabels(JsonTables.header(r, wide, showNs), null);
        List<List<String>> rows = new ArrayList<>();
        if ("json".equals(output) || "yaml".equals(output)) {
            if (watch && "json".equals(output)) {
                // one JSON line per event, as the API streams them; the listed objects come first as ADDED
                items.forEach(o -> out().println(Gateway.object().put("type", "ADDED").set("object", o).toString()));
            } else if (watch) {
                items.forEach(o -> out().print("---\n" + serialize((ObjectNode) o, YAML)));
            } else {
                ObjectNode doc = name != null ? (ObjectNode) items.get(0) : KubeObjects.list(items.stream().map(o -> (ObjectNode) o).toList());
                out().print(serialize(doc, "yaml".equals(output) ? YAML : JSON));
            }
        } else if ("name".equals(output)) {
            items.forEach(o -> out().println(r.printed() + "/" + o.path("metadata").path("name").asText()));
        } else if (items.isEmpty()) {
            err().println(!r.namespaced() || allNamespaces ? "No resources found" : "No resources found in " + namespace + " namespace.");
        } else {
            for (JsonNode o : items) rows.add(withLabels(JsonTables.row(r, o, wide, showNs, clock.millis()), o));
            out().print(JsonTables.table(header, rows));
        }
        out().flush();
        err().flush();
        if (!watch) return 0;
        return watch(gw, r, ns, name != null ? "metadata.name=" + name + (fieldSelector == null ? "" : "," + fieldSelector) : fieldSelector,
                resourceVersion, header, rows, showNs);
    }

    /**
     * A header ({@code object} null) or a row with the label columns asked for: one per {@code -L} label
     * (its value, empty when unset), then with {@code --show-labels} every label as {@code k=v,…}
     * ({@code <none>} when none), as kubectl adds them.
     */
    List<String> withLabels(List<String> cells, JsonNode object) {
        if (labelColumns.isEmpty() && !showLabels) return cells;
        List<String> out = new ArrayList<>(cells);
        JsonNode labels = object == null ? null : object.path("metadata").path("labels");
        for (String l : labelColumns) {
            String key = l.strip();
            if (key.isEmpty()) continue;
            if (object == null) {
                String last = key.contains("/") ? key.substring(key.lastIndexOf('/') + 1) : key;
                out.add(last.toUpperCase(java.util.Locale.ROOT));
            } else {
                out.add(labels.path(key).asText(""));
            }
        }
        if (showLabels) {
            if (object == null) {
                out.add("LABELS");
            } else {
                List<String> pairs = new ArrayList<>();
                labels.fields().forEachRemaining(e -> pairs.add(e.getKey() + "=" + e.getValue().asText()));
                java.util.Collections.sort(pairs);
                out.add(pairs.isEmpty() ? "<none>" : String.join(",", pairs));
            }
        }
        return out;
    }

    /** Streams the watch from where the list ended: table rows as kubectl prints them, or JSON lines. */
    private int watch(Gateway gw, ResourceTypes.Resource r, String ns, String fields, String resourceVersion,
                      List<String> header, List<List<String>> initial, boolean showNs) {
        boolean wide = "wide".equals(output);
        WatchTable table = new WatchTable(header, initial);
        // Resumes after a dropped stream from the resourceVersion of the last event seen (the gateway replays
        // exactly what was missed); gives up when the gateway stays unreachable longer than the timeout.
        String[] last = {resourceVersion == null || resourceVersion.isEmpty() ? null : resourceVersion};
        boolean[] stop = {false};
        int[] exit = {0};
        WatchOutage outage = new WatchOutage(timeout);
        while (!stop[0] && !Thread.currentThread().isInterrupted()) {
            java.util.Map<String, String> params = Gateway.params("watch", "true", "labelSelector", selector, "fieldSelector", fields,
                    "resourceVersion", last[0]);
            try {
                gw.watch(Gateway.collection(r.plural(), ns) + Gateway.query(params), event -> {
                    String type = event.path("type").asText();
                    JsonNode o = event.path("object");
                    if (type.equals("ERROR")) {
                        err().println("Error from server" + (o.path("reason").asText("").isEmpty() ? "" : " (" + o.path("reason").asText() + ")")
                                + ": " + o.path("message").asText(o.toString()));
                        err().flush();
                        stop[0] = true;
                        exit[0] = 1;
                        return false;
                    }
                    String rv = o.path("metadata").path("resourceVersion").asText("");
                    if (!rv.isEmpty()) last[0] = rv;
                    if (type.equals("BOOKMARK")) return true;
                    if ("json".equals(output)) {
                        out().println(event.toString());
                    } else if ("yaml".equals(output)) {
                        out().print("---\n" + serialize((ObjectNode) o, YAML));
                    } else if ("name".equals(output)) {
                        out().println(r.printed() + "/" + o.path("metadata").path("name").asText());
                    } else {
                        out().print(table.next(withLabels(JsonTables.row(r, o, wide, showNs, clock.millis()), o)));
                    }
                    out().flush();
                    return true;
                });
                outage.up();
            } catch (Gateway.ApiException e) {
                if (e.code != 0) return fail(e); // e.g. 410 Expired: the version is too old to resume from
                if (outage.downTooLong()) return fail(e);
            }
            if (stop[0]) break;
            WatchOutage.pause();
        }
        return exit[0];
    }

    private static String serialize(ObjectNode doc, ObjectMapper mapper) {
        try {
            String s = mapper == JSON ? mapper.writer(KUBECTL_JSON).writeValueAsString(doc) : mapper.writeValueAsString(doc);
            return s.endsWith("\n") ? s : s + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render output", e);
        }
    }
}
