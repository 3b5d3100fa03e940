package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** kubectl's StatefulSetStatusViewer verdicts for {@code berth rollout status sts/NAME}, and the type names. */
class StatefulSetCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode sts(String strategy, int replicas, long generation, String status) throws Exception {
        return JSON.readTree("{\"metadata\":{\"name\":\"web\",\"generation\":" + generation + "},\"spec\":{\"replicas\":" + replicas
                + ",\"updateStrategy\":" + strategy + "},\"status\":" + status + "}");
    }

    @Test
    void shouldSayWhatKubectlSaysAtEachStageOfAStatefulSetRollout() throws Exception {
        String rolling = "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"partition\":0}}";
        assertEquals("Waiting for statefulset spec update to be observed...",
                RolloutCommand.Status.evaluateStatefulSet(sts(rolling, 3, 2, "{\"observedGeneration\":1}")).message());
        assertEquals("Waiting for 2 pods to be ready...",
                RolloutCommand.Status.evaluateStatefulSet(sts(rolling, 3, 1, "{\"observedGeneration\":1,\"readyReplicas\":1}")).message());
        RolloutCommand.Status.Verdict rolling2 = RolloutCommand.Status.evaluateStatefulSet(sts(rolling, 3, 2,
                "{\"observedGeneration\":2,\"readyReplicas\":3,\"updatedReplicas\":1,\"currentRevision\":\"web-a\",\"updateRevision\":\"web-b\"}"));
        assertEquals("waiting for statefulset rolling update to complete 1 pods at revision web-b...", rolling2.message());
        assertFalse(rolling2.done());
        RolloutCommand.Status.Verdict done = RolloutCommand.Status.evaluateStatefulSet(sts(rolling, 3, 2,
                "{\"observedGeneration\":2,\"readyReplicas\":3,\"updatedReplicas\":3,\"currentReplicas\":3,\"currentRevision\":\"web-b\",\"updateRevision\":\"web-b\"}"));
        assertEquals("statefulset rolling update complete 3 pods at revision web-b...", done.message());
        assertTrue(done.done());
        String partitioned = "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"partition\":1}}";
        assertEquals("Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...",
                RolloutCommand.Status.evaluateStatefulSet(sts(partitioned, 3, 2, "{\"observedGeneration\":2,\"readyReplicas\":3,\"updatedReplicas\":1}")).message());
        assertTrue(RolloutCommand.Status.evaluateStatefulSet(sts(partitioned, 3, 2, "{\"observedGeneration\":2,\"readyReplicas\":3,\"updatedReplicas\":2}")).done());
        assertEquals("rollout status is only available for RollingUpdate strategy type",
                RolloutCommand.Status.evaluateStatefulSet(sts("{\"type\":\"OnDelete\"}", 3, 1, "{}")).error());
    }

    @Test
    void shouldResolveStatefulSetsAndClaimsByTheirNames() {
        for (String t : new String[]{"sts", "statefulset", "statefulsets", "statefulset.apps", "statefulsets.apps"}) {
            assertSame(ResourceTypes.STATEFULSETS, ResourceTypes.resource(t), t);
        }
        for (String t : new String[]{"pvc", "persistentvolumeclaim", "persistentvolumeclaims"}) {
            assertSame(ResourceTypes.PERSISTENT_VOLUME_CLAIMS, ResourceTypes.resource(t), t);
        }
        assertEquals("statefulset.apps", ResourceTypes.singular(io.berth.schemas.avro.ResourceKind.STATEFULSET));
        assertEquals("/apis/apps/v1/namespaces/default/statefulsets", Gateway.collection("statefulsets", "default"));
        assertEquals("/api/v1/namespaces/default/persistentvolumeclaims", Gateway.collection("persistentvolumeclaims", "default"));
    }
}
