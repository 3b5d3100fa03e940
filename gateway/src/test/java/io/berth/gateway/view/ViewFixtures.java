package io.berth.gateway.view;

import io.berth.gateway.manifest.ManifestParser;
import io.berth.gateway.manifest.ManifestResult;
import io.berth.schemas.avro.*;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Views as state-streams would write them, at fixed times. */
public final class ViewFixtures {
    private ViewFixtures() {}

    static {
        io.berth.schemas.AvroTrust.ensure();
    }

    public static final long T0 = Instant.parse("2026-11-22T05:00:00Z").toEpochMilli();
    public static final long NOW = T0 + 3 * 60_000 + 20_000; // 3m20s later

    public static PodTemplate template() {
        ContainerSpec c = ContainerSpec.newBuilder().setName("web").setImage("berth/busybox:latest")
                .setCommand(List.of("httpd", "-f", "-p", "8080"))
                .setPorts(List.of(ContainerPort.newBuilder().setContainerPort(8080).setName("http").build()))
                .setRequests(new Resources(250L, 64L << 20)).setLimits(new Resources(1000L, 128L << 20)).build();
        return PodTemplate.newBuilder().setLabels(Map.of("app", "web")).setContainers(List.of(c)).build();
    }

    public static TaskView task(String id, TaskPhase phase, boolean ready, String nodeId) {
        return TaskView.newBuilder().setTaskId(id).setPodName(id).setNamespace("default").setWorkloadKey("default/deployment/web")
                .setLabels(Map.of("app", "web")).setTemplate(template()).setTemplateHash("7d4b9c")
                .setPhase(phase).setReady(ready).setNodeId(nodeId).setContainerId(phase == TaskPhase.RUNNING ? "c0ffee" : null)
                .setCreatedAt(T0).setStartedAt(phase == TaskPhase.RUNNING ? T0 + 2000 : 0).setResourceVersion("42").build();
    }

    public static NodeView node(String id, boolean ready, boolean cordoned) {
        return NodeView.newBuilder().setNodeId(id).setName(id).setAddress("10.0.0." + id.charAt(id.length() - 1))
                .setLabels(Map.of("zone", "a")).setCapacity(new Resources(4000L, 8L << 30))
                .setAllocated(new Resources(500L, 128L << 20)).setReady(ready).setCordoned(cordoned)
                .setLastHeartbeat(NOW - 500).setRegisteredAt(T0 - 86_400_000L).setResourceVersion("7").build();
    }

    public static WorkloadView deployment() {
        ManifestResult r = new ManifestParser().parse("", """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, labels: {app: web}}
                spec:
                  replicas: 3
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers:
                      - name: web
                        image: berth/busybox:latest
                        ports: [{containerPort: 8080}]
                        resources: {requests: {cpu: 250m, memory: 64Mi}}
                        readinessProbe: {httpGet: {path: /healthz, port: 8080}}
                """);
        DeploymentSpec spec = (DeploymentSpec) r.intents().get(0).getPayload();
        return WorkloadView.newBuilder().setKey("default/deployment/web").setKind(ResourceKind.DEPLOYMENT).setName("web")
                .setUid("u-1").setLabels(Map.of("app", "web")).setGeneration(2).setObservedGeneration(2)
                .setCreatedAt(T0).setResourceVersion("9").setDeployment(spec).setReplicas(3).setReadyReplicas(2)
                .setAvailableReplicas(2).setUpdatedReplicas(3).setUnavailableReplicas(1)
                .setConditions(List.of(new Condition("Available", "True", "MinimumReplicasAvailable", "", T0))).build();
    }
}
