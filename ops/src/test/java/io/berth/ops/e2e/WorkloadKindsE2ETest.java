package io.berth.ops.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.ops.TestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 15's acceptance, every kind on one cluster of real Kafka and Docker with three node daemons, as a user runs it
 * ({@code berth up -d --no-node} and {@code berth node start -d}, {@link E2ECluster}), driven with the berth CLI and
 * stock kubectl. One cluster for all of them: each start of a cluster costs ~20 s of the suite, and the CronJob's
 * minutes pass while the other kinds are checked (it is applied first and checked last).
 * <ol>
 *   <li>a Job of 5 completions with parallelism 2 completes;</li>
 *   <li>a DaemonSet runs one pod on each node, grows to a fourth node that joins, rolls a new image out node by node
 *       and back ({@code rollout undo});</li>
 *   <li>a StatefulSet of 3 with its headless Service starts web-0, web-1, web-2 in order, {@code web-1} resolves
 *       {@code web-0.web}, data written to web-0's volume survives deleting the pod; one without its service name is
 *       refused naming the field; stock kubectl explains its schema and reads its history; deleted, its claims stay
 *       and the set created again gets web-0's data back on its node;</li>
 *   <li>an HPA scales a CPU-burning Deployment up and, once idle, back down; the decisions are events and audit
 *       records with the measured utilization;</li>
 *   <li>a namespace delete (stock kubectl) removes its objects and stops its containers; its quota and limit range
 *       are enforced first;</li>
 *   <li>a compose file with a web and a backend service deploys as a stack (in its own namespace) whose web reaches
 *       the backend by name; a bind mount is refused by the admission policy;</li>
 *   <li>a ConfigMap change rolls out the Deployment that asked for it; a moved image tag rolls out the one that asked
 *       for that;</li>
 *   <li>the CronJob made a job every minute and kept its history limit.</li>
 * </ol>
 * Its own node names, so it neither sees nor removes another e2e test's containers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(900)
class WorkloadKindsE2ETest {
    static final List<String> NODES = List.of("kw1", "kw2", "kw3");
    static final String FOURTH = "kw4";
    static final String AGENT = "default/daemonset/agent";
    static final String WEB = "default/statefulset/web";
    static final ObjectMapper JSON = new ObjectMapper();

    E2ECluster cluster;
    Path home;
    Kubectl kubectl;
    InProcessBerth berth;
    final List<String> images = new ArrayList<>();

    @BeforeAll
    void startCluster() throws Exception {
        for (String n : NODES) Docker.removeContainersOfNode(n);
        Docker.removeContainersOfNode(FOURTH);
        // HPA decisions every 3 s (Kubernetes: 15 s) and container stats every 2 s keep the HPA's part short
        cluster = E2ECluster.up("kinds", "--set", "hpa-sync-period-ms=3000");
        home = cluster.home;
        for (String n : NODES) startNode(n);
        Await.until("3 Ready nodes", Duration.ofSeconds(60), () -> readyNodes().size() == 3, this::readyNodes);
        kubectl = new Kubectl(Kubectl.MACHINE, home.resolve("kubeconfig"));
        berth = new InProcessBerth(cluster.server, home.resolve("kubeconfig"));

        // the CronJob first: its minutes pass while the other kinds are checked, and the last test looks at it
        assertTrue(cli("apply", "-f", "" + write("cron.yaml", """
                apiVersion: batch/v1
                kind: CronJob
                metadata:
                  name: tick
                spec:
                  schedule: "* * * * *"
                  successfulJobsHistoryLimit: 1
                  jobTemplate:
                    spec:
                      template:
                        spec:
                          containers:
                          - name: tick
                            image: berth/busybox:latest
                            command: ["sh", "-c", "echo tick"]
                          restartPolicy: OnFailure
                """)).stdout().contains("cronjob.batch/tick created"));
    }

    void startNode(String name) throws Exception {
        cluster.startNode(name, "--memory-bytes", "" + (2L << 30), "--cpu-millis", "4000", "--set", "stats-period-ms=2000");
    }

    @AfterAll
    void stopCluster() throws Exception {
        try {
            if (cluster != null) cluster.close();
        } finally {
            for (String n : NODES) Docker.removeContainersOfNode(n);
            Docker.removeContainersOfNode(FOURTH);
            for (String image : images) new ProcessBuilder("docker", "rmi", "-f", image).redirectErrorStream(true).start().waitFor();
            if (home != null) TestSupport.deleteTree(home);
        }
    }

    // ---------------------------------------------------------------- Job

    @Test
    @Order(1)
    void aJobOf5CompletionsWithParallelism2Completes() throws Exception {
        assertTrue(cli("apply", "-f", "" + write("five.yaml", """
                apiVersion: batch/v1
                kind: Job
                metadata:
                  name: five
                spec:
                  completions: 5
                  parallelism: 2
                  template:
                    spec:
                      containers:
                      - name: work
                        image: berth/busybox:latest
                        command: ["sh", "-c", "sleep 1; echo done"]
                      restartPolicy: Never
                """)).stdout().contains("job.batch/five created"));
        int[] most = {0};
        Await.until("job five complete", Duration.ofSeconds(180), () -> {
            most[0] = Math.max(most[0], Docker.running("default/job/five").size());
            return one("jobs", "five").path("status").path("succeeded").asInt() == 5;
        }, () -> one("jobs", "five").path("status"));
        assertTrue(cli("wait", "--for=condition=complete", "job/five", "--timeout=60s").stdout().contains("condition met"));
        JsonNode five = one("jobs", "five").path("status");
        assertEquals(0, five.path("failed").asInt(), five.toString());
        assertTrue(most[0] <= 2, "at most 2 pods at once (parallelism), saw " + most[0]);
        cli("delete", "job/five");
    }

    // ---------------------------------------------------------------- DaemonSet

    @Test
    @Order(2)
    void aDaemonSetRunsOnEveryNodeGrowsToAFourthThatJoinsAndRollsOutAndBack() throws Exception {
        assertTrue(cli("apply", "-f", "" + write("agent.yaml", """
                apiVersion: apps/v1
                kind: DaemonSet
                metadata:
                  name: agent
                spec:
                  selector:
                    matchLabels:
                      app: agent
                  template:
                    metadata:
                      labels:
                        app: agent
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers:
                      - name: agent
                        image: berth/busybox:latest
                        command: ["sleep", "3600"]
                """)).stdout().contains("daemonset.apps/agent created"));
        Await.until("one agent on each of 3 nodes", Duration.ofSeconds(90),
                () -> Docker.perNode(AGENT).equals(Map.of("kw1", 1, "kw2", 1, "kw3", 1)), () -> Docker.perNode(AGENT));
        startNode(FOURTH);
        long joined = System.nanoTime();
        Await.until("an agent on the fourth node", Duration.ofSeconds(90),
                () -> Docker.perNode(AGENT).equals(Map.of("kw1", 1, "kw2", 1, "kw3", 1, "kw4", 1)), () -> Docker.perNode(AGENT));
        System.out.printf("e2e daemonset: the fourth node's agent running %d ms after its daemon started%n", (System.nanoTime() - joined) / 1_000_000);
        Await.until("the daemon set's status", Duration.ofSeconds(60), () -> {
            JsonNode s = one("daemonsets", "agent").path("status");
            return s.path("desiredNumberScheduled").asInt() == 4 && s.path("numberReady").asInt() == 4;
        }, () -> one("daemonsets", "agent").path("status"));

        // a rolling update, node by node, and its undo
        String v2 = "berth-test/agent:kinds";
        BerthProcess.sh("docker", "tag", "berth/busybox:latest", v2);
        images.add(v2);
        cli("apply", "-f", "" + write("agent-v2.yaml", Files.readString(home.resolve("agent.yaml")).replace("image: berth/busybox:latest", "image: " + v2)));
        assertTrue(cli("rollout", "status", "ds/agent", "--timeout=180s").stdout().contains("daemon set \"agent\" successfully rolled out"));
        Await.until("v2 on every node", Duration.ofSeconds(60), () -> agentImages().equals(Map.of(v2, 4)), this::agentImages);
        cli("rollout", "undo", "ds/agent");
        assertTrue(cli("rollout", "status", "ds/agent", "--timeout=180s").stdout().contains("successfully rolled out"));
        Await.until("back to the first image on every node", Duration.ofSeconds(60),
                () -> agentImages().equals(Map.of("berth/busybox:latest", 4)), this::agentImages);
        cli("delete", "daemonset/agent");
        Await.until("the agents stopped", Duration.ofSeconds(90), () -> Docker.running(AGENT).isEmpty(), () -> Docker.perNode(AGENT));
    }

    /** Running agent containers by image. */
    Map<String, Integer> agentImages() throws Exception {
        Map<String, Integer> m = new TreeMap<>();
        for (Docker.Container c : Docker.running(AGENT)) {
            m.merge(BerthProcess.sh("docker", "inspect", "-f", "{{.Config.Image}}", c.id()).strip(), 1, Integer::sum);
        }
        return m;
    }

    // ---------------------------------------------------------------- StatefulSet

    static String statefulSet(String name, String serviceName) {
        return """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata:
                  name: NAME
                spec:
                  SERVICE
                  replicas: 3
                  selector:
                    matchLabels:
                      app: web
                  template:
                    metadata:
                      labels:
                        app: web
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers:
                      - name: web
                        image: berth/busybox:latest
                        command: ["sleep", "3600"]
                        volumeMounts:
                        - name: data
                          mountPath: /data
                  volumeClaimTemplates:
                  - metadata:
                      name: data
                    spec:
                      accessModes: ["ReadWriteOnce"]
                      resources:
                        requests:
                          storage: 16Mi
                """.replace("NAME", name).replace("SERVICE", serviceName);
    }

    @Test
    @Order(3)
    void aStatefulSetOf3StartsInOrderResolvesItsPodsByNameAndKeepsAPodsDataAcrossItsDeletion() throws Exception {
        // bad input first: refused naming the field, nothing applied
        BerthProcess.Result bad = BerthProcess.run(home, 60, "apply", "-f", "" + write("bad.yaml", statefulSet("bad", "")));
        assertNotEquals(0, bad.exit(), bad.stdout());
        assertTrue((bad.stdout() + bad.stderr()).contains("spec.serviceName: Required value"), bad.stdout() + bad.stderr());
        assertFalse(cli("get", "sts", "-o", "name").stdout().contains("bad"), "nothing applied");

        Path manifest = write("web.yaml", """
                apiVersion: v1
                kind: Service
                metadata:
                  name: web
                spec:
                  clusterIP: None
                  selector:
                    app: web
                  ports:
                  - name: web
                    port: 80
                ---
                """ + statefulSet("web", "serviceName: web"));
        assertTrue(cli("apply", "-f", "" + manifest).stdout().contains("statefulset.apps/web created"));
        try {
            Await.until("web-0, web-1, web-2 running", Duration.ofSeconds(120), () -> stsPods().size() == 3, this::stsPods);
            // in order: each pod's container created only after the one before it started
            for (int o = 1; o < 3; o++) {
                Instant before = Instant.parse(inspect("web-" + (o - 1), "{{.State.StartedAt}}"));
                Instant created = Instant.parse(inspect("web-" + o, "{{.Created}}"));
                assertTrue(created.isAfter(before), "web-" + o + " created " + created + ", web-" + (o - 1) + " started " + before);
            }
            assertEquals("web-1", BerthProcess.sh("docker", "exec", container("web-1"), "hostname").strip(), "the pod's name is its hostname");
            Await.until("web 3/3 ready", Duration.ofSeconds(60), () -> cli("get", "sts").stdout().matches("(?s).*\\nweb\\s+3/3\\s.*"),
                    () -> cli("get", "sts").stdout());

            // stable names: web-1 reaches web-0 by its name under the headless service
            String web0Ip = pod("web-0").path("status").path("podIP").asText();
            assertFalse(web0Ip.isEmpty());
            for (String name : List.of("web-0.web", "web-0.web.default.svc.cluster.local")) {
                Await.until("web-1 resolves " + name, Duration.ofSeconds(30), () -> resolve("web-1", name).contains("(" + web0Ip + ")"),
                        () -> resolve("web-1", name));
            }

            // the volume outlives the pod: web-0 comes back under its name, on its claim's node, with its data
            String node = pod("web-0").path("spec").path("nodeName").asText();
            String first = container("web-0");
            BerthProcess.sh("docker", "exec", first, "sh", "-c", "echo kept-across-restarts > /data/greeting");
            cli("delete", "pod", "web-0");
            Await.until("a new web-0 running", Duration.ofSeconds(90), () -> {
                String c = containerOrEmpty("web-0");
                return !c.isEmpty() && !c.equals(first);
            }, this::stsPods);
            assertEquals(node, pod("web-0").path("spec").path("nodeName").asText(), "back on the node its volume lives on");
            assertEquals("kept-across-restarts", BerthProcess.sh("docker", "exec", container("web-0"), "cat", "/data/greeting").strip());

            // the claims: TEMPLATE-STS-ORDINAL, Bound
            String pvc = cli("get", "pvc").stdout();
            System.out.println("e2e statefulset: berth get pvc\n" + pvc);
            for (int o = 0; o < 3; o++) {
                assertTrue(pvc.matches("(?s).*\\ndata-web-" + o + "\\s+Bound\\s+local-kw\\d-data-web-" + o + "\\s+16Mi\\s+RWO\\s.*"), pvc);
            }

            // stock kubectl 1.32: explain walks the StatefulSet's schema, history reads its ControllerRevisions
            String explain = kubectl.ok("explain", "statefulset.spec.volumeClaimTemplates.spec.resources");
            assertTrue(explain.contains("StatefulSet") && explain.contains("requests"), explain);
            String history = kubectl.ok("rollout", "history", "sts/web");
            assertTrue(history.matches("(?s)statefulset.apps/web\\s*\\nREVISION\\s+CHANGE-CAUSE\\s*\\n1\\s+<none>\\s*"), history);
            Kubectl.Run undo = kubectl.run("rollout", "undo", "sts/web");
            assertNotEquals(0, undo.code(), undo.out());
            assertTrue(undo.err().contains("no last revision to roll back to"), undo.err());

            // deleting the set keeps its claims (Retain); the set created again gets web-0's data back, on its node
            cli("delete", "statefulset/web");
            Await.until("web's pods stopped", Duration.ofSeconds(90), () -> Docker.running(WEB).isEmpty(), this::stsPods);
            String kept = cli("get", "pvc").stdout();
            assertTrue(kept.matches("(?s).*\\ndata-web-0\\s+Bound\\s.*"), kept);
            assertTrue(cli("apply", "-f", "" + manifest).stdout().contains("statefulset.apps/web created"));
            Await.until("web-0 running again", Duration.ofSeconds(90), () -> !containerOrEmpty("web-0").isEmpty(), this::stsPods);
            assertEquals(node, pod("web-0").path("spec").path("nodeName").asText(), "back on the node its data is on");
            assertEquals("kept-across-restarts", BerthProcess.sh("docker", "exec", container("web-0"), "cat", "/data/greeting").strip());
        } finally {
            cli("delete", "statefulset/web");
            cli("delete", "service/web");
        }
        Await.until("web's pods stopped", Duration.ofSeconds(90), () -> Docker.running(WEB).isEmpty(), this::stsPods);
    }

    JsonNode pod(String name) throws Exception {
        return JSON.readTree(cli("get", "pod", name, "-o", "json").stdout());
    }

    /** The running container of a StatefulSet pod, read from the engine. */
    String container(String pod) throws Exception {
        String id = containerOrEmpty(pod);
        if (id.isEmpty()) throw new AssertionError("no running container of " + pod + ": " + stsPods());
        return id;
    }

    String containerOrEmpty(String pod) throws Exception {
        return BerthProcess.sh("docker", "ps", "-q", "--no-trunc", "--filter", "label=berth.workload=" + WEB,
                "--filter", "label=berth.pod=" + pod, "--filter", "status=running").strip();
    }

    String inspect(String pod, String format) throws Exception {
        return BerthProcess.sh("docker", "inspect", "-f", format, container(pod)).strip();
    }

    /** Running pods of web by name (from the engine's labels). */
    List<String> stsPods() throws Exception {
        return List.of(BerthProcess.sh("docker", "ps", "--filter", "label=berth.workload=" + WEB, "--filter", "status=running",
                "--format", "{{.Label \"berth.pod\"}}").strip().split("\\s+")).stream().filter(s -> !s.isEmpty()).sorted().toList();
    }

    /** What busybox ping prints resolving {@code name} in {@code pod}'s container (its first line names the address). */
    String resolve(String pod, String name) throws Exception {
        Process p = new ProcessBuilder("docker", "exec", container(pod), "busybox", "ping", "-c1", "-W1", name).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    // ---------------------------------------------------------------- HorizontalPodAutoscaler

    @Test
    @Order(4)
    void anHpaScalesACpuBurningDeploymentUpAndBackDown() throws Exception {
        Path manifests = write("burn.yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: burn}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: burn}}
                  template:
                    metadata: {labels: {app: burn}}
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers:
                      - name: main
                        image: berth/busybox:latest
                        resources: {requests: {cpu: 100m}}
                        command: [sh, -c, "end=$(( $(date +%s) + 20 )); while [ $(date +%s) -lt $end ]; do :; done; exec sleep 3600"]
                ---
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: burn}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: burn}
                  minReplicas: 1
                  maxReplicas: 3
                  metrics:
                  - type: Resource
                    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
                  behavior:
                    scaleDown: {stabilizationWindowSeconds: 15}
                """);
        berth.ok("apply", "-f", manifests.toString());
        try {
            int[] replicas = {0};
            Await.until("the HPA scales burn up", Duration.ofSeconds(60), () -> (replicas[0] = specReplicas("burn")) >= 2,
                    () -> "replicas " + replicas[0] + "\n" + describeHpa());
            int peak = replicas[0];
            String table = berth.ok("get", "hpa");
            assertTrue(table.matches("(?s)NAME +REFERENCE +TARGETS +MINPODS +MAXPODS +REPLICAS +AGE *\\nburn +Deployment/burn +cpu: .+%/50% +1 +3 .*"), table);

            Await.until("the HPA scales burn back to 1 once idle", Duration.ofSeconds(90), () -> (replicas[0] = specReplicas("burn")) == 1,
                    () -> "replicas " + replicas[0] + "\n" + describeHpa());

            String described = describeHpa();
            assertTrue(described.contains("New size: " + peak + "; reason: cpu resource utilization (percentage of request) above target"), described);
            assertTrue(described.contains("New size: 1; reason: All metrics below target"), described);
            String history = berth.ok("history", "-o", "json");
            assertTrue(history.contains("AutoscalerRescaled"), "the decision is audited");
            assertTrue(history.matches("(?s).*New size: " + peak + ".*measured cpu: \\d+%/50%.*"), "the audit names the measured utilization");
            assertTrue(history.contains("hpa:default/burn"), "the scale intents are the HPA's");

            berth.ok("delete", "hpa", "burn");
            Await.until("the HPA is gone", Duration.ofSeconds(30), () -> berth.run("get", "hpa", "burn")[0].equals("1"), () -> "still there");
            assertEquals(1, specReplicas("burn"), "deleting the HPA leaves the replicas");
        } finally {
            berth.run("delete", "hpa", "burn");
            berth.run("delete", "deployment", "burn");
        }
    }

    int specReplicas(String deployment) throws Exception {
        String[] r = berth.run("get", "deployment", deployment, "-o", "json");
        if (!r[0].equals("0")) return -1;
        return JSON.readTree(r[1]).path("spec").path("replicas").asInt(-1);
    }

    String describeHpa() throws Exception {
        String[] r = berth.run("describe", "hpa", "burn");
        return r[1] + r[2];
    }

    // ---------------------------------------------------------------- Namespace, ResourceQuota, LimitRange

    static String teamDeployment(String name, int replicas) {
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
                      terminationGracePeriodSeconds: 1
                      containers:
                      - name: main
                        image: berth/busybox:latest
                        command: ["sh", "-c", "sleep 3600"]
                """.formatted(name, replicas, name, name);
    }

    @Test
    @Order(5)
    void aNamespaceDeleteRemovesItsObjectsAndStopsItsContainers() throws Exception {
        Kubectl k = kubectl;
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
        String objects = teamDeployment("web", 2) + """
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
        Await.until("the namespace's two containers running", Duration.ofSeconds(60), () -> Docker.running("team/deployment/web").size() == 2,
                () -> Docker.perNode("team/deployment/web"));

        Kubectl.Run over = k.withStdin(teamDeployment("extra", 2), "apply", "-f", "-");
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
        Await.until("the namespace's containers stopped", Duration.ofSeconds(60), () -> Docker.running("team/deployment/web").isEmpty(),
                () -> Docker.perNode("team/deployment/web"));
        Kubectl.Run undeletable = k.run("delete", "namespace", "default");
        assertNotEquals(0, undeletable.code());
        assertTrue(undeletable.err().contains("namespaces \"default\" is forbidden: this namespace may not be deleted"), undeletable.err());
    }

    // ---------------------------------------------------------------- compose stacks

    static final String COMPOSE = """
            version: "3.8"
            services:
              backend:
                image: berth/busybox:latest
                command: ["sh", "-c", "mkdir -p /www && echo backend $$(hostname) $$(cat /run/secrets/greeting) > /www/index.html && exec httpd -f -p 8080 -h /www"]
                expose: ["8080"]
                secrets: [greeting]
                deploy:
                  replicas: 2
                  update_config: {parallelism: 1, delay: 1s, order: start-first}
                healthcheck:
                  test: ["CMD-SHELL", "timeout 2 wget -q -O /dev/null http://127.0.0.1:8080/"]
                  interval: 2s
                  timeout: 3s
                  retries: 3
              web:
                image: ${WEB_IMAGE:-berth/busybox:latest}
                command:
                  - sh
                  - -c
                  - >-
                    mkdir -p /www/cgi-bin && busybox printf '#!/bin/sh\\necho Content-Type: text/plain\\necho\\necho web $$(hostname)\\ntimeout 5 wget -q -O - http://backend:8080/\\n'
                    > /www/cgi-bin/app && busybox chmod +x /www/cgi-bin/app && echo ok > /www/index.html && exec httpd -f -p 80 -h /www
                ports: ["80"]
                depends_on: [backend]
              agent:
                image: berth/busybox:latest
                command: sleep 100000
                deploy: {mode: global}
            secrets:
              greeting: {file: ./greeting.txt}
            """;

    /**
     * In namespace {@code shop}, as a team would deploy its stack: the StatefulSet above owns the name {@code web} in
     * {@code default}, and a stack's service names are its compose names.
     */
    @Test
    @Order(6)
    void aComposeFileDeploysAsAStackWhoseServicesReachEachOtherByName() throws Exception {
        String ns = "shop";
        assertEquals("namespace/shop created\n", berth.ok("create", "namespace", ns));
        Files.writeString(home.resolve("greeting.txt"), "hello-from-a-secret");
        Path compose = write("docker-compose.yml", COMPOSE);
        // something that is not the stack's, and must survive its removal
        berth.ok("apply", "-f", "" + write("other.yaml", """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: not-the-stack, namespace: shop}
                data: {a: b}
                """));

        String[] deploy = berth.run("stack", "deploy", "-n", ns, "-c", compose.toString(), "demo");
        System.out.println("e2e stack: berth stack deploy -n shop -c docker-compose.yml demo\n" + deploy[1] + deploy[2]);
        assertEquals("0", deploy[0], deploy[1] + deploy[2]);
        assertEquals(List.of("secret/demo-greeting created", "service/backend created", "service/web created",
                "deployment.apps/demo-backend created", "deployment.apps/demo-web created", "daemonset.apps/demo-agent created"),
                deploy[1].lines().toList());
        assertTrue(deploy[2].contains("warning: service \"web\": key \"depends_on\" is ignored by stacks"), deploy[2]);

        int nodes = readyNodes().size();
        Await.until("backend 2/2, web 1/1, agent on every node", Duration.ofSeconds(180), () -> {
            String s = berth.ok("stack", "services", "-n", ns, "demo");
            return s.matches("(?s).*demo-backend +replicated +2/2 .*") && s.matches("(?s).*demo-web +replicated +1/1 .*")
                    && s.matches("(?s).*demo-agent +global +" + nodes + "/" + nodes + " .*");
        }, () -> berth.ok("stack", "services", "-n", ns, "demo") + berth.ok("get", "pods", "-n", ns, "-o", "wide"));

        String services = berth.ok("stack", "services", "-n", ns, "demo");
        System.out.println("e2e stack: berth stack services demo\n" + services);
        List<String> rows = services.lines().toList();
        assertTrue(rows.get(0).matches("ID +NAME +MODE +REPLICAS +IMAGE +PORTS"), services);
        assertTrue(rows.get(1).matches("[0-9a-f]{12} +demo-agent +global +" + nodes + "/" + nodes + " +berth/busybox:latest"), services);
        assertTrue(rows.get(2).matches("[0-9a-f]{12} +demo-backend +replicated +2/2 +berth/busybox:latest"), services);
        assertTrue(rows.get(3).matches("[0-9a-f]{12} +demo-web +replicated +1/1 +berth/busybox:latest +\\*:3\\d{4}->80/tcp"), services);
        assertEquals("NAME      SERVICES\ndemo      3\n", berth.ok("stack", "ls", "-n", ns));

        String ps = berth.ok("stack", "ps", "-n", ns, "demo");
        System.out.println("e2e stack: berth stack ps demo\n" + ps);
        List<String> tasks = ps.lines().toList();
        assertTrue(tasks.get(0).matches("ID +NAME +IMAGE +NODE +DESIRED STATE +CURRENT STATE +ERROR +PORTS"), ps);
        assertEquals(3 + nodes, tasks.size() - 1, ps);
        for (String t : tasks.subList(1, tasks.size())) {
            assertTrue(t.matches("[0-9a-f]{12} +demo-(backend|web|agent)-\\S+ +berth/busybox:latest +kw\\d +Running +Running .* ago"), ps);
        }

        // web reaches the backend by its compose name, from inside its container (on whichever node), and the backend read its secret
        String web = Docker.running(ns + "/deployment/demo-web").get(0).id();
        Await.until("web reaches http://backend:8080/", Duration.ofSeconds(60),
                () -> exec(web, "sh", "-c", "timeout 5 wget -q -O - http://backend:8080/").matches("0 backend \\S+ hello-from-a-secret\\n"),
                () -> exec(web, "sh", "-c", "timeout 5 wget -q -O - http://backend:8080/") + "\n" + exec(web, "cat", "/etc/hosts")
                        + berth.ok("get", "ep", "-n", ns));
        String cgi = BerthProcess.sh("docker", "exec", web, "sh", "-c", "timeout 5 wget -q -O - http://127.0.0.1/cgi-bin/app");
        assertTrue(cgi.matches("web \\S+\\nbackend \\S+ hello-from-a-secret\\n"), cgi);

        // deploying again changes nothing
        String[] again = berth.run("stack", "deploy", "-n", ns, "-c", compose.toString(), "demo");
        assertEquals("0", again[0], again[1] + again[2]);
        assertTrue(again[1].lines().filter(l -> l.startsWith("service/") || l.startsWith("deployment.apps/")).allMatch(l -> l.endsWith(" unchanged")), again[1]);
        assertEquals(6, again[1].lines().count(), again[1]);

        // a second stack may not take the first one's service names
        String[] clash = berth.run("stack", "deploy", "-n", ns, "-c", compose.toString(), "other");
        assertEquals("1", clash[0]);
        assertTrue(clash[2].contains("error: service/backend already exists and belongs to stack \"demo\"; nothing was applied"), clash[2]);

        // --prune: the agent left the file, so it leaves the stack
        Path smaller = write("smaller.yml", COMPOSE.replaceAll("(?s)  agent:.*?mode: global\\}\n", ""));
        String[] pruned = berth.run("stack", "deploy", "-n", ns, "--prune", "-c", smaller.toString(), "demo");
        assertEquals("0", pruned[0], pruned[1] + pruned[2]);
        assertTrue(pruned[1].endsWith("daemonset.apps/demo-agent pruned\n"), pruned[1]);
        assertEquals("NAME      SERVICES\ndemo      2\n", berth.ok("stack", "ls", "-n", ns));

        String[] rm = berth.run("stack", "rm", "-n", ns, "demo");
        assertEquals("0", rm[0], rm[1] + rm[2]);
        assertEquals(List.of("Removing deployment.apps/demo-backend", "Removing deployment.apps/demo-web", "Removing service/backend",
                "Removing service/web", "Removing secret/demo-greeting"), rm[1].lines().toList());
        Await.until("the stack's pods and containers gone", Duration.ofSeconds(120),
                () -> berth.ok("get", "pods", "-n", ns, "-l", "berth.io/stack=demo", "-o", "name").isBlank()
                        && BerthProcess.sh("docker", "ps", "-q", "--filter", "label=berth.workload=" + ns + "/deployment/demo-web").isBlank()
                        && BerthProcess.sh("docker", "ps", "-q", "--filter", "label=berth.workload=" + ns + "/deployment/demo-backend").isBlank()
                        && BerthProcess.sh("docker", "ps", "-q", "--filter", "label=berth.workload=" + ns + "/daemonset/demo-agent").isBlank(),
                () -> berth.ok("get", "pods", "-n", ns));
        assertEquals("NAME      SERVICES\n", berth.ok("stack", "ls", "-n", ns));
        assertFalse(berth.ok("get", "svc", "-n", ns, "-o", "name").contains("backend"), berth.ok("get", "svc", "-n", ns));
        assertTrue(berth.ok("get", "configmaps", "-n", ns).contains("not-the-stack"), "only the stack's objects are removed");
        assertTrue(berth.run("stack", "rm", "-n", ns, "demo")[2].contains("Nothing found in stack: demo"));
    }

    @Test
    @Order(7)
    void aStackWithABindMountIsRefusedByTheAdmissionPolicy() throws Exception {
        Path compose = write("binds.yml", "services:\n  files:\n    image: berth/busybox:latest\n    command: sleep 1000\n    volumes: [\"./data:/data\"]\n");
        String[] r = berth.run("stack", "deploy", "-c", compose.toString(), "binds");
        assertEquals("1", r[0], r[1] + r[2]);
        assertTrue(r[2].contains("violates PodSecurity \"baseline:latest\": hostPath volumes"), r[2]);
        assertTrue(berth.run("stack", "rm", "binds")[2].contains("Nothing found in stack: binds"), "nothing was applied");
    }

    /** {@code docker exec}: the exit code, a space, then stdout and stderr. */
    static String exec(String container, String... cmd) throws Exception {
        List<String> all = new ArrayList<>(List.of("docker", "exec", container));
        all.addAll(List.of(cmd));
        Process p = new ProcessBuilder(all).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor() + " " + out;
    }

    // ---------------------------------------------------------------- rollout triggers

    static String triggered(String mode) {
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
                      terminationGracePeriodSeconds: 1
                      containers:
                      - name: app
                        image: berth/busybox:latest
                        command: ["sh", "-c", "trap 'exit 0' TERM; echo mode=$MODE; while sleep 1; do :; done"]
                        envFrom: [{configMapRef: {name: app-config}}]
                """.formatted(mode);
    }

    @Test
    @Order(8)
    void aConfigMapChangeRollsOutTheDeploymentThatAskedForIt() throws Exception {
        Kubectl k = kubectl;
        Path file = write("app.yaml", triggered("one"));
        k.ok("apply", "-f", file.toString());
        k.ok("rollout", "status", "deployment/app", "--timeout=120s");
        Await.until("the first pod's output", Duration.ofSeconds(60), () -> k.ok("logs", "deployment/app").contains("mode=one"),
                () -> k.ok("get", "pods", "-o", "wide"));

        // the same ConfigMap again changes nothing; new data rolls the Deployment out
        assertTrue(k.ok("apply", "-f", file.toString()).contains("configmap/app-config unchanged"));
        Files.writeString(file, triggered("two"));
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
        String history = cli("rollout", "history", "deployment/app").stdout();
        assertTrue(history.lines().anyMatch(l -> l.matches("2\\s+rollout-on: configmap/app-config changed")), history);
        k.ok("delete", "deployment", "app");
    }

    @Test
    @Order(9)
    void aMovedImageTagRollsOutTheDeploymentThatAskedForIt() throws Exception {
        Kubectl k = kubectl;
        String tag = "berth/rollout-on-e2e:kinds";
        BerthProcess.sh("docker", "tag", "berth/busybox:latest", tag);
        images.add(tag);
        String before = BerthProcess.sh("docker", "image", "inspect", "-f", "{{.Id}}", tag).strip();
        k.ok("apply", "-f", write("tagged.yaml", """
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
                      terminationGracePeriodSeconds: 1
                      containers:
                      - name: tagged
                        image: %s
                        command: ["sh", "-c", "trap 'exit 0' TERM; while sleep 1; do :; done"]
                """.formatted(tag)).toString());
        k.ok("rollout", "status", "deployment/tagged", "--timeout=120s");
        List<Docker.Container> running = Docker.running("default/deployment/tagged");
        assertEquals(1, running.size(), running.toString());

        // rebuild the tag: another local image behind the same name
        BerthProcess.sh("docker", "commit", "--change", "LABEL berth.rebuilt=kinds", running.get(0).id(), tag);
        String after = BerthProcess.sh("docker", "image", "inspect", "-f", "{{.Id}}", tag).strip();
        assertNotEquals(before, after);
        Await.until("revision 2 of tagged", Duration.ofSeconds(60),
                () -> k.ok("get", "deployment", "tagged", "-o", "jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}").equals("2"),
                () -> k.ok("get", "events"));
        assertEquals("rollout-on: image " + tag + " changed to " + after.substring(0, 19),
                k.ok("get", "deployment", "tagged", "-o", "jsonpath={.metadata.annotations.kubernetes\\.io/change-cause}"));
        k.ok("rollout", "status", "deployment/tagged", "--timeout=120s");
        Await.until("the new pod running the new image", Duration.ofSeconds(60), () -> {
            List<Docker.Container> now = Docker.running("default/deployment/tagged");
            return now.size() == 1 && BerthProcess.sh("docker", "inspect", "-f", "{{.Image}}", now.get(0).id()).strip().equals(after);
        }, () -> Docker.containers("default/deployment/tagged"));
        k.ok("delete", "deployment", "tagged");
    }

    // ---------------------------------------------------------------- CronJob (applied before all the others)

    @Test
    @Order(10)
    void theCronJobMadeAJobEveryMinuteAndKeptItsHistoryLimit() throws Exception {
        // the first scheduled job goes once the second completed (successfulJobsHistoryLimit 1)
        long checked = System.nanoTime();
        Await.until("a second scheduled job completed and the first deleted", Duration.ofSeconds(200), () -> {
            List<String> scheduled = scheduledJobs();
            JsonNode status = one("cronjobs", "tick").path("status");
            return scheduled.size() == 1 && !status.path("lastSuccessfulTime").isMissingNode() && cronEvents("Deleted job tick-").size() >= 1;
        }, () -> scheduledJobs() + " " + one("cronjobs", "tick").path("status") + " " + cronEvents("job tick-"));
        // one read of each (every CLI call is a JVM start: the loop below once took 95 s reading them per event)
        List<String> events = cronEvents("job tick-"), jobs = scheduledJobs();
        System.out.printf("e2e cronjob: the history limit held %d ms after the check began: %s, %s%n", (System.nanoTime() - checked) / 1_000_000, jobs, events);
        assertTrue(events.stream().filter(e -> e.startsWith("Created job tick-")).count() >= 2, events.toString());
        String kept = jobs.get(0);
        for (String deleted : events.stream().filter(e -> e.startsWith("Deleted job tick-")).toList()) {
            String name = deleted.substring("Deleted job ".length());
            assertFalse(jobs.contains(name), name + " is gone");
            assertTrue(Long.parseLong(name.substring(5)) < Long.parseLong(kept.substring(5)), "the older ones go: deleted " + name + ", kept " + kept);
        }
        cli("delete", "cronjob/tick");
    }

    List<String> scheduledJobs() throws Exception {
        List<String> names = new ArrayList<>();
        for (JsonNode j : items("jobs")) {
            String n = j.path("metadata").path("name").asText();
            if (n.matches("tick-\\d+")) names.add(n);
        }
        return names;
    }

    /** Messages of the CronJob's events containing {@code text}, oldest first. */
    List<String> cronEvents(String text) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode e : items("events")) {
            String m = e.path("message").asText();
            if (e.path("involvedObject").path("kind").asText().equals("CronJob") && m.contains(text)) out.add(m);
        }
        return out;
    }

    // ---------------------------------------------------------------- helpers

    BerthProcess.Result cli(String... args) throws Exception {
        return BerthProcess.runOk(home, 120, args);
    }

    Path write(String name, String yaml) throws Exception {
        Path p = home.resolve(name);
        Files.writeString(p, yaml);
        return p;
    }

    JsonNode items(String kind) throws Exception {
        return JSON.readTree(cli("get", kind, "-o", "json").stdout()).path("items");
    }

    JsonNode one(String kind, String name) throws Exception {
        for (JsonNode o : items(kind)) if (o.path("metadata").path("name").asText().equals(name)) return o;
        return JSON.createObjectNode();
    }

    List<String> readyNodes() throws Exception {
        List<String> ready = new ArrayList<>();
        for (JsonNode n : items("nodes")) {
            for (JsonNode c : n.path("status").path("conditions")) {
                if (c.path("type").asText().equals("Ready") && c.path("status").asText().equals("True")) ready.add(n.path("metadata").path("name").asText());
            }
        }
        return ready;
    }
}
