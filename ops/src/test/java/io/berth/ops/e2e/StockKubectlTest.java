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
 * The kubectl users already have (v1.32 on this machine, from PATH) drives Berth unchanged, with
 * nothing but the kubeconfig {@code berth up} wrote: discovery, OpenAPI v3 (server-side field
 * validation), Table answers, client-side apply with its strategic merge patch, scale through the
 * Scale subresource, JSON patch, set image, wait, cordon/uncordon and delete. The all-in-one runs
 * in-process on a real broker with simulated nodes (no Docker needed).
 */
@Timeout(600)
class StockKubectlTest {
    private Path kubeconfig;

    @Test
    void stockKubectlDrivesBerth() throws Exception {
        Path dir = Files.createTempDirectory("berth-kubectl");
        try (AllInOne up = new AllInOne(new AllInOne.Options(dir, "127.0.0.1", EmbeddedKafka.freePort("127.0.0.1"),
                EmbeddedKafka.freePort("127.0.0.1"), EmbeddedKafka.freePort("127.0.0.1"), null, true, "kube-node",
                Map.of("replication-factor", "1", "runtime", "sim", "mesh", "false")))) {
            up.start();
            kubeconfig = dir.resolve("kubeconfig");
            assertTrue(up.kubernetesUrl().startsWith("https://"), "kubectl sends a token only over TLS: " + up.kubernetesUrl());

            String resources = ok("api-resources");
            assertTrue(resources.matches("(?s).*\\ndeployments\\s+deploy\\s+apps/v1\\s+true\\s+Deployment\\n.*"), resources);
            assertTrue(resources.matches("(?s).*\\npods\\s+po\\s+v1\\s+true\\s+Pod\\n.*"), resources);
            assertTrue(ok("api-versions").contains("rbac.authorization.k8s.io/v1"));
            assertTrue(ok("cluster-info").contains("is running at " + up.kubernetesUrl()));

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

            // kubectl's typed clients post these as protobuf (SelfSubjectAccessReview, Eviction)
            assertEquals("yes", ok("auth", "can-i", "create", "deployments").strip());
            Run nobody = kubectl("auth", "can-i", "create", "pods", "--as=nobody");
            assertTrue(nobody.code == 1 && nobody.out.strip().equals("no"), nobody.out + nobody.err);
            // a Deployment's pod is controlled by its ReplicaSet, so drain evicts it without --force
            String owner = ok("get", "pods", "-o", "jsonpath={.items[0].metadata.ownerReferences[0].kind}/{.items[0].metadata.ownerReferences[0].name}");
            assertTrue(owner.matches("ReplicaSet/web-\\S+"), owner);
            String drained = ok("drain", "kube-node", "--ignore-daemonsets", "--timeout=120s");
            assertTrue(drained.contains("evicted") && drained.contains("node/kube-node drained"), drained);
            assertEquals("node/kube-node uncordoned", ok("uncordon", "kube-node").strip());
            waitFor("jsonpath={.status.readyReplicas}=1");

            assertEquals("node/kube-node cordoned", ok("cordon", "kube-node").strip());
            assertTrue(ok("get", "nodes").contains("Ready,SchedulingDisabled"));
            assertEquals("node/kube-node uncordoned", ok("uncordon", "kube-node").strip());

            assertTrue(ok("delete", "deploy", "web").contains("deployment.apps \"web\" deleted"));
            Run gone = kubectl("get", "deploy", "web");
            assertTrue(gone.code != 0 && gone.err.contains("deployments.apps \"web\" not found"), gone.err);
        }
    }

    private String berthCli;

    /** The berth CLI in-process against the gateway's plain port, with the kubeconfig's token: {exit, stdout, stderr}. */
    private String[] berth(String... args) throws IOException {
        String token = Files.readAllLines(kubeconfig).stream().map(String::strip).filter(l -> l.startsWith("token:"))
                .findFirst().orElseThrow().substring("token:".length()).strip();
        java.io.StringWriter out = new java.io.StringWriter(), err = new java.io.StringWriter();
        picocli.CommandLine cl = io.berth.ops.Berth.commandLine();
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--server=" + berthCli);
        all.add("--token=" + token);
        int exit = cl.execute(all.toArray(String[]::new));
        return new String[]{Integer.toString(exit), out.toString(), err.toString()};
    }

    private String berthOk(String... args) throws IOException {
        String[] r = berth(args);
        if (!r[0].equals("0")) fail("berth " + String.join(" ", args) + " exited " + r[0] + ":\n" + r[1] + r[2]);
        return r[1];
    }

    private void waitFor(String condition) throws Exception {
        assertTrue(ok("wait", "--for=" + condition, "deploy/web", "--timeout=120s").contains("condition met"), condition);
    }

    private String ok(String... args) throws Exception {
        Run r = kubectl(args);
        if (r.code != 0) fail("kubectl " + String.join(" ", args) + " exited " + r.code + ":\n" + r.out + r.err);
        return r.out;
    }

    private record Run(int code, String out, String err) {}

    private Run kubectl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("kubectl", ".out"), err = Files.createTempFile("kubectl", ".err");
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        } catch (IOException e) {
            throw new IOException("kubectl is not on PATH (the machine has v1.32; ops/test expects it): " + e.getMessage(), e);
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
