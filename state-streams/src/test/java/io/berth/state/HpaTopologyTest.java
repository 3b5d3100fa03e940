package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.state.core.Hpas;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.berth.state.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * autoscaling/v2 HorizontalPodAutoscalers through the whole topology: intents re-keyed to their target, node stats to
 * per-pod samples, syncs on tick time, Scale intents on berth.intents taking the normal scale path.
 */
class HpaTopologyTest {
    private static final String WEB = key("web");
    private static final long SYNC = 15_000;
    private Harness h;
    /** Tick time (ms after T0) of the ticks this test sends; moved forward only. */
    private long t;

    @BeforeEach
    void start() throws Exception {
        h = new Harness(new StateStreamsTopology.Settings(Harness.GRACE_MS, Duration.ofMillis(250)).withHpaSyncMs(SYNC));
        h.node(register("n1"));
        for (int i = 0; i < 4; i++) {
            h.advanceMs(250);
            h.node(heartbeat("n1"));
        }
        t = 1_000;
    }

    @AfterEach
    void stop() {
        h.close();
    }

    static HpaSpec cpu(int min, int max, int percent, Integer downWindow) {
        return HpaSpec.newBuilder().setTargetKind("Deployment").setTargetName("web").setMinReplicas(min).setMaxReplicas(max)
                .setMetrics(List.of(new HpaMetric("cpu", percent, null)))
                .setScaleDown(downWindow == null ? null : new HpaRules(downWindow, null, null)).build();
    }

    static Intent hpa(IntentAction action, String name, HpaSpec spec) {
        return Intent.newBuilder(intent(action, ResourceKind.HORIZONTALPODAUTOSCALER, name, null)).setHpa(spec).build();
    }

    private void applyHpa(HpaSpec spec) {
        h.intent(Autoscalers.hpaKey("default", "web"), hpa(IntentAction.APPLY, "web", spec));
    }

    /** The deployment's live tasks, started and ready on n1. */
    private List<TaskView> runAll() {
        for (TaskView task : h.liveTasks(WEB)) {
            if (task.getPhase() == TaskPhase.RUNNING && task.getReady()) continue;
            h.status(status(WEB, task.getTaskId(), "n1", TaskState.ASSIGNED));
            h.status(status(WEB, task.getTaskId(), "n1", TaskState.RUNNING));
            h.status(status(WEB, task.getTaskId(), "n1", TaskState.READY));
        }
        return h.liveTasks(WEB);
    }

    /** n1 reports each of {@code tasks} using {@code cpuMilli} (a stats record at the current tick time). */
    private void usage(List<TaskView> tasks, long cpuMilli) {
        List<PodStats> pods = tasks.stream().map(x -> new PodStats(x.getTaskId(), "default", x.getPodName(),
                List.of(new ContainerStats("main", cpuMilli * 1_000_000, 10L << 20)))).toList();
        h.statsAt(NodeStats.newBuilder().setNodeId("n1").setTimestamp(t).setWindowMs(10_000).setCpuNanoCores(0)
                .setMemoryWorkingSetBytes(0).setPods(pods).build(), t);
    }

    /** A tick {@code ms} later than the last. */
    private void tickAfter(long ms) {
        t += ms;
        h.tickAt(t);
    }

    private List<Intent> hpaScales() {
        return h.all(Topics.INTENTS).stream().map(kv -> kv.value).filter(i -> i.getActor().startsWith("hpa:")).toList();
    }

    private WorkloadView web() {
        return h.live(Topics.WORKLOADS).get(WEB);
    }

    private List<ClusterEvent> hpaEvents(String reason) {
        return h.all(Topics.EVENTS).stream().map(kv -> kv.value).filter(e -> e.getInvolvedKind().equals("HorizontalPodAutoscaler"))
                .filter(e -> e.getReason().equals(reason)).toList();
    }

    @Test
    void shouldScaleUpWhenAboveTargetThroughAScaleIntentWithTheMeasuredUtilization() {
        h.intent(WEB, deployment("web", 1));
        List<TaskView> pods = runAll();
        applyHpa(cpu(1, 3, 50, 15));
        assertNotNull(web().getAutoscaler(), "the HPA is shown in its target's view");
        usage(pods, 90);  // 90 % of the 100m request, target 50 %: ceil(1 × 1.8) = 2
        tickAfter(250);

        assertEquals(1, hpaScales().size());
        Intent scale = hpaScales().get(0);
        assertEquals(IntentAction.SCALE, scale.getAction());
        assertEquals(2, ((ScaleSpec) scale.getPayload()).getReplicas());
        assertEquals("hpa:default/web", scale.getActor());
        assertEquals("cpu: 90%/50%", scale.getAnnotations().get(Hpas.UTILIZATION_ANNOTATION));
        assertEquals(2, web().getDeployment().getReplicas(), "the scale intent took the normal scale path");
        assertEquals(2, h.liveTasks(WEB).size());
        assertEquals("New size: 2; reason: cpu resource utilization (percentage of request) above target",
                hpaEvents("SuccessfulRescale").get(0).getMessage());
        AuditRecord audit = h.all(Topics.AUDIT).stream().map(kv -> kv.value).filter(a -> a.getChange().equals("AutoscalerRescaled")).findFirst().orElseThrow();
        assertTrue(audit.getMessage().contains("measured cpu: 90%/50%"), audit.getMessage());
        assertTrue(h.all(Topics.AUDIT).stream().map(kv -> kv.value).anyMatch(a -> a.getChange().equals("IntentAccepted")
                && a.getActor().equals("hpa:default/web")), "the scale intent is audited as the HPA's");
        HpaStatus s = web().getAutoscaler();
        assertEquals(2, s.getDesiredReplicas());
        assertEquals(90, s.getCurrentMetrics().get(0).getAverageUtilization());
        assertEquals("SucceededRescale", s.getConditions().get(0).getReason());

        tickAfter(1_000);
        assertEquals(1, hpaScales().size(), "nothing more before the sync period has passed");
    }

    @Test
    void shouldNotScaleDownBeforeTheStabilizationWindowHasPassed() {
        h.intent(WEB, deployment("web", 2));
        List<TaskView> pods = runAll();
        applyHpa(cpu(1, 3, 50, 30));
        usage(pods, 10);  // 10 %: one pod would do
        tickAfter(250);
        assertEquals(List.of(), hpaScales(), "a new HPA's window starts with the current count");
        assertEquals(2, web().getAutoscaler().getDesiredReplicas(), "desired held at 2 by the window");
        usage(pods, 10);
        tickAfter(SYNC);
        assertEquals(List.of(), hpaScales(), "15 s into a 30 s window");
        usage(pods, 10);
        tickAfter(SYNC);
        usage(pods, 10);
        tickAfter(SYNC);
        assertEquals(1, hpaScales().size(), "the window has passed");
        assertEquals(1, ((ScaleSpec) hpaScales().get(0).getPayload()).getReplicas());
        assertEquals("New size: 1; reason: All metrics below target", hpaEvents("SuccessfulRescale").get(0).getMessage());
        assertEquals(1, web().getDeployment().getReplicas());
        org.apache.kafka.streams.state.KeyValueStore<String, String> samples = h.driver.getKeyValueStore(StateStreamsTopology.POD_USAGE_STORE);
        TaskView stopped = h.live(Topics.TASKS).values().stream().filter(x -> x.getWorkloadKey().equals(WEB) && x.getDesiredStop()).findFirst().orElseThrow();
        assertNotNull(samples.get(stopped.getTaskId()));
        h.status(status(WEB, stopped.getTaskId(), "n1", TaskState.REMOVED));
        assertNull(samples.get(stopped.getTaskId()), "a removed task's sample goes with it");
    }

    @Test
    void shouldHoldWithoutSamplesAndSayWhy() {
        h.intent(WEB, deployment("web", 1));
        runAll();
        applyHpa(cpu(1, 3, 50, null));
        tickAfter(250);
        assertEquals(List.of(), hpaScales());
        Condition active = web().getAutoscaler().getConditions().stream().filter(c -> c.getType().equals("ScalingActive")).findFirst().orElseThrow();
        assertEquals("False", active.getStatus());
        assertEquals("FailedGetResourceMetric", active.getReason());
        assertEquals(1, hpaEvents("FailedGetResourceMetric").size());
        tickAfter(SYNC);
        assertEquals(1, hpaEvents("FailedGetResourceMetric").size(), "the warning once, not every sync");
    }

    @Test
    void shouldCapAtMaxReplicasAndReportScalingLimited() {
        h.intent(WEB, deployment("web", 1));
        List<TaskView> pods = runAll();
        applyHpa(cpu(1, 3, 50, null));
        usage(pods, 500);
        tickAfter(250);
        assertEquals(3, ((ScaleSpec) hpaScales().get(0).getPayload()).getReplicas());
        Condition limited = web().getAutoscaler().getConditions().stream().filter(c -> c.getType().equals("ScalingLimited")).findFirst().orElseThrow();
        assertEquals("TooManyReplicas", limited.getReason());
    }

    @Test
    void shouldRaiseToMinReplicas() {
        h.intent(WEB, deployment("web", 1));
        runAll();
        applyHpa(cpu(2, 4, 50, null));
        tickAfter(250);
        assertEquals(2, ((ScaleSpec) hpaScales().get(0).getPayload()).getReplicas());
        assertEquals("New size: 2; reason: Current number of replicas below Spec.MinReplicas", hpaEvents("SuccessfulRescale").get(0).getMessage());
    }

    @Test
    void shouldStopDecidingOnceDeletedAndClearTheView() {
        h.intent(WEB, deployment("web", 1));
        List<TaskView> pods = runAll();
        applyHpa(cpu(1, 3, 50, null));
        h.intent(Autoscalers.hpaKey("default", "web"), hpa(IntentAction.DELETE, "web", cpu(1, 3, 50, null)));
        assertNull(web().getAutoscaler());
        usage(pods, 90);
        tickAfter(SYNC);
        tickAfter(SYNC);
        assertEquals(List.of(), hpaScales());
        assertEquals(1, web().getDeployment().getReplicas());
    }

    @Test
    void shouldKeepAnHpaWhoseTargetIsMissingAndPickTheTargetUpLater() {
        applyHpa(cpu(1, 3, 50, null));
        tickAfter(250);
        assertEquals(1, hpaEvents("FailedGetScale").size());
        assertTrue(hpaEvents("FailedGetScale").get(0).getMessage().contains("deployments.apps \"web\" not found"));
        h.intent(WEB, deployment("web", 1));
        List<TaskView> pods = runAll();
        usage(pods, 90);
        tickAfter(SYNC);
        assertEquals(2, ((ScaleSpec) hpaScales().get(0).getPayload()).getReplicas());
        assertNotNull(web().getAutoscaler());
    }

    @Test
    void shouldRefuseABadOrSecondHpaWithoutStoppingTheStream() {
        h.intent(WEB, deployment("web", 1));
        h.intent(Autoscalers.hpaKey("default", "bad"), hpa(IntentAction.APPLY, "bad", HpaSpec.newBuilder(cpu(1, 3, 50, null)).setMaxReplicas(0).build()));
        assertTrue(h.all(Topics.DEAD_LETTERS).stream().anyMatch(kv -> kv.value.getReason().contains("spec.maxReplicas: Invalid value: 0: must be greater than or equal to 1")),
                h.all(Topics.DEAD_LETTERS).toString());
        applyHpa(cpu(1, 3, 50, null));
        h.intent(Autoscalers.hpaKey("default", "second"), hpa(IntentAction.APPLY, "second", cpu(1, 5, 60, null)));
        assertTrue(h.all(Topics.DEAD_LETTERS).stream().anyMatch(kv -> kv.value.getReason().contains("AmbiguousSelector")), "one HPA per target");
        assertEquals("web", web().getAutoscaler().getName());
    }

    @Test
    void shouldSurviveOddNodeStats() {
        h.intent(WEB, deployment("web", 1));
        List<TaskView> pods = runAll();
        applyHpa(cpu(1, 3, 50, null));
        h.rawNodeStats.pipeInput("n1", "not avro at all".getBytes(java.nio.charset.StandardCharsets.UTF_8), Harness.T0.plusMillis(t));
        h.statsAt(NodeStats.newBuilder().setNodeId("n1").setTimestamp(t).setWindowMs(10_000).setCpuNanoCores(0).setMemoryWorkingSetBytes(0)
                .setPods(List.of(new PodStats("bare", "default", "bare", List.of(new ContainerStats("main", 5_000_000_000L, 1L))),
                        new PodStats("", "default", "", List.of()),
                        new PodStats("web-5d8f7c9b4-x2x2x", "default", "web-5d8f7c9b4-x2x2x", List.of()))).build(), t);
        assertNull(h.driver.getKeyValueStore(StateStreamsTopology.POD_USAGE_STORE).get("web-5d8f7c9b4-x2x2x"), "no sample kept for a task it does not know");
        usage(pods, 90);
        tickAfter(250);
        assertEquals(2, ((ScaleSpec) hpaScales().get(0).getPayload()).getReplicas(), "the odd records changed nothing and stopped nothing");
    }

    @Test
    void shouldNotScaleAPodWithoutACpuRequest() {
        PodTemplate noRequest = PodTemplate.newBuilder(template("berth/busybox:latest"))
                .setContainers(List.of(ContainerSpec.newBuilder().setName("main").setImage("berth/busybox:latest").build())).build();
        h.intent(WEB, intent(IntentAction.APPLY, ResourceKind.DEPLOYMENT, "web", DeploymentSpec.newBuilder().setReplicas(1).setTemplate(noRequest).build()));
        List<TaskView> pods = runAll();
        applyHpa(cpu(1, 3, 50, null));
        usage(pods, 90);
        tickAfter(250);
        assertEquals(List.of(), hpaScales());
        assertTrue(hpaEvents("FailedGetResourceMetric").get(0).getMessage().contains("missing request for cpu"),
                hpaEvents("FailedGetResourceMetric").get(0).getMessage());
    }
}
