package io.berth.node.sim;

import io.berth.node.bus.ContainerEvent;
import io.berth.node.docker.PodUnit;
import io.berth.node.reconcile.Observed;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.Resources;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class SimRuntimeTest {
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final LinkedBlockingQueue<ContainerEvent> events = new LinkedBlockingQueue<>();

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    private static Assignment assignment(String taskId, List<String> args) {
        ContainerSpec c = ContainerSpec.newBuilder().setName("main").setImage("sim/app:1").setArgs(args).build();
        return Assignment.newBuilder().setTaskId(taskId).setNodeId("n1").setWorkloadKey("default/deployment/app")
                .setNamespace("default").setPodName("app-" + taskId)
                .setTemplate(PodTemplate.newBuilder().setContainers(List.of(c)).build())
                .setRequests(new Resources(10L, 1L << 20)).setAssignedAt(0).setRequestId("r").build();
    }

    private String create(SimRuntime rt, Assignment a) {
        PodUnit u = PodUnit.of(a).stream().filter(x -> x.key().equals(a.getTaskId())).findFirst().orElseThrow();
        return rt.create(a, u, null);
    }

    private ContainerEvent next() throws InterruptedException {
        ContainerEvent e = events.poll(5, TimeUnit.SECONDS);
        assertNotNull(e, "no event within 5 s");
        return e;
    }

    @Test
    void aStartedContainerRunsAfterTheDelayWithAFakeIpAndExecSucceeds() throws Exception {
        SimRuntime rt = new SimRuntime("n1", 50, timers);
        rt.listen(events::add);
        String id = create(rt, assignment("t1", List.of()));
        assertEquals(id, create(rt, assignment("t1", List.of())), "a second create adopts the first container");
        assertEquals(Observed.State.CREATED, rt.list().get("t1").state());
        rt.start(id);
        assertEquals(Observed.State.BUSY, rt.list().get("t1").state(), "starting: not running before the delay");
        ContainerEvent started = next();
        assertEquals(ContainerEvent.Action.START, started.action());
        assertEquals("t1", started.taskId());
        assertTrue(started.network().ip().startsWith("10."), started.network().ip());
        assertEquals(Observed.State.RUNNING, rt.list().get("t1").state());
        assertEquals(List.of("t1"), rt.running());
        assertEquals(0, rt.exec(id, List.of("true"), 1000).exitCode());

        rt.stopAndRemove(id, 1);
        assertEquals(ContainerEvent.Action.DIE, next().action());
        assertEquals(ContainerEvent.Action.DESTROY, next().action());
        assertEquals(Map.of(), rt.list());
    }

    /** The synthetic usage: the setting's CPU and memory per running app container, an env override, a steady rate. */
    @Test
    void reportsSyntheticUsageOfRunningContainers() throws Exception {
        SimRuntime rt = new SimRuntime("n1", 0, timers).withUsage(100, 16L << 20);
        io.berth.node.stats.StatsSource stats = rt.stats();
        rt.start(create(rt, assignment("t1", List.of())));
        Assignment heavy = Assignment.newBuilder(assignment("t2", List.of())).setTemplate(PodTemplate.newBuilder().setContainers(List.of(
                ContainerSpec.newBuilder().setName("main").setImage("sim/app:1").setEnv(List.of(
                        new io.berth.schemas.avro.EnvVar("SIM_CPU_MILLIS", "750", null), new io.berth.schemas.avro.EnvVar("SIM_MEMORY_BYTES", "1048576", null)))
                        .build())).build()).build();
        rt.start(create(rt, heavy));
        create(rt, assignment("t3", List.of())); // created, never started: not reported
        io.berth.node.stats.StatsSource.Sample first = stats.sample();
        io.berth.node.stats.StatsSource.Sample second = stats.sample();
        io.berth.schemas.avro.NodeStats w = io.berth.node.stats.StatsWindow.between("n1", "n1", first, second).orElseThrow();
        assertEquals(List.of("t1", "t2"), w.getPods().stream().map(p -> p.getTaskId()).toList());
        assertEquals("app-t1", w.getPods().get(0).getPodName());
        assertEquals(100_000_000L, w.getPods().get(0).getContainers().get(0).getCpuNanoCores(), 2_000_000L);
        assertEquals(750_000_000L, w.getPods().get(1).getContainers().get(0).getCpuNanoCores(), 2_000_000L);
        assertEquals(1L << 20, w.getPods().get(1).getContainers().get(0).getMemoryWorkingSetBytes());
        assertEquals(850_000_000L, w.getCpuNanoCores(), 2_000_000L);
        assertEquals((16L << 20) + (1L << 20), w.getMemoryWorkingSetBytes());
    }

    @Test
    void crashesWhenToldByItsArgsAndByTheControl() throws Exception {
        SimRuntime rt = new SimRuntime("n1", 0, timers);
        rt.listen(events::add);
        String id = create(rt, assignment("t2", List.of("sim:crash-after=100ms", "sim:exit-code=3")));
        rt.start(id);
        assertEquals(ContainerEvent.Action.START, next().action());
        ContainerEvent died = next();
        assertEquals(ContainerEvent.Action.DIE, died.action());
        assertEquals(3, died.exitCode());
        assertEquals(Observed.State.EXITED, rt.list().get("t2").state());
        assertEquals(3, rt.list().get("t2").exitCode());

        String other = create(rt, assignment("t3", List.of()));
        rt.start(other);
        assertEquals(ContainerEvent.Action.START, next().action());
        assertTrue(rt.crash("t3", 137));
        ContainerEvent killed = next();
        assertEquals("t3", killed.taskId());
        assertEquals(137, killed.exitCode());
        assertFalse(rt.crash("t3", 137), "not running any more");
    }

    @Test
    void durations() {
        assertEquals(5000, SimRuntime.parseMillis("5s"));
        assertEquals(300, SimRuntime.parseMillis("300ms"));
        assertEquals(120_000, SimRuntime.parseMillis("2m"));
        assertEquals(42, SimRuntime.parseMillis("42"));
        assertEquals("10.128.0.1", SimRuntime.ip(1));
    }
}
