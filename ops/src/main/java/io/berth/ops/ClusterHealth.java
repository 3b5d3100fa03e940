package io.berth.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.ops.kubectl.Kubeconfig;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code berth status} says of the control plane (issue 13): the gateway's own {@code /readyz?verbose}
 * checks (view cache, Streams services of the all-in-one …), and per node the age of its last heartbeat the
 * control plane folded (the daemon publishes with acks=all, so each was acknowledged by the broker) and its
 * conditions. Fetching is the adapter; {@link #nodeLines} is a plain function.
 */
public final class ClusterHealth {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ClusterHealth() {}

    /** {@code ready}: /readyz answered 200; {@code lines}: what to print, indented. */
    public record Report(boolean ready, List<String> lines) {}

    /** Asks the gateway at {@code gatewayUrl}, with the credential and CA of the kubeconfig in {@code dataDir}. */
    public static Report fetch(String gatewayUrl, Path dataDir, long now) {
        List<String> lines = new ArrayList<>();
        HttpClient http;
        try {
            HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(3));
            Path kubeconfig = AdminCredential.kubeconfig(dataDir);
            if (gatewayUrl.startsWith("https://")) {
                Optional<String> ca = Kubeconfig.caPem(kubeconfig, gatewayUrl);
                if (ca.isPresent()) b.sslContext(io.berth.schemas.tls.Tls.trusting(ca.get()));
            }
            http = b.build();
            HttpResponse<String> readyz = http.send(HttpRequest.newBuilder(URI.create(gatewayUrl + "/readyz?verbose"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            boolean ready = readyz.statusCode() == 200;
            lines.add("readyz    " + (ready ? "ok" : "NOT READY (" + readyz.statusCode() + ")"));
            readyz.body().lines().filter(l -> l.startsWith("[")).forEach(l -> lines.add("  " + l));
            HttpRequest.Builder nodes = HttpRequest.newBuilder(URI.create(gatewayUrl + "/api/v1/nodes")).timeout(Duration.ofSeconds(5)).GET();
            Kubeconfig.token(kubeconfig, gatewayUrl).ifPresent(t -> nodes.header("Authorization", "Bearer " + t));
            HttpResponse<String> nr = http.send(nodes.build(), HttpResponse.BodyHandlers.ofString());
            if (nr.statusCode() == 200) lines.addAll(nodeLines(JSON.readTree(nr.body()), now));
            else lines.add("nodes     not listed: " + nr.statusCode() + " " + nr.body().strip());
            return new Report(ready, lines);
        } catch (Exception e) {
            lines.add("readyz    NOT READY: the gateway at " + gatewayUrl + " did not answer (" + e + ")");
            return new Report(false, lines);
        }
    }

    /**
     * One line per node of a {@code NodeList}: name, Ready, the age of the last heartbeat, and every other
     * condition that is not {@code False} (e.g. {@code ContainerRuntimeUnhealthy=True DockerAPIExhausted}).
     */
    public static List<String> nodeLines(JsonNode nodeList, long now) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : nodeList.path("items")) {
            String name = n.path("metadata").path("name").asText("?");
            String ready = "Unknown";
            String heartbeat = "never";
            List<String> others = new ArrayList<>();
            for (JsonNode c : n.path("status").path("conditions")) {
                String type = c.path("type").asText();
                if (type.equals("Ready")) {
                    ready = c.path("status").asText().equals("True") ? "Ready" : "NotReady (" + c.path("reason").asText() + ")";
                    String at = c.path("lastHeartbeatTime").asText("");
                    if (!at.isEmpty() && !at.equals("null")) heartbeat = age(now - Instant.parse(at).toEpochMilli()) + " ago";
                } else if (!c.path("status").asText().equals("False")) {
                    others.add(type + "=" + c.path("status").asText() + " " + c.path("reason").asText()
                            + (c.path("message").asText("").isEmpty() ? "" : ": " + c.path("message").asText()));
                }
            }
            if (n.path("spec").path("unschedulable").asBoolean(false)) ready += ",SchedulingDisabled";
            out.add(String.format("node      %-28s %s, last heartbeat %s%s", name, ready, heartbeat, others.isEmpty() ? "" : "; " + String.join("; ", others)));
        }
        if (out.isEmpty()) out.add("nodes     none registered");
        return out;
    }

    /** 850 ms → "0.9s", 75 s → "75s", 2 h → "2h0m" (whole seconds past a minute). */
    static String age(long ms) {
        if (ms < 0) ms = 0;
        if (ms < 10_000) return String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
        long s = ms / 1000;
        if (s < 120) return s + "s";
        if (s < 7200) return s / 60 + "m" + s % 60 + "s";
        return s / 3600 + "h" + s % 3600 / 60 + "m";
    }
}
