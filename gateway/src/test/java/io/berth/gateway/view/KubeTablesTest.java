package io.berth.gateway.view;

import io.berth.schemas.avro.NodeView;
import io.berth.schemas.avro.TaskPhase;
import io.berth.schemas.avro.TaskView;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.berth.gateway.view.ViewFixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

class KubeTablesTest {
    private final Map<String, NodeView> nodes = Map.of("node-1", node("node-1", true, false));
    private final List<TaskView> pods = List.of(
            task("web-7d4b9c-abcde", TaskPhase.RUNNING, true, "node-1"),
            TaskView.newBuilder(task("web-7d4b9c-fghij", TaskPhase.RUNNING, false, "node-1")).setReason("CrashLoopBackOff").setRestartCount(4).build(),
            task("web-7d4b9c-klmno", TaskPhase.PENDING, false, ""));

    @Test
    void shouldPrintPodsAsKubectlDoes() {
        assertEquals("""
                NAME               READY   STATUS             RESTARTS   AGE
                web-7d4b9c-abcde   1/1     Running            0          3m20s
                web-7d4b9c-fghij   0/1     CrashLoopBackOff   4          3m20s
                web-7d4b9c-klmno   0/1     Pending            0          3m20s
                """, KubeTables.pods(pods, nodes, false, false, NOW));
    }

    @Test
    void shouldAddIpAndNodeColumnsWhenWide() {
        assertEquals("""
                NAMESPACE   NAME               READY   STATUS    RESTARTS   AGE     IP         NODE
                default     web-7d4b9c-abcde   1/1     Running   0          3m20s   10.0.0.1   node-1
                default     web-7d4b9c-klmno   0/1     Pending   0          3m20s   <none>     <none>
                """, KubeTables.pods(List.of(pods.get(0), pods.get(2)), nodes, true, true, NOW));
    }

    @Test
    void shouldPrintDeploymentsAsKubectlDoes() {
        assertEquals("""
                NAME   READY   UP-TO-DATE   AVAILABLE   AGE
                web    2/3     3            2           3m20s
                """, KubeTables.deployments(List.of(deployment()), false, false, NOW));
        assertEquals("""
                NAME   READY   UP-TO-DATE   AVAILABLE   AGE     CONTAINERS   IMAGES                 SELECTOR
                web    2/3     3            2           3m20s   web          berth/busybox:latest   app=web
                """, KubeTables.deployments(List.of(deployment()), true, false, NOW));
    }

    @Test
    void shouldPrintNodesAsKubectlDoes() {
        assertEquals("""
                NAME     STATUS                        ROLES    AGE   VERSION
                node-1   Ready                         <none>   24h   v0.1.0-berth
                node-2   NotReady,SchedulingDisabled   <none>   24h   v0.1.0-berth
                """, KubeTables.nodes(List.of(node("node-1", true, false), node("node-2", false, true)), false, NOW));
    }

    @Test
    void shouldPadColumnsToTheWidestCellPlusThree() {
        assertEquals("A      BB\nlong   x\n", KubeTables.table(List.of("A", "BB"), List.of(List.of("long", "x"))));
        assertEquals("A     B\n", KubeTables.table(List.of("A", "B"), List.of()));
    }

    @ParameterizedTest
    @CsvSource({"0, 0s", "59, 59s", "119, 119s", "120, 2m", "200, 3m20s", "600, 10m", "10799, 179m", "10800, 3h",
            "18000, 5h", "18180, 5h3m", "28800, 8h", "172800, 2d", "187200, 2d4h", "691200, 8d", "2592000, 30d",
            "63072000, 2y", "63936000, 2y10d", "315360000, 10y"})
    void shouldFormatAgesLikeKubectl(long seconds, String age) {
        assertEquals(age, KubeTables.age(1_000_000L, 1_000_000L + seconds * 1000));
    }
}
