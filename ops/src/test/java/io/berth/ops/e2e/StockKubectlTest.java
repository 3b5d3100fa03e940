package io.berth.ops.e2e;

import io.berth.ops.AllInOne;
import io.berth.ops.kafka.EmbeddedKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The kubectl users already have drives Berth unchanged, with nothing but the kubeconfig {@code berth up}
 * wrote: the machine's v1.32 (from PATH), then Debian's v1.20 ({@code /opt/kubectl-1.20/kubectl}, unpacked
 * there by ops/test) against the same Berth. Discovery (aggregated for 1.32, the per-group documents for
 * 1.20), OpenAPI (v3 for 1.32; the v2 protobuf document 1.20 will not apply without), Table answers,
 * client-side apply with its strategic merge patch, create/replace/diff, scale through the Scale
 * subresource, merge/strategic/JSON patch, set image, rollout, wait, auth can-i, drain, cordon/uncordon and
 * delete. The all-in-one runs in-process on a real broker with simulated nodes (no Docker needed).
 */
@Timeout(900)
class StockKubectlTest {
    static final String KUBECTL_120 = "/opt/kubectl-1.20/kubectl";
    private Path kubeconfig;
    private String kubectl = "kubectl";

    @Test
    void stockKubectlDrivesBerth() throws Exception {
        Path dir = Files.createTempDirectory("berth-kubectl");
        try (AllInOne up = new AllInOne(new AllInOne.Options(dir, "127.0.0.1", EmbeddedKafka.freePort("127.0.0.1"),
                EmbeddedKafka.freePort("127.0.0.1"), EmbeddedKafka.freePort("127.0.0.1"), null, true, "kube-node",
                Map.of("replication-factor", "1", "runtime", "sim", "mesh", "false")))) {
            up.start();
            kubeconfig = dir.resolve("kubeconfig");
            assertTrue(up.kubernetesUrl().startsWith("https://"), "kubectl sends a token only over TLS: " + up.kubernetesUrl());
            kubectl = "kubectl";
            drive(up, dir, true);
            assertTrue(Files.isExecutable(Path.of(KUBECTL_120)), KUBECTL_120 + " is missing: ops/test unpacks Debian's kubernetes-client there");
            kubectl = KUBECTL_120;
            assertTrue(ok("version", "--client").contains("v1.20."), "not kubectl 1.20");
            drive(up, dir, false);
        }
    }

    /** One kubectl's pass over the verbs, from an empty default namespace back to one; {@code modern}: kubectl 1.32. */
    private void drive(AllInOne up, Path dir, boolean modern) throws Exception {
        String resources = ok("api-resources");
        assertTrue(resources.matches("(?s).*\\ndeployments\\s+deploy\\s+apps/v1\\s+true\\s+Deployment\\n.*"), resources);
        assertTrue(resources.matches("(?s).*\\npods\\s+po\\s+v1\\s+true\\s+Pod\\n.*"), resources);
        assertTrue(ok("api-versions").contains("rbac.authorization.k8s.io/v1"));
        // kubectl 1.20 colours the URL even when not on a terminal
        assertTrue(ok("cluster-info").replaceAll("\u001B\\[[0-9;]*m", "").contains("is running at " + up.kubernetesUrl()));
        if (modern) { // explain reads OpenAPI v3 (1.20 reads v2, served without definitions)
            String replicas = ok("explain", "deployment.spec.replicas");
            assertTrue(replicas.contains("FIELD: replicas <integer>") && replicas.contains("Number of desired pods."), replicas);
            String ports = ok("explain", "pods.spec.containers.ports");
            assertTrue(ports.contains("containerPort\t<integer> -required-") || ports.matches("(?s).*containerPort\s+<integer> -required-.*"), ports);
        }

        Path web = dir.resolve("web.yaml");
        Files.writeString(web, """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, labels: {app: web}}
                spec:
                  replicas: 3
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web, track: stable}}
                    spec:
                      containers:
                      - {name: app, image: berth/busybox:latest, command: [sleep, "3600"]}
                """);
        assertEquals("deployment.apps/web created", ok("apply", "-f", web.toString()).strip());
        assertEquals("deployment.apps/web unchanged", ok("apply", "-f", web.toString()).strip());
        assertTrue(ok("wait", "--for=condition=Available", "deploy/web", "--timeout=180s").contains("condition met"));
        waitFor("jsonpath={.status.readyReplicas}=3");

        String pods = ok("get", "pods", "-L", "track");
        String[] lines = pods.strip().split("\n");
        assertTrue(lines[0].matches("NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE\\s+TRACK"), pods);
        assertEquals(4, lines.length, pods);
        for (int i = 1; i < lines.length; i++) assertTrue(lines[i].matches("web-\\S+\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+stable"), pods);
        assertTrue(ok("get", "pods", "-A", "--show-labels").matches("(?s)NAMESPACE\\s+NAME.*default\\s+web-.*app=web.*"));
        String wide = ok("get", "deploy", "-o", "wide");
        assertTrue(wide.matches("(?s)NAME\\s+READY\\s+UP-TO-DATE\\s+AVAILABLE\\s+AGE\\s+CONTAINERS\\s+IMAGES\\s+SELECTOR\\nweb\\s+3/3\\s+3\\s+3\\s+\\S+\\s+app\\s+berth/busybox:latest\\s+app=web\\n"), wide);
        assertTrue(ok("get", "nodes").matches("(?s)NAME\\s+STATUS.*\\nkube-node\\s+Ready\\s.*"));

        String described = ok("describe", "deploy", "web");
        assertTrue(described.matches("(?s)Name:\\s+web\n.*Replicas:\\s+3 desired \\| 3 updated \\| 3 total \\| 3 available.*"), described);
        assertTrue(ok("get", "deploy", "web", "-o", "yaml").contains("kubectl.kubernetes.io/last-applied-configuration"));
        assertEquals("deployment.apps/web", ok("get", "deploy", "-o", "name").strip());
        assertTrue(ok("get", "deploy", "-o", "custom-columns=N:.metadata.name,R:.spec.replicas").matches("N\\s+R\nweb\\s+3\n"));
        assertTrue(ok("get", "pods", "-l", "track=stable", "-o", "name").matches("(pod/web-\\S+\n){3}"));
        // diff sends a server-side dry run (1.20 first checks the OpenAPI v2 document for dryRun): exit 1 with changes
        Path web4 = dir.resolve("web4.yaml");
        Files.writeString(web4, Files.readString(web).replace("replicas: 3", "replicas: 4"));
        Run diff = kubectl("diff", "-f", web4.toString());
        assertEquals(1, diff.code, diff.out + diff.err);
        assertTrue(diff.out.contains("-  replicas: 3") && diff.out.contains("+  replicas: 4"), diff.out);
        Run same = kubectl("diff", "-f", web.toString());
        assertEquals(0, same.code, same.out + same.err);
        // create, replace, merge and strategic patches, delete: a ConfigMap
        Path cm = dir.resolve("cm.yaml");
        Files.writeString(cm, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: \"1\"}\n");
        assertEquals("configmap/settings created", ok("create", "-f", cm.toString()).strip());
        Files.writeString(cm, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: \"2\"}\n");
        assertEquals("configmap/settings replaced", ok("replace", "-f", cm.toString()).strip());
        ok("patch", "configmap", "settings", "--type=merge", "-p", "{\"data\":{\"b\":\"3\"}}");
        ok("patch", "configmap", "settings", "-p", "{\"data\":{\"c\":\"4\"}}");
        assertEquals("2 3 4", ok("get", "configmap", "settings", "-o", "jsonpath={.data.a} {.data.b} {.data.c}"));
        assertTrue(ok("delete", "configmap", "settings").contains("configmap \"settings\" deleted"));

        // a bare pod: its labels and annotations change in place (label / annotate), its spec does not (422, as named)
        Path solo = dir.resolve("solo.yaml");
        Files.writeString(solo, """
                apiVersion: v1
                kind: Pod
                metadata: {name: solo, labels: {app: solo}}
                spec:
                  containers:
                  - {name: main, image: berth/busybox:latest, command: [sleep, "3600"]}
                """);
        ok("apply", "-f", solo.toString());
        assertTrue(ok("wait", "--for=condition=Ready", "pod/solo", "--timeout=120s").contains("condition met"));
        String uid = ok("get", "pod", "solo", "-o", "jsonpath={.metadata.uid}");
        assertEquals("pod/solo labeled", ok("label", "pod", "solo", "tier=cache").strip());
        assertEquals("pod/solo annotated", ok("annotate", "pod", "solo", "note=kept").strip());
        assertEquals("solo cache " + uid, ok("get", "pod", "-l", "tier=cache", "-o", "jsonpath={.items[0].metadata.name} {.items[0].metadata.labels.tier} {.items[0].metadata.uid}"),
                "relabeled in place, the same pod");
        Run image = kubectl("set", "image", "pod/solo", "main=berth/busybox:v2");
        assertTrue(image.code != 0 && image.err.contains("pod updates may not change fields other than `metadata.labels` and `metadata.annotations`"),
                image.out + image.err);
        assertTrue(ok("delete", "pod", "solo").contains("pod \"solo\" deleted"));
        // a Deployment's pod is its controller's: labelling it is refused, not turned into a second, bare pod
        String managed = ok("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[0].metadata.name}");
        Run relabel = kubectl("label", "pod", managed, "tier=cache");
        assertTrue(relabel.code != 0 && relabel.err.contains("is managed by deployment web"), relabel.out + relabel.err);
        assertEquals(1, java.util.Arrays.stream(ok("get", "pods", "-o", "name").split("\n")).filter(l -> l.equals("pod/" + managed)).count());

        if (modern) {
            // Berth's own CLI, the same objects: wait, -L/--show-labels, get all
            berthCli = up.gatewayUrl();
            assertEquals("deployment.apps/web condition met\n", berthOk("wait", "--for=condition=Available", "deployment/web", "--timeout=60s"));
            assertEquals("deployment.apps/web condition met\n", berthOk("wait", "--for=jsonpath={.status.readyReplicas}=3", "deployment", "web"));
            String[] never = berth("wait", "--for=jsonpath={.status.readyReplicas}=7", "deploy/web", "--timeout=1s");
            assertEquals("1", never[0], never[2]);
            assertEquals("error: timed out waiting for the condition on deployments/web\n", never[2]);
            String[] labelled = berthOk("get", "pods", "-L", "track", "--show-labels").split("\n");
            assertTrue(labelled[0].matches("NAME +READY +STATUS +RESTARTS +AGE +TRACK +LABELS"), labelled[0]);
            for (int i = 1; i < labelled.length; i++) assertTrue(labelled[i].matches("web-\\S+ .* stable +app=web,.*track=stable"), labelled[i]);
            String[] all = berthOk("get", "all").split("\n\n");
            assertEquals(3, all.length, String.join("\n\n", all));
            assertTrue(all[0].matches("(?s)NAME +READY +STATUS.*\npod/web-\\S+ .*"), all[0]);
            assertTrue(all[1].matches("(?s)NAME +READY +UP-TO-DATE +AVAILABLE +AGE\ndeployment.apps/web +3/3 .*"), all[1]);
            assertTrue(all[2].matches("(?s)NAME +DESIRED +CURRENT +READY +AGE\nreplicaset.apps/web-\\S+ +3 +3 +3 .*"), all[2]);

            // get -w: kubectl 1.32 asks for watch events as Tables; each object comes as a one-row Table
            java.net.http.HttpRequest watch = java.net.http.HttpRequest.newBuilder(java.net.URI.create(up.gatewayUrl()
                            + "/api/v1/namespaces/default/pods?watch=true&timeoutSeconds=1&includeObject=Metadata"))
                    .header("Authorization", "Bearer " + token())
                    .header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json")
                    .timeout(java.time.Duration.ofSeconds(30)).build();
            String body = java.net.http.HttpClient.newHttpClient().send(watch, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            String[] events = body.strip().split("\n");
            assertEquals(3, events.length, body);
            for (String line : events) {
                com.fasterxml.jackson.databind.JsonNode event = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
                assertEquals("ADDED", event.path("type").asText(), line);
                assertEquals("Table", event.at("/object/kind").asText(), line);
                assertEquals("Name,Ready,Status,Restarts,Age", columns(event.at("/object/columnDefinitions"), 0), line);
                assertTrue(event.at("/object/rows/0/cells/0").asText().startsWith("web-"), line);
                assertEquals("1/1", event.at("/object/rows/0/cells/1").asText(), line);
                assertEquals("PartialObjectMetadata", event.at("/object/rows/0/object/kind").asText(), line);
                assertEquals("stable", event.at("/object/rows/0/object/metadata/labels/track").asText(), line);
            }
        }

        // set image: a strategic merge patch by container name keeps the container's command
        assertEquals("deployment.apps/web image updated", ok("set", "image", "deploy/web", "app=berth/busybox:v2").strip());
        assertEquals("berth/busybox:v2 [\"sleep\",\"3600\"]",
                ok("get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].command}"));
        assertEquals("deployment.apps/web scaled", ok("scale", "deploy", "web", "--replicas=2").strip());
        waitFor("jsonpath={.spec.replicas}=2");
        ok("patch", "deploy", "web", "--type=json", "-p", "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":1}]");
        waitFor("jsonpath={.spec.replicas}=1");

        // rollout history / undo / status through the Deployment's revisions
        assertTrue(ok("rollout", "history", "deploy/web").matches("(?s).*REVISION\\s+CHANGE-CAUSE\\n1\\s+.*\\n2\\s+.*"));
        assertEquals("deployment.apps/web rolled back", ok("rollout", "undo", "deploy/web").strip());
        assertTrue(ok("rollout", "status", "deploy/web", "--timeout=120s").contains("successfully rolled out"));
        assertEquals("berth/busybox:latest", ok("get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}"));
        assertEquals("deployment.apps/web paused", ok("rollout", "pause", "deploy/web").strip());
        assertEquals("deployment.apps/web resumed", ok("rollout", "resume", "deploy/web").strip());
        assertEquals("deployment.apps/web restarted", ok("rollout", "restart", "deploy/web").strip());
        assertTrue(ok("rollout", "status", "deploy/web", "--timeout=120s").contains("successfully rolled out"));

        // kubectl's typed clients post these as protobuf (SelfSubjectAccessReview, Eviction)
        assertEquals("yes", ok("auth", "can-i", "create", "deployments").strip());
        Run nobody = kubectl("auth", "can-i", "create", "pods", "--as=nobody");
        assertTrue(nobody.code == 1 && nobody.out.strip().equals("no"), nobody.out + nobody.err);
        // a Deployment's pod is controlled by its ReplicaSet, so drain evicts it without --force
        String owner = ok("get", "pods", "-o", "jsonpath={.items[0].metadata.ownerReferences[0].kind}/{.items[0].metadata.ownerReferences[0].name}");
        assertTrue(owner.matches("ReplicaSet/web-\\S+"), owner);
        String drained = ok("drain", "kube-node", "--ignore-daemonsets", "--timeout=120s");
        // both versions evict (1.20 only once discovery lists the policy group, which Berth serves for that); 1.20's
        // last line reuses the verb it printed last ("node/kube-node evicted"), its own printer's doing
        assertTrue(drained.matches("(?s).*pod/web-\\S+ evicted\n.*node/kube-node " + (modern ? "drained" : "evicted") + "\n"), drained);
        assertTrue(ok("get", "nodes").contains("Ready,SchedulingDisabled"));
        assertEquals("node/kube-node uncordoned", ok("uncordon", "kube-node").strip());
        waitFor("jsonpath={.status.readyReplicas}=1");

        assertEquals("node/kube-node cordoned", ok("cordon", "kube-node").strip());
        assertTrue(ok("get", "nodes").contains("Ready,SchedulingDisabled"));
        assertEquals("node/kube-node uncordoned", ok("uncordon", "kube-node").strip());

        assertTrue(ok("delete", "deploy", "web").contains("deployment.apps \"web\" deleted"));
        Run gone = kubectl("get", "deploy", "web");
        assertTrue(gone.code != 0 && gone.err.contains("deployments.apps \"web\" not found"), gone.err);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!ok("get", "pods", "-l", "app=web", "-o", "name").isBlank()) {
            assertTrue(System.nanoTime() < deadline, "the deployment's pods outlived it by 120 s");
            Thread.sleep(200);
        }
    }

    private String berthCli;

    /** The names of the columns of {@code priority}, comma-separated. */
    private static String columns(com.fasterxml.jackson.databind.JsonNode definitions, int priority) {
        List<String> names = new ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode c : definitions) if (c.path("priority").asInt() == priority) names.add(c.path("name").asText());
        return String.join(",", names);
    }

    private String token() throws IOException {
        return Files.readAllLines(kubeconfig).stream().map(String::strip).filter(l -> l.startsWith("token:"))
                .findFirst().orElseThrow().substring("token:".length()).strip();
    }

    private String[] berth(String... args) throws IOException {
        return new InProcessBerth(berthCli, kubeconfig).run(args);
    }

    private String berthOk(String... args) throws IOException {
        return new InProcessBerth(berthCli, kubeconfig).ok(args);
    }

    /** {@code jsonpath={PATH}=VALUE} on deploy/web: kubectl wait where it has {@code --for=jsonpath} (1.23+), else polling get. */
    private void waitFor(String condition) throws Exception {
        if (!kubectl.equals(KUBECTL_120)) {
            assertTrue(ok("wait", "--for=" + condition, "deploy/web", "--timeout=120s").contains("condition met"), condition);
            return;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("jsonpath=(\\{.*})=(.*)").matcher(condition);
        assertTrue(m.matches(), condition);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!ok("get", "deploy", "web", "-o", "jsonpath=" + m.group(1)).equals(m.group(2))) {
            assertTrue(System.nanoTime() < deadline, "not within 120 s: " + condition);
            Thread.sleep(200);
        }
    }

    private String ok(String... args) throws Exception {
        Run r = kubectl(args);
        if (r.code != 0) fail("kubectl " + String.join(" ", args) + " exited " + r.code + ":\n" + r.out + r.err);
        return r.out;
    }

    private record Run(int code, String out, String err) {}

    private Run kubectl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(kubectl, "--kubeconfig", kubeconfig.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("kubectl", ".out"), err = Files.createTempFile("kubectl", ".err");
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        } catch (IOException e) {
            throw new IOException(kubectl + " cannot run (the machine has v1.32 on PATH; ops/test unpacks 1.20 to " + KUBECTL_120 + "): " + e.getMessage(), e);
        }
        try {
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("kubectl " + String.join(" ", args) + " did not finish in 180 s");
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
