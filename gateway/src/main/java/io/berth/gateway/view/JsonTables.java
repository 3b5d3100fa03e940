package io.berth.gateway.view;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tables {@code kubectl get} prints, rendered from the Kubernetes JSON the gateway serves (pods,
 * deployments, daemonsets, controllerrevisions, jobs, cronjobs, services, nodes, namespaces, events, …), column for column as kube-apiserver's table
 * convertors print them: the gateway's {@code meta.k8s.io/v1 Table} answers ({@link ServerTables}) and
 * the berth CLI's own tables are both made here. Pure: "now" is given, so AGE is reproducible. Layout
 * and ages: {@link #table} and {@link #age(long, long)}.
 */
public final class JsonTables {
    private JsonTables() {}

    public static String render(String plural, boolean namespaced, List<JsonNode> items, boolean wide, boolean allNamespaces, long now) {
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode item : items) rows.add(row(plural, namespaced, item, wide, allNamespaces, now));
        return table(header(plural, namespaced, wide, allNamespaces), rows);
    }

    public static List<String> header(String plural, boolean namespaced, boolean wide, boolean allNamespaces) {
        List<String> h = new ArrayList<>();
        if (allNamespaces && namespaced) h.add("NAMESPACE");
        switch (plural) {
            case "pods" -> {
                h.addAll(List.of("NAME", "READY", "STATUS", "RESTARTS", "AGE"));
                if (wide) h.addAll(List.of("IP", "NODE", "NOMINATED NODE", "READINESS GATES"));
            }
            case "deployments" -> {
                h.addAll(List.of("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"));
                if (wide) h.addAll(List.of("CONTAINERS", "IMAGES", "SELECTOR"));
            }
            case "daemonsets" -> {
                h.addAll(List.of("NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"));
                if (wide) h.addAll(List.of("CONTAINERS", "IMAGES", "SELECTOR"));
            }
            case "controllerrevisions" -> h.addAll(List.of("NAME", "CONTROLLER", "REVISION", "AGE"));
            case "statefulsets" -> {
                h.addAll(List.of("NAME", "READY", "AGE"));
                if (wide) h.addAll(List.of("CONTAINERS", "IMAGES"));
            }
            case "persistentvolumeclaims" -> {
                h.addAll(List.of("NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS", "AGE"));
                if (wide) h.add("VOLUMEMODE");
            }
            case "horizontalpodautoscalers" -> h.addAll(List.of("NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"));
            case "services" -> {
                h.addAll(List.of("NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"));
                if (wide) h.add("SELECTOR");
            }
            case "nodes" -> {
                h.addAll(List.of("NAME", "STATUS", "ROLES", "AGE", "VERSION"));
                if (wide) h.addAll(List.of("INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"));
            }
            case "jobs" -> {
                h.addAll(List.of("NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"));
                if (wide) h.addAll(List.of("CONTAINERS", "IMAGES", "SELECTOR"));
            }
            case "cronjobs" -> {
                h.addAll(List.of("NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"));
                if (wide) h.addAll(List.of("CONTAINERS", "IMAGES", "SELECTOR"));
            }
            case "replicasets" -> {
                h.addAll(List.of("NAME", "DESIRED", "CURRENT", "READY", "AGE"));
                if (wide) h.addAll(List.of("CONTAINERS", "IMAGES", "SELECTOR"));
            }
            case "namespaces" -> h.addAll(List.of("NAME", "STATUS", "AGE"));
            case "secrets" -> h.addAll(List.of("NAME", "TYPE", "DATA", "AGE"));
            case "configmaps" -> h.addAll(List.of("NAME", "DATA", "AGE"));
            case "resourcequotas" -> h.addAll(List.of("NAME", "AGE", "REQUEST", "LIMIT"));
            case "limitranges" -> h.addAll(List.of("NAME", "CREATED AT"));
            case "endpoints" -> h.addAll(List.of("NAME", "ENDPOINTS", "AGE"));
            case "roles", "clusterroles" -> h.addAll(List.of("NAME", "CREATED AT"));
            case "rolebindings", "clusterrolebindings" -> {
                h.addAll(List.of("NAME", "ROLE", "AGE"));
                if (wide) h.addAll(List.of("USERS", "GROUPS", "SERVICEACCOUNTS"));
            }
            case "events" -> h.addAll(List.of("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"));
            default -> h.addAll(List.of("NAME", "AGE"));
        }
        return h;
    }

    public static List<String> row(String plural, boolean namespaced, JsonNode o, boolean wide, boolean allNamespaces, long now) {
        List<String> row = new ArrayList<>();
        JsonNode meta = o.path("metadata");
        if (allNamespaces && namespaced) row.add(meta.path("namespace").asText(""));
        String name = meta.path("name").asText("");
        String age = age(meta.path("creationTimestamp").asText(""), now);
        JsonNode spec = o.path("spec");
        JsonNode status = o.path("status");
        switch (plural) {
            case "pods" -> {
                int containers = Math.max(1, spec.path("containers").size());
                int ready = 0, restarts = 0;
                for (JsonNode cs : status.path("containerStatuses")) {
                    if (cs.path("ready").asBoolean()) ready++;
                    restarts += cs.path("restartCount").asInt();
                }
                row.addAll(List.of(name, ready + "/" + containers, podStatus(o), Integer.toString(restarts), age));
                if (wide) {
                    String ip = text(status, "podIP", text(status, "hostIP", "<none>"));
                    row.addAll(List.of(ip, text(spec, "nodeName", "<none>"), text(status, "nominatedNodeName", "<none>"), "<none>"));
                }
            }
            case "deployments" -> {
                row.addAll(List.of(name, status.path("readyReplicas").asInt() + "/" + spec.path("replicas").asInt(1),
                        Integer.toString(status.path("updatedReplicas").asInt()), Integer.toString(status.path("availableReplicas").asInt()), age));
                if (wide) row.addAll(templateColumns(spec));
            }
            case "daemonsets" -> {
                // kubectl's printDaemonSet: the status counts, and the template's nodeSelector as k=v,… (<none> when empty)
                row.addAll(List.of(name, status.path("desiredNumberScheduled").asText("0"), status.path("currentNumberScheduled").asText("0"),
                        status.path("numberReady").asText("0"), status.path("updatedNumberScheduled").asText("0"),
                        status.path("numberAvailable").asText("0"), selector(spec.path("template").path("spec").path("nodeSelector")), age));
                if (wide) row.addAll(templateColumns(spec));
            }
            case "controllerrevisions" -> row.addAll(List.of(name, controller(meta), o.path("revision").asText("0"), age));
            case "statefulsets" -> {
                // kubectl's printStatefulSet: READY is readyReplicas/spec.replicas
                row.addAll(List.of(name, status.path("readyReplicas").asInt() + "/" + spec.path("replicas").asInt(), age));
                if (wide) row.addAll(templateColumns(spec).subList(0, 2));
            }
            case "persistentvolumeclaims" -> {
                // kubectl's printPersistentVolumeClaim: capacity and access modes from the status (empty until bound)
                List<String> modes = new ArrayList<>();
                status.path("accessModes").forEach(m -> modes.add(switch (m.asText()) {
                    case "ReadWriteOnce" -> "RWO";
                    case "ReadOnlyMany" -> "ROX";
                    case "ReadWriteMany" -> "RWX";
                    case "ReadWriteOncePod" -> "RWOP";
                    default -> m.asText();
                }));
                row.addAll(List.of(name, status.path("phase").asText(""), spec.path("volumeName").asText(""),
                        status.path("capacity").path("storage").asText(""), String.join(",", modes),
                        spec.path("storageClassName").asText("<unset>"), age));
                if (wide) row.add(spec.path("volumeMode").asText(""));
            }
            case "jobs" -> {
                row.addAll(List.of(name, jobStatus(o), jobCompletions(o), jobDuration(o, now), age));
                if (wide) row.addAll(templateColumns(spec));
            }
            case "cronjobs" -> {
                // kubectl's printCronJob: SUSPEND is printBoolPtr (<unset> when nil), ACTIVE the number of active jobs
                String suspend = spec.hasNonNull("suspend") ? (spec.path("suspend").asBoolean() ? "True" : "False") : "<unset>";
                String last = status.hasNonNull("lastScheduleTime") ? age(status.path("lastScheduleTime").asText(""), now) : "<none>";
                row.addAll(List.of(name, spec.path("schedule").asText(""), text(spec, "timeZone", "<none>"), suspend,
                        Integer.toString(status.path("active").size()), last, age));
                // the wide SELECTOR is the jobTemplate's, which Kubernetes leaves unset (generated per Job): <none>
                if (wide) row.addAll(templateColumns(spec.path("jobTemplate").path("spec")));
            }
            case "horizontalpodautoscalers" -> {
                // kubectl's printHorizontalPodAutoscaler: REFERENCE Kind/name, TARGETS current/target per metric
                JsonNode ref = spec.path("scaleTargetRef");
                row.addAll(List.of(name, ref.path("kind").asText("") + "/" + ref.path("name").asText(""), hpaTargets(spec, status),
                        spec.has("minReplicas") ? spec.path("minReplicas").asText() : "<unset>", spec.path("maxReplicas").asText(),
                        status.path("currentReplicas").asText("0"), age));
            }
            case "replicasets" -> {
                row.addAll(List.of(name, Integer.toString(spec.path("replicas").asInt(1)), Integer.toString(status.path("replicas").asInt()),
                        Integer.toString(status.path("readyReplicas").asInt()), age));
                if (wide) row.addAll(templateColumns(spec));
            }
            case "services" -> {
                List<String> ports = new ArrayList<>();
                for (JsonNode p : spec.path("ports")) {
                    ports.add(p.path("port").asText() + (p.path("nodePort").asInt() != 0 ? ":" + p.path("nodePort").asText() : "")
                            + "/" + p.path("protocol").asText("TCP"));
                }
                String externalIp = spec.path("type").asText().equals("LoadBalancer") ? "<pending>" : "<none>";
                row.addAll(List.of(name, text(spec, "type", "ClusterIP"), text(spec, "clusterIP", "<none>"), externalIp,
                        orNone(String.join(",", ports)), age));
                if (wide) row.add(selector(spec.path("selector")));
            }
            case "nodes" -> {
                row.addAll(List.of(name, nodeStatus(o), roles(meta.path("labels")), age,
                        text(status.path("nodeInfo"), "kubeletVersion", "")));
                if (wide) {
                    row.addAll(List.of(address(status, "InternalIP"), address(status, "ExternalIP"),
                            text(status.path("nodeInfo"), "osImage", "<unknown>"), text(status.path("nodeInfo"), "kernelVersion", "<unknown>"),
                            text(status.path("nodeInfo"), "containerRuntimeVersion", "<unknown>")));
                }
            }
            case "namespaces" -> row.addAll(List.of(name, text(status, "phase", "Active"), age));
            case "secrets" -> row.addAll(List.of(name, text(o, "type", "Opaque"), Integer.toString(o.path("data").size()), age));
            case "configmaps" -> row.addAll(List.of(name, Integer.toString(o.path("data").size() + o.path("binaryData").size()), age));
            case "resourcequotas" -> row.addAll(List.of(name, age, quotaUsage(status, false), quotaUsage(status, true)));
            case "limitranges" -> row.addAll(List.of(name, meta.path("creationTimestamp").asText("").isEmpty() ? "<unknown>" : meta.path("creationTimestamp").asText()));
            case "endpoints" -> row.addAll(List.of(name, endpoints(o, null), age));
            case "roles", "clusterroles" -> row.addAll(List.of(name, meta.path("creationTimestamp").asText("").isEmpty() ? "<unknown>" : meta.path("creationTimestamp").asText()));
            case "rolebindings", "clusterrolebindings" -> {
                row.addAll(List.of(name, o.path("roleRef").path("kind").asText("") + "/" + o.path("roleRef").path("name").asText(""), age));
                if (wide) row.addAll(List.of(subjects(o, "User"), subjects(o, "Group"), subjects(o, "ServiceAccount")));
            }
            case "events" -> {
                JsonNode obj = o.path("involvedObject");
                row.addAll(List.of(age(eventTime(o), now), text(o, "type", "Normal"), text(o, "reason", ""),
                        obj.path("kind").asText("").toLowerCase(Locale.ROOT) + "/" + obj.path("name").asText(""),
                        o.path("message").asText("").strip()));
            }
            default -> row.addAll(List.of(name, age));
        }
        return row;
    }

    /**
     * kubectl's {@code formatEndpoints}: {@code ip:port} of the ready addresses, ports outer and
     * addresses inner, the first 3 shown then {@code + N more...}; only the port named
     * {@code portName} when not null (describe service); {@code <none>} when there is none.
     */
    /** The wide columns of a deployment or a ReplicaSet: CONTAINERS, IMAGES, SELECTOR. */
    private static List<String> templateColumns(JsonNode spec) {
        List<String> names = new ArrayList<>(), images = new ArrayList<>();
        for (JsonNode c : spec.path("template").path("spec").path("containers")) {
            names.add(c.path("name").asText());
            images.add(c.path("image").asText());
        }
        return List.of(orNone(String.join(",", names)), orNone(String.join(",", images)), selector(spec.path("selector").path("matchLabels")));
    }

    public static String endpoints(JsonNode ep, String portName) {
        List<String> all = new ArrayList<>();
        for (JsonNode subset : ep.path("subsets")) {
            if (subset.path("ports").isEmpty() && portName == null) {
                for (JsonNode a : subset.path("addresses")) all.add(a.path("ip").asText());
            }
            for (JsonNode p : subset.path("ports")) {
                if (portName != null && !p.path("name").asText("").equals(portName)) continue;
                for (JsonNode a : subset.path("addresses")) all.add(a.path("ip").asText() + ":" + p.path("port").asInt());
            }
        }
        if (all.isEmpty()) return "<none>";
        String shown = String.join(",", all.subList(0, Math.min(3, all.size())));
        return all.size() > 3 ? shown + " + " + (all.size() - 3) + " more..." : shown;
    }

    /** When an event last happened: lastTimestamp, else eventTime, else firstTimestamp, else its creation. */
    public static String eventTime(JsonNode e) {
        for (String f : List.of("lastTimestamp", "eventTime", "firstTimestamp")) {
            String t = e.path(f).asText("");
            if (!t.isEmpty() && !t.equals("null")) return t;
        }
        return e.path("metadata").path("creationTimestamp").asText("");
    }

    /**
     * kubectl's STATUS column for a pod (its {@code printPod}): the phase, a pod-level reason, the
     * reason of a waiting or terminated container, Terminating once a deletion is under way.
     */
    public static String podStatus(JsonNode pod) {
        JsonNode status = pod.path("status");
        String phase = status.path("phase").asText("Pending");
        String reason = phase;
        String podReason = status.path("reason").asText("");
        // Kubernetes sets a pod-level reason only on terminal or unknown pods (Evicted, NodeLost, …)
        if (!podReason.isEmpty() && (phase.equals("Failed") || phase.equals("Unknown") || phase.equals("Succeeded"))) reason = podReason;
        boolean scheduled = true;
        for (JsonNode c : status.path("conditions")) {
            if (c.path("type").asText().equals("PodScheduled") && c.path("status").asText().equals("False")) scheduled = false;
        }
        boolean hasRunning = false;
        if (scheduled) {
            List<JsonNode> statuses = new ArrayList<>();
            status.path("containerStatuses").forEach(statuses::add);
            for (int i = statuses.size() - 1; i >= 0; i--) {
                JsonNode state = statuses.get(i).path("state");
                if (!state.path("waiting").path("reason").asText("").isEmpty()) {
                    reason = state.path("waiting").path("reason").asText();
                } else if (!state.path("terminated").path("reason").asText("").isEmpty()) {
                    reason = state.path("terminated").path("reason").asText();
                } else if (state.has("terminated")) {
                    JsonNode t = state.path("terminated");
                    reason = t.path("signal").asInt() != 0 ? "Signal:" + t.path("signal").asInt() : "ExitCode:" + t.path("exitCode").asInt();
                } else if (statuses.get(i).path("ready").asBoolean() && state.has("running")) {
                    hasRunning = true;
                }
            }
        }
        if (reason.equals("Completed") && hasRunning) reason = "Running";
        JsonNode deletion = pod.path("metadata").path("deletionTimestamp");
        if (!deletion.isMissingNode() && !deletion.isNull()) {
            reason = podReason.equals("NodeLost") ? "Unknown" : "Terminating";
        }
        return reason;
    }

    /**
     * kubectl's STATUS column for a Job (its {@code printJob}): the first of Complete, Failed (conditions
     * holding), Terminating (being deleted), Suspended, FailureTarget, else Running.
     */
    public static String jobStatus(JsonNode job) {
        JsonNode conditions = job.path("status").path("conditions");
        if (holds(conditions, "Complete")) return "Complete";
        if (holds(conditions, "Failed")) return "Failed";
        JsonNode deletion = job.path("metadata").path("deletionTimestamp");
        if (!deletion.isMissingNode() && !deletion.isNull()) return "Terminating";
        if (holds(conditions, "Suspended")) return "Suspended";
        if (holds(conditions, "FailureTarget")) return "FailureTarget";
        return "Running";
    }

    /** Whether a condition of {@code type} has status True. */
    public static boolean holds(JsonNode conditions, String type) {
        for (JsonNode c : conditions) {
            if (c.path("type").asText().equals(type) && c.path("status").asText().equals("True")) return true;
        }
        return false;
    }

    /**
     * kubectl's COMPLETIONS: {@code succeeded/completions}; without completions (work-queue mode)
     * {@code succeeded/1 of parallelism} when more than one pod runs at once, else {@code succeeded/1}.
     */
    public static String jobCompletions(JsonNode job) {
        int succeeded = job.path("status").path("succeeded").asInt(0);
        JsonNode spec = job.path("spec");
        if (spec.hasNonNull("completions")) return succeeded + "/" + spec.path("completions").asInt();
        int parallelism = spec.path("parallelism").asInt(0);
        return parallelism > 1 ? succeeded + "/1 of " + parallelism : succeeded + "/1";
    }

    /** kubectl's DURATION: empty before the job started, then until now, and once complete from start to completion. */
    public static String jobDuration(JsonNode job, long now) {
        long start = millis(job.path("status").path("startTime").asText(""));
        if (start <= 0) return "";
        long completed = millis(job.path("status").path("completionTime").asText(""));
        return age(start, completed > 0 ? completed : now);
    }

    /** kubectl's TARGETS of an HPA: {@code cpu: 180%/50%} per metric, {@code <unknown>} for a current value not measured yet. */
    static String hpaTargets(JsonNode spec, JsonNode status) {
        List<String> out = new ArrayList<>();
        for (JsonNode m : spec.path("metrics")) {
            String resource = m.path("resource").path("name").asText("");
            JsonNode target = m.path("resource").path("target");
            JsonNode current = null;
            for (JsonNode c : status.path("currentMetrics")) if (c.path("resource").path("name").asText("").equals(resource)) current = c.path("resource").path("current");
            if (target.has("averageUtilization")) {
                String cur = current != null && current.has("averageUtilization") ? current.path("averageUtilization").asText() + "%" : "<unknown>";
                out.add(resource + ": " + cur + "/" + target.path("averageUtilization").asText() + "%");
            } else {
                String cur = current != null && current.has("averageValue") ? current.path("averageValue").asText() : "<unknown>";
                out.add(resource + ": " + cur + "/" + target.path("averageValue").asText(""));
            }
        }
        return out.isEmpty() ? "<none>" : String.join(", ", out);
    }

    /** kubectl's CONTROLLER of a ControllerRevision: its controller as {@code kind.group/name} ({@code daemonset.apps/agent}), else {@code <none>}. */
    static String controller(JsonNode meta) {
        for (JsonNode ref : meta.path("ownerReferences")) {
            if (!ref.path("controller").asBoolean(false)) continue;
            String apiVersion = ref.path("apiVersion").asText("");
            int slash = apiVersion.indexOf('/');
            String kind = ref.path("kind").asText("") + (slash < 0 ? "" : "." + apiVersion.substring(0, slash));
            return kind.toLowerCase(Locale.ROOT) + "/" + ref.path("name").asText("");
        }
        return "<none>";
    }

    public static String nodeStatus(JsonNode node) {
        String ready = "Unknown";
        for (JsonNode c : node.path("status").path("conditions")) {
            if (c.path("type").asText().equals("Ready")) {
                ready = switch (c.path("status").asText()) {
                    case "True" -> "Ready";
                    case "False" -> "NotReady";
                    default -> "Unknown";
                };
            }
        }
        return ready + (node.path("spec").path("unschedulable").asBoolean() ? ",SchedulingDisabled" : "");
    }

    public static String roles(JsonNode labels) {
        String prefix = "node-role.kubernetes.io/";
        List<String> roles = new ArrayList<>();
        for (Iterator<String> it = labels.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (k.startsWith(prefix) && k.length() > prefix.length()) roles.add(k.substring(prefix.length()));
        }
        roles.sort(null);
        return roles.isEmpty() ? "<none>" : String.join(",", roles);
    }

    private static String address(JsonNode status, String type) {
        for (JsonNode a : status.path("addresses")) if (a.path("type").asText().equals(type)) return a.path("address").asText();
        return "<none>";
    }

    public static String selector(JsonNode labels) {
        Map<String, String> m = new TreeMap<>();
        labels.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m.isEmpty() ? "<none>" : String.join(",", m.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
    }

    /** AGE of an RFC 3339 timestamp; {@code <unknown>} when absent or unparsable. */
    /** A binding's subjects of one kind, comma-separated (service accounts as NS/NAME), as kubectl's wide columns. */
    private static String subjects(JsonNode binding, String kind) {
        List<String> names = new ArrayList<>();
        for (JsonNode s : binding.path("subjects")) {
            if (!s.path("kind").asText("").equals(kind)) continue;
            names.add(kind.equals("ServiceAccount") ? s.path("namespace").asText("") + "/" + s.path("name").asText("") : s.path("name").asText(""));
        }
        return String.join(", ", names);
    }

    public static String age(String timestamp, long now) {
        if (timestamp == null || timestamp.isEmpty() || timestamp.equals("null")) return "<unknown>";
        try {
            return age(Instant.parse(timestamp).toEpochMilli(), now);
        } catch (DateTimeParseException e) {
            return "<unknown>";
        }
    }

    public static long millis(String timestamp) {
        try {
            return timestamp == null || timestamp.isEmpty() ? 0 : Instant.parse(timestamp).toEpochMilli();
        } catch (DateTimeParseException e) {
            return 0;
        }
    }

    private static String text(JsonNode o, String field, String dflt) {
        JsonNode v = o.path(field);
        return v.isMissingNode() || v.isNull() || v.asText().isEmpty() ? dflt : v.asText();
    }

    private static String orNone(String s) {
        return s.isEmpty() ? "<none>" : s;
    }

    /**
     * Columns as kubectl's tabwriter lays them out (min width 6, padding 3, last column unpadded),
     * one line per row, each ending in a newline.
     */
    public static String table(List<String> header, List<List<String>> rows) {
        int[] widths = new int[header.size()];
        for (int i = 0; i < widths.length; i++) widths[i] = header.get(i).length();
        for (List<String> row : rows) for (int i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i], row.get(i).length());
        StringBuilder out = new StringBuilder();
        List<List<String>> lines = new ArrayList<>();
        lines.add(header);
        lines.addAll(rows);
        for (List<String> line : lines) {
            for (int i = 0; i < line.size(); i++) {
                String cell = line.get(i);
                out.append(cell);
                if (i < line.size() - 1) out.append(" ".repeat(Math.max(widths[i] + 3, 6) - cell.length()));
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** kubectl's AGE ({@code duration.HumanDuration}): 45s, 3m20s, 15m, 5h3m, 2d4h, 30d, 2y10d. */
    public static String age(long fromMillis, long nowMillis) {
        if (fromMillis <= 0) return "<unknown>";
        long seconds = Math.floorDiv(nowMillis - fromMillis, 1000L);
        if (seconds < -1) return "<invalid>";
        if (seconds < 0) return "0s";
        if (seconds < 60 * 2) return seconds + "s";
        long minutes = seconds / 60;
        if (minutes < 10) return seconds % 60 == 0 ? minutes + "m" : minutes + "m" + (seconds % 60) + "s";
        if (minutes < 60 * 3) return minutes + "m";
        long hours = minutes / 60;
        if (hours < 8) return minutes % 60 == 0 ? hours + "h" : hours + "h" + (minutes % 60) + "m";
        if (hours < 48) return hours + "h";
        if (hours < 24 * 8) return hours % 24 == 0 ? (hours / 24) + "d" : (hours / 24) + "d" + (hours % 24) + "h";
        if (hours < 24 * 365 * 2) return (hours / 24) + "d";
        if (hours < 24 * 365 * 8) {
            long days = (hours / 24) % 365;
            return days == 0 ? (hours / 24 / 365) + "y" : (hours / 24 / 365) + "y" + days + "d";
        }
        return (hours / 24 / 365) + "y";
    }

    /**
     * kubectl's REQUEST / LIMIT columns of a quota: {@code used/hard} of each resource, sorted; LIMIT holds
     * the {@code limits.*}, REQUEST the rest ({@code pods: 3/6, requests.cpu: 500m/2}).
     */
    static String quotaUsage(JsonNode status, boolean limits) {
        List<String> parts = new java.util.ArrayList<>();
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        status.path("hard").fieldNames().forEachRemaining(names::add);
        names.forEach(r -> {
            if (r.startsWith("limits.") != limits) return;
            parts.add(r + ": " + status.path("used").path(r).asText("0") + "/" + status.path("hard").path(r).asText());
        });
        return String.join(", ", parts);
    }
}
