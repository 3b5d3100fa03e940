package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code berth describe KIND NAME}: the object as {@code kubectl describe} shows it (Name, Namespace,
 * Labels, Node, Status, Containers with Image/Ports/Limits/Requests/State/Restart Count, Conditions)
 * and its Events at the end (fetched with {@code fieldSelector=involvedObject.name=NAME}).
 */
@Command(name = "describe", mixinStandardHelpOptions = true, description = "Show details of a pod, deployment, daemonset, job, cronjob, service, node or namespace, with its events.")
public final class DescribeCommand extends KubectlCommand {
    private static final DateTimeFormatter RFC1123 = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.US).withZone(ZoneOffset.UTC);

    @Parameters(index = "0", paramLabel = "TYPE", description = "pods, deployments, daemonsets, jobs, cronjobs, services, nodes, namespaces; or TYPE/NAME")
    String type;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NAME")
    String name;

    @Option(names = {"-n", "--namespace"}, defaultValue = "default", description = "namespace (default: ${DEFAULT-VALUE})")
    String namespace;

    public DescribeCommand() {}

    @Override
    public Integer call() {
        String[] tn = ResourceTypes.typeAndName(type);
        if (tn != null) {
            type = tn[0];
            name = tn[1];
        }
        ResourceTypes.Resource r = ResourceTypes.resource(type);
        if (r == null || r == ResourceTypes.EVENTS) return fail("the server doesn't have a resource type \"" + type + "\"");
        if (name == null || name.isEmpty()) return fail("describe needs a NAME: berth describe " + r.plural() + " NAME");
        try {
            Gateway gw = gateway();
            JsonNode o = gw.get(Gateway.item(r.plural(), r.namespaced() ? namespace : null, name));
            List<JsonNode> events = events(gw, r, o);
            JsonNode endpoints = null;
            if (r == ResourceTypes.SERVICES) {
                try {
                    endpoints = gw.get(Gateway.item("endpoints", namespace, name));
                } catch (Gateway.ApiException e) {
                    if (e.code == 0) throw e;  // not allocated yet: shown as <none>
                }
            }
            List<JsonNode> replicaSets = null;
            if (r == ResourceTypes.DEPLOYMENTS) {
                try {
                    replicaSets = RolloutCommand.revisions(gw, namespace, name);
                } catch (Gateway.ApiException e) {
                    // a gateway without ReplicaSets: described without those lines
                }
            }
            List<JsonNode> pods = r == ResourceTypes.DAEMONSETS || r == ResourceTypes.STATEFULSETS ? ownedPods(gw, o)
                    : r == ResourceTypes.PERSISTENT_VOLUME_CLAIMS ? claimUsers(gw, name) : null;
            out().print(describe(r, o, endpoints, events, clock.millis(), replicaSets, pods));
        } catch (Gateway.ApiException e) {
            return fail(e);
        }
        out().flush();
        return 0;
    }

    /** The pods a controller owns: those its selector selects whose controller reference names its uid (kubectl's Pods Status counts them). */
    private List<JsonNode> ownedPods(Gateway gw, JsonNode o) {
        String selector = JsonTables.selector(o.path("spec").path("selector").path("matchLabels"));
        String uid = o.path("metadata").path("uid").asText("");
        List<JsonNode> out = new ArrayList<>();
        JsonNode list = gw.get(Gateway.collection("pods", namespace) + (selector.equals("<none>") ? "" : Gateway.query(Gateway.params("labelSelector", selector))));
        for (JsonNode p : list.path("items")) {
            for (JsonNode ref : p.path("metadata").path("ownerReferences")) {
                if (ref.path("controller").asBoolean(false) && ref.path("uid").asText("").equals(uid)) out.add(p);
            }
        }
        return out;
    }

    /** The pods of the namespace whose volumes name claim {@code claim} (kubectl's "Used By"). */
    private List<JsonNode> claimUsers(Gateway gw, String claim) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : gw.get(Gateway.collection("pods", namespace)).path("items")) {
            for (JsonNode v : p.path("spec").path("volumes")) {
                if (v.path("persistentVolumeClaim").path("claimName").asText("").equals(claim)) out.add(p);
            }
        }
        return out;
    }

    private List<JsonNode> events(Gateway gw, ResourceTypes.Resource r, JsonNode o) {
        String path = r.namespaced() ? Gateway.collection("events", namespace) : "/api/v1/events";
        List<JsonNode> out = new ArrayList<>();
        try {
            JsonNode list = gw.get(path + Gateway.query(Gateway.params("fieldSelector", "involvedObject.name=" + name)));
            String kind = o.path("kind").asText("");
            for (JsonNode e : list.path("items")) {
                String k = e.path("involvedObject").path("kind").asText("");
                if (kind.isEmpty() || k.isEmpty() || k.equalsIgnoreCase(kind)) out.add(e);
            }
        } catch (Gateway.ApiException e) {
            if (e.code == 0) throw e; // no events served is not fatal for describe, an unreachable gateway is
        }
        out.sort(Comparator.comparingLong(e -> JsonTables.millis(JsonTables.eventTime(e))));
        return out;
    }

    /** The whole description; pure, for tests. */
    static String describe(ResourceTypes.Resource r, JsonNode o, List<JsonNode> events, long now) {
        return describe(r, o, null, events, now, null);
    }

    /** With the service's Endpoints object ({@code endpoints}, null when there is none). */
    static String describe(ResourceTypes.Resource r, JsonNode o, JsonNode endpoints, List<JsonNode> events, long now) {
        return describe(r, o, endpoints, events, now, null);
    }

    /**
     * With the service's Endpoints object ({@code endpoints}, null when there is none) and a deployment's
     * ReplicaSets ({@code replicaSets}, its revisions, for kubectl's OldReplicaSets/NewReplicaSet lines; null to leave them out).
     */
    static String describe(ResourceTypes.Resource r, JsonNode o, JsonNode endpoints, List<JsonNode> events, long now, List<JsonNode> replicaSets) {
        return describe(r, o, endpoints, events, now, replicaSets, null);
    }

    /**
     * ... and the pods: a daemon set's or a stateful set's own ({@code pods}, for its Pods Status line), or those
     * using a claim (its Used By lines); null counts none.
     */
    static String describe(ResourceTypes.Resource r, JsonNode o, JsonNode endpoints, List<JsonNode> events, long now, List<JsonNode> replicaSets,
                           List<JsonNode> pods) {
        Text t = new Text();
        JsonNode meta = o.path("metadata");
        JsonNode spec = o.path("spec");
        JsonNode status = o.path("status");
        t.kv(0, "Name", meta.path("name").asText());
        // kubectl's describeDaemonSet is the one that prints no Namespace line
        if (r.namespaced() && r != ResourceTypes.DAEMONSETS) t.kv(0, "Namespace", meta.path("namespace").asText());
        switch (r.plural()) {
            case "pods" -> {
                String node = spec.path("nodeName").asText("");
                String hostIp = status.path("hostIP").asText("");
                t.kv(0, "Node", node.isEmpty() ? "<none>" : hostIp.isEmpty() ? node : node + "/" + hostIp);
                if (!status.path("startTime").asText("").isEmpty()) t.kv(0, "Start Time", date(status.path("startTime").asText()));
                t.map(0, "Labels", meta.path("labels"));
                t.map(0, "Annotations", withoutPlacement(meta.path("annotations")));
                t.kv(0, "Status", meta.hasNonNull("deletionTimestamp") ? "Terminating (lasts " + JsonTables.age(meta.path("deletionTimestamp").asText(), now) + ")"
                        : status.path("phase").asText("Pending"));
                if (!status.path("reason").asText("").isEmpty()) t.kv(0, "Reason", status.path("reason").asText());
                if (!status.path("message").asText("").isEmpty()) t.kv(0, "Message", status.path("message").asText());
                t.kv(0, "IP", status.path("podIP").asText("<none>"));
                String owner = meta.path("annotations").path("berth.io/workload").asText("");
                if (!owner.isEmpty()) t.kv(0, "Controlled By", controller(owner));
                placement(t, meta.path("annotations"));
                Map<String, JsonNode> statuses = new TreeMap<>();
                status.path("containerStatuses").forEach(cs -> statuses.put(cs.path("name").asText(), cs));
                t.line(0, "Containers:");
                for (JsonNode c : spec.path("containers")) container(t, c, statuses.get(c.path("name").asText()));
                t.line(0, "Conditions:");
                t.line(2, pad("Type", 18) + "Status");
                for (JsonNode c : status.path("conditions")) t.line(2, pad(c.path("type").asText(), 18) + c.path("status").asText());
                t.map(0, "Node-Selectors", spec.path("nodeSelector"));
            }
            case "deployments" -> {
                t.kv(0, "CreationTimestamp", date(meta.path("creationTimestamp").asText("")));
                t.map(0, "Labels", meta.path("labels"));
                t.map(0, "Annotations", meta.path("annotations"));
                t.kv(0, "Selector", JsonTables.selector(spec.path("selector").path("matchLabels")));
                int desired = spec.path("replicas").asInt(1);
                t.kv(0, "Replicas", desired + " desired | " + status.path("updatedReplicas").asInt() + " updated | "
                        + status.path("replicas").asInt() + " total | " + status.path("availableReplicas").asInt() + " available | "
                        + status.path("unavailableReplicas").asInt() + " unavailable");
                t.kv(0, "StrategyType", spec.path("strategy").path("type").asText("RollingUpdate"));
                t.kv(0, "MinReadySeconds", spec.path("minReadySeconds").asText("0"));
                JsonNode ru = spec.path("strategy").path("rollingUpdate");
                if (!ru.isMissingNode()) {
                    t.kv(0, "RollingUpdateStrategy", ru.path("maxUnavailable").asText("25%") + " max unavailable, "
                            + ru.path("maxSurge").asText("25%") + " max surge");
                }
                t.line(0, "Pod Template:");
                t.map(2, "Labels", spec.path("template").path("metadata").path("labels"));
                t.line(2, "Containers:");
                for (JsonNode c : spec.path("template").path("spec").path("containers")) container(t, c, null);
                t.line(0, "Conditions:");
                t.line(2, pad("Type", 15) + pad("Status", 8) + "Reason");
                t.line(2, pad("----", 15) + pad("------", 8) + "------");
                for (JsonNode c : status.path("conditions")) {
                    t.line(2, pad(c.path("type").asText(), 15) + pad(c.path("status").asText(), 8) + c.path("reason").asText(""));
                }
                if (replicaSets != null) {
                    // kubectl: old ones still holding pods, and the one of the current template
                    List<String> old = new ArrayList<>();
                    String current = "<none>";
                    long revision = RolloutCommand.revisionOf(o);
                    for (JsonNode rs : replicaSets) {
                        String line = rs.path("metadata").path("name").asText() + " (" + rs.path("status").path("replicas").asInt()
                                + "/" + rs.path("spec").path("replicas").asInt() + " replicas created)";
                        if (RolloutCommand.revisionOf(rs) == revision) current = line;
                        else if (rs.path("spec").path("replicas").asInt() != 0) old.add(line);
                    }
                    t.kv(0, "OldReplicaSets", old.isEmpty() ? "<none>" : String.join(", ", old));
                    t.kv(0, "NewReplicaSet", current);
                }
                JsonNode berth = status.path("berth");
                if (!berth.path("phase").asText("").isEmpty()) {
                    String rollout = berth.path("phase").asText() + (berth.path("reason").asText("").isEmpty() ? "" : " (" + berth.path("reason").asText() + ")");
                    if (berth.has("canarySteps")) rollout += ", canary step " + berth.path("canaryStep").asInt() + "/" + berth.path("canarySteps").asInt();
                    t.kv(0, "Rollout", rollout);
                    if (!berth.path("message").asText("").isEmpty()) t.kv(0, "Rollout Message", berth.path("message").asText());
                    if (berth.path("failedRevision").asLong(0) > 0) {
                        t.kv(0, "Last Failure", "revision " + berth.path("failedRevision").asLong() + ": "
                                + berth.path("failedReason").asText("") + " " + berth.path("failedMessage").asText(""));
                    }
                }
            }
            case "daemonsets" -> daemonSet(t, o, pods == null ? List.of() : pods);
            case "statefulsets" -> statefulSet(t, o, pods == null ? List.of() : pods);
            case "persistentvolumeclaims" -> claim(t, o, pods == null ? List.of() : pods, now);
            case "jobs" -> job(t, o, now);
            case "cronjobs" -> cronJob(t, o);
            case "horizontalpodautoscalers" -> hpa(t, o);
            case "nodes" -> {
                t.kv(0, "Roles", JsonTables.roles(meta.path("labels")));
                t.map(0, "Labels", meta.path("labels"));
                t.map(0, "Annotations", meta.path("annotations"));
                t.kv(0, "CreationTimestamp", date(meta.path("creationTimestamp").asText("")));
                t.kv(0, "Unschedulable", Boolean.toString(spec.path("unschedulable").asBoolean()));
                t.line(0, "Conditions:");
                List<List<String>> rows = new ArrayList<>();
                for (JsonNode c : status.path("conditions")) {
                    rows.add(List.of(c.path("type").asText(), c.path("status").asText(), date(c.path("lastHeartbeatTime").asText("")),
                            date(c.path("lastTransitionTime").asText("")), c.path("reason").asText(""), c.path("message").asText("")));
                }
                t.table(2, List.of("Type", "Status", "LastHeartbeatTime", "LastTransitionTime", "Reason", "Message"), rows);
                t.line(0, "Addresses:");
                for (JsonNode a : status.path("addresses")) t.line(2, a.path("type").asText() + ":  " + a.path("address").asText());
                for (String section : List.of("capacity", "allocatable")) {
                    t.line(0, Character.toUpperCase(section.charAt(0)) + section.substring(1) + ":");
                    status.path(section).fields().forEachRemaining(e -> t.line(2, pad(e.getKey() + ":", 9) + " " + e.getValue().asText()));
                }
                t.line(0, "System Info:");
                status.path("nodeInfo").fields().forEachRemaining(e -> t.line(2, pad(systemInfo(e.getKey()) + ":", 27) + " " + e.getValue().asText()));
            }
            case "services" -> {
                t.map(0, "Labels", meta.path("labels"));
                t.map(0, "Annotations", meta.path("annotations"));
                t.kv(0, "Selector", JsonTables.selector(spec.path("selector")));
                t.kv(0, "Type", spec.path("type").asText("ClusterIP"));
                t.kv(0, "IP", spec.path("clusterIP").asText("<none>"));
                if (spec.has("clusterIPs")) {
                    List<String> ips = new ArrayList<>();
                    spec.path("clusterIPs").forEach(ip -> ips.add(ip.asText()));
                    t.kv(0, "IPs", String.join(",", ips));
                }
                for (JsonNode p : spec.path("ports")) {
                    t.kv(0, "Port", p.path("name").asText("<unset>") + "  " + p.path("port").asText() + "/" + p.path("protocol").asText("TCP"));
                    t.kv(0, "TargetPort", p.path("targetPort").asText() + "/" + p.path("protocol").asText("TCP"));
                    if (p.path("nodePort").asInt() != 0) t.kv(0, "NodePort", p.path("name").asText("<unset>") + "  " + p.path("nodePort").asText() + "/" + p.path("protocol").asText("TCP"));
                    t.kv(0, "Endpoints", endpoints == null ? "<none>" : JsonTables.endpoints(endpoints, p.path("name").asText("")));
                }
                t.kv(0, "Session Affinity", "None");
            }
            case "resourcequotas" -> {
                // kubectl's describeQuota: one row per resource of spec.hard, used then hard
                List<List<String>> rows = new ArrayList<>();
                rows.add(List.of("--------", "----", "----"));
                java.util.TreeSet<String> names = new java.util.TreeSet<>();
                status.path("hard").fieldNames().forEachRemaining(names::add);
                for (String n : names) rows.add(List.of(n, status.path("used").path(n).asText("0"), status.path("hard").path(n).asText()));
                t.table(0, List.of("Resource", "Used", "Hard"), rows);
            }
            case "limitranges" -> {
                // kubectl's describeLimitRange: a row per type and resource
                List<List<String>> rows = new ArrayList<>();
                rows.add(List.of("----", "--------", "---", "---", "---------------", "-------------", "-----------------------"));
                for (JsonNode item : spec.path("limits")) {
                    java.util.TreeSet<String> resources = new java.util.TreeSet<>();
                    for (String f : List.of("min", "max", "defaultRequest", "default")) item.path(f).fieldNames().forEachRemaining(resources::add);
                    for (String res : resources) {
                        rows.add(List.of(item.path("type").asText(), res, item.path("min").path(res).asText("-"), item.path("max").path(res).asText("-"),
                                item.path("defaultRequest").path(res).asText("-"), item.path("default").path(res).asText("-"), "-"));
                    }
                }
                t.table(0, List.of("Type", "Resource", "Min", "Max", "Default Request", "Default Limit", "Max Limit/Request Ratio"), rows);
            }
            default -> {
                t.map(0, "Labels", meta.path("labels"));
                t.map(0, "Annotations", meta.path("annotations"));
                t.kv(0, "Status", status.path("phase").asText("Active"));
            }
        }
        if (events.isEmpty()) {
            t.kv(0, "Events", "<none>");
        } else {
            t.line(0, "Events:");
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode e : events) {
                String age = JsonTables.age(JsonTables.eventTime(e), now);
                int count = e.path("count").asInt(1);
                String first = e.path("firstTimestamp").asText("");
                if (count > 1 && !first.isEmpty() && !first.equals("null")) age = age + " (x" + count + " over " + JsonTables.age(first, now) + ")";
                String from = e.path("source").path("component").asText(e.path("reportingComponent").asText(""));
                rows.add(List.of(e.path("type").asText("Normal"), e.path("reason").asText(""), age, from.isEmpty() ? "berth" : from,
                        e.path("message").asText("").strip()));
            }
            List<List<String>> withRule = new ArrayList<>();
            withRule.add(List.of("----", "------", "----", "----", "-------"));
            withRule.addAll(rows);
            t.table(2, List.of("Type", "Reason", "Age", "From", "Message"), withRule);
        }
        return t.render();
    }

    /**
     * A Job as kubectl's describeJob lays it out: Selector, Labels, Annotations, Parallelism, Completions
     * ({@code <unset>} in work-queue mode), Completion Mode, Suspend, Backoff Limit, the TTL, Start Time,
     * Completed At and Duration once they happened, the deadline, Pods Statuses, Pod Template (Events follow;
     * like kubectl's, no Conditions: {@code get -o yaml} and the STATUS column show them).
     */
    /**
     * A DaemonSet as kubectl's describeDaemonSet lays it out: Selector, Node-Selector, Labels, Annotations, the
     * five status counts in its words, Pods Status (its pods by phase: Running / Waiting (Pending) / Succeeded /
     * Failed), then the Pod Template (Events follow).
     */
    private static void daemonSet(Text t, JsonNode o, List<JsonNode> pods) {
        JsonNode meta = o.path("metadata"), spec = o.path("spec"), status = o.path("status");
        t.kv(0, "Selector", JsonTables.selector(spec.path("selector").path("matchLabels")));
        t.kv(0, "Node-Selector", JsonTables.selector(spec.path("template").path("spec").path("nodeSelector")));
        t.map(0, "Labels", meta.path("labels"));
        t.map(0, "Annotations", meta.path("annotations"));
        t.kv(0, "Desired Number of Nodes Scheduled", status.path("desiredNumberScheduled").asText("0"));
        t.kv(0, "Current Number of Nodes Scheduled", status.path("currentNumberScheduled").asText("0"));
        t.kv(0, "Number of Nodes Scheduled with Up-to-date Pods", status.path("updatedNumberScheduled").asText("0"));
        t.kv(0, "Number of Nodes Scheduled with Available Pods", status.path("numberAvailable").asText("0"));
        t.kv(0, "Number of Nodes Misscheduled", status.path("numberMisscheduled").asText("0"));
        t.kv(0, "Pods Status", podsStatus(pods));
        t.line(0, "Pod Template:");
        t.map(2, "Labels", spec.path("template").path("metadata").path("labels"));
        if (spec.path("template").path("metadata").has("annotations")) t.map(2, "Annotations", spec.path("template").path("metadata").path("annotations"));
        t.line(2, "Containers:");
        for (JsonNode c : spec.path("template").path("spec").path("containers")) container(t, c, null);
    }

    /** Running / Waiting (Pending) / Succeeded / Failed, as kubectl's Pods Status counts a controller's pods. */
    private static String podsStatus(List<JsonNode> pods) {
        int running = 0, waiting = 0, succeeded = 0, failed = 0;
        for (JsonNode p : pods) {
            switch (p.path("status").path("phase").asText("Pending")) {
                case "Running" -> running++;
                case "Pending" -> waiting++;
                case "Succeeded" -> succeeded++;
                case "Failed" -> failed++;
                default -> { }
            }
        }
        return running + " Running / " + waiting + " Waiting / " + succeeded + " Succeeded / " + failed + " Failed";
    }

    /**
     * A StatefulSet as kubectl's describeStatefulSet lays it out: CreationTimestamp, Selector, Labels, Annotations,
     * Replicas ({@code 3 desired | 3 total}), Update Strategy with its Partition, Pods Status, the Pod Template, then
     * the Volume Claims (each template's Name, StorageClass, Labels, Annotations, Capacity, Access Modes; Events follow).
     */
    private static void statefulSet(Text t, JsonNode o, List<JsonNode> pods) {
        JsonNode meta = o.path("metadata"), spec = o.path("spec"), status = o.path("status");
        t.kv(0, "CreationTimestamp", date(meta.path("creationTimestamp").asText("")));
        t.kv(0, "Selector", JsonTables.selector(spec.path("selector").path("matchLabels")));
        t.map(0, "Labels", meta.path("labels"));
        t.map(0, "Annotations", meta.path("annotations"));
        t.kv(0, "Replicas", spec.path("replicas").asInt(1) + " desired | " + status.path("replicas").asInt(0) + " total");
        JsonNode strategy = spec.path("updateStrategy");
        t.kv(0, "Update Strategy", strategy.path("type").asText("RollingUpdate"));
        if (strategy.path("rollingUpdate").has("partition")) t.kv(2, "Partition", strategy.path("rollingUpdate").path("partition").asText());
        t.kv(0, "Pods Status", podsStatus(pods));
        t.line(0, "Pod Template:");
        t.map(2, "Labels", spec.path("template").path("metadata").path("labels"));
        if (spec.path("template").path("metadata").has("annotations")) t.map(2, "Annotations", spec.path("template").path("metadata").path("annotations"));
        t.line(2, "Containers:");
        for (JsonNode c : spec.path("template").path("spec").path("containers")) container(t, c, null);
        JsonNode claims = spec.path("volumeClaimTemplates");
        if (claims.isEmpty()) {
            t.kv(0, "Volume Claims", "<none>");
            return;
        }
        t.line(0, "Volume Claims:");
        for (JsonNode c : claims) {
            t.kv(2, "Name", c.path("metadata").path("name").asText());
            t.kv(2, "StorageClass", c.path("spec").path("storageClassName").asText(""));
            t.map(2, "Labels", c.path("metadata").path("labels"));
            t.map(2, "Annotations", c.path("metadata").path("annotations"));
            t.kv(2, "Capacity", c.path("spec").path("resources").path("requests").path("storage").asText("<default>"));
            t.kv(2, "Access Modes", goList(c.path("spec").path("accessModes")));
        }
    }

    /**
     * A PersistentVolumeClaim as kubectl's describePersistentVolumeClaim lays it out: StorageClass, Status
     * ({@code Terminating (lasts …)} while a pod still uses a deleted claim), Volume, Labels, Annotations,
     * Finalizers, Capacity and Access Modes once bound, VolumeMode, Used By (Events follow).
     */
    private static void claim(Text t, JsonNode o, List<JsonNode> users, long now) {
        JsonNode meta = o.path("metadata"), spec = o.path("spec"), status = o.path("status");
        t.kv(0, "StorageClass", spec.path("storageClassName").asText(""));
        t.kv(0, "Status", meta.hasNonNull("deletionTimestamp") ? "Terminating (lasts " + JsonTables.age(meta.path("deletionTimestamp").asText(), now) + ")"
                : status.path("phase").asText("Pending"));
        String volume = spec.path("volumeName").asText("");
        t.kv(0, "Volume", volume);
        t.map(0, "Labels", meta.path("labels"));
        t.map(0, "Annotations", meta.path("annotations"));
        t.kv(0, "Finalizers", goList(meta.path("finalizers")));
        boolean bound = !volume.isEmpty();
        t.kv(0, "Capacity", bound ? status.path("capacity").path("storage").asText("") : "");
        t.kv(0, "Access Modes", bound ? accessModes(status.path("accessModes")) : "");
        if (spec.has("volumeMode")) t.kv(0, "VolumeMode", spec.path("volumeMode").asText());
        if (users.isEmpty()) {
            t.kv(0, "Used By", "<none>");
        } else {
            boolean first = true;
            for (JsonNode p : users) {
                t.kv(0, first ? "Used By" : "", p.path("metadata").path("name").asText());
                first = false;
            }
        }
    }

    /** A list as Go's %v prints a []string: {@code [a b]}. */
    private static String goList(JsonNode array) {
        return "[" + join(array) + "]";
    }

    /** kubectl's GetAccessModesAsString: RWO, ROX, RWX, RWOP, comma-separated. */
    static String accessModes(JsonNode modes) {
        List<String> out = new ArrayList<>();
        for (JsonNode m : modes) {
            out.add(switch (m.asText()) {
                case "ReadWriteOnce" -> "RWO";
                case "ReadOnlyMany" -> "ROX";
                case "ReadWriteMany" -> "RWX";
                case "ReadWriteOncePod" -> "RWOP";
                default -> m.asText();
            });
        }
        return String.join(",", out);
    }

    private static void job(Text t, JsonNode o, long now) {
        JsonNode meta = o.path("metadata"), spec = o.path("spec"), status = o.path("status");
        t.kv(0, "Selector", JsonTables.selector(spec.path("selector").path("matchLabels")));
        t.map(0, "Labels", meta.path("labels"));
        t.map(0, "Annotations", meta.path("annotations"));
        t.kv(0, "Parallelism", spec.path("parallelism").asText("1"));
        t.kv(0, "Completions", spec.hasNonNull("completions") ? spec.path("completions").asText() : "<unset>");
        t.kv(0, "Completion Mode", spec.path("completionMode").asText("NonIndexed"));
        t.kv(0, "Suspend", Boolean.toString(spec.path("suspend").asBoolean(false)));
        t.kv(0, "Backoff Limit", spec.path("backoffLimit").asText("6"));
        if (spec.hasNonNull("ttlSecondsAfterFinished")) t.kv(0, "TTL Seconds After Finished", spec.path("ttlSecondsAfterFinished").asText());
        String start = status.path("startTime").asText(""), completed = status.path("completionTime").asText("");
        if (!start.isEmpty()) t.kv(0, "Start Time", date(start));
        if (!completed.isEmpty()) t.kv(0, "Completed At", date(completed));
        if (!start.isEmpty() && !completed.isEmpty()) t.kv(0, "Duration", JsonTables.jobDuration(o, now));
        if (spec.hasNonNull("activeDeadlineSeconds")) t.kv(0, "Active Deadline Seconds", spec.path("activeDeadlineSeconds").asText() + "s");
        String active = status.path("active").asInt() + " Active";
        if (status.has("ready")) active += " (" + status.path("ready").asInt() + " Ready)";
        t.kv(0, "Pods Statuses", active + " / " + status.path("succeeded").asInt() + " Succeeded / " + status.path("failed").asInt() + " Failed");
        t.line(0, "Pod Template:");
        t.map(2, "Labels", spec.path("template").path("metadata").path("labels"));
        t.line(2, "Containers:");
        for (JsonNode c : spec.path("template").path("spec").path("containers")) container(t, c, null);
    }

    /**
     * An HPA as kubectl's describeHorizontalPodAutoscalerV2 lays it out: Reference, Metrics (current / target per
     * resource), Min/Max replicas, Behavior, the target's pods (current / desired) and Conditions (Events follow).
     */
    private static void hpa(Text t, JsonNode o) {
        JsonNode meta = o.path("metadata"), spec = o.path("spec"), status = o.path("status");
        t.map(0, "Labels", meta.path("labels"));
        t.map(0, "Annotations", meta.path("annotations"));
        t.kv(0, "CreationTimestamp", date(meta.path("creationTimestamp").asText("")));
        JsonNode ref = spec.path("scaleTargetRef");
        t.kv(0, "Reference", ref.path("kind").asText("") + "/" + ref.path("name").asText(""));
        t.line(0, "Metrics:                                               ( current / target )");
        for (JsonNode m : spec.path("metrics")) {
            String resource = m.path("resource").path("name").asText("");
            JsonNode target = m.path("resource").path("target");
            JsonNode current = null;
            for (JsonNode c : status.path("currentMetrics")) if (c.path("resource").path("name").asText("").equals(resource)) current = c.path("resource").path("current");
            if (target.has("averageUtilization")) {
                String cur = current == null || !current.has("averageUtilization") ? "<unknown>"
                        : current.path("averageUtilization").asText() + "% (" + current.path("averageValue").asText("") + ")";
                t.line(2, "resource " + resource + " on pods  (as a percentage of request):  " + cur + " / " + target.path("averageUtilization").asText() + "%");
            } else {
                String cur = current == null ? "<unknown>" : current.path("averageValue").asText("");
                t.line(2, "resource " + resource + " on pods:  " + cur + " / " + target.path("averageValue").asText(""));
            }
        }
        t.kv(0, "Min replicas", spec.path("minReplicas").asText("1"));
        t.kv(0, "Max replicas", spec.path("maxReplicas").asText(""));
        JsonNode behavior = spec.path("behavior");
        if (!behavior.isMissingNode()) {
            t.line(0, "Behavior:");
            for (String dir : List.of("scaleUp", "scaleDown")) {
                JsonNode r = behavior.path(dir);
                if (r.isMissingNode()) continue;
                t.line(2, (dir.equals("scaleUp") ? "Scale Up" : "Scale Down") + ":");
                if (r.has("stabilizationWindowSeconds")) t.line(4, "Stabilization Window: " + r.path("stabilizationWindowSeconds").asText() + " seconds");
                if (r.has("selectPolicy")) t.line(4, "Select Policy: " + r.path("selectPolicy").asText());
                for (JsonNode p : r.path("policies")) {
                    t.line(4, "Policies:");
                    t.line(6, "- Type: " + p.path("type").asText() + "  Value: " + p.path("value").asText() + "  Period: " + p.path("periodSeconds").asText() + " seconds");
                }
            }
        }
        t.kv(0, ref.path("kind").asText("") + " pods", status.path("currentReplicas").asText("0") + " current / " + status.path("desiredReplicas").asText("0") + " desired");
        if (status.path("conditions").size() > 0) {
            t.line(0, "Conditions:");
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode c : status.path("conditions")) rows.add(List.of(c.path("type").asText(), c.path("status").asText(), c.path("reason").asText(""), c.path("message").asText("")));
            t.table(2, List.of("Type", "Status", "Reason", "Message"), rows);
        }
    }

    /**
     * A CronJob as kubectl's describeCronJob lays it out: Labels, Annotations, Schedule, Concurrency Policy,
     * Suspend, the history limits, Starting Deadline Seconds ({@code <unset>} when not set), then its job
     * template (Selector, Parallelism, Completions, Pod Template), Last Schedule Time and Active Jobs (Events follow).
     */
    private static void cronJob(Text t, JsonNode o) {
        JsonNode meta = o.path("metadata"), spec = o.path("spec"), status = o.path("status");
        JsonNode job = spec.path("jobTemplate").path("spec");
        t.map(0, "Labels", meta.path("labels"));
        t.map(0, "Annotations", meta.path("annotations"));
        t.kv(0, "Schedule", spec.path("schedule").asText(""));
        t.kv(0, "Concurrency Policy", spec.path("concurrencyPolicy").asText("Allow"));
        t.kv(0, "Suspend", spec.hasNonNull("suspend") ? (spec.path("suspend").asBoolean() ? "True" : "False") : "<unset>");
        t.kv(0, "Successful Job History Limit", spec.hasNonNull("successfulJobsHistoryLimit") ? spec.path("successfulJobsHistoryLimit").asText() : "<unset>");
        t.kv(0, "Failed Job History Limit", spec.hasNonNull("failedJobsHistoryLimit") ? spec.path("failedJobsHistoryLimit").asText() : "<unset>");
        t.kv(0, "Starting Deadline Seconds", spec.hasNonNull("startingDeadlineSeconds") ? spec.path("startingDeadlineSeconds").asText() + "s" : "<unset>");
        t.kv(0, "Selector", job.hasNonNull("selector") ? JsonTables.selector(job.path("selector").path("matchLabels")) : "<unset>");
        t.kv(0, "Parallelism", job.hasNonNull("parallelism") ? job.path("parallelism").asText() : "<unset>");
        t.kv(0, "Completions", job.hasNonNull("completions") ? job.path("completions").asText() : "<unset>");
        if (job.hasNonNull("activeDeadlineSeconds")) t.kv(0, "Active Deadline Seconds", job.path("activeDeadlineSeconds").asText() + "s");
        t.line(0, "Pod Template:");
        t.map(2, "Labels", job.path("template").path("metadata").path("labels"));
        t.line(2, "Containers:");
        for (JsonNode c : job.path("template").path("spec").path("containers")) container(t, c, null);
        String last = status.path("lastScheduleTime").asText("");
        t.kv(0, "Last Schedule Time", last.isEmpty() ? "<unset>" : date(last));
        List<String> active = new ArrayList<>();
        for (JsonNode j : status.path("active")) active.add(j.path("name").asText());
        t.kv(0, "Active Jobs", active.isEmpty() ? "<none>" : String.join(", ", active));
    }

    private static void container(Text t, JsonNode c, JsonNode status) {
        t.line(2, c.path("name").asText() + ":");
        List<String[]> kv = new ArrayList<>();
        if (status != null && !status.path("containerID").asText("").isEmpty()) kv.add(new String[]{"Container ID", status.path("containerID").asText()});
        kv.add(new String[]{"Image", c.path("image").asText()});
        List<String> ports = new ArrayList<>();
        for (JsonNode p : c.path("ports")) ports.add(p.path("containerPort").asText() + "/" + p.path("protocol").asText("TCP"));
        kv.add(new String[]{ports.size() > 1 ? "Ports" : "Port", ports.isEmpty() ? "<none>" : String.join(", ", ports)});
        if (c.path("command").size() > 0) kv.add(new String[]{"Command", join(c.path("command"))});
        if (c.path("args").size() > 0) kv.add(new String[]{"Args", join(c.path("args"))});
        int width = 0;
        List<String[]> all = new ArrayList<>(kv);
        String state = null, stateDetail = null;
        if (status != null) {
            JsonNode s = status.path("state");
            if (s.has("running")) {
                state = "Running";
                stateDetail = "Started:      " + date(s.path("running").path("startedAt").asText(""));
            } else if (s.has("waiting")) {
                state = "Waiting";
                stateDetail = "Reason:       " + s.path("waiting").path("reason").asText("");
            } else if (s.has("terminated")) {
                state = "Terminated";
                stateDetail = "Reason:       " + s.path("terminated").path("reason").asText("");
            }
            all.add(new String[]{"State", state == null ? "<unknown>" : state});
            JsonNode lastTerminated = status.path("lastState").path("terminated");
            if (!lastTerminated.isMissingNode()) all.add(new String[]{"Last State", "Terminated"});
            all.add(new String[]{"Ready", status.path("ready").asBoolean() ? "True" : "False"});
            all.add(new String[]{"Restart Count", status.path("restartCount").asText("0")});
        }
        for (String[] e : all) width = Math.max(width, e[0].length() + 1);
        for (String[] e : all) {
            t.line(4, pad(e[0] + ":", width + 2) + e[1]);
            if (e[0].equals("State") && stateDetail != null) t.line(6, stateDetail);
            if (e[0].equals("Last State")) {
                JsonNode last = status.path("lastState").path("terminated");
                t.line(6, "Reason:       " + last.path("reason").asText(""));
                t.line(6, "Exit Code:    " + last.path("exitCode").asInt());
                t.line(6, "Started:      " + date(last.path("startedAt").asText("")));
                t.line(6, "Finished:     " + date(last.path("finishedAt").asText("")));
            }
        }
        for (String section : List.of("limits", "requests")) {
            JsonNode res = c.path("resources").path(section);
            if (res.size() == 0) continue;
            t.line(4, Character.toUpperCase(section.charAt(0)) + section.substring(1) + ":");
            res.fields().forEachRemaining(e -> t.line(6, pad(e.getKey() + ":", 9) + e.getValue().asText()));
        }
        List<String> env = new ArrayList<>();
        for (JsonNode e : c.path("env")) env.add(e.path("name").asText() + ":  " + e.path("value").asText(""));
        if (env.isEmpty()) t.line(4, "Environment:  <none>");
        else {
            t.line(4, "Environment:");
            env.forEach(e -> t.line(6, e));
        }
    }

    /** A pod template as {@code kubectl rollout history --revision N} prints it ({@code Pod Template:}, labels, containers). */
    static String podTemplate(JsonNode template) {
        Text t = new Text();
        t.line(0, "Pod Template:");
        t.map(2, "Labels", template.path("metadata").path("labels"));
        JsonNode annotations = template.path("metadata").path("annotations");
        if (annotations.size() > 0) t.map(2, "Annotations", annotations);
        t.line(2, "Containers:");
        for (JsonNode c : template.path("spec").path("containers")) container(t, c, null);
        return t.render();
    }

    /** The verdict is shown under Placement, so the Annotations list leaves out its two (long) annotations. */
    private static JsonNode withoutPlacement(JsonNode annotations) {
        if (!annotations.isObject()) return annotations;
        com.fasterxml.jackson.databind.node.ObjectNode copy = ((com.fasterxml.jackson.databind.node.ObjectNode) annotations).deepCopy();
        copy.remove(List.of(PLACEMENT, PLACEMENT_VERDICT));
        return copy;
    }

    /**
     * The scheduler's "why here": the verdict's head ({@code n2 of 3 feasible — spread 1.00, leastAllocated 0.71}),
     * then, indented and aligned, the runner-up and each rejected node's reason, as kubectl describe
     * lays out a nested list. Without the JSON annotation (an older gateway) the one line is shown whole.
     */
    static void placement(Text t, JsonNode annotations) {
        String line = annotations.path(PLACEMENT).asText("");
        if (line.isEmpty()) return;
        JsonNode v = verdict(annotations.path(PLACEMENT_VERDICT).asText(""));
        if (v == null) {
            t.kv(0, "Placement", line);
            return;
        }
        int cut = line.indexOf("; ");
        t.kv(0, "Placement", cut < 0 ? line : line.substring(0, cut));
        List<String[]> rows = new ArrayList<>();
        String runnerUp = v.path("runnerUp").asText("");
        if (!runnerUp.isEmpty()) rows.add(new String[]{"Runner-up:", runnerUp + " (" + scores(v.path("runnerUpScores")) + ")"});
        v.path("rejected").fields().forEachRemaining(e -> rows.add(new String[]{e.getKey() + ":", e.getValue().asText()}));
        int omitted = v.path("rejectedOmitted").asInt();
        if (omitted > 0) rows.add(new String[]{"…", omitted + " more rejected"});
        int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
        for (String[] r : rows) t.line(2, pad(r[0], width + 2) + r[1]);
    }

    static final String PLACEMENT = "berth.io/placement";
    static final String PLACEMENT_VERDICT = "berth.io/placement-verdict";
    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();

    private static JsonNode verdict(String json) {
        if (json.isEmpty()) return null;
        try {
            return MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static String scores(JsonNode scores) {
        List<String> parts = new ArrayList<>();
        for (JsonNode s : scores) parts.add(s.path("ranker").asText() + " " + String.format(Locale.ROOT, "%.2f", s.path("normalized").asDouble()));
        return String.join(", ", parts);
    }

    /** {@code default/deployment/web} → {@code Deployment/web}, as kubectl names a pod's controller. */
    static String controller(String workloadKey) {
        String[] k = workloadKey.split("/", 3);
        if (k.length < 3 || k[1].isEmpty()) return workloadKey;
        return switch (k[1]) {
            case "daemonset" -> "DaemonSet/" + k[2];
            case "cronjob" -> "CronJob/" + k[2];
            default -> Character.toUpperCase(k[1].charAt(0)) + k[1].substring(1) + "/" + k[2];
        };
    }

    private static String systemInfo(String key) {
        return switch (key) {
            case "kubeletVersion" -> "Kubelet Version";
            case "containerRuntimeVersion" -> "Container Runtime Version";
            case "machineID" -> "Machine ID";
            case "osImage" -> "OS Image";
            case "kernelVersion" -> "Kernel Version";
            default -> key;
        };
    }

    private static String join(JsonNode array) {
        List<String> parts = new ArrayList<>();
        array.forEach(a -> parts.add(a.asText()));
        return String.join(" ", parts);
    }

    /** Go's RFC 1123 with numeric zone, as kubectl describe prints times: {@code Sun, 22 Nov 2026 05:00:00 +0000}. */
    static String date(String rfc3339) {
        if (rfc3339 == null || rfc3339.isEmpty() || rfc3339.equals("null")) return "<unset>";
        try {
            return RFC1123.format(Instant.parse(rfc3339));
        } catch (RuntimeException e) {
            return rfc3339;
        }
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
    }

    /** Lines with top-level {@code Key:  value} pairs aligned as kubectl's describe aligns them. */
    static final class Text {
        private final List<Object[]> lines = new ArrayList<>(); // {indent, key or null, value}

        void kv(int indent, String key, String value) {
            lines.add(new Object[]{indent, key, value});
        }

        void line(int indent, String text) {
            lines.add(new Object[]{indent, null, text});
        }

        void map(int indent, String key, JsonNode map) {
            Map<String, String> m = new TreeMap<>();
            map.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
            if (m.isEmpty()) {
                kv(indent, key, "<none>");
                return;
            }
            boolean first = true;
            for (Map.Entry<String, String> e : m.entrySet()) {
                kv(indent, first ? key : "", e.getKey() + "=" + e.getValue());
                first = false;
            }
        }

        /** A nested table as kubectl describe lays it out: columns padded to the widest cell plus two. */
        void table(int indent, List<String> header, List<List<String>> rows) {
            List<List<String>> all = new ArrayList<>();
            all.add(header);
            all.addAll(rows);
            int[] widths = new int[header.size()];
            for (List<String> r : all) for (int i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i], r.get(i).length());
            for (List<String> r : all) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < r.size(); i++) sb.append(i < r.size() - 1 ? pad(r.get(i), widths[i] + 2) : r.get(i));
                line(indent, sb.toString().stripTrailing());
            }
        }

        String render() {
            int width = 0;
            for (Object[] l : lines) if (l[1] != null && (int) l[0] == 0) width = Math.max(width, ((String) l[1]).length() + 1);
            StringBuilder sb = new StringBuilder();
            for (Object[] l : lines) {
                sb.append(" ".repeat((int) l[0]));
                if (l[1] != null) {
                    String key = (String) l[1];
                    sb.append(pad(key.isEmpty() ? "" : key + ":", (int) l[0] == 0 ? width + 2 : key.length() + 3));
                }
                sb.append(l[2]).append('\n');
            }
            return sb.toString();
        }
    }
}
