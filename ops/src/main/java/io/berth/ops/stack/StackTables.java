package io.berth.ops.stack;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The docker CLI's stack tables (its tabwriter: columns at least 10 wide, 3 spaces apart), filled from Berth's objects. */
final class StackTables {
    private StackTables() {}

    static String table(List<String> header, List<List<String>> rows) {
        int[] w = new int[header.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> r : all) for (int i = 0; i < r.size(); i++) w[i] = Math.max(w[i], Math.max(10 - 3, r.get(i).length()));
        StringBuilder b = new StringBuilder();
        for (List<String> r : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.size(); i++) {
                line.append(r.get(i));
                if (i < r.size() - 1) line.append(" ".repeat(w[i] - r.get(i).length() + 3));
            }
            b.append(line.toString().stripTrailing()).append('\n');
        }
        return b.toString();
    }

    /** {@code ID NAME MODE REPLICAS IMAGE PORTS}: one row per Deployment / DaemonSet; PORTS the node ports of its Service. */
    static String services(List<JsonNode> workloads, List<JsonNode> services) {
        Map<String, JsonNode> byService = new HashMap<>();
        for (JsonNode s : services) byService.put(s.path("metadata").path("labels").path(ComposeStack.SERVICE_LABEL).asText(), s);
        List<List<String>> rows = new ArrayList<>();
        workloads.stream().sorted(Comparator.comparing(w -> w.path("metadata").path("name").asText())).forEach(w -> {
            boolean global = w.path("kind").asText().equals("DaemonSet");
            JsonNode st = w.path("status");
            String replicas = global ? st.path("numberReady").asInt() + "/" + st.path("desiredNumberScheduled").asInt()
                    : st.path("readyReplicas").asInt() + "/" + w.path("spec").path("replicas").asInt(1);
            String image = w.path("spec").path("template").path("spec").path("containers").path(0).path("image").asText("");
            JsonNode svc = byService.get(w.path("metadata").path("labels").path(ComposeStack.SERVICE_LABEL).asText(
                    w.path("spec").path("selector").path("matchLabels").path(ComposeStack.SERVICE_LABEL).asText()));
            rows.add(List.of(id(w), w.path("metadata").path("name").asText(), global ? "global" : "replicated", replicas, image, ports(svc)));
        });
        return table(List.of("ID", "NAME", "MODE", "REPLICAS", "IMAGE", "PORTS"), rows);
    }

    /** {@code *:30080->80/tcp} per node port, as docker prints published ports; ClusterIP-only ports are not published. */
    static String ports(JsonNode svc) {
        if (svc == null) return "";
        List<String> out = new ArrayList<>();
        for (JsonNode p : svc.path("spec").path("ports")) {
            if (p.path("nodePort").asInt() > 0) {
                out.add("*:" + p.path("nodePort").asInt() + "->" + p.path("targetPort").asInt(p.path("port").asInt()) + "/"
                        + p.path("protocol").asText("TCP").toLowerCase(java.util.Locale.ROOT));
            }
        }
        return String.join(", ", out);
    }

    /** {@code ID NAME IMAGE NODE DESIRED STATE CURRENT STATE ERROR PORTS}: one row per pod. */
    static String tasks(List<JsonNode> pods, Instant now, boolean noTrunc) {
        List<List<String>> rows = new ArrayList<>();
        pods.stream().sorted(Comparator.comparing(p -> p.path("metadata").path("name").asText())).forEach(p -> {
            JsonNode meta = p.path("metadata");
            JsonNode cs = p.path("status").path("containerStatuses").path(0);
            JsonNode state = cs.path("state");
            String desired = meta.path("deletionTimestamp").isTextual() ? "Shutdown" : "Running";
            String current, error = "";
            if (state.has("running")) current = "Running " + ago(state.path("running").path("startedAt").asText(null), now);
            else if (state.has("waiting")) {
                current = state.path("waiting").path("reason").asText("Pending").equals("ContainerCreating") ? "Starting" : "Pending";
                String reason = state.path("waiting").path("reason").asText("");
                String msg = state.path("waiting").path("message").asText("");
                error = reason.equals("ContainerCreating") ? "" : (reason + (msg.isEmpty() ? "" : ": " + msg));
            } else if (state.has("terminated")) {
                JsonNode t = state.path("terminated");
                int code = t.path("exitCode").asInt();
                current = (code == 0 ? "Complete " : "Failed ") + ago(t.path("finishedAt").asText(null), now);
                if (code != 0) error = "task: non-zero exit (" + code + ")";
            } else {
                current = p.path("status").path("phase").asText("Pending");
            }
            if (!noTrunc && error.length() > 40) error = error.substring(0, 39) + "…";
            String image = p.path("spec").path("containers").path(0).path("image").asText("");
            rows.add(List.of(noTrunc ? meta.path("uid").asText() : id(p), meta.path("name").asText(), image,
                    p.path("spec").path("nodeName").asText(""), desired, current, error, ""));
        });
        return table(List.of("ID", "NAME", "IMAGE", "NODE", "DESIRED STATE", "CURRENT STATE", "ERROR", "PORTS"), rows);
    }

    /**
     * Swarm's IDs are 12 hex characters: the first 12 of the object's uid (without dashes), or of its SHA-256 when the
     * uid is not hex (a pod's uid is its task id, e.g. {@code web-7d9f-x2k4p}).
     */
    static String id(JsonNode o) {
        String uid = o.path("metadata").path("uid").asText("").replace("-", "");
        if (!uid.matches("[0-9a-f]{12,}")) {
            try {
                uid = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                        .digest(o.path("metadata").path("uid").asText("").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return uid.substring(0, 12);
    }

    /** As docker's {@code units.HumanDuration}: {@code 3 seconds ago}, {@code About a minute ago}, {@code 2 hours ago}. */
    static String ago(String rfc3339, Instant now) {
        if (rfc3339 == null || rfc3339.isEmpty()) return "";
        Duration d;
        try {
            d = Duration.between(Instant.parse(rfc3339), now);
        } catch (RuntimeException e) {
            return "";
        }
        long s = Math.max(0, d.getSeconds());
        String h;
        if (s < 1) h = "Less than a second";
        else if (s == 1) h = "1 second";
        else if (s < 60) h = s + " seconds";
        else if (s / 60 == 1) h = "About a minute";
        else if (s < 3600) h = s / 60 + " minutes";
        else if (s / 3600 == 1) h = "About an hour";
        else if (s < 48 * 3600) h = s / 3600 + " hours";
        else h = s / 86400 + " days";
        return h + " ago";
    }
}
