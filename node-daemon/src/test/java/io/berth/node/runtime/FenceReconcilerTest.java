package io.berth.node.runtime;

import io.berth.node.NodeSettings;
import io.berth.node.bus.Addresses;
import io.berth.node.bus.AssignmentChange;
import io.berth.node.bus.LocalCodec;
import io.berth.node.reconcile.Fence;
import io.berth.node.sim.SimRuntime;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.Resources;
import io.berth.schemas.avro.TaskState;
import io.berth.schemas.avro.TaskStatus;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The reconciler's fence on the simulated engine (no Docker, no Kafka): on the heartbeat's fence message every
 * container of the node is killed and removed and the tasks are reported FAILED NodeLeaseExpired; once the lease
 * is regained nothing of those tasks is started again while their assignment is still live, a new assignment
 * runs, and a barred task's revocation is reported REMOVED.
 */
class FenceReconcilerTest {
    static {
        io.berth.schemas.AvroTrust.ensure();
    }

    private static Assignment assignment(String taskId) {
        ContainerSpec c = ContainerSpec.newBuilder().setName("main").setImage("sim/app:1").build();
        return Assignment.newBuilder().setTaskId(taskId).setNodeId("fn1").setWorkloadKey("default/deployment/app")
                .setNamespace("default").setPodName("app-" + taskId)
                .setTemplate(PodTemplate.newBuilder().setContainers(List.of(c)).build())
                .setRequests(new Resources(10L, 1L << 20)).setAssignedAt(0).setRequestId("r").build();
    }

    @Test
    @Timeout(120)
    void aFenceKillsEverythingAndTheFencedTasksNeverComeBack() throws Exception {
        ScheduledExecutorService timers = SimRuntime.sharedTimers();
        SimRuntime rt = new SimRuntime("fn1", 20, timers);
        Vertx vertx = Vertx.vertx();
        ConcurrentLinkedQueue<TaskStatus> reported = new ConcurrentLinkedQueue<>();
        try {
            LocalCodec.registerAll(vertx.eventBus());
            NodeSettings node = new NodeSettings("fn1", "fn1", "127.0.0.1", Map.of(), 1000, 1L << 30, "unused", 1000, 200);
            await(vertx.deployVerticle(new ContainerReconcilerVerticle(node, rt, reported::add, System::currentTimeMillis)));
            await(vertx.deployVerticle(rt.eventSource("fn1")));
            Addresses addr = new Addresses("fn1");
            vertx.eventBus().send(addr.assignmentsSynced(), null);
            vertx.eventBus().send(addr.assignments(), new AssignmentChange("t1", assignment("t1")));
            vertx.eventBus().send(addr.assignments(), new AssignmentChange("t2", assignment("t2")));
            until("both running", () -> running(rt) == 2);

            vertx.eventBus().send(addr.fence(), 2150L);
            until("every container killed and removed", () -> rt.list().isEmpty());
            until("both reported FAILED NodeLeaseExpired", () -> reported.stream()
                    .filter(s -> s.getState() == TaskState.FAILED && Fence.KILLED_REASON.equals(s.getReason())).count() == 2);

            vertx.eventBus().send(addr.assignments(), new AssignmentChange("t3", assignment("t3")));
            Thread.sleep(1500); // a few passes of the 200 ms reconcile tick while fenced: nothing may start
            assertTrue(rt.list().isEmpty(), "nothing starts while fenced: " + rt.list().keySet());

            vertx.eventBus().send(addr.leaseRegained(), null);
            until("the new assignment runs once the lease is regained", () -> running(rt) == 1);
            Thread.sleep(1500);
            assertEquals(List.of("t3"), List.copyOf(rt.list().keySet()), "the fenced tasks stay down although still assigned");

            vertx.eventBus().send(addr.assignments(), new AssignmentChange("t1", null));
            until("the revoked barred task is reported REMOVED", () -> reported.stream()
                    .anyMatch(s -> s.getTaskId().equals("t1") && s.getState() == TaskState.REMOVED));
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            rt.close();
            timers.shutdownNow();
        }
    }

    private static long running(SimRuntime rt) {
        return rt.list().values().stream().filter(o -> o.state() == io.berth.node.reconcile.Observed.State.RUNNING).count();
    }

    private static <T> T await(io.vertx.core.Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    private static void until(String what, BooleanSupplier ok) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!ok.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) fail(what + ": not within 60 s");
            Thread.sleep(20);
        }
    }
}
