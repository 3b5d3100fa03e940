package io.berth.node.it;

import io.berth.node.health.RuntimeHealth;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.Condition;
import io.berth.schemas.avro.NodeEvent;
import io.berth.schemas.avro.NodeEventType;
import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.TaskState;
import io.berth.schemas.avro.TaskStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Exhaustion provoked for real: a daemon with a Docker pool of ONE connection and a 300 ms wait
 * stops a container that ignores SIGTERM (grace 15 s), so the stop holds the only connection; the
 * relists meanwhile find none free. The heartbeats then say ContainerRuntimeUnhealthy /
 * DockerAPIExhausted (not a silent freeze), and the condition clears once the stop returned.
 */
class RuntimeConditionDockerTest extends DaemonDockerTest {
    static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aHeldPoolTurnsIntoAConditionOnTheHeartbeatsAndClears() throws Exception {
        String node = fx.nodeId("cond");
        fx.startDaemon(node, Map.of("docker-pool", "1", "docker-wait-ms", "300", "runtime-window-ms", "3000", "max-pods", "7"));
        String task = DaemonFixture.taskId("stubborn");
        Assignment base = DaemonFixture.assignment(node, task, List.of("sh", "-c", "trap '' TERM; echo up; while true; do sleep 1; done"), "Always");
        Assignment a = Assignment.newBuilder(base)
                .setTemplate(PodTemplate.newBuilder(base.getTemplate()).setTerminationGracePeriodSeconds(15).build()).build();
        try (Tail<TaskStatus> st = fx.statuses(); Tail<NodeEvent> events = fx.nodeEvents()) {
            NodeEvent reg = events.await("REGISTER", e -> e.getNodeId().equals(node) && e.getType() == NodeEventType.REGISTER, WAIT);
            assertEquals(7, reg.getRegistration().getMaxPods());
            assertEquals("False", runtime(reg).map(Condition::getStatus).orElse("absent"), "healthy at start");

            fx.assign(a);
            st.await("RUNNING", started(task), WAIT);
            fx.revoke(node, task); // stop: SIGTERM ignored, SIGKILL after 15 s; the one connection is held meanwhile

            NodeEvent sick = events.await("ContainerRuntimeUnhealthy True", e -> e.getNodeId().equals(node)
                    && runtime(e).filter(c -> c.getStatus().equals("True")).isPresent(), Duration.ofSeconds(14));
            Condition c = runtime(sick).orElseThrow();
            System.out.println("runtime condition: " + c.getReason() + ": " + c.getMessage());
            assertEquals(RuntimeHealth.EXHAUSTED, c.getReason());
            assertTrue(c.getMessage().startsWith("Docker API connection pool exhausted: a call found none of 1 connections free within 300ms"), c.getMessage());
            assertEquals(NodeEventType.HEARTBEAT, sick.getType(), "heartbeats go on: Ready stays truthful");

            st.await("REMOVED", status(task, TaskState.REMOVED), WAIT);
            events.await("ContainerRuntimeUnhealthy cleared", e -> e.getNodeId().equals(node) && e.getSequence() > sick.getSequence()
                    && runtime(e).filter(x -> x.getStatus().equals("False") && x.getReason().equals(RuntimeHealth.HEALTHY)).isPresent(), WAIT);
        }
    }

    private static Optional<Condition> runtime(NodeEvent e) {
        return e.getConditions().stream().filter(c -> c.getType().equals(RuntimeHealth.TYPE)).findFirst();
    }
}
