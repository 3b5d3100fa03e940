package io.berth.ops.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 15's namespaces, quotas and limit ranges on the real Docker engine through stock kubectl: a namespace
 * holding a Deployment (running pods), a Service, a ConfigMap, a ResourceQuota and a LimitRange; the
 * LimitRange's defaults are on the Deployment, a second Deployment over the quota is refused in Kubernetes'
 * words and {@code kubectl get quota} shows used/hard; {@code kubectl delete namespace} waits until the
 * namespace is gone with everything in it, and the containers are stopped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class KubectlNamespaceE2ETest {
    private OneNodeBerth berth;
    private Path dir;
    private String node;

    @BeforeAll
    void start() throws Exception {
        berth = OneNodeBerth.start("berth-kubectl-ns", "ns-");
        dir = berth.dir;
        node = berth.node;
    }

    @AfterAll
    void stop() throws Exception {
        if (berth != null) berth.close();
    }

    static String deployment(String name, int replicas) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: %s, namespace: team}
                spec:
                  replicas: %d
                  selector: {matchLabels: {app: %s}}
                  template:
                    metadata: {labels: {app: %s}}
                    spec:
                      containers:
                      - name: main
                        image: berth/busybox:latest
                        command: ["sh", "-c", "sleep 3600"]
                """.formatted(name, replicas, name, name);
    }

    @Test
    void aNamespaceDeleteRemovesItsObjectsAndStopsItsContainers() throws Exception {
        Kubectl k = new Kubectl(Kubectl.MACHINE, dir.resolve("kubeconfig"));
        assertEquals("namespace/team created\n", k.ok("create", "namespace", "team"));
        assertEquals("""
                resourcequota/quota created
                limitrange/limits created
                """, k.withStdin("""
                apiVersion: v1
                kind: ResourceQuota
                metadata: {name: quota, namespace: team}
                spec: {hard: {pods: "3", limits.cpu: "1"}}
                ---
                apiVersion: v1
                kind: LimitRange
                metadata: {name: limits, namespace: team}
                spec:
                  limits:
                  - type: Container
                    default: {cpu: 200m}
                """, "apply", "-f", "-").out());
        String objects = deployment("web", 2) + """
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: team}
                spec: {selector: {app: web}, ports: [{port: 80}]}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: settings, namespace: team}
                data: {greeting: hello}
                """;
        Kubectl.Run applied = k.withStdin(objects, "apply", "-f", "-");
        assertEquals(0, applied.code(), applied.err());
        k.ok("rollout", "status", "deployment/web", "-n", "team", "--timeout=120s");
        assertEquals("200m", k.ok("get", "deployment", "web", "-n", "team", "-o", "jsonpath={.spec.template.spec.containers[0].resources.limits.cpu}"));
        Await.until("the namespace's two containers running", Duration.ofSeconds(60), () -> running().lines().count() == 2, this::running);

        Kubectl.Run over = k.withStdin(deployment("extra", 2), "apply", "-f", "-");
        assertNotEquals(0, over.code());
        // pods go over (2 + 2 > 3), limits.cpu does not (400m + 400m <= 1): only what goes over is named
        assertTrue(over.err().contains("deployments.apps \"extra\" is forbidden: exceeded quota: quota, requested: pods=2, used: pods=2, limited: pods=3"),
                over.err());
        String quota = k.ok("get", "quota", "-n", "team");
        assertTrue(quota.lines().findFirst().orElse("").matches("NAME +AGE +REQUEST +LIMIT"), quota);
        assertTrue(quota.lines().skip(1).findFirst().orElse("").matches("quota +\\d+s +pods: 2/3 +limits.cpu: 400m/1"), quota);

        assertEquals("namespace \"team\" deleted\n", k.ok("delete", "namespace", "team", "--timeout=120s"));
        Kubectl.Run gone = k.run("get", "namespace", "team");
        assertNotEquals(0, gone.code());
        assertTrue(gone.err().contains("namespaces \"team\" not found"), gone.err());
        assertEquals("", k.ok("get", "deployments,services,configmaps,resourcequotas,limitranges,pods", "-n", "team", "-o", "name"));
        Await.until("the namespace's containers stopped", Duration.ofSeconds(60), () -> running().isBlank(), this::running);
        Kubectl.Run undeletable = k.run("delete", "namespace", "default");
        assertNotEquals(0, undeletable.code());
        assertTrue(undeletable.err().contains("namespaces \"default\" is forbidden: this namespace may not be deleted"), undeletable.err());
    }

    private String running() {
        try {
            return BerthProcess.sh("docker", "ps", "-q", "--filter", "label=berth.node=" + node, "--filter", "label=berth.workload=team/deployment/web");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
