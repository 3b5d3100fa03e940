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
    DEPLOYMENTS("deployments", "Deployment", "apps/v1", Topics.WORKLOADS, true, ResourceKind.DEPLOYMENT);

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

    /** How Kubernetes names the resource in messages: {@code pods}, {@code deployments.apps}. */
    public String qualified() {
        return apiVersion.equals("apps/v1") ? plural + ".apps" : plural;
    }

    /** {@code /api/v1} or {@code /apis/apps/v1}. */
    public String prefix() {
        return apiVersion.equals("v1") ? "/api/v1" : "/apis/" + apiVersion;
    }
}
