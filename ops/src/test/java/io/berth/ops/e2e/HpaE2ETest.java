package io.berth.ops.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.ops.AllInOne;
import io.berth.ops.kafka.EmbeddedKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A HorizontalPodAutoscaler on a real Berth (embedded KRaft broker, real Docker, one node daemon): a Deployment of one
 * pod that burns CPU for its first 20 s (request 100m) is scaled up by an HPA (min 1, max 3, 50 % CPU) from the node
 * daemon's container stats, then, once idle, back to 1 after its 15 s scale-down window; the HPA's event and audit
 * record name the measured utilization. Stats every 2 s and an HPA sync every 3 s keep it short.
 */
@Timeout(300)
class HpaE2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private Path kubeconfig;
    private String gatewayUrl;

    @Test
    void anHpaScalesACpuBurningDeploymentUpAndBackDown() throws Exception {
        try (OneNodeBerth berth = OneNodeBerth.start("berth-hpa", "hpa-", Map.of("stats-period-ms", "2000", "hpa-sync-period-ms", "3000"))) {
            Path dir = berth.dir;
            kubeconfig = dir.resolve("kubeconfig");
            gatewayUrl = berth.up.gatewayUrl();
            Path manifests = dir.resolve("burn.yaml");
            Files.writeString(manifests, """
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
            berthOk("apply", "-f", manifests.toString());

            int[] replicas = {0};
            Await.until("the HPA scales burn up", Duration.ofSeconds(60), () -> (replicas[0] = specReplicas()) >= 2,
                    () -> "replicas " + replicas[0] + "\n" + describe());
            int peak = replicas[0];
            String table = berthOk("get", "hpa");
            assertTrue(table.matches("(?s)NAME +REFERENCE +TARGETS +MINPODS +MAXPODS +REPLICAS +AGE *\\nburn +Deployment/burn +cpu: .+%/50% +1 +3 .*"), table);

            Await.until("the HPA scales burn back to 1 once idle", Duration.ofSeconds(90), () -> (replicas[0] = specReplicas()) == 1,
                    () -> "replicas " + replicas[0] + "\n" + describe());

            String described = describe();
            assertTrue(described.contains("New size: " + peak + "; reason: cpu resource utilization (percentage of request) above target"), described);
            assertTrue(described.contains("New size: 1; reason: All metrics below target"), described);
            String history = berthOk("history", "-o", "json");
            assertTrue(history.contains("AutoscalerRescaled"), "the decision is audited");
            assertTrue(history.matches("(?s).*New size: " + peak + ".*measured cpu: \\d+%/50%.*"), "the audit names the measured utilization");
            assertTrue(history.contains("hpa:default/burn"), "the scale intents are the HPA's");

            berthOk("delete", "hpa", "burn");
            Await.until("the HPA is gone", Duration.ofSeconds(30), () -> berth("get", "hpa", "burn")[0].equals("1"), () -> "still there");
            assertEquals(1, specReplicas(), "deleting the HPA leaves the replicas");
        }
    }

    private int specReplicas() throws IOException {
        String[] r = berth("get", "deployment", "burn", "-o", "json");
        if (!r[0].equals("0")) return -1;
        JsonNode d = JSON.readTree(r[1]);
        return d.path("spec").path("replicas").asInt(-1);
    }

    private String describe() throws IOException {
        String[] r = berth("describe", "hpa", "burn");
        return r[1] + r[2];
    }

    private String[] berth(String... args) throws IOException {
        return new InProcessBerth(gatewayUrl, kubeconfig).run(args);
    }

    private String berthOk(String... args) throws IOException {
        return new InProcessBerth(gatewayUrl, kubeconfig).ok(args);
    }
}
