package io.berth.state.core;

import io.berth.schemas.avro.Condition;
import io.berth.schemas.avro.NodeEvent;
import io.berth.schemas.avro.NodeEventType;
import io.berth.schemas.avro.NodeRegistration;
import io.berth.schemas.avro.NodeView;
import io.berth.schemas.avro.Resources;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.*;

/** The lease decisions of {@link NodeLiveness}: when a heartbeat writes the view, and when a lease has run out. */
class NodeLeaseTest {
    private static final long REFRESH = 10_000, GRACE = 3_000;

    /** A node registered at 1 s, its view last written at 1 s. */
    private static final NodeView REGISTERED = NodeLiveness.onEvent(null, NodeEvent.newBuilder().setNodeId("n1")
            .setType(NodeEventType.REGISTER).setRegistration(NodeRegistration.newBuilder().setName("n1")
                    .setCapacity(new Resources(1000L, 1L << 30)).setIncarnation("inc-1").build()).build(), 1_000);

    private static NodeEvent heartbeat(Condition... conditions) {
        return NodeEvent.newBuilder().setNodeId("n1").setType(NodeEventType.HEARTBEAT).setConditions(List.of(conditions)).build();
    }

    private static Condition runtime(String status, String message) {
        return new Condition("ContainerRuntimeUnhealthy", status, status.equals("True") ? "PLEGNotHealthy" : "PLEGHealthy", message, 0L);
    }

    private record WriteCase(String name, NodeView before, UnaryOperator<NodeView> change, NodeEvent event, long at, boolean written) {}

    @Test
    void shouldWriteTheViewOnlyWhenAReaderNeedsItOrItsHeartbeatTimeIsAPeriodOld() {
        NodeView unhealthy = NodeLiveness.onEvent(REGISTERED, heartbeat(runtime("True", "pleg last seen 3m0s ago")), 1_000);
        NodeView notReady = NodeLiveness.expire(REGISTERED, 1_000, 5_000, GRACE).orElseThrow();
        List<WriteCase> table = List.of(
                new WriteCase("first sight of the node", null, v -> v, heartbeat(), 1_000, true),
                new WriteCase("a heartbeat 1 s later: lease only", REGISTERED, v -> v, heartbeat(), 2_000, false),
                new WriteCase("9.999 s after the view's heartbeat: lease only", REGISTERED, v -> v, heartbeat(), 10_999, false),
                new WriteCase("10 s after the view's heartbeat: refresh", REGISTERED, v -> v, heartbeat(), 11_000, true),
                new WriteCase("back from NotReady: ready flips", notReady, v -> v, heartbeat(), 6_000, true),
                new WriteCase("a daemon condition turns True", REGISTERED, v -> v, heartbeat(runtime("True", "pleg last seen 3m0s ago")), 2_000, true),
                new WriteCase("same condition, only its message moved", unhealthy, v -> v, heartbeat(runtime("True", "pleg last seen 3m1s ago")), 2_000, false),
                new WriteCase("the condition clears", unhealthy, v -> v, heartbeat(runtime("False", "")), 2_000, true),
                new WriteCase("the condition is no longer reported", unhealthy, v -> v, heartbeat(), 2_000, true),
                new WriteCase("re-registration (new incarnation)", REGISTERED, v -> v, NodeEvent.newBuilder().setNodeId("n1")
                        .setType(NodeEventType.REGISTER).setRegistration(NodeRegistration.newBuilder().setName("n1")
                                .setCapacity(new Resources(1000L, 1L << 30)).setIncarnation("inc-2").build()).build(), 2_000, true),
                new WriteCase("leave", REGISTERED, v -> v, NodeEvent.newBuilder().setNodeId("n1").setType(NodeEventType.LEAVE).build(), 2_000, true));
        for (WriteCase c : table) {
            NodeView after = NodeLiveness.onEvent(c.before(), c.event(), c.at());
            assertEquals(c.written(), NodeLiveness.mustWrite(c.before(), c.change().apply(after), REFRESH), c.name());
        }
        // changes that come by intent are written too (the processor asks the same question)
        assertTrue(NodeLiveness.mustWrite(REGISTERED, NodeLiveness.cordon(REGISTERED, "n1", true), REFRESH), "cordon");
        assertTrue(NodeLiveness.mustWrite(REGISTERED, NodeLiveness.drain(REGISTERED, "n1"), REFRESH), "drain");
    }

    private record ExpireCase(String name, NodeView view, long lease, long now, Optional<Long> notReadyWithHeartbeat) {}

    @Test
    void shouldExpireFromTheLeaseNotFromTheViewsStaleHeartbeat() {
        NodeView old = NodeView.newBuilder(REGISTERED).setLastHeartbeat(1_000).build();
        NodeView down = NodeLiveness.expire(old, 1_000, 5_000, GRACE).orElseThrow();
        List<ExpireCase> table = List.of(
                new ExpireCase("view 8 s old, lease renewed 1 s ago: Ready", old, 8_000, 9_000, Optional.empty()),
                new ExpireCase("lease exactly the grace old: still Ready", old, 6_000, 9_000, Optional.empty()),
                new ExpireCase("lease 1 ms past the grace: NotReady, view shows the lease time", old, 5_999, 9_000, Optional.of(5_999L)),
                new ExpireCase("no lease (a view from before leases): the view's heartbeat counts", old, 0, 4_001, Optional.of(1_000L)),
                new ExpireCase("lease older than the view's heartbeat: the newer counts", NodeView.newBuilder(old).setLastHeartbeat(8_000).build(),
                        1_000, 9_000, Optional.empty()),
                new ExpireCase("already NotReady: expires once", down, 1_000, 60_000, Optional.empty()));
        for (ExpireCase c : table) {
            Optional<NodeView> out = NodeLiveness.expire(c.view(), c.lease(), c.now(), GRACE);
            assertEquals(c.notReadyWithHeartbeat(), out.map(NodeView::getLastHeartbeat), c.name());
            out.ifPresent(v -> {
                assertFalse(v.getReady(), c.name());
                assertEquals("NodeStatusUnknown", v.getConditions().get(0).getReason(), c.name());
                assertEquals("Node stopped posting status: no heartbeat for " + (c.now() - v.getLastHeartbeat()) + " ms (grace 3000 ms).",
                        v.getConditions().get(0).getMessage(), c.name());
            });
        }
    }

    private record OverdueCase(String name, long lease, long newestOther, long now, boolean overdue) {}

    @Test
    void shouldWaitTheLagGraceOnlyWhenTheWholePartitionWentQuietTogether() {
        long lag = 10_000, none = NodeLiveness.NO_OTHER_LEASE;
        List<OverdueCase> table = List.of(
                new OverdueCase("within the grace", 0, none, 3_000, false),
                new OverdueCase("alone in its partition: the grace", 0, none, 3_250, true),
                new OverdueCase("another node heard after its deadline: the grace", 0, 3_100, 3_250, true),
                new OverdueCase("the other node heard exactly at the deadline: not proof", 0, 3_000, 3_250, false),
                new OverdueCase("all quiet together (the controller lags): not yet", 0, 400, 3_250, false),
                new OverdueCase("all quiet together: still within the lag grace", 0, 400, 10_000, false),
                new OverdueCase("all quiet together: past the lag grace", 0, 400, 10_001, true),
                new OverdueCase("the other went quiet long ago (gone): nobody to compare with", 0, -20_000, 3_250, true),
                new OverdueCase("the other went quiet 9 s before: still compared", 0, -6_000, 3_250, false),
                new OverdueCase("this node is the newest: the others are older, wait", 5_000, 4_900, 8_250, false));
        for (OverdueCase c : table) {
            assertEquals(c.overdue(), NodeLiveness.overdue(c.lease(), c.newestOther(), c.now(), GRACE, lag), c.name());
        }
    }
}
