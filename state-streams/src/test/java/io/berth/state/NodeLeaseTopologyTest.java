package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.Condition;
import io.berth.schemas.avro.NodeEvent;
import io.berth.schemas.avro.NodeView;
import io.berth.schemas.avro.TickNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.berth.state.Fixtures.heartbeat;
import static io.berth.state.Fixtures.register;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Node leases through the topology: heartbeats renew a lease and rewrite the NodeView only on a
 * change a reader needs or once per refresh period ({@code node-status-refresh-ms}, 10 s by
 * default); expiry reads the lease.
 */
class NodeLeaseTopologyTest extends HarnessTest {
    private static final long REFRESH = StateStreamsTopology.DEFAULT_NODE_STATUS_REFRESH_MS;

    private List<NodeView> views(String nodeId) {
        return h.all(Topics.NODES).stream().filter(kv -> kv.key.equals(nodeId)).map(kv -> kv.value).toList();
    }

    private NodeView view(String nodeId) {
        return h.live(Topics.NODES).get(nodeId);
    }

    /** One second of ticks (every 250 ms), then a heartbeat of each node given. */
    private void second(NodeEvent... beats) {
        for (int i = 0; i < 4; i++) h.advanceMs(250);
        for (NodeEvent b : beats) h.node(b);
    }

    /**
     * A node that stops being schedulable is ticked at once (the ticker watches the nodes every
     * {@link Ticker#WATCH}), so the workload controllers replace its pods without waiting up to a
     * whole tick for the next node list; a node that comes back waits for the regular tick.
     */
    @Test
    void shouldTickTheNodeListAtOnceWhenANodeTurnsNotReady() {
        h.node(register("n1"));
        h.node(register("n2"));
        second(heartbeat("n1"), heartbeat("n2"));
        long lastBeat = h.now().toEpochMilli();
        org.apache.kafka.streams.TestOutputTopic<String, io.berth.schemas.avro.Tick> ticks = h.driver.createOutputTopic(Topics.TICKS.name(),
                new org.apache.kafka.common.serialization.StringDeserializer(), h.serdes.value(io.berth.schemas.avro.Tick.class).deserializer());
        ticks.readValuesToList();
        Long notReadyAt = null;
        Long tickedAt = null;
        for (int step = 0; step < 400 && tickedAt == null; step++) {  // 10 s in 25 ms steps; n2 keeps beating
            h.advanceMs(25);
            if (step % 20 == 0) h.node(heartbeat("n2"));
            NodeView v = view("n1");
            if (notReadyAt == null && v != null && !v.getReady()) notReadyAt = h.now().toEpochMilli();
            boolean listed = ticks.readValuesToList().stream().filter(t -> t.getNodes() != null)
                    .anyMatch(t -> t.getNodes().stream().anyMatch(n -> n.getId().equals("n1") && !n.getReady()));
            if (listed) tickedAt = h.now().toEpochMilli();
        }
        assertNotNull(notReadyAt, "n1 turned NotReady");
        assertTrue(notReadyAt - lastBeat >= Harness.GRACE_MS, "not before the grace");
        assertNotNull(tickedAt, "a tick listed n1 NotReady");
        assertTrue(tickedAt - notReadyAt <= 2 * Ticker.WATCH.toMillis(),
                "listed " + (tickedAt - notReadyAt) + " ms after it turned NotReady, not at the next regular tick (250 ms)");
        assertTrue(view("n2").getReady());
    }

    @Test
    void shouldAskForATickOnlyWhenANodeStopsBeingSchedulable() {
        TickNode ready = TickNode.newBuilder().setId("a").setReady(true).setDraining(false).setAddress("").setLabels(java.util.Map.of())
                .setCpuMillis(0).setMemoryBytes(0).setCordoned(false).setMaxPods(110).setAssignments(List.of()).build();
        TickNode notReady = TickNode.newBuilder(ready).setReady(false).build();
        TickNode draining = TickNode.newBuilder(ready).setDraining(true).build();
        TickNode other = TickNode.newBuilder(ready).setId("b").build();
        assertTrue(Ticker.lostSchedulable(ready, notReady), "NotReady");
        assertTrue(Ticker.lostSchedulable(ready, draining), "draining");
        assertTrue(Ticker.lostSchedulable(ready, null), "gone");
        assertFalse(Ticker.lostSchedulable(notReady, ready), "back: waits for the tick");
        assertFalse(Ticker.lostSchedulable(null, other), "joined: waits for the tick");
        assertFalse(Ticker.lostSchedulable(notReady, notReady), "already lost");
        assertFalse(Ticker.lostSchedulable(draining, null), "already unschedulable when it went");
        assertFalse(Ticker.lostSchedulable(ready, TickNode.newBuilder(ready).setCordoned(true).build()),
                "cordoned: running pods stay; no hurry");
    }

    @Test
    void shouldWriteAHealthyNodesViewOnlyOnRegistrationAndEveryRefreshPeriod() {
        h.node(register("n1"));
        for (int i = 1; i <= 100; i++) {
            second(heartbeat("n1"));
            long sinceViewBeat = h.now().toEpochMilli() - view("n1").getLastHeartbeat();
            assertTrue(sinceViewBeat < REFRESH, "the view's heartbeat is never a refresh period old: " + sinceViewBeat + " ms after " + i + " s");
            assertTrue(view("n1").getReady(), "Ready throughout, at " + i + " s");
        }
        // 101 node events: the registration and one refresh per 10 s (it was 101 writes before leases)
        assertEquals(1 + 100 / (REFRESH / 1000), views("n1").size());
        assertTrue(h.all(Topics.AUDIT).stream().noneMatch(a -> a.value.getChange().equals("NodeUpdated")), "refreshes are not audited");
    }

    @Test
    void shouldTurnASilentNodeNotReadyAfterTheGraceCountedFromItsLease() {
        h.node(register("n1"));
        long registeredAt = h.now().toEpochMilli();
        for (int i = 0; i < 8; i++) second(heartbeat("n1"));
        long lastBeat = h.now().toEpochMilli();
        assertEquals(registeredAt, view("n1").getLastHeartbeat(), "8 s of heartbeats renewed the lease only");
        assertEquals(1, views("n1").size());

        // silent from here: Ready up to the grace after the last heartbeat (the view's 8 s old heartbeat does not count)
        while (h.now().toEpochMilli() - lastBeat < Harness.GRACE_MS) {
            h.advanceMs(250);
            assertTrue(view("n1").getReady(), "still within the lease at +" + (h.now().toEpochMilli() - lastBeat) + " ms");
        }
        h.advanceMs(250);
        NodeView down = view("n1");
        assertFalse(down.getReady(), "NotReady one tick after the lease ran out");
        assertEquals("NodeStatusUnknown", down.getConditions().get(0).getReason());
        assertEquals(lastBeat, down.getLastHeartbeat(), "the NotReady view shows the lease's time");
        assertEquals("Node stopped posting status: no heartbeat for 3250 ms (grace 3000 ms).", down.getConditions().get(0).getMessage());
        assertTrue(h.all(Topics.EVENTS).stream().anyMatch(e -> e.value.getReason().equals("NodeNotReady")));

        second(heartbeat("n1"));
        assertTrue(view("n1").getReady(), "a heartbeat brings it back at once");
    }

    /**
     * The misreading that once declared 206 of 270 live nodes dead: a tick on berth.ticks read before
     * heartbeats that were on the broker before it (Kafka Streams picks the next record among the
     * partitions it has buffered). Expiry waits for the CLOCK record in the heartbeat partition
     * itself, which can only be read after them.
     */
    @Test
    void shouldNotExpireOnATickReadBeforeHeartbeatsThatPrecedeItOnTheBroker() {
        h.node(register("n1"));
        h.node(register("n2"));
        for (int i = 0; i < 3; i++) second(heartbeat("n1"), heartbeat("n2"));
        long t = h.now().toEpochMilli() - Harness.T0.toEpochMilli();  // 3 s: leases at 3 s, the clock past its first grace

        // 4 s of ticks read first (each later ones 1 s past both leases: before, the tick at +3.25 s expired both) …
        for (long at = t + 250; at <= t + 4000; at += 250) h.tickAt(at);
        assertTrue(view("n1").getReady() && view("n2").getReady(), "ticks alone expire nothing");
        // … then the heartbeat partition as it is on the broker: heartbeats every second, a CLOCK record every 250 ms
        for (long at = t + 250; at <= t + 4000; at += 250) {
            if ((at - t) % 1000 == 0) {
                h.nodeAt(heartbeat("n1"), at);
                h.nodeAt(heartbeat("n2"), at);
            }
            h.clockAt(at);
        }
        assertTrue(view("n1").getReady() && view("n2").getReady(), "no heartbeat was ever missed in the partition's own order");
        assertTrue(h.all(Topics.EVENTS).stream().noneMatch(e -> e.value.getReason().equals("NodeNotReady")));

        for (long at = t + 4250; at <= t + 8000; at += 250) {  // n2 silent from t + 4 s
            h.tickAt(at);
            if ((at - t) % 1000 == 0) h.nodeAt(heartbeat("n1"), at);
            h.clockAt(at);
        }
        assertTrue(view("n1").getReady());
        assertFalse(view("n2").getReady(), "silent past the grace in the heartbeat partition's own order: NotReady");
    }

    /** A CLOCK record counts no further than the ticks read from berth.ticks: one stamped ahead of them (anyone may write heartbeats) expires nothing early. */
    @Test
    void shouldNotLetAClockRecordRunAheadOfTheTicks() {
        h.node(register("n1"));
        h.node(register("n2"));
        for (int i = 0; i < 3; i++) second(heartbeat("n1"), heartbeat("n2"));
        long t = h.now().toEpochMilli() - Harness.T0.toEpochMilli();
        h.clockAt(t + 60_000);
        assertTrue(view("n1").getReady() && view("n2").getReady(), "no tick read past the leases' grace yet");
    }

    @Test
    void shouldNotDeclareAWholePartitionDeadAtOnceBeforeTheLagGrace() throws Exception {
        h.close();
        h = new Harness(new StateStreamsTopology.Settings(Harness.GRACE_MS, java.time.Duration.ofMillis(250))
                .withNodeLagGraceMs(StateStreamsTopology.SUGGESTED_NODE_LAG_GRACE_MS));
        h.node(register("n1"));
        h.node(register("n2"));
        for (int i = 0; i < 5; i++) second(heartbeat("n1"), heartbeat("n2"));
        long lastBeat = h.now().toEpochMilli();
        // every node of the partition goes quiet at once: to the controller that looks like its own lag
        while (h.now().toEpochMilli() - lastBeat < StateStreamsTopology.SUGGESTED_NODE_LAG_GRACE_MS) {
            h.advanceMs(250);
            assertTrue(view("n1").getReady() && view("n2").getReady(),
                    "both Ready within the lag grace, at +" + (h.now().toEpochMilli() - lastBeat) + " ms");
        }
        h.advanceMs(250);
        assertFalse(view("n1").getReady(), "NotReady past the lag grace (they did all die)");
        assertFalse(view("n2").getReady());
        assertEquals("Node stopped posting status: no heartbeat for 10250 ms (grace 3000 ms).", view("n1").getConditions().get(0).getMessage());
    }

    @Test
    void shouldDeclareASilentNodeDeadAfterTheGraceWhileTheOthersOfItsPartitionHeartbeat() throws Exception {
        h.close();
        h = new Harness(new StateStreamsTopology.Settings(Harness.GRACE_MS, java.time.Duration.ofMillis(250))
                .withNodeLagGraceMs(StateStreamsTopology.SUGGESTED_NODE_LAG_GRACE_MS));
        h.node(register("n1"));
        h.node(register("n2"));
        second(heartbeat("n1"), heartbeat("n2"));
        long lastBeat = h.now().toEpochMilli();
        for (int i = 0; i < 3; i++) second(heartbeat("n2"));
        h.advanceMs(250);
        assertTrue(view("n1").getReady(), "past n1's grace, but nobody was heard after its deadline yet (n2's last beat is exactly at it)");
        for (int i = 0; i < 3; i++) h.advanceMs(250);
        h.node(heartbeat("n2")); // n2 heard 4 s after n1's last heartbeat
        h.advanceMs(250);
        assertFalse(view("n1").getReady(), "n2 was heard after n1's deadline: n1 is silent");
        assertTrue(view("n2").getReady());
        assertTrue(view("n1").getLastHeartbeat() == lastBeat);
    }

    @Test
    void shouldWriteADaemonConditionChangeAtOnceButNotAMessageThatOnlyMovesWithTime() {
        h.node(register("n1"));
        second(heartbeat("n1"));
        assertEquals(1, views("n1").size());

        second(withRuntime("True", "pleg was last seen active 3m0s ago"));
        assertEquals(2, views("n1").size(), "the condition turning True is written with that heartbeat");
        assertEquals("True", condition(view("n1")).getStatus());
        assertTrue(h.all(Topics.EVENTS).stream().anyMatch(e -> e.value.getReason().equals("ContainerRuntimeUnhealthy")));

        second(withRuntime("True", "pleg was last seen active 3m1s ago"));
        assertEquals(2, views("n1").size(), "a message that only moved waits for the refresh");

        second(withRuntime("False", ""));
        assertEquals(3, views("n1").size(), "clearing it is written at once");
        assertEquals("False", condition(view("n1")).getStatus());
    }

    @Test
    void shouldRefreshAtTheConfiguredPeriod() throws Exception {
        h.close();
        h = new Harness(new StateStreamsTopology.Settings(Harness.GRACE_MS, java.time.Duration.ofMillis(250)).withNodeStatusRefreshMs(2_000));
        h.node(register("n1"));
        for (int i = 0; i < 10; i++) second(heartbeat("n1"));
        assertEquals(1 + 10 / 2, views("n1").size());
    }

    private static NodeEvent withRuntime(String status, String message) {
        Condition c = new Condition("ContainerRuntimeUnhealthy", status, status.equals("True") ? "PLEGNotHealthy" : "PLEGHealthy", message, 0L);
        return NodeEvent.newBuilder(heartbeat("n1")).setConditions(List.of(c)).build();
    }

    private static Condition condition(NodeView v) {
        return v.getConditions().stream().filter(c -> c.getType().equals("ContainerRuntimeUnhealthy")).findFirst().orElseThrow();
    }

    /** Fencing: a node that registered a lease longer than grace − margin keeps its tasks until its lease plus the margin ran out. */
    @Test
    void shouldWaitForANodesOwnLeasePlusTheKillMarginBeforeDeclaringItNotReady() {
        h.node(NodeEvent.newBuilder(register("n1")).setRegistration(io.berth.schemas.avro.NodeRegistration.newBuilder(register("n1").getRegistration())
                .setLeaseMs(5000).build()).build());
        long lastBeat = h.now().toEpochMilli();
        assertEquals(5000, view("n1").getLeaseMs(), "the view keeps the lease the node registered");
        while (h.now().toEpochMilli() - lastBeat < 6000) {
            h.advanceMs(250);
            assertTrue(view("n1").getReady(), "its lease (5 s) + the kill margin (1 s) have not run out at +" + (h.now().toEpochMilli() - lastBeat) + " ms");
        }
        h.advanceMs(250);
        assertFalse(view("n1").getReady(), "NotReady once they have");
        assertTrue(view("n1").getConditions().get(0).getMessage().endsWith("(grace 6000 ms)."), view("n1").getConditions().get(0).getMessage());
    }
}
