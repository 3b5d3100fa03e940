package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code berth top pods|nodes}: CPU and memory use, from the gateway's {@code metrics.k8s.io} API (the node
 * daemons' usage windows), printed as {@code kubectl top} prints them.
 */
@Command(name = "top", mixinStandardHelpOptions = true, description = "Display resource (CPU/memory) usage of pods or nodes.",
        subcommands = {TopCommand.Pods.class, TopCommand.Nodes.class})
public final class TopCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    static final String METRICS = "/apis/metrics.k8s.io/v1beta1";

    /** How both tables are shown: {@code --sort-by} and {@code --no-headers}, as kubectl top takes them. */
    static final class Shown {
        @Option(names = "--sort-by", paramLabel = "cpu|memory", description = "highest first by cpu or memory")
        String sortBy;
        @Option(names = "--no-headers", description = "no header row")
        boolean noHeaders;

        /** The error for a --sort-by kubectl would refuse, else null. */
        String invalid() {
            return sortBy != null && !sortBy.equals("cpu") && !sortBy.equals("memory") ? "--sort-by accepts only cpu or memory, got '" + sortBy + "'" : null;
        }
    }

    @Command(name = "pods", aliases = {"pod", "po"}, mixinStandardHelpOptions = true,
            description = "Display CPU (cores) and memory (bytes) of pods, from the metrics API.")
    public static final class Pods extends KubectlCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "NAME")
        String name;
        @Option(names = {"-n", "--namespace"}, defaultValue = "default", description = "namespace (default: ${DEFAULT-VALUE})")
        String namespace;
        @Option(names = {"-A", "--all-namespaces"}, description = "across all namespaces")
        boolean allNamespaces;
        @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR", description = "label selector, e.g. app=web")
        String selector;
        @Option(names = "--containers", description = "one row per container")
        boolean containers;
        @picocli.CommandLine.Mixin
        Shown shown = new Shown();

        @Override
        public Integer call() {
            if (shown.invalid() != null) return fail(shown.invalid());
            String sortBy = shown.sortBy;
            boolean noHeaders = shown.noHeaders;
            Gateway gw = gateway();
            List<JsonNode> items = new ArrayList<>();
            try {
                if (name != null) {
                    items.add(gw.get(METRICS + "/namespaces/" + enc(namespace) + "/pods/" + enc(name)));
                } else {
                    String path = allNamespaces ? METRICS + "/pods" : METRICS + "/namespaces/" + enc(namespace) + "/pods";
                    gw.get(path + Gateway.query(Gateway.params("labelSelector", selector))).path("items").forEach(items::add);
                }
            } catch (Gateway.ApiException e) {
                return fail(e);
            }
            if (items.isEmpty()) {
                err().println(allNamespaces ? "No resources found" : "No resources found in " + namespace + " namespace.");
                err().flush();
                return 0;
            }
            out().print(TopTables.render(TopTables.pods(items, allNamespaces, containers, sortBy, !noHeaders)));
            out().flush();
            return 0;
        }
    }

    @Command(name = "nodes", aliases = {"node", "no"}, mixinStandardHelpOptions = true,
            description = "Display CPU (cores) and memory (bytes) of nodes, and their share of each node's allocatable.")
    public static final class Nodes extends KubectlCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "NAME")
        String name;
        @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR", description = "label selector")
        String selector;
        @picocli.CommandLine.Mixin
        Shown shown = new Shown();
        @Option(names = "--show-capacity", description = "percentages of capacity instead of allocatable")
        boolean showCapacity;

        @Override
        public Integer call() {
            if (shown.invalid() != null) return fail(shown.invalid());
            String sortBy = shown.sortBy;
            boolean noHeaders = shown.noHeaders;
            Gateway gw = gateway();
            List<TopTables.NodeRow> rows = new ArrayList<>();
            try {
                if (name != null) {
                    rows.add(new TopTables.NodeRow(gw.get("/api/v1/nodes/" + enc(name)), gw.get(METRICS + "/nodes/" + enc(name))));
                } else {
                    String q = Gateway.query(Gateway.params("labelSelector", selector));
                    Map<String, JsonNode> metrics = new HashMap<>();
                    gw.get(METRICS + "/nodes" + q).path("items").forEach(m -> metrics.put(m.path("metadata").path("name").asText(), m));
                    for (JsonNode n : gw.get("/api/v1/nodes" + q).path("items")) {
                        rows.add(new TopTables.NodeRow(n, metrics.get(n.path("metadata").path("name").asText())));
                    }
                }
            } catch (Gateway.ApiException e) {
                return fail(e);
            }
            if (rows.isEmpty()) {
                err().println("No resources found");
                err().flush();
                return 0;
            }
            out().print(TopTables.render(TopTables.nodes(rows, sortBy, !noHeaders, showCapacity)));
            out().flush();
            return 0;
        }
    }

    static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
