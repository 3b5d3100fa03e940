package io.berth.ops.e2e;

import io.berth.ops.AllInOne;
import io.berth.ops.kafka.EmbeddedKafka;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fabric8 Kubernetes client (Maven Central; its own model, serialization and HTTP), configured from
 * nothing but the kubeconfig {@code berth up} writes, drives Berth through its own API: creates a
 * Deployment, lists and watches its pods, scales it, reads a pod's log and deletes it. The all-in-one
 * runs in-process on a real broker with a simulated node.
 */
@Timeout(600)
class Fabric8ClientTest {

    @Test
    void fabric8DrivesBerth() throws Exception {
        Path dir = Files.createTempDirectory("berth-fabric8");
        try (AllInOne up = new AllInOne(new AllInOne.Options(dir, "127.0.0.1", EmbeddedKafka.freePort("127.0.0.1"),
                EmbeddedKafka.freePort("127.0.0.1"), EmbeddedKafka.freePort("127.0.0.1"), null, true, "f8-node",
                Map.of("replication-factor", "1", "runtime", "sim", "mesh", "false")))) {
            up.start();
            Config config = Config.fromKubeconfig(Files.readString(dir.resolve("kubeconfig")));
            try (KubernetesClient k8s = new KubernetesClientBuilder().withConfig(config).build()) {
                assertEquals(up.kubernetesUrl().replaceAll("/$", ""), k8s.getMasterUrl().toString().replaceAll("/$", ""));
                assertTrue(k8s.nodes().list().getItems().stream().anyMatch(n -> n.getMetadata().getName().equals("f8-node")));

                Set<String> added = ConcurrentHashMap.newKeySet();
                Set<String> running = ConcurrentHashMap.newKeySet();
                Watch watch = k8s.pods().inNamespace("default").withLabel("app", "f8").watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, Pod pod) {
                        if (action == Action.ADDED) added.add(pod.getMetadata().getName());
                        if ("Running".equals(pod.getStatus().getPhase())) running.add(pod.getMetadata().getName());
                    }

                    @Override
                    public void onClose(WatcherException cause) {}
                });
                try {
                    Deployment d = new DeploymentBuilder()
                            .withNewMetadata().withName("f8").withLabels(Map.of("app", "f8")).endMetadata()
                            .withNewSpec().withReplicas(2)
                            .withNewSelector().withMatchLabels(Map.of("app", "f8")).endSelector()
                            .withNewTemplate().withNewMetadata().withLabels(Map.of("app", "f8")).endMetadata()
                            .withNewSpec().addNewContainer().withName("app").withImage("berth/busybox:latest")
                            .withCommand("sleep", "3600").endContainer().endSpec().endTemplate()
                            .endSpec().build();
                    Deployment created = k8s.apps().deployments().inNamespace("default").resource(d).create();
                    assertEquals("f8", created.getMetadata().getName());
                    assertNotNull(created.getMetadata().getUid());

                    k8s.apps().deployments().inNamespace("default").withName("f8")
                            .waitUntilCondition(x -> x != null && x.getStatus() != null && Integer.valueOf(2).equals(x.getStatus().getReadyReplicas()),
                                    120, TimeUnit.SECONDS);
                    List<Pod> pods = k8s.pods().inNamespace("default").withLabel("app", "f8").list().getItems();
                    assertEquals(2, pods.size(), pods.toString());
                    pods.forEach(p -> assertEquals("ReplicaSet", p.getMetadata().getOwnerReferences().get(0).getKind()));

                    k8s.apps().deployments().inNamespace("default").withName("f8").scale(3);
                    k8s.apps().deployments().inNamespace("default").withName("f8")
                            .waitUntilCondition(x -> x != null && x.getStatus() != null && Integer.valueOf(3).equals(x.getStatus().getReadyReplicas()),
                                    120, TimeUnit.SECONDS);
                    awaitTrue("the watch saw 3 pods added and Running", Duration.ofSeconds(60), () -> added.size() >= 3 && running.size() >= 3);

                    String pod = k8s.pods().inNamespace("default").withLabel("app", "f8").list().getItems().get(0).getMetadata().getName();
                    String log = k8s.pods().inNamespace("default").withName(pod).getLog();
                    assertNotNull(log, "a log (the simulated runtime writes none: empty)");

                    assertEquals(1, k8s.apps().deployments().inNamespace("default").withName("f8").delete().size());
                    awaitTrue("the deployment is gone", Duration.ofSeconds(60),
                            () -> k8s.apps().deployments().inNamespace("default").withName("f8").get() == null);
                    assertNull(k8s.apps().deployments().inNamespace("default").withName("f8").get());
                    KubernetesClientException notFound = org.junit.jupiter.api.Assertions.assertThrows(KubernetesClientException.class,
                            () -> k8s.apps().deployments().inNamespace("default").withName("f8").scale(1));
                    assertEquals(404, notFound.getCode(), notFound.getMessage());
                } finally {
                    watch.close();
                }
            }
        }
    }

    private static void awaitTrue(String what, Duration limit, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + limit + ": " + what);
            Thread.sleep(100);
        }
    }
}
