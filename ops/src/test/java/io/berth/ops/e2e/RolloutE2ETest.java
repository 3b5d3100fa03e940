package io.berth.ops.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.*;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 5's acceptance on real Docker with readiness probes on: rolling update bounds seen by a
 * watcher, a revision that crashes at once failing {@code rollout status} before its deadline without
 * breaking availability, {@code rollout undo --to-revision} restoring the exact template, and an
 * automatic rollback. Black-box: the berth CLI as processes (all-in-one without a node plus two node
 * daemons), the gateway's watch API, and {@code docker}.
 *
 * <p>The workload is busybox httpd with an HTTP readiness probe every second. New revisions differ by
 * image tag (berth/busybox:v2 … tagged from the local image for the test's duration) or by command.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RolloutE2ETest {
    static final String NAME = "rollweb";
    static final String KEY = "default/deployment/" + NAME;
    static final List<String> NODES = List.of("ro1", "ro2");
    static final List<String> TAGS = List.of("berth/busybox:v2", "berth/busybox:v3");
    static final int REPLICAS = 10;
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    E2ECluster cluster;
    /** The admin token of the cluster's kubeconfig, for the test's own watch requests. */
    static volatile String adminToken;
    Path home;
    String server;
    /** spec.template of revision 1 as the API showed it right after the first apply. */
    JsonNode revision1Template;
    String revision1Hash;

    @BeforeAll
    void startCluster() throws Exception {
        for (String n : NODES) Docker.removeContainersOfNode(n);
        for (String t : TAGS) BerthProcess.sh("docker", "tag", "berth/busybox:latest", t);
        cluster = E2ECluster.up("rollout");
        home = cluster.home;
        server = cluster.server;
        adminToken = cluster.adminToken();
        for (String n : NODES) cluster.startNode(n, "--memory-bytes", "" + (4L << 30), "--cpu-millis", "8000");
        Await.until("2 Ready nodes", Duration.ofSeconds(60),
                () -> NODES.stream().allMatch(n -> node(n).path("status").toString().contains("\"Ready\",\"status\":\"True\"")),
                () -> cli("get", "nodes").stdout());
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (cluster != null) cluster.close();
        for (String n : NODES) Docker.removeContainersOfNode(n);
        for (String t : TAGS) {
            try {
                BerthProcess.sh("docker", "rmi", t);
            } catch (AssertionError ignored) {
                // still used by a container that is being removed: the tag is harmless
            }
        }
    }

    @Test
    @Order(1)
    void shouldRollTenReplicasWithSurgeTwoUnavailableOneNeverBelowNineReadyOrAboveTwelve() throws Exception {
        BerthProcess.Result apply = cli("apply", "-f", manifest("berth/busybox:latest", List.of("httpd", "-f", "-p", "8080", "-h", "/www"), false));
        assertEquals(0, apply.exit(), apply.stderr());
        BerthProcess.Result first = cli(300, "rollout", "status", "deployment/" + NAME, "--timeout", "4m");
        assertEquals(0, first.exit(), first.stdout() + first.stderr());
        assertTrue(first.stdout().contains("deployment \"" + NAME + "\" successfully rolled out"), first.stdout());
        revision1Template = deployment().path("spec").path("template");
        revision1Hash = hashes(pods()).iterator().next();
        assertEquals(10, readyPods(pods()), "10 ready pods after the first rollout");

        Watcher w = Watcher.start(server);
        try {
            Await.until("the watcher has listed the 10 ready pods", Duration.ofSeconds(30), () -> w.readyPods() == REPLICAS, w::summary);
            w.arm(REPLICAS - 1, REPLICAS + 2);
            long t0 = System.nanoTime();
            BerthProcess.Result set = cli("set", "image", "deployment/" + NAME, "web=berth/busybox:v2");
            assertEquals(0, set.exit(), set.stderr());
            assertEquals("deployment.apps/" + NAME + " image updated\n", set.stdout());
            BerthProcess.Result status = cli(300, "rollout", "status", "deployment/" + NAME, "--timeout", "4m");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("e2e rollout: rollout status output\n" + status.stdout());
            assertEquals(0, status.exit(), status.stdout() + status.stderr());
            assertTrue(status.stdout().contains("Waiting for deployment \"" + NAME + "\" rollout to finish: "), status.stdout());
            assertTrue(status.stdout().contains("deployment \"" + NAME + "\" successfully rolled out"), status.stdout());
            Await.until("10 ready pods of the new template in the watcher", Duration.ofSeconds(30),
                    () -> w.readyPods() == REPLICAS && w.templateHashes().size() == 1 && !w.templateHashes().contains(revision1Hash), w::summary);
            w.disarm();
            System.out.printf("e2e rollout: 10 replicas maxSurge 2 maxUnavailable 1 rolled in %d ms; watcher saw min %d ready, max %d pods"
                    + " (deployment status: min %d ready, max %d replicas) over %d events%n",
                    ms, w.minReady, w.maxTotal, w.minDeploymentReady, w.maxDeploymentReplicas, w.events.get());
            assertTrue(w.violations.isEmpty(), "bounds violated: " + w.violations);
            assertTrue(w.events.get() > 20, "the watcher saw the rollout happen");
            assertTrue(w.minReady >= 9 && w.maxTotal <= 12, "min ready " + w.minReady + ", max total " + w.maxTotal);
        } finally {
            w.close();
        }
        assertEquals(Set.of("berth/busybox:v2"), images(pods()));
    }

    @Test
    @Order(2)
    void shouldFailTheRolloutOfACrashingRevisionBeforeItsDeadlineKeepingNineReadyThenUndo() throws Exception {
        Watcher w = Watcher.start(server);
        try {
            Await.until("the watcher has listed the 10 ready pods", Duration.ofSeconds(30), () -> w.readyPods() == REPLICAS, w::summary);
            w.arm(REPLICAS - 1, REPLICAS + 2);
            applyVisibly(manifest("berth/busybox:v2", List.of("sh", "-c", "exit 1"), false));
            long t0 = System.nanoTime();
            BerthProcess.Result status = cli(300, "rollout", "status", "deployment/" + NAME, "--timeout", "4m");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("e2e rollout: crashing revision, rollout status exit " + status.exit() + " after " + ms + " ms\n"
                    + status.stdout() + status.stderr());
            assertNotEquals(0, status.exit(), "a revision whose container exits at once fails its rollout");
            assertTrue(status.stderr().contains("error: deployment \"" + NAME + "\""), status.stderr());
            assertTrue(ms < 120_000, "failed before the progress deadline (120 s): " + ms + " ms");
            assertTrue(w.violations.isEmpty(), "bounds violated while the bad revision rolled: " + w.violations);
            assertTrue(readyReplicas() >= 9, "still at least 9 ready");

            BerthProcess.Result undo = cli("rollout", "undo", "deployment/" + NAME);
            assertEquals(0, undo.exit(), undo.stderr());
            assertEquals("deployment.apps/" + NAME + " rolled back\n", undo.stdout());
            BerthProcess.Result back = cli(300, "rollout", "status", "deployment/" + NAME, "--timeout", "4m");
            assertEquals(0, back.exit(), back.stdout() + back.stderr());
            w.disarm();
            assertTrue(w.violations.isEmpty(), "bounds violated during the undo: " + w.violations);
            System.out.printf("e2e rollout: during the failed rollout and the undo the watcher saw min %d ready, max %d pods%n", w.minReady, w.maxTotal);
        } finally {
            w.close();
        }
        Await.until("10 ready pods running v2 again", Duration.ofSeconds(60),
                () -> readyPods(pods()) == REPLICAS && images(pods()).equals(Set.of("berth/busybox:v2")) && commands(pods()).size() == 1,
                () -> cli("get", "pods").stdout());
    }

    @Test
    @Order(3)
    void shouldRestoreExactlyTheTemplateOfRevisionNWithUndoToRevision() throws Exception {
        BerthProcess.Result history = cli("rollout", "history", "deployment/" + NAME);
        assertEquals(0, history.exit(), history.stderr());
        System.out.println("e2e rollout: history\n" + history.stdout());
        assertTrue(history.stdout().startsWith("deployment.apps/" + NAME + "\nREVISION"), history.stdout());
        List<Long> revisions = history.stdout().lines().filter(l -> l.matches("\\d+\\s+.*")).map(l -> Long.parseLong(l.split("\\s+")[0])).toList();
        assertTrue(revisions.contains(1L), "revision 1 is still in the history: " + revisions);
        assertEquals(revisions.stream().sorted().toList(), revisions, "revisions listed in order");

        BerthProcess.Result undo = cli("rollout", "undo", "deployment/" + NAME, "--to-revision", "1");
        assertEquals(0, undo.exit(), undo.stderr());
        BerthProcess.Result status = cli(300, "rollout", "status", "deployment/" + NAME, "--timeout", "4m");
        assertEquals(0, status.exit(), status.stdout() + status.stderr());
        JsonNode template = deployment().path("spec").path("template");
        assertEquals(strip(revision1Template), strip(template), "the template of revision 1, exactly");
        Await.until("10 ready pods of revision 1's template", Duration.ofSeconds(60),
                () -> readyPods(pods()) == REPLICAS && hashes(pods()).equals(Set.of(revision1Hash)), () -> cli("get", "pods").stdout());
        assertEquals(Set.of("berth/busybox:latest"), images(pods()));
        long current = deployment().path("metadata").path("annotations").path("deployment.kubernetes.io/revision").asLong();
        assertTrue(current > revisions.get(revisions.size() - 1), "an undo makes a new revision number: " + current);
        BerthProcess.Result after = cli("rollout", "history", "deployment/" + NAME);
        assertFalse(after.stdout().lines().anyMatch(l -> l.matches("1\\s+.*")), "revision 1 became revision " + current + ":\n" + after.stdout());

        BerthProcess.Result bad = cli("rollout", "undo", "deployment/" + NAME, "--to-revision", "999");
        assertNotEquals(0, bad.exit());
        assertTrue(bad.stderr().contains("999"), bad.stderr());
    }

    @Test
    @Order(4)
    void shouldRollBackByItselfWhenAskedAndTheNewRevisionCrashes() throws Exception {
        String before = hashes(pods()).iterator().next();
        long crashing = revision() + 1;   // revisions count up by one: the apply below makes this one
        applyVisibly(manifest("berth/busybox:v3", List.of("sh", "-c", "exit 3"), true));
        // follow the crashing revision by number, as a pipeline that knows what it applied does: a plain
        // `rollout status` follows whatever revision is current when its JVM starts, and on a loaded machine
        // the automatic rollback was once complete by then (it then followed the rolled-back revision, exit 0)
        BerthProcess.Result status = cli(300, "rollout", "status", "deployment/" + NAME, "--revision", Long.toString(crashing), "--timeout", "4m");
        System.out.println("e2e rollout: automatic rollback, rollout status exit " + status.exit() + "\n" + status.stdout() + status.stderr());
        assertNotEquals(0, status.exit(), "the followed revision failed");
        assertTrue(status.stderr().contains("rollout failed") && status.stderr().contains("rolled back"),
                "the failure and the rollback named: " + status.stderr());
        long t0 = System.nanoTime();
        Await.until("the deployment back on the previous template by itself, 10 ready", Duration.ofSeconds(120),
                () -> readyPods(pods()) == REPLICAS && hashes(pods()).equals(Set.of(before))
                        && deployment().path("spec").path("template").toString().contains("httpd"),
                () -> cli("get", "pods").stdout() + deployment().path("status"));
        System.out.printf("e2e rollout: automatic rollback settled %d ms after rollout status returned%n", (System.nanoTime() - t0) / 1_000_000);
        BerthProcess.Result again = cli(120, "rollout", "status", "deployment/" + NAME, "--timeout", "1m");
        assertEquals(0, again.exit(), again.stdout() + again.stderr());
        assertEquals(Set.of("berth/busybox:latest"), images(pods()));
        BerthProcess.Result describe = cli("describe", "deployment", NAME);
        System.out.println("e2e rollout: describe after the automatic rollback\n" + describe.stdout());
    }

    @Test
    @Order(5)
    void shouldStepANativeCanaryThroughItsPausesWithPromoteAndAbortIt() throws Exception {
        String canary = "canaryweb";
        assertEquals(0, cli("apply", "-f", canaryManifest(canary, "berth/busybox:latest")).exit());
        assertEquals(0, cli(300, "rollout", "status", "deployment/" + canary, "--timeout", "4m").exit());
        String stable = hashes(pods(canary)).iterator().next();

        // step 0: setWeight 25 -> 1 of 4 on the new template, then the indefinite pause (step 1)
        assertEquals(0, cli("set", "image", "deployment/" + canary, "web=berth/busybox:v2").exit());
        Await.until("1 canary + 3 stable ready, paused at step 1", Duration.ofSeconds(90), () -> {
            JsonNode b = deployment(canary).path("status").path("berth");
            return split(pods(canary), stable).equals(List.of(3, 1)) && b.path("phase").asText().equals("Paused") && b.path("canaryStep").asInt() == 1;
        }, () -> deployment(canary).path("status").path("berth") + " " + split(pods(canary), stable));
        String canaryHash = hashes(pods(canary)).stream().filter(h -> !h.equals(stable)).findFirst().orElseThrow();
        assertSentinelHolds("the pause holds without a promote", () -> split(pods(canary), stable).equals(List.of(3, 1))
                && deployment(canary).path("status").path("berth").path("phase").asText().equals("Paused"));

        // promote: setWeight 50 (2 of 4), a 2 s pause, then 100 %
        BerthProcess.Result promote = cli("rollout", "promote", "deployment/" + canary);
        assertEquals(0, promote.exit(), promote.stderr());
        BerthProcess.Result done = cli(300, "rollout", "status", "deployment/" + canary, "--timeout", "4m");
        assertEquals(0, done.exit(), done.stdout() + done.stderr());
        Await.until("4 ready pods of the canary's template", Duration.ofSeconds(60),
                () -> readyPods(pods(canary)) == 4 && hashes(pods(canary)).equals(Set.of(canaryHash)), () -> cli("get", "pods").stdout());
        System.out.println("e2e rollout: canary 25% -> pause -> promote -> 50% -> 2 s -> 100% done\n" + done.stdout());

        // a second canary, aborted at its pause: back to the stable template
        assertEquals(0, cli("set", "image", "deployment/" + canary, "web=berth/busybox:v3").exit());
        Await.until("paused with 1 canary", Duration.ofSeconds(90),
                () -> split(pods(canary), canaryHash).equals(List.of(3, 1)) && deployment(canary).path("status").path("berth").path("phase").asText().equals("Paused"),
                () -> deployment(canary).path("status").path("berth") + " " + split(pods(canary), canaryHash));
        BerthProcess.Result abort = cli("rollout", "abort", "deployment/" + canary);
        assertEquals(0, abort.exit(), abort.stderr());
        Await.until("aborted: 4 ready pods of the stable template again", Duration.ofSeconds(90),
                () -> readyPods(pods(canary)) == 4 && hashes(pods(canary)).equals(Set.of(canaryHash))
                        && deployment(canary).path("status").path("berth").path("phase").asText().equals("Aborted"),
                () -> deployment(canary).path("status").path("berth") + " " + cli("get", "pods").stdout());
        assertEquals(Set.of("berth/busybox:v2"), images(pods(canary)));
        assertEquals(0, cli("delete", "deployment", canary).exit());
    }

    /** Ready pods of {@code stable}'s template and of any other, as [stable, other]. */
    static List<Integer> split(List<JsonNode> pods, String stable) {
        int s = 0, o = 0;
        for (JsonNode p : pods) {
            if (!ready(p)) continue;
            if (hashOf(p).equals(stable)) s++;
            else o++;
        }
        return List.of(s, o);
    }

    /**
     * Asserts a condition keeps holding while later writes are processed: a no-op scale of the
     * deployment is the sentinel (the gateway answers it once the controller has folded it, after
     * every tick before it), so this checks "nothing moved" without a fixed sleep.
     */
    void assertSentinelHolds(String what, Await.Check check) throws Exception {
        assertTrue(check.holds(), what + " (before)");
        for (int i = 0; i < 3; i++) {
            BerthProcess.Result scale = cli("scale", "deployment/canaryweb", "--replicas", "4");
            assertEquals(0, scale.exit(), scale.stderr());
            assertTrue(check.holds(), what);
        }
    }

    // ---- the watcher --------------------------------------------------------------------------

    /**
     * Follows pods and the deployment through the gateway's watch API and checks the bounds on every
     * event while armed. The deployment's status is written atomically by the controller, so its
     * bounds are checked on every event. Pod events of one controller step can reach a watcher in any
     * order (a step that stops one pod and creates another writes two task records on two partitions
     * in one transaction), so the pod-level bounds are checked on every state the pod stream has held
     * for 300 ms: a real breach (a ready pod stopped before its replacement is ready) lasts at least one
     * probe period (1 s).
     */
    static final class Watcher implements AutoCloseable {
        final Map<String, JsonNode> pods = new ConcurrentHashMap<>();
        final List<String> violations = new CopyOnWriteArrayList<>();
        final java.util.concurrent.atomic.AtomicInteger events = new java.util.concurrent.atomic.AtomicInteger();
        volatile boolean armed;
        volatile int floor, ceiling;
        volatile int minReady = Integer.MAX_VALUE, maxTotal, minDeploymentReady = Integer.MAX_VALUE, maxDeploymentReplicas;
        volatile long lastPodEvent = System.nanoTime();
        volatile boolean checkedSinceLastEvent = true;
        final List<Thread> threads = new ArrayList<>();
        final List<java.io.InputStream> streams = new CopyOnWriteArrayList<>();
        volatile boolean closed;

        static Watcher start(String server) {
            Watcher w = new Watcher();
            w.follow(server + "/api/v1/namespaces/default/pods?watch=true&labelSelector=app%3D" + NAME, w::onPod);
            w.follow(server + "/apis/apps/v1/namespaces/default/deployments?watch=true&fieldSelector=metadata.name%3D" + NAME, w::onDeployment);
            Thread settle = new Thread(w::settleLoop, "rollout-watcher-settle");
            settle.setDaemon(true);
            settle.start();
            w.threads.add(settle);
            return w;
        }

        void follow(String url, java.util.function.Consumer<JsonNode> sink) {
            Thread t = new Thread(() -> {
                try {
                    HttpResponse<java.io.InputStream> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + adminToken).build(),
                            HttpResponse.BodyHandlers.ofInputStream());
                    streams.add(r.body());
                    try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = in.readLine()) != null) {
                            if (!line.isBlank()) sink.accept(JSON.readTree(line));
                        }
                    }
                } catch (Exception e) {
                    if (!closed) violations.add("watch " + url + " ended: " + e);
                }
            }, "rollout-watcher");
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }

        synchronized void onPod(JsonNode e) {
            events.incrementAndGet();
            String name = e.path("object").path("metadata").path("name").asText();
            if (e.path("type").asText().equals("DELETED")) pods.remove(name);
            else pods.put(name, e.path("object"));
            lastPodEvent = System.nanoTime();
            checkedSinceLastEvent = false;
        }

        synchronized void onDeployment(JsonNode e) {
            events.incrementAndGet();
            JsonNode s = e.path("object").path("status");
            if (!armed) return;
            int ready = s.path("readyReplicas").asInt(), replicas = s.path("replicas").asInt();
            minDeploymentReady = Math.min(minDeploymentReady, ready);
            maxDeploymentReplicas = Math.max(maxDeploymentReplicas, replicas);
            if (ready < floor || replicas > ceiling) {
                violations.add("deployment status " + ready + " ready / " + replicas + " replicas at " + e.path("object").path("metadata").path("resourceVersion"));
            }
        }

        void settleLoop() {
            while (!closed) {
                synchronized (this) {
                    if (!checkedSinceLastEvent && System.nanoTime() - lastPodEvent > 300_000_000L) {
                        checkedSinceLastEvent = true;
                        if (armed) checkPods();
                    }
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void checkPods() {
            int ready = readyPods(), total = livePods();
            minReady = Math.min(minReady, ready);
            maxTotal = Math.max(maxTotal, total);
            if (ready < floor || total > ceiling) violations.add("pods: " + ready + " ready / " + total + " total: " + summary());
        }

        synchronized void arm(int floor, int ceiling) {
            this.floor = floor;
            this.ceiling = ceiling;
            armed = true;
            checkPods();
        }

        synchronized void disarm() {
            checkPods();
            armed = false;
        }

        synchronized int readyPods() {
            return (int) pods.values().stream().filter(p -> !terminating(p) && ready(p)).count();
        }

        synchronized int livePods() {
            return (int) pods.values().stream().filter(p -> !terminating(p)).count();
        }

        synchronized Set<String> templateHashes() {
            Set<String> s = new TreeSet<>();
            pods.values().stream().filter(p -> !terminating(p)).forEach(p -> s.add(hashOf(p)));
            return s;
        }

        synchronized String summary() {
            StringBuilder sb = new StringBuilder();
            new TreeMap<>(pods).forEach((n, p) -> sb.append(n).append(terminating(p) ? " terminating" : "")
                    .append(ready(p) ? " ready" : " unready").append("; "));
            return sb.toString();
        }

        @Override
        public void close() {
            closed = true;
            for (java.io.InputStream s : streams) {
                try {
                    s.close();
                } catch (Exception ignored) {
                    // the stream is being torn down
                }
            }
            threads.forEach(Thread::interrupt);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    static boolean terminating(JsonNode pod) {
        return pod.path("metadata").has("deletionTimestamp") && !pod.path("metadata").path("deletionTimestamp").isNull();
    }

    static boolean ready(JsonNode pod) {
        for (JsonNode c : pod.path("status").path("conditions")) {
            if (c.path("type").asText().equals("Ready")) return c.path("status").asText().equals("True");
        }
        return false;
    }

    /** The middle part of a pod name {@code NAME-<hash>-<suffix>} (neither hash nor suffix has a dash). */
    static String hashOf(JsonNode pod) {
        String[] parts = pod.path("metadata").path("name").asText().split("-");
        return parts[parts.length - 2];
    }

    List<JsonNode> pods() throws Exception {
        return pods(NAME);
    }

    List<JsonNode> pods(String app) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : JSON.readTree(cli("get", "pods", "-l", "app=" + app, "-o", "json").stdout()).path("items")) {
            if (!terminating(p)) out.add(p);
        }
        return out;
    }

    static int readyPods(List<JsonNode> pods) {
        return (int) pods.stream().filter(RolloutE2ETest::ready).count();
    }

    static Set<String> hashes(List<JsonNode> pods) {
        Set<String> s = new TreeSet<>();
        pods.forEach(p -> s.add(hashOf(p)));
        return s;
    }

    static Set<String> images(List<JsonNode> pods) {
        Set<String> s = new TreeSet<>();
        pods.forEach(p -> p.path("spec").path("containers").forEach(c -> s.add(c.path("image").asText())));
        return s;
    }

    static Set<String> commands(List<JsonNode> pods) {
        Set<String> s = new TreeSet<>();
        pods.forEach(p -> p.path("spec").path("containers").forEach(c -> s.add(c.path("command").toString())));
        return s;
    }

    /** A template as the user wrote it: without the pod-template-hash label Kubernetes adds. */
    static JsonNode strip(JsonNode template) {
        JsonNode copy = template.deepCopy();
        JsonNode labels = copy.path("metadata").path("labels");
        if (labels instanceof com.fasterxml.jackson.databind.node.ObjectNode o) o.remove("pod-template-hash");
        return copy;
    }

    JsonNode deployment() throws Exception {
        return deployment(NAME);
    }

    long revision() throws Exception {
        return deployment().path("metadata").path("annotations").path("deployment.kubernetes.io/revision").asLong();
    }

    /**
     * {@code berth apply} of a changed template, then what a user of {@code rollout status} relies on: the
     * gateway shows the new generation. On a loaded machine the gateway's read-your-writes wait (10 s) can
     * time out; it then answers 202 with a Warning and the intent is applied later. A {@code rollout status}
     * started before that reads the previous rollout (seen once in the ops suite at load ~17).
     */
    void applyVisibly(String manifest) throws Exception {
        long before = deployment().path("metadata").path("generation").asLong();
        BerthProcess.Result apply = cli("apply", "-f", manifest);
        assertEquals(0, apply.exit(), apply.stdout() + apply.stderr());
        Await.until("the gateway shows the applied template (generation above " + before + ")", Duration.ofSeconds(120),
                () -> deployment().path("metadata").path("generation").asLong() > before, () -> apply.stderr() + deployment().path("metadata"));
    }

    JsonNode deployment(String name) throws Exception {
        return JSON.readTree(cli("get", "deployment", name, "-o", "json").stdout());
    }

    int readyReplicas() throws Exception {
        return deployment().path("status").path("readyReplicas").asInt();
    }

    JsonNode node(String name) {
        try {
            return JSON.readTree(cli("get", "node", name, "-o", "json").stdout());
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }

    BerthProcess.Result cli(String... args) throws Exception {
        return cli(60, args);
    }

    BerthProcess.Result cli(long timeoutSeconds, String... args) throws Exception {
        return cluster.cli(timeoutSeconds, args);
    }

    /**
     * The deployment: 10 busybox httpd replicas with an HTTP readiness probe every second, maxSurge 2,
     * maxUnavailable 1, a progress deadline of 120 s.
     */
    String manifest(String image, List<String> command, boolean rollbackOnFailure) throws Exception {
        String yaml = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %s
                  labels:
                    app: %s
                  annotations:
                    berth.io/rollback-on-failure: "%s"
                spec:
                  replicas: %d
                  progressDeadlineSeconds: 120
                  selector:
                    matchLabels:
                      app: %s
                  strategy:
                    type: RollingUpdate
                    rollingUpdate:
                      maxSurge: 2
                      maxUnavailable: 1
                  template:
                    metadata:
                      labels:
                        app: %s
                    spec:
                      containers:
                      - name: web
                        image: %s
                        command: %s
                        ports:
                        - containerPort: 8080
                        readinessProbe:
                          httpGet:
                            path: /index.html
                            port: 8080
                          periodSeconds: 1
                          failureThreshold: 2
                        resources:
                          requests:
                            cpu: 50m
                            memory: 16Mi
                """.formatted(NAME, NAME, rollbackOnFailure, REPLICAS, NAME, NAME, image, JSON.writeValueAsString(command));
        Path f = Files.createTempFile(home, "rollout", ".yaml");
        Files.writeString(f, yaml);
        return f.toString();
    }

    /** 4 busybox httpd replicas with a canary strategy: 25 %, pause until promoted, 50 %, pause 2 s, then 100 %. */
    String canaryManifest(String name, String image) throws Exception {
        String yaml = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %s
                spec:
                  replicas: 4
                  selector:
                    matchLabels:
                      app: %s
                  strategy:
                    type: Canary
                    canary:
                      steps:
                      - setWeight: 25
                      - pause: {}
                      - setWeight: 50
                      - pause: {duration: 2s}
                  template:
                    metadata:
                      labels:
                        app: %s
                    spec:
                      containers:
                      - name: web
                        image: %s
                        command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
                        readinessProbe:
                          httpGet: {path: /index.html, port: 8080}
                          periodSeconds: 1
                """.formatted(name, name, name, image);
        Path f = Files.createTempFile(home, "canary", ".yaml");
        Files.writeString(f, yaml);
        return f.toString();
    }
}
