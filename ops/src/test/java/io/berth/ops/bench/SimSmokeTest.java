package io.berth.ops.bench;

import io.berth.ops.e2e.Await;

import io.berth.node.sim.SimCluster;
import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.scheduler.SchedulerService;
import io.berth.schemas.avro.TaskPhase;
import io.berth.schemas.avro.TaskView;
import io.berth.schemas.service.BerthConfig;
import io.berth.state.StateStreamsService;
import io.berth.testing.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.time.Duration;
import java.util.*;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The CI smoke run of {@code ops/bench sim}: the control plane (broker, state-streams, scheduler)
 * and 20 simulated node daemons in this JVM (2 Deployments × 100 replicas: 50 nodes × 1,000 replicas took
 * 4-5 minutes on the shared 2-core machine, see the README; {@code -Dsim.nodes= -Dsim.replicas=} to grow it), a Deployment's replicas placed and Running, then 10 %
 * of the nodes crash and their tasks run elsewhere. Asserts behaviour only, never timings.
 */
@Timeout(600)
class SimSmokeTest {
    static final int NODES = Integer.getInteger("sim.nodes", 20), DEPLOYMENTS = 2, REPLICAS = Integer.getInteger("sim.replicas", 100);

    @Test
    void everyReplicaRunsOnExactlyOneNodeAndFailsOverFromKilledNodes() throws Exception {
        InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        try (TestKafka kafka = TestKafka.start().withBerthTopics()) {
            java.nio.file.Path dir = Files.createTempDirectory("sim-smoke");
            // node identity on: state-streams verifies every node record, each simulated node signs as itself
            io.berth.schemas.auth.ClusterSecret.readOrCreate(dir.resolve(io.berth.schemas.auth.ClusterSecret.FILE_NAME));
            BerthConfig cfg = BerthConfig.of(kafka.bootstrapServers(), "in-memory", dir)
                    .with(io.berth.schemas.auth.ClusterSecret.CONFIG_KEY, dir.resolve(io.berth.schemas.auth.ClusterSecret.FILE_NAME).toString())
                    .with("replication-factor", "1").with("node-grace-ms", "3000").with("heartbeat-ms", "1000")
                    .with("node-cpu-millis", "64000").with("node-memory-bytes", String.valueOf(256L << 30))
                    .with("sim-start-delay", "100ms");
            StateStreamsService streams = new StateStreamsService(cfg, registry);
            SchedulerService scheduler = new SchedulerService(cfg, registry);
            streams.start();
            scheduler.start();
            try (SimScenario sim = new SimScenario(cfg, registry, true)) {
                sim.cluster().start("sim-", NODES);
                sim.apply("smoke", DEPLOYMENTS, REPLICAS);
                int total = DEPLOYMENTS * REPLICAS;
                Await.until("every replica running on a live node", Duration.ofSeconds(180),
                        () -> sim.cluster().running().size() == total && sim.runningOnLiveNodes() == total,
                        () -> "running: " + sim.cluster().running().size() + " of " + total);
                assertEachOnOneLiveNode(sim, total);

                // the victims are nodes that run tasks (the scheduler may leave a node empty on a busy machine)
                Set<String> busy = sim.cluster().running().values().stream().map(on -> on.get(0)).collect(Collectors.toSet());
                List<String> victims = sim.cluster().nodes().keySet().stream().filter(busy::contains).limit(NODES / 10).toList();
                assertEquals(NODES / 10, victims.size(), "nodes running tasks: " + busy);
                Set<String> lost = sim.cluster().running().entrySet().stream().filter(e -> victims.contains(e.getValue().get(0)))
                        .map(Map.Entry::getKey).collect(Collectors.toSet());
                assertFalse(lost.isEmpty(), "the killed nodes ran tasks");
                sim.cluster().kill(victims);

                Await.until("every replica running again after the failover", Duration.ofSeconds(240), () -> sim.cluster().running().size() == total,
                        () -> "running after failover: " + sim.cluster().running().size() + " of " + total + "; tasks view: " + summary(sim, victims));
                assertEachOnOneLiveNode(sim, total);
                // the control plane agrees: every Running task of the tasks view is on a live node, as many as desired
                Await.until("every replica Running in the tasks view", Duration.ofSeconds(180), () -> runningViews(sim).size() == total,
                        () -> "Running in the tasks view: " + runningViews(sim).size());
                for (TaskView v : runningViews(sim)) assertFalse(victims.contains(v.getNodeId()), v.getTaskId() + " on killed " + v.getNodeId());
                Map<String, Long> perWorkload = runningViews(sim).stream().collect(Collectors.groupingBy(TaskView::getWorkloadKey, Collectors.counting()));
                assertEquals(DEPLOYMENTS, perWorkload.size());
                perWorkload.values().forEach(n -> assertEquals(REPLICAS, n));
            } finally {
                scheduler.close();
                streams.close();
            }
        }
    }

    /** Tasks of the view counted by phase, reason and whether their node was killed (for a failure message). */
    private static Map<String, Long> summary(SimScenario sim, List<String> victims) {
        return sim.taskViews().values().stream().collect(Collectors.groupingBy(
                v -> v.getPhase() + "/" + v.getReason() + (victims.contains(v.getNodeId()) ? "/killed-node" : v.getNodeId().isEmpty() ? "/no-node" : ""),
                TreeMap::new, Collectors.counting()));
    }

    private static List<TaskView> runningViews(SimScenario sim) {
        return sim.taskViews().values().stream().filter(v -> v.getPhase() == TaskPhase.RUNNING).toList();
    }

    private static void assertEachOnOneLiveNode(SimScenario sim, int total) {
        Map<String, List<String>> running = sim.cluster().running();
        assertEquals(total, running.size());
        Map<String, SimCluster.Node> nodes = sim.cluster().nodes();
        running.forEach((task, on) -> {
            assertEquals(1, on.size(), task + " runs on " + on);
            assertTrue(nodes.get(on.get(0)).alive(), task + " on a killed node");
        });
    }
}
