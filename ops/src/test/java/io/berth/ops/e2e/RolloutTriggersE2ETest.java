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
 * Issue 15's rollout triggers on real Kafka and the real Docker engine (berth up in-process, stock kubectl): a
 * Deployment annotated {@code berth.io/rollout-on: configmap/app-config} whose pod reads the ConfigMap through
 * envFrom rolls out when the ConfigMap's data changes: revision 2, its new pod running with the new value, and
 * {@code berth rollout history} naming the trigger as the change-cause. One annotated {@code rollout-on: image} rolls
 * out when its tag is moved to another local image ({@code docker commit} onto the tag), its new pod running that image.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class RolloutTriggersE2ETest {
    private OneNodeBerth berth;
    private Path dir;
    private String node;

    @BeforeAll
    void start() throws Exception {
        berth = OneNodeBerth.start("berth-rollout-on", "trig-");
        dir = berth.dir;
        node = berth.node;
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (berth != null) berth.close();
        } finally {
            if (node != null) new ProcessBuilder("docker", "rmi", "-f", imageTag()).redirectErrorStream(true).start().waitFor(); // may not exist
        }
    }

    /** The test's own tag, moved from one local image to another (removed afterwards). */
    String imageTag() {
        return "berth/rollout-on-e2e:" + node;
    }

    static String manifest(String mode) {
        return """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: app-config
                data:
                  MODE: %s
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: app
                  annotations:
                    berth.io/rollout-on: configmap/app-config
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: app}}
                  template:
                    metadata: {labels: {app: app}}
                    spec:
                      containers:
                      - name: app
                        image: berth/busybox:latest
                        command: ["sh", "-c", "trap 'exit 0' TERM; echo mode=$MODE; while sleep 1; do :; done"]
                        envFrom: [{configMapRef: {name: app-config}}]
                """.formatted(mode);
    }

    @Test
    void aConfigMapChangeRollsOutTheDeploymentThatAskedForIt() throws Exception {
        Kubectl k = new Kubectl(Kubectl.MACHINE, dir.resolve("kubeconfig"));
        Path file = dir.resolve("app.yaml");
        Files.writeString(file, manifest("one"));
        k.ok("apply", "-f", file.toString());
        k.ok("rollout", "status", "deployment/app", "--timeout=120s");
        Await.until("the first pod's output", Duration.ofSeconds(60), () -> k.ok("logs", "deployment/app").contains("mode=one"),
                () -> k.ok("get", "pods", "-o", "wide"));

        // the same ConfigMap again changes nothing; new data rolls the Deployment out
        assertTrue(k.ok("apply", "-f", file.toString()).contains("configmap/app-config unchanged"));
        Files.writeString(file, manifest("two"));
        assertTrue(k.ok("apply", "-f", file.toString()).contains("configmap/app-config configured"));
        Await.until("revision 2", Duration.ofSeconds(60),
                () -> k.ok("get", "deployment", "app", "-o", "jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}").equals("2"),
                () -> k.ok("get", "deployment", "app", "-o", "yaml"));
        k.ok("rollout", "status", "deployment/app", "--timeout=120s");
        Await.until("the new pod running with the new value", Duration.ofSeconds(60),
                () -> k.ok("get", "pods", "-l", "app=app", "-o", "name").lines().count() == 1 && k.ok("logs", "deployment/app").contains("mode=two"),
                () -> k.ok("get", "pods", "-o", "wide"));
        assertTrue(k.ok("get", "deployment", "app", "-o", "jsonpath={.spec.template.metadata.annotations.berth\\.io/triggered-by}")
                .startsWith("configmap/app-config@"));

        String server = k.ok("config", "view", "-o", "jsonpath={.clusters[0].cluster.server}");
        String history = BerthProcess.runOk(dir, 60, "rollout", "history", "deployment/app", "--server", server).stdout();
        assertTrue(history.lines().anyMatch(l -> l.matches("2\\s+rollout-on: configmap/app-config changed")), history);
    }

    @Test
    void aMovedImageTagRollsOutTheDeploymentThatAskedForIt() throws Exception {
        Kubectl k = new Kubectl(Kubectl.MACHINE, dir.resolve("kubeconfig"));
        BerthProcess.sh("docker", "tag", "berth/busybox:latest", imageTag());
        String before = BerthProcess.sh("docker", "image", "inspect", "-f", "{{.Id}}", imageTag()).strip();
        Path file = dir.resolve("tagged.yaml");
        Files.writeString(file, """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: tagged
                  annotations:
                    berth.io/rollout-on: image
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: tagged}}
                  template:
                    metadata: {labels: {app: tagged}}
                    spec:
                      containers:
                      - name: tagged
                        image: %s
                        command: ["sh", "-c", "trap 'exit 0' TERM; while sleep 1; do :; done"]
                """.formatted(imageTag()));
        k.ok("apply", "-f", file.toString());
        k.ok("rollout", "status", "deployment/tagged", "--timeout=120s");
        String container = BerthProcess.sh("docker", "ps", "-q", "--filter", "label=berth.node=" + node,
                "--filter", "label=berth.workload=default/deployment/tagged", "--filter", "label=berth.container=tagged").strip();
        assertFalse(container.isEmpty() || container.contains("\n"), container);

        // rebuild the tag: another local image behind the same name
        BerthProcess.sh("docker", "commit", "--change", "LABEL berth.rebuilt=" + node, container, imageTag());
        String after = BerthProcess.sh("docker", "image", "inspect", "-f", "{{.Id}}", imageTag()).strip();
        assertNotEquals(before, after);
        Await.until("revision 2 of tagged", Duration.ofSeconds(60),
                () -> k.ok("get", "deployment", "tagged", "-o", "jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}").equals("2"),
                () -> k.ok("get", "events"));
        assertEquals("rollout-on: image " + imageTag() + " changed to " + after.substring(0, 19),
                k.ok("get", "deployment", "tagged", "-o", "jsonpath={.metadata.annotations.kubernetes\\.io/change-cause}"));
        k.ok("rollout", "status", "deployment/tagged", "--timeout=120s");
        Await.until("the new pod running the new image", Duration.ofSeconds(60), () -> {
            String ids = BerthProcess.sh("docker", "ps", "--filter", "label=berth.node=" + node, "--filter", "label=berth.workload=default/deployment/tagged",
                    "--filter", "label=berth.container=tagged", "--format", "{{.ID}}").strip();
            return !ids.isEmpty() && !ids.contains("\n")
                    && BerthProcess.sh("docker", "inspect", "-f", "{{.Image}}", ids).strip().equals(after);
        }, () -> BerthProcess.sh("docker", "ps", "--filter", "label=berth.node=" + node));
    }
}
