package io.berth.node.runtime;

import com.github.dockerjava.api.model.Container;
import io.berth.node.NodeSettings;
import io.berth.node.bus.Addresses;
import io.berth.node.bus.AssignmentChange;
import io.berth.node.bus.LocalCodec;
import io.berth.node.docker.DockerEventsVerticle;
import io.berth.node.docker.DockerRuntime;
import io.berth.node.docker.Labels;
import io.berth.schemas.avro.*;
import io.berth.schemas.AvroTrust;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.threadchecker.BlockedThreadEvent;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The reconciler and the Docker event listener on a Vert.x with a low event-loop budget, against
 * the real engine but without Kafka: statuses go to an in-memory sink. Any handler that blocks an
 * event loop for longer than the budget fails the test.
 */
@ExtendWith(VertxExtension.class)
class ReconcilerVerticleTest {
    private static final String IMAGE = "berth/busybox:latest";

    static {
        AvroTrust.ensure(); // generated builders fill defaults through Avro's class checks
    }

    // the test methods run on JUnit's thread (they may block); only the daemon's handlers run on event loops
    private final Vertx vertx = Vertx.vertx(new VertxOptions()
            .setMaxEventLoopExecuteTime(300).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
            .setBlockedThreadCheckInterval(50).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS));

    private final String nodeId = "v" + UUID.randomUUID().toString().substring(0, 8);
    private final Addresses addr = new Addresses(nodeId);
    private final Queue<TaskStatus> statuses = new ConcurrentLinkedQueue<>();
    private final Queue<BlockedThreadEvent> blocked = new ConcurrentLinkedQueue<>();
    /** where each blocked event loop was, so that a failure names the blocking code */
    private final Queue<String> blockedAt = new ConcurrentLinkedQueue<>();
    private DockerRuntime docker;
    /** what the reconciler runs on: the engine, with listings a test can hold */
    private HeldListings engine;

    @BeforeEach
    void deploy(VertxTestContext ctx) {
        ((VertxInternal) vertx).blockedThreadChecker().setThreadBlockedHandler(e -> {
            blocked.add(e);
            StackTraceElement[] st = e.thread().getStackTrace();
            blockedAt.add(java.util.Arrays.stream(st).limit(60).map(String::valueOf).collect(java.util.stream.Collectors.joining("\n  ")));
        });
        LocalCodec.registerAll(vertx.eventBus());
        docker = new DockerRuntime(DockerRuntime.connect("unix:///var/run/docker.sock"), nodeId);
        NodeSettings node = new NodeSettings(nodeId, nodeId, "127.0.0.1", Map.of(), 1000, 1L << 30,
                "unix:///var/run/docker.sock", 1000, 500);
        engine = new HeldListings(docker);
        vertx.deployVerticle(new ContainerReconcilerVerticle(node, engine, statuses::add, System::currentTimeMillis))
                .compose(id -> vertx.deployVerticle(new DockerEventsVerticle(docker, nodeId)))
                .onComplete(ctx.succeedingThenComplete());
    }

    @AfterEach
    void removeContainers() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        for (Container c : docker.client().listContainersCmd().withShowAll(true).withLabelFilter(Map.of(Labels.NODE, nodeId)).exec()) {
            docker.client().removeContainerCmd(c.getId()).withForce(true).exec();
        }
        docker.close();
        assertTrue(blocked.isEmpty(), "an event loop was blocked: " + blocked + "\nat:\n  " + String.join("\n--\n  ", new java.util.LinkedHashSet<>(blockedAt)));
    }

    @Test
    void shouldRunAnAssignmentThenRemoveItOnRevocation(VertxTestContext ctx) {
        String task = "web-abc123-" + UUID.randomUUID().toString().substring(0, 5);
        vertx.eventBus().send(addr.assignments(), new AssignmentChange(task, assignment(task)));
        vertx.eventBus().send(addr.assignmentsSynced(), null);
        when(vertx, s -> s.getTaskId().equals(task) && s.getState() == TaskState.READY, () -> {
            // no readiness probe: the start is one READY status (not RUNNING then READY)
            ctx.verify(() -> assertEquals(List.of(TaskState.CREATED, TaskState.READY),
                    statuses.stream().map(TaskStatus::getState).toList()));
            vertx.eventBus().send(addr.assignments(), new AssignmentChange(task, null));
            when(vertx, s -> s.getState() == TaskState.REMOVED, () -> vertx.executeBlocking(docker::list)
                    .onComplete(ctx.succeeding(left -> ctx.verify(() -> {
                        assertTrue(left.isEmpty(), "container gone: " + left);
                        assertEquals(1, statuses.stream().filter(s -> s.getState() == TaskState.REMOVED).count());
                        ctx.completeNow();
                    }))));
        });
    }

    /**
     * Scaled down while it waited for its turn: revoked before the daemon created anything for it. It must still
     * be reported REMOVED (once), or the control plane keeps its pod Terminating for ever (kubectl drain hung on one).
     * The reconciler acts on nothing before "synced" (sent here after the revoke, as a restarted daemon reads both
     * before the end of its log); the test also holds the listings until the revoke was reported, so that the
     * check holds whatever order a pass and the messages take (before the synced gate on creation, a listing that
     * ended between the assignment and the revoke, e.g. on a loaded machine, created the container: CREATED, REMOVED).
     */
    @Test
    void shouldReportATaskRevokedBeforeItsContainerWasCreated(VertxTestContext ctx) {
        String task = "early-abc123-" + UUID.randomUUID().toString().substring(0, 5);
        engine.hold();
        // a listing waits at the gate: every earlier one has been planned, no later one can start before it ends
        whenTrue(vertx, engine::waiting, () -> {
            vertx.eventBus().send(addr.assignments(), new AssignmentChange(task, assignment(task)));
            vertx.eventBus().send(addr.assignments(), new AssignmentChange(task, null));
            vertx.eventBus().send(addr.assignmentsSynced(), null);
            when(vertx, s -> s.getTaskId().equals(task) && s.getState() == TaskState.REMOVED, () -> {
                int listed = engine.listings();
                engine.release();
                // two more listings started: the held one and the next have been planned, without the task
                whenTrue(vertx, () -> engine.listings() >= listed + 2, () -> vertx.executeBlocking(docker::list)
                        .onComplete(ctx.succeeding(left -> ctx.verify(() -> {
                            List<TaskStatus> mine = statuses.stream().filter(s -> s.getTaskId().equals(task)).toList();
                            assertEquals(1, mine.size(), "one status, REMOVED: " + mine);
                            assertEquals("Revoked", mine.get(0).getReason());
                            assertEquals("default/deployment/web", mine.get(0).getWorkloadKey());
                            assertEquals(nodeId, mine.get(0).getNodeId());
                            assertTrue(left.values().stream().noneMatch(o -> o.taskId().equals(task)), "no container: " + left);
                            ctx.completeNow();
                        }))));
            });
        });
    }

    @Test
    void shouldReportTheKillAndTheRestartOfAContainer(VertxTestContext ctx) {
        String task = "kill-abc123-" + UUID.randomUUID().toString().substring(0, 5);
        vertx.eventBus().send(addr.assignments(), new AssignmentChange(task, assignment(task)));
        vertx.eventBus().send(addr.assignmentsSynced(), null);
        when(vertx, s -> s.getState() == TaskState.READY, () -> {
            String id = statuses.stream().filter(s -> s.getState() == TaskState.READY).findFirst().orElseThrow().getContainerId();
            vertx.executeBlocking(() -> docker.client().killContainerCmd(id).exec()).onFailure(ctx::failNow);
            when(vertx, s -> s.getState() == TaskState.READY && s.getRestartCount() == 1, () -> ctx.verify(() -> {
                TaskStatus exited = statuses.stream().filter(s -> s.getState() == TaskState.EXITED).findFirst().orElseThrow();
                assertEquals(137, exited.getExitCode());
                ctx.completeNow();
            }));
        });
    }

    @Test
    void shouldRunEveryKindOfProbeWithoutBlockingAnEventLoop(VertxTestContext ctx) {
        String task = "probe-abc123-" + UUID.randomUUID().toString().substring(0, 5);
        java.util.function.Supplier<Probe.Builder> every = () -> Probe.newBuilder().setPeriodSeconds(1).setTimeoutSeconds(1).setFailureThreshold(1);
        ContainerSpec c = ContainerSpec.newBuilder().setName("main").setImage(IMAGE)
                .setCommand(List.of("sh", "-c", "mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www"))
                .setPorts(List.of(ContainerPort.newBuilder().setContainerPort(8080).build()))
                .setStartupProbe(every.get().setType(ProbeType.TCP_SOCKET).setPort(8080).setFailureThreshold(10).build())
                .setLivenessProbe(every.get().setType(ProbeType.EXEC).setCommand(List.of("cat", "/www/index.html")).build())
                .setReadinessProbe(every.get().setType(ProbeType.HTTP_GET).setPath("/index.html").setPort(8080).build())
                .build();
        Assignment a = assignment(task);
        a.getTemplate().setContainers(List.of(c));
        vertx.eventBus().send(addr.assignments(), new AssignmentChange(task, a));
        vertx.eventBus().send(addr.assignmentsSynced(), null);
        when(vertx, s -> s.getState() == TaskState.READY, () -> {
            TaskStatus ready = statuses.stream().filter(s -> s.getState() == TaskState.READY).findFirst().orElseThrow();
            ctx.verify(() -> {
                assertTrue(ready.getContainers().get(0).getReady());
                assertTrue(ready.getContainers().get(0).getStarted());
                assertFalse(ready.getPodIP().isEmpty());
                assertEquals(8080, ready.getPublishedPorts().get(0).getContainerPort());
            });
            // a few more liveness and readiness rounds, all passing: no kill, no unready
            vertx.setTimer(2500, t -> ctx.verify(() -> {
                assertEquals(List.of(TaskState.CREATED, TaskState.RUNNING, TaskState.READY),
                        statuses.stream().map(TaskStatus::getState).toList());
                ctx.completeNow();
            }));
        });
    }

    /** Polls the sink on a Vert.x timer (never sleeping) and runs {@code then} once a status matches. */
    private void when(Vertx vertx, Predicate<TaskStatus> match, Runnable then) {
        whenTrue(vertx, () -> statuses.stream().anyMatch(match), then);
    }

    /** Polls {@code condition} on a Vert.x timer (never sleeping; the test context's timeout is the deadline) and runs {@code then} once it holds. */
    private static void whenTrue(Vertx vertx, java.util.function.BooleanSupplier condition, Runnable then) {
        vertx.setPeriodic(20, id -> {
            if (condition.getAsBoolean()) {
                vertx.cancelTimer(id);
                then.run();
            }
        });
    }

    private Assignment assignment(String task) {
        ContainerSpec c = ContainerSpec.newBuilder().setName("main").setImage(IMAGE)
                .setCommand(List.of("sleep", "3600")).build();
        PodTemplate t = PodTemplate.newBuilder().setContainers(List.of(c)).setTerminationGracePeriodSeconds(1).build();
        Resources none = Resources.newBuilder().build();
        return Assignment.newBuilder().setTaskId(task).setNodeId(nodeId).setWorkloadKey("default/deployment/web")
                .setTemplate(t).setRequests(none).build();
    }

    /**
     * The engine as the reconciler sees it, every call passed on, except that listings can be held: a listing
     * started while held waits on its worker thread (never an event loop) until released, at most 30 s.
     */
    private static final class HeldListings implements ContainerRuntime {
        private final ContainerRuntime engine;
        private volatile java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(0);
        private final java.util.concurrent.atomic.AtomicInteger started = new java.util.concurrent.atomic.AtomicInteger();
        private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();

        HeldListings(ContainerRuntime engine) {
            this.engine = engine;
        }

        /** Listings started from now on wait until {@link #release()}. */
        void hold() {
            gate = new java.util.concurrent.CountDownLatch(1);
        }

        void release() {
            gate.countDown();
        }

        /** A listing is waiting at the gate. */
        boolean waiting() {
            return waiting.get() > 0;
        }

        /** Listings started so far. */
        int listings() {
            return started.get();
        }

        @Override
        public Map<String, io.berth.node.reconcile.Observed> list() {
            started.incrementAndGet();
            java.util.concurrent.CountDownLatch g = gate;
            if (g.getCount() > 0) {
                waiting.incrementAndGet();
                try {
                    g.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    waiting.decrementAndGet();
                }
            }
            return engine.list();
        }

        @Override public io.berth.node.docker.ContainerRequest.Infra infra() { return engine.infra(); }
        @Override public boolean imageExists(String image) { return engine.imageExists(image); }
        @Override public String create(Assignment a, io.berth.node.docker.PodUnit u, String infraId) { return engine.create(a, u, infraId); }
        @Override public void start(String containerId) { engine.start(containerId); }
        @Override public void stop(String containerId, int graceSeconds) { engine.stop(containerId, graceSeconds); }
        @Override public void stopAndRemove(String containerId, int graceSeconds) { engine.stopAndRemove(containerId, graceSeconds); }
        @Override public void killAndRemove(String containerId) { engine.killAndRemove(containerId); }
        @Override public io.berth.node.reconcile.PodNetwork network(String containerId) { return engine.network(containerId); }
        @Override public ExecResult exec(String containerId, List<String> command, long timeoutMs) throws InterruptedException { return engine.exec(containerId, command, timeoutMs); }
        @Override public void deletePodDir(String taskId) throws java.io.IOException { engine.deletePodDir(taskId); }
        @Override public io.vertx.core.Deployable eventSource(String nodeId) { return engine.eventSource(nodeId); }
        @Override public String workerPool(String nodeId) { return engine.workerPool(nodeId); }
        @Override public void writeConfigFiles(String taskId, Map<String, Map<String, byte[]>> files) throws java.io.IOException { engine.writeConfigFiles(taskId, files); }
        @Override public void close() {} // the test closes the engine
    }
}
