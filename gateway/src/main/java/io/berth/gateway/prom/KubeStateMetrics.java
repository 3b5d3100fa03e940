package io.berth.gateway.prom;

import com.fasterxml.jackson.databind.JsonNode;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;

import java.util.ArrayList;
import java.util.List;

/**
 * kube-state-metrics' series, computed from the Kubernetes objects the gateway serves (pods, Deployments,
 * nodes, exactly as {@code kubectl get -o json} shows them) at the moment of a scrape, so that Grafana's
 * Kubernetes dashboards work against Berth unchanged, and a pod that is gone has no series any more.
 * Names, labels and values are kube-state-metrics' (v2): one series per pod and phase, 1 for the phase it is
 * in and 0 for the others; three per node condition ({@code status="true|false|unknown"}).
 */
public final class KubeStateMetrics {
    static final List<String> PHASES = List.of("Pending", "Running", "Succeeded", "Failed", "Unknown");
    static final List<String> CONDITION_STATUSES = List.of("true", "false", "unknown");

    private KubeStateMetrics() {}

    /** The snapshots of every series, from the current pods, Deployments and nodes. */
    public static List<MetricSnapshot> snapshots(List<JsonNode> pods, List<JsonNode> deployments, List<JsonNode> nodes) {
        List<MetricSnapshot> out = new ArrayList<>();
        GaugeSnapshot.Builder phase = gauge("kube_pod_status_phase", "The pods current phase.");
        long pending = 0;
        for (JsonNode p : pods) {
            String current = p.path("status").path("phase").asText("Unknown");
            if (current.equals("Pending")) pending++;
            for (String ph : PHASES) {
                phase.dataPoint(point(ph.equals(current) ? 1 : 0, "namespace", ns(p), "pod", name(p), "uid", uid(p), "phase", ph));
            }
        }
        out.add(phase.build());
        out.add(gauge("berth_pods_pending", "Pods not yet running: unscheduled, or scheduled and starting.")
                .dataPoint(GaugeDataPointSnapshot.builder().value(pending).build()).build());

        GaugeSnapshot.Builder spec = gauge("kube_deployment_spec_replicas", "Number of desired pods for a deployment.");
        GaugeSnapshot.Builder replicas = gauge("kube_deployment_status_replicas", "The number of replicas per deployment.");
        GaugeSnapshot.Builder available = gauge("kube_deployment_status_replicas_available", "The number of available replicas per deployment.");
        GaugeSnapshot.Builder updated = gauge("kube_deployment_status_replicas_updated", "The number of updated replicas per deployment.");
        GaugeSnapshot.Builder generation = gauge("kube_deployment_status_observed_generation",
                "The generation observed by the deployment controller.");
        for (JsonNode d : deployments) {
            String[] l = {"namespace", ns(d), "deployment", name(d)};
            spec.dataPoint(point(d.path("spec").path("replicas").asDouble(1), l));
            replicas.dataPoint(point(d.path("status").path("replicas").asDouble(0), l));
            available.dataPoint(point(d.path("status").path("availableReplicas").asDouble(0), l));
            updated.dataPoint(point(d.path("status").path("updatedReplicas").asDouble(0), l));
            generation.dataPoint(point(d.path("status").path("observedGeneration").asDouble(0), l));
        }
        out.addAll(List.of(spec.build(), replicas.build(), available.build(), updated.build(), generation.build()));

        GaugeSnapshot.Builder condition = gauge("kube_node_status_condition", "The condition of a cluster node.");
        GaugeSnapshot.Builder unschedulable = gauge("kube_node_spec_unschedulable", "Whether a node can schedule new pods.");
        for (JsonNode n : nodes) {
            for (JsonNode c : n.path("status").path("conditions")) {
                String status = c.path("status").asText("Unknown").toLowerCase(java.util.Locale.ROOT);
                for (String s : CONDITION_STATUSES) {
                    condition.dataPoint(point(s.equals(status) ? 1 : 0, "node", name(n), "condition", c.path("type").asText(), "status", s));
                }
            }
            unschedulable.dataPoint(point(n.path("spec").path("unschedulable").asBoolean(false) ? 1 : 0, "node", name(n)));
        }
        out.add(condition.build());
        out.add(unschedulable.build());
        return out;
    }

    private static GaugeSnapshot.Builder gauge(String name, String help) {
        return GaugeSnapshot.builder().name(name).help(help);
    }

    private static GaugeDataPointSnapshot point(double value, String... labels) {
        return GaugeDataPointSnapshot.builder().value(value).labels(Labels.of(labels)).build();
    }

    private static String ns(JsonNode o) {
        return o.path("metadata").path("namespace").asText("");
    }

    private static String name(JsonNode o) {
        return o.path("metadata").path("name").asText("");
    }

    private static String uid(JsonNode o) {
        return o.path("metadata").path("uid").asText("");
    }
}
