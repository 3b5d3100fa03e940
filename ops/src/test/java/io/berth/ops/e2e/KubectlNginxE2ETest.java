package io.berth.ops.e2e;

import io.berth.ops.AllInOne;
import io.berth.ops.Examples;
import io.berth.ops.kafka.EmbeddedKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 14's acceptance on the real Docker engine: stock kubectl drives the nginx Deployment from the
 * Kubernetes documentation (verbatim, {@link Examples#NGINX}) through Berth as it would through
 * Kubernetes — applied, re-applied unchanged, waited for, listed with kubectl's columns, scaled, edited,
 * rolled out to a new image and undone, exec'd into, port-forwarded to, its logs followed, deleted and waited
 * for. The expected lines are what kubectl prints against Kubernetes (the Deployment page of the
 * Kubernetes docs); only ages and generated names vary.
 *
 * <p>No image registry is reachable here, so the test builds a stand-in for {@code nginx:1.14.2} and
 * {@code nginx:1.16.1} from berth/busybox: busybox httpd serving the nginx welcome page on port 80 and
 * logging each request ({@code response:200}), as nginx's access log would. Tags it made are removed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(900)
class KubectlNginxE2ETest {
    static final String DEPLOY = "deploy/nginx-deployment";
    static final List<String> IMAGES = List.of("nginx:1.14.2", "nginx:1.16.1");

    private Path dir;
    private AllInOne up;
    private String node;
    private final List<String> tagged = new java.util.ArrayList<>();

    /** The machine's kubectl (v1.32) and Debian's v1.20, which ops/test unpacks beside it. */
    static List<String> kubectls() {
        return List.of(Kubectl.MACHINE, Kubectl.V1_20);
    }

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("berth-kubectl-nginx");
        Path build = Files.createDirectories(dir.resolve("image"));
        Files.writeString(build.resolve("Dockerfile"), """
                FROM berth/busybox:latest
                RUN mkdir -p /usr/share/nginx/html && echo '<h1>Welcome to nginx!</h1>' > /usr/share/nginx/html/index.html
                CMD ["sh", "-c", "echo nginx: ready; exec httpd -f -v -p 80 -h /usr/share/nginx/html"]
                """);
        BerthProcess.sh("env", "DOCKER_BUILDKIT=0", "docker", "build", "-q", "-t", "berth-test/nginx:stand-in", build.toString());
        for (String image : IMAGES) {
            if (BerthProcess.sh("docker", "images", "-q", image).isBlank()) {
                BerthProcess.sh("docker", "tag", "berth-test/nginx:stand-in", image);
                tagged.add(image);
            }
        }
        node = "nginx-" + UUID.randomUUID().toString().substring(0, 8);
        up = new AllInOne(new AllInOne.Options(dir, "127.0.0.1", EmbeddedKafka.freePort("127.0.0.1"),
                EmbeddedKafka.freePort("127.0.0.1"), EmbeddedKafka.freePort("127.0.0.1"), null, true, node,
                Map.of("replication-factor", "1", "mesh", "false")));
        up.start();
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (up != null) up.close();
        } finally {
            if (node != null) Docker.removeContainersOfNode(node);
            for (String image : tagged) BerthProcess.sh("docker", "rmi", image);
            BerthProcess.sh("docker", "rmi", "berth-test/nginx:stand-in");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kubectls")
    void theNginxDeploymentOfTheKubernetesDocs(String binary) throws Exception {
        Kubectl k = new Kubectl(binary, dir.resolve("kubeconfig"));
        String version = k.ok("version", "--client");
        System.out.println("e2e kubectl: " + version.strip());
        Path manifest = dir.resolve("nginx-deployment.yaml");
        Files.writeString(manifest, Examples.NGINX);

        assertEquals("deployment.apps/nginx-deployment created\n", k.ok("apply", "-f", manifest.toString()));
        assertEquals("deployment.apps/nginx-deployment unchanged\n", k.ok("apply", "-f", manifest.toString()));
        assertEquals("deployment.apps/nginx-deployment condition met\n",
                k.ok("wait", "--for=condition=Available", DEPLOY, "--timeout=240s"));
        waitFor(k, "{.status.readyReplicas}=3");
        assertEquals("deployment \"nginx-deployment\" successfully rolled out\n", k.ok("rollout", "status", DEPLOY, "--timeout=240s"));

        // the columns kubectl prints against Kubernetes (docs: "kubectl get deployments", "get rs", "get pods --show-labels")
        assertLines(k.ok("get", "deployments"), "NAME +READY +UP-TO-DATE +AVAILABLE +AGE", "nginx-deployment +3/3 +3 +3 +\\d+s");
        assertLines(k.ok("get", "rs"), "NAME +DESIRED +CURRENT +READY +AGE", "nginx-deployment-[a-z0-9]+ +3 +3 +3 +\\d+s");
        assertLines(k.ok("get", "pods", "--show-labels"), "NAME +READY +STATUS +RESTARTS +AGE +LABELS",
                "nginx-deployment-[a-z0-9]+-[a-z0-9]{5} +1/1 +Running +0 +\\d+s +app=nginx,pod-template-hash=[a-z0-9]+",
                "nginx-deployment-[a-z0-9]+-[a-z0-9]{5} +1/1 +Running +0 +\\d+s +app=nginx,pod-template-hash=[a-z0-9]+",
                "nginx-deployment-[a-z0-9]+-[a-z0-9]{5} +1/1 +Running +0 +\\d+s +app=nginx,pod-template-hash=[a-z0-9]+");
        String wide = k.ok("get", "pods", "-l", "app=nginx", "-o", "wide");
        assertTrue(wide.lines().findFirst().orElse("").matches("NAME +READY +STATUS +RESTARTS +AGE +IP +NODE +NOMINATED NODE +READINESS GATES"), wide);
        assertTrue(wide.lines().skip(1).allMatch(l -> l.matches("nginx-deployment-\\S+ +1/1 +Running +0 +\\S+ +\\S+ +" + node + " +<none> +<none>")), wide);

        // scale, then a new image rolled out and undone
        assertEquals("deployment.apps/nginx-deployment scaled\n", k.ok("scale", DEPLOY, "--replicas=4"));
        waitFor(k, "{.status.readyReplicas}=4");
        // edit: kubectl opens the object in $KUBE_EDITOR (here a sed) and sends what changed
        Kubectl.Run edit = k.withEnv(Map.of("KUBE_EDITOR", "sed -i -e 's/^  replicas: 4$/  replicas: 3/'"), "edit", DEPLOY);
        assertEquals(0, edit.code(), edit.err());
        assertEquals("deployment.apps/nginx-deployment edited\n", edit.out());
        waitFor(k, "{.spec.replicas}=3");
        waitFor(k, "{.status.replicas}=3");
        assertEquals("deployment.apps/nginx-deployment image updated\n", k.ok("set", "image", "deployment/nginx-deployment", "nginx=nginx:1.16.1"));
        assertTrue(k.ok("rollout", "status", DEPLOY, "--timeout=240s").endsWith("deployment \"nginx-deployment\" successfully rolled out\n"));
        assertLines(k.ok("rollout", "history", DEPLOY), "deployment.apps/nginx-deployment ?", "REVISION +CHANGE-CAUSE", "1 +<none>", "2 +<none>", "");
        assertEquals("nginx:1.16.1", k.ok("get", DEPLOY, "-o", "jsonpath={.spec.template.spec.containers[0].image}"));
        assertEquals("deployment.apps/nginx-deployment rolled back\n", k.ok("rollout", "undo", DEPLOY));
        assertTrue(k.ok("rollout", "status", DEPLOY, "--timeout=240s").endsWith("deployment \"nginx-deployment\" successfully rolled out\n"));
        assertEquals("nginx:1.14.2", k.ok("get", DEPLOY, "-o", "jsonpath={.spec.template.spec.containers[0].image}"));
        waitFor(k, "{.status.updatedReplicas}=3");

        // into a pod of the Deployment, and to its port
        assertEquals("<h1>Welcome to nginx!</h1>\n", k.ok("exec", DEPLOY, "--", "cat", "/usr/share/nginx/html/index.html"));
        Kubectl.Run failing = k.run("exec", DEPLOY, "--", "sh", "-c", "exit 7");
        assertEquals(7, failing.code(), failing.err());
        String pod = k.ok("get", "pods", "-l", "app=nginx", "-o", "jsonpath={.items[0].metadata.name}");
        try (Kubectl.Streaming logs = k.stream("logs", "-f", "--tail=1", "pod/" + pod);
             Kubectl.Forward forward = k.portForward("pod/" + pod, 80)) {
            Await.until("the first log line", Duration.ofSeconds(60), () -> !logs.lines.isEmpty(), () -> logs.lines + logs.err());
            String[] answer = Kubectl.fetch(forward.port(), "/");
            assertTrue(answer[0].matches("HTTP/1\\.[01] 200 .*"), answer[0]);
            assertEquals("<h1>Welcome to nginx!</h1>\n", answer[1]);
            // the request shows up in the followed log: logs -f streams what is written after it started
            Await.until("the request in the followed log", Duration.ofSeconds(60),
                    () -> logs.lines.stream().anyMatch(l -> l.contains("response:200")), () -> logs.lines + logs.err());
        }

        // orphaning the pods is refused (Berth's pods live only under their workload), not silently ignored
        Kubectl.Run orphan = k.run("delete", DEPLOY, "--cascade=orphan");
        assertNotEquals(0, orphan.code());
        assertTrue(orphan.err().contains("propagationPolicy Orphan is not supported by Berth"), orphan.err());
        assertEquals("deployment.apps \"nginx-deployment\" deleted\n", k.ok("delete", "-f", manifest.toString(), "--cascade=foreground"));
        k.ok("wait", "--for=delete", "pod/" + pod, "--timeout=180s");
        Await.until("no nginx pod left", Duration.ofSeconds(180), () -> k.ok("get", "pods", "-l", "app=nginx", "-o", "name").isBlank(),
                () -> k.ok("get", "pods", "-l", "app=nginx"));
        Kubectl.Run gone = k.run("get", DEPLOY);
        assertTrue(gone.code() != 0 && gone.err().contains("deployments.apps \"nginx-deployment\" not found"), gone.err());
    }

    /** {@code PATH=VALUE} read with {@code get -o jsonpath} until it holds (kubectl 1.20 has no {@code wait --for=jsonpath}). */
    private static void waitFor(Kubectl k, String jsonpath) throws Exception {
        String path = jsonpath.substring(0, jsonpath.lastIndexOf('=')), value = jsonpath.substring(jsonpath.lastIndexOf('=') + 1);
        Await.until(path + " = " + value, Duration.ofSeconds(240), () -> k.ok("get", DEPLOY, "-o", "jsonpath=" + path).equals(value),
                () -> k.ok("get", DEPLOY, "-o", "wide"));
    }

    /** Each line of {@code out} matches its pattern, and there are as many lines as patterns. */
    private static void assertLines(String out, String... patterns) {
        List<String> lines = out.lines().toList();
        assertEquals(patterns.length, lines.size(), out);
        for (int i = 0; i < patterns.length; i++) assertTrue(lines.get(i).matches(patterns[i]), "line " + i + " /" + patterns[i] + "/:\n" + out);
    }
}
