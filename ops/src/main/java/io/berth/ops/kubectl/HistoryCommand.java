package io.berth.ops.kubectl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.berth.gateway.audit.AuditQuery;
import io.berth.gateway.manifest.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code berth history [KIND/NAME | KIND NAME | KIND] [--since T] [--until T] [--actor A] [--change C,…]
 * [-n NS] [-o json|yaml|wide] [-w [--timeout D]] [--limit N]}: who changed what and why, read from the
 * gateway's {@code /apis/berth.io/v1/audit} (which reads {@code berth.audit}). A table
 * {@code TIME ACTOR CHANGE CAUSE DETAILS}, oldest first; without a resource every resource, with a
 * {@code RESOURCE} column (and {@code NAMESPACE} unless {@code -n} is given). {@code -w} keeps following
 * from where the list ended, resuming after a dropped connection without duplicates or gaps.
 */
@Command(name = "history", mixinStandardHelpOptions = true,
        description = "Show who changed what and why: the audit log of one resource (KIND/NAME), of a kind, or of everything.")
public final class HistoryCommand extends KubectlCommand {
    static final int PAGE = 500;
    /** DETAILS is cut to this many characters unless {@code -o wide}. */
    static final int DETAILS_WIDTH = 60;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** kubectl's JSON layout (as {@code get -o json}): four-space indent, {@code "key": value}. */
    private static final com.fasterxml.jackson.core.util.DefaultPrettyPrinter KUBECTL_JSON = new com.fasterxml.jackson.core.util.DefaultPrettyPrinter(
            com.fasterxml.jackson.core.util.Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(com.fasterxml.jackson.core.util.Separators.Spacing.AFTER)
                    .withArrayEmptySeparator("").withObjectEmptySeparator(""))
            .withObjectIndenter(new com.fasterxml.jackson.core.util.DefaultIndenter("    ", "\n"))
            .withArrayIndenter(new com.fasterxml.jackson.core.util.DefaultIndenter("    ", "\n"));
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    @Parameters(index = "0", arity = "0..1", paramLabel = "KIND[/NAME]",
            description = "deployment/web, pod/NAME, svc/db, node/n1 (kubectl's short names work); a kind alone: every resource of it; nothing: everything")
    String target;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NAME")
    String name;

    @Option(names = {"-n", "--namespace"}, description = "namespace (default: default for a named resource; every namespace otherwise)")
    String namespace;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "json or yaml (the AuditList), or wide (full cause and details)")
    String output;

    @Option(names = "--since", paramLabel = "TIME", description = "from this time: RFC 3339 (2026-12-03T23:10:04Z) or relative (-10m, 2h, 1d)")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "up to this time (inclusive), same forms as --since")
    String until;

    @Option(names = "--actor", paramLabel = "ACTOR", description = "only this actor (api:alice, node/n1, controller/workload; controller/* for a prefix)")
    String actor;

    @Option(names = "--change", paramLabel = "CHANGE[,CHANGE…]", description = "only these changes, e.g. WorkloadChanged,TaskPlaced")
    String change;

    @Option(names = {"-w", "--watch"}, description = "after listing, follow new records until Ctrl-C (or --timeout)")
    boolean watch;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "with -w: stop following after this long (e.g. 30s, 5m)")
    String watchTimeout;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N", description = "show at most N records, oldest first (0: all)")
    int limit;

    public HistoryCommand() {}

    @Override
    public Integer call() {
        if (output != null && !List.of("json", "yaml", "wide").contains(output)) {
            return fail("unable to match a printer suitable for the output format \"" + output + "\", allowed formats are: json,wide,yaml");
        }
        if (limit < 0) return fail("--limit must be 0 or more");
        long timeoutMs = -1;
        if (watchTimeout != null) {
            try {
                timeoutMs = Durations.millis(watchTimeout);
            } catch (IllegalArgumentException e) {
                return fail("invalid --timeout: " + e.getMessage());
            }
        }
        String resource = null;
        if (target != null) {
            String[] tn = ResourceTypes.typeAndName(target);
            String type = tn == null ? target : tn[0];
            String n = tn == null ? name : tn[1];
            if (tn != null && name != null) {
                return fail("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form");
            }
            String kind = AuditQuery.kindOf(type);
            if (kind == null) return fail("the server doesn't have a resource type \"" + type + "\"");
            resource = n == null ? kind : kind + "/" + n;
        }
        boolean oneResource = resource != null && resource.contains("/");
        Columns columns = new Columns(!oneResource, !oneResource && namespace == null, "wide".equals(output));
        Map<String, String> filters = Gateway.params("resource", resource, "namespace", namespace, "actor", actor, "change", change,
                "since", since, "until", until);
        Gateway gw = gateway();
        List<JsonNode> items = new ArrayList<>();
        String resourceVersion;
        try {
            resourceVersion = list(gw, filters, items);
        } catch (Gateway.ApiException e) {
            return fail(e);
        }
        if ("json".equals(output) || "yaml".equals(output)) {
            if (watch && "json".equals(output)) {
                items.forEach(i -> out().println(Gateway.object().put("type", "ADDED").set("object", i).toString()));
            } else {
                ObjectNode list = Gateway.object().put("apiVersion", "berth.io/v1").put("kind", "AuditList");
                list.putObject("metadata").put("resourceVersion", resourceVersion);
                ArrayNode arr = list.putArray("items");
                items.forEach(arr::add);
                out().print(serialize(list, "yaml".equals(output) ? YAML : JSON));
            }
        } else if (items.isEmpty() && !watch) {
            err().println("No history found" + (resource == null ? "" : " for " + resource) + ".");
        } else if (!items.isEmpty()) {
            out().print(JsonTables.table(columns.header(), items.stream().map(columns::row).toList()));
        }
        out().flush();
        err().flush();
        if (!watch || (limit > 0 && items.size() >= limit)) return 0;
        return follow(gw, filters, resourceVersion, columns, items, timeoutMs);
    }

    /** Reads every page (or up to --limit records); returns the resourceVersion to watch from. */
    private String list(Gateway gw, Map<String, String> filters, List<JsonNode> items) {
        String token = null;
        String rv;
        do {
            int page = limit > 0 ? Math.min(PAGE, limit - items.size()) : PAGE;
            Map<String, String> p = new java.util.LinkedHashMap<>(filters);
            p.put("limit", Integer.toString(page));
            if (token != null) p.put("continue", token);
            JsonNode list = gw.get(AuditPath.PATH + Gateway.query(p));
            list.path("items").forEach(items::add);
            rv = list.path("metadata").path("resourceVersion").asText(null);
            token = list.path("metadata").path("continue").asText(null);
        } while (token != null && (limit == 0 || items.size() < limit));
        if (limit > 0 && items.size() >= limit && !items.isEmpty()) {
            // follow from right after the last record shown, not from where the page ended
            rv = items.get(items.size() - 1).path("metadata").path("resourceVersion").asText(rv);
        }
        return rv;
    }

    /** Follows the watch from {@code rv}, reconnecting from the last version seen, until the timeout, --until, or Ctrl-C. */
    private int follow(Gateway gw, Map<String, String> filters, String rv, Columns columns, List<JsonNode> shown, long timeoutMs) {
        WatchTable table = new WatchTable(columns.header(), shown.stream().map(columns::row).toList());
        String[] last = {rv};
        long deadline = timeoutMs < 0 ? Long.MAX_VALUE : clock.millis() + timeoutMs;
        WatchOutage outage = new WatchOutage(timeout);
        while (!Thread.currentThread().isInterrupted()) {
            long left = deadline - clock.millis();
            if (left <= 0) return 0;
            Map<String, String> p = new java.util.LinkedHashMap<>(filters);
            p.put("watch", "true");
            if (last[0] != null && !last[0].isEmpty()) p.put("resourceVersion", last[0]);
            if (deadline != Long.MAX_VALUE) p.put("timeoutSeconds", Long.toString(Math.max(1, (left + 999) / 1000)));
            try {
                gw.watch(AuditPath.PATH + Gateway.query(p), event -> {
                    JsonNode item = event.path("object");
                    String v = item.path("metadata").path("resourceVersion").asText("");
                    if (!v.isEmpty()) last[0] = v;
                    if ("json".equals(output)) {
                        out().println(event.toString());
                    } else if ("yaml".equals(output)) {
                        out().print("---\n" + serialize((ObjectNode) item, YAML));
                    } else {
                        out().print(table.next(columns.row(item)));
                    }
                    out().flush();
                    return true;
                });
                outage.up();
                if (until != null) return 0; // the server ends a watch once it is past --until
            } catch (Gateway.ApiException e) {
                if (e.code != 0) return fail(e);
                if (outage.downTooLong()) return fail(e);
            }
            if (clock.millis() >= deadline) return 0;
            WatchOutage.pause();
        }
        return 0;
    }

    /** The table's columns: RESOURCE (and NAMESPACE) when several resources are listed; wide keeps causes and details whole. */
    record Columns(boolean resource, boolean namespace, boolean wide) {
        List<String> header() {
            List<String> h = new ArrayList<>(List.of("TIME"));
            if (namespace) h.add("NAMESPACE");
            if (resource) h.add("RESOURCE");
            h.addAll(List.of("ACTOR", "CHANGE", "CAUSE", "DETAILS"));
            return h;
        }

        List<String> row(JsonNode item) {
            List<String> r = new ArrayList<>();
            r.add(or(item.path("time").asText(""), "<unknown>"));
            JsonNode res = item.path("resource");
            if (namespace) r.add(or(res.path("namespace").asText(""), "<none>"));
            if (resource) r.add(or(res.path("kind").asText(""), "?") + "/" + or(res.path("name").asText(""), "?"));
            r.add(or(item.path("actor").asText(""), "<unknown>"));
            r.add(or(item.path("change").asText(""), "<unknown>"));
            r.add(cause(item.path("cause"), wide));
            r.add(details(item, wide));
            return r;
        }
    }

    /**
     * {@code intents/0/42 (intent 7f3a9c1e…)}: the input record that led to the change ({@code berth.}
     * dropped) and the intent; {@code tick/…} for a timer; older records' free-form cause as it is.
     */
    static String cause(JsonNode cause, boolean wide) {
        String topic = cause.path("topic").asText("");
        String intent = cause.path("intentId").asText("");
        String text = cause.path("text").asText("");
        String where;
        if (!topic.isEmpty()) {
            where = (topic.startsWith("berth.") ? topic.substring(6) : topic) + "/" + cause.path("partition").asText() + "/"
                    + cause.path("offset").asText();
        } else {
            where = shortId(text, wide);
        }
        if (!intent.isEmpty() && !text.equals(intent)) {
            String id = shortId(intent, wide);
            where = where.isEmpty() ? "intent " + id : where + " (intent " + id + ")";
        }
        return where.isEmpty() ? "<none>" : where;
    }

    /** A UUID shortened to its first group ({@code 7f3a9c1e…}) unless wide; anything else as it is. */
    static String shortId(String id, boolean wide) {
        if (wide || !id.matches("[0-9a-fA-F]{8}-[0-9a-fA-F-]{4,}")) return id;
        return id.substring(0, 8) + "…";
    }

    /** The record's message (the placement's when it has none), on one line, cut to {@link #DETAILS_WIDTH} unless wide. */
    static String details(JsonNode item, boolean wide) {
        String m = item.path("message").asText("");
        if (m.isEmpty()) m = item.path("placement").path("message").asText("");
        m = m.replaceAll("\\s+", " ").strip();
        if (m.isEmpty()) return "<none>";
        return wide || m.length() <= DETAILS_WIDTH ? m : m.substring(0, DETAILS_WIDTH - 1) + "…";
    }

    private static String or(String s, String absent) {
        return s.isEmpty() ? absent : s;
    }

    private static String serialize(ObjectNode doc, ObjectMapper mapper) {
        try {
            String s = mapper == JSON ? mapper.writer(KUBECTL_JSON).writeValueAsString(doc) : mapper.writeValueAsString(doc);
            return s.endsWith("\n") ? s : s + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render output", e);
        }
    }

    /** The gateway path (kept here so the CLI does not load the gateway's server classes). */
    static final class AuditPath {
        static final String PATH = "/apis/berth.io/v1/audit";
    }
}
