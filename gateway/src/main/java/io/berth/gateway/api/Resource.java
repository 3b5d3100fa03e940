package io.berth.gateway.api;

import io.berth.schemas.Topic;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.ResourceKind;

/** The resources the API serves: where each lives on the bus and how Kubernetes names it. */
public enum Resource {
    PODS("pods", "Pod", "v1", Topics.TASKS, true, ResourceKind.POD),
    SERVICES("services", "Service", "v1", Topics.WORKLOADS, true, ResourceKind.SERVICE),
    EVENTS("events", "Event", "v1", Topics.EVENTS, true, null),
    ENDPOINTS("endpoints", "Endpoints", "v1", Topics.ENDPOINTS, true, null),
    NODES("nodes", "Node", "v1", Topics.NODES, false, ResourceKind.NODE),
    DEPLOYMENTS("deployments", "Deployment", "apps/v1", Topics.WORKLOADS, true, ResourceKind.DEPLOYMENT),
    DAEMONSETS("daemonsets", "DaemonSet", "apps/v1", Topics.WORKLOADS, true, ResourceKind.DAEMONSET),
    STATEFULSETS("statefulsets", "StatefulSet", "apps/v1", Topics.WORKLOADS, true, ResourceKind.STATEFULSET),
    JOBS("jobs", "Job", "batch/v1", Topics.WORKLOADS, true, ResourceKind.JOB),
    CRONJOBS("cronjobs", "CronJob", "batch/v1", Topics.WORKLOADS, true, ResourceKind.CRONJOB),
    /** Served from its target Deployment's view (WorkloadView.autoscaler), under its own key {@code ns/HORIZONTALPODAUTOSCALER/name}. */
    HORIZONTALPODAUTOSCALERS("horizontalpodautoscalers", "HorizontalPodAutoscaler", "autoscaling/v2", Topics.WORKLOADS, true,
            ResourceKind.HORIZONTALPODAUTOSCALER);

    public final String plural;
    public final String kind;
    public final String apiVersion;
    public final Topic<?> topic;
    public final boolean namespaced;
    public final ResourceKind berthKind;

    Resource(String plural, String kind, String apiVersion, Topic<?> topic, boolean namespaced, ResourceKind berthKind) {
        this.plural = plural;
        this.kind = kind;
        this.apiVersion = apiVersion;
        this.topic = topic;
        this.namespaced = namespaced;
        this.berthKind = berthKind;
    }

    /** The API group: {@code ""} (core), {@code apps}, {@code batch}. */
    public String group() {
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    /** How Kubernetes names the resource in messages: {@code pods}, {@code deployments.apps}, {@code jobs.batch}. */
    public String qualified() {
        return group().isEmpty() ? plural : plural + "." + group();
    }

    /** {@code /api/v1}, {@code /apis/apps/v1}, {@code /apis/batch/v1}. */
    public String prefix() {
        return group().isEmpty() ? "/api/" + apiVersion : "/apis/" + apiVersion;
    }

    /** The resource a Berth kind is served as; IllegalArgumentException for one without (a namespace). */
    public static Resource of(ResourceKind kind) {
        for (Resource r : values()) if (r.berthKind == kind) return r;
        throw new IllegalArgumentException("no resource serves " + kind);
    }
}
