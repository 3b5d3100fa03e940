package io.berth.ops.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * HorizontalPodAutoscalers through stock kubectl at autoscaling/v1 beside v2 on a real Berth: kubectl 1.32's
 * {@code autoscale} (a v1 HPA, sent as protobuf), {@code get hpa} with kubectl's columns, {@code apply -f} of the
 * Kubernetes docs' v1 manifest (re-applied: unchanged), the same object read at v2 (preferred) and at v1, and deleted;
 * Debian's kubectl 1.20 autoscales and lists too. The v1 reads name the resource in full: kubectl 1.32 expands a short
 * name without its version ({@code hpa.v1.autoscaling} reads the preferred v2, against kube-apiserver as well).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class KubectlHpaE2ETest {
    private OneNodeBerth berth;
    private Path dir;

    @BeforeAll
    void start() throws Exception {
        berth = OneNodeBerth.start("berth-kubectl-hpa", "hpa-");
        dir = berth.dir;
    }

    @AfterAll
    void stop() throws Exception {
        if (berth != null) berth.close();
    }

    static String deployment(String name) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %1$s
                spec:
                  replicas: 1
                  selector:
                    matchLabels: {app: %1$s}
                  template:
                    metadata:
                      labels: {app: %1$s}
                    spec:
                      containers:
                      - name: main
                        image: berth/busybox:latest
                        command: ["sleep", "3600"]
                        resources:
                          requests: {cpu: 100m}
                """.formatted(name);
    }

    /** The autoscaling/v1 manifest of the Kubernetes docs' HorizontalPodAutoscaler walkthrough. */
    static final String PHP_APACHE_HPA = """
            apiVersion: autoscaling/v1
            kind: HorizontalPodAutoscaler
            metadata:
              name: php-apache
            spec:
              scaleTargetRef:
                apiVersion: apps/v1
                kind: Deployment
                name: php-apache
              minReplicas: 1
              maxReplicas: 10
              targetCPUUtilizationPercentage: 50
            """;

    @Test
    void stockKubectlAutoscalesAppliesV1ManifestsAndReadsOneHpaAtBothVersions() throws Exception {
        Kubectl k = new Kubectl(Kubectl.MACHINE, dir.resolve("kubeconfig"));
        for (String name : List.of("web", "php-apache")) {
            assertEquals("deployment.apps/" + name + " created\n", k.withStdin(deployment(name), "apply", "-f", "-").out());
        }

        assertEquals("horizontalpodautoscaler.autoscaling/web autoscaled\n", k.ok("autoscale", "deployment/web", "--min=1", "--max=3", "--cpu-percent=50"));
        assertLines(k.ok("get", "hpa"), "NAME +REFERENCE +TARGETS +MINPODS +MAXPODS +REPLICAS +AGE",
                "web +Deployment/web +cpu: (<unknown>|\\d+%)/50% +1 +3 +\\d+ +\\d+s");

        Path hpa = dir.resolve("php-apache-hpa.yaml");
        Files.writeString(hpa, PHP_APACHE_HPA);
        assertEquals("horizontalpodautoscaler.autoscaling/php-apache created\n", k.ok("apply", "-f", hpa.toString()));
        assertEquals("horizontalpodautoscaler.autoscaling/php-apache unchanged\n", k.ok("apply", "-f", hpa.toString()));
        Kubectl.Run target = k.run("get", "horizontalpodautoscalers.v1.autoscaling", "php-apache", "-o", "jsonpath={.spec.targetCPUUtilizationPercentage}");
        assertEquals("50", target.out(), target.err());
        assertEquals("10", k.ok("get", "hpa", "php-apache", "-o", "jsonpath={.spec.maxReplicas}"));

        String v2 = k.ok("get", "hpa", "web", "-o", "yaml");
        assertTrue(v2.contains("apiVersion: autoscaling/v2"), v2);
        assertTrue(v2.contains("averageUtilization: 50"), v2);
        String v1 = k.ok("get", "horizontalpodautoscalers.v1.autoscaling", "web", "-o", "yaml");
        assertTrue(v1.contains("apiVersion: autoscaling/v1"), v1);
        assertTrue(v1.contains("targetCPUUtilizationPercentage: 50"), v1);
        assertEquals(k.ok("get", "hpa", "web", "-o", "jsonpath={.metadata.uid}"), k.ok("get", "horizontalpodautoscalers.v1.autoscaling", "web", "-o", "jsonpath={.metadata.uid}"),
                "one object, two versions");

        assertEquals("horizontalpodautoscaler.autoscaling \"web\" deleted\n", k.ok("delete", "hpa", "web"));
        Await.until("web's HPA gone", Duration.ofSeconds(30), () -> k.run("get", "hpa", "web").code() != 0, () -> k.ok("get", "hpa"));

        // Debian's kubectl 1.20: autoscale (v1) and get hpa
        Kubectl old = new Kubectl(Kubectl.V1_20, dir.resolve("kubeconfig"));
        assertEquals("horizontalpodautoscaler.autoscaling/web autoscaled\n", old.ok("autoscale", "deployment/web", "--min=1", "--max=2", "--cpu-percent=70"));
        String listed = old.ok("get", "hpa");
        assertTrue(listed.lines().anyMatch(l -> l.matches("web +Deployment/web +(cpu: )?(<unknown>|\\d+%)/70% +1 +2 +\\d+ +\\d+s")), listed);
        assertTrue(listed.lines().anyMatch(l -> l.matches("php-apache +Deployment/php-apache +(cpu: )?(<unknown>|\\d+%)/50% +1 +10 +\\d+ +\\d+s")), listed);
        assertEquals("horizontalpodautoscaler.autoscaling \"web\" deleted\n", old.ok("delete", "hpa", "web"));
        assertEquals("horizontalpodautoscaler.autoscaling \"php-apache\" deleted\n", k.ok("delete", "-f", hpa.toString()));
        Await.until("no HPA left", Duration.ofSeconds(30), () -> k.ok("get", "hpa", "-o", "name").isBlank(), () -> k.ok("get", "hpa"));
    }

    private static void assertLines(String out, String... patterns) {
        List<String> lines = out.lines().toList();
        assertEquals(patterns.length, lines.size(), out);
        for (int i = 0; i < patterns.length; i++) assertTrue(lines.get(i).matches(patterns[i]), "line " + i + " /" + patterns[i] + "/:\n" + out);
    }
}
