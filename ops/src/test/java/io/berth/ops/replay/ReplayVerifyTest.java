package io.berth.ops.replay;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Acceptance of deterministic replay: a history recorded live-style ({@link LiveRecording}: ticks
 * per partition, heartbeats, a scheduler and node daemons reacting with delays) with applies,
 * scale up and down, a rollout and its undo, a crash-looping revision, a lost node and rejected
 * inputs is replayed by {@link Replayer} with 0 differences; a tampered placement is reported as
 * the first difference, with both sides.
 */
class ReplayVerifyTest {
    private static final Replayer.Options ALL = new Replayer.Options(LiveRecording.PARTITIONS, Long.MIN_VALUE, Long.MAX_VALUE,
            LiveRecording.GRACE_MS, Duration.ofMillis(250));

    @Test
    void aRecordedHistoryReplaysWithoutADifference() throws Exception {
        try (LiveRecording rec = history()) {
            assertHistoryHasItAll(rec);
            Replayer.Result r = Replayer.verify(rec.serdes.registry(), rec.inputs, rec.outputs, ALL);
            r.report().first().ifPresent(d -> fail(d.describe()));
            assertEquals(0, r.report().differing());
            assertEquals(0, r.orderConflicts());
            assertTrue(r.report().decisions() > 300, r.report().summary());
            System.out.printf("replay (cold JVM): %s; %d inputs in %d ms = %.0f decisions/s%n", r.report().summary(), r.inputs(), r.replayMillis(),
                    r.report().decisions() * 1000.0 / Math.max(1, r.replayMillis()));
            Replayer.Result warm = Replayer.verify(rec.serdes.registry(), rec.inputs, rec.outputs, ALL);
            assertEquals(0, warm.report().differing(), "a replay is repeatable");
            System.out.printf("replay (warm): %s; %d inputs in %d ms = %.0f decisions/s, %.0f inputs/s%n", warm.report().summary(), warm.inputs(),
                    warm.replayMillis(), warm.report().decisions() * 1000.0 / Math.max(1, warm.replayMillis()),
                    warm.inputs() * 1000.0 / Math.max(1, warm.replayMillis()));
        }
    }

    @Test
    void aTamperedPlacementIsTheFirstDifferenceWithBothSides() throws Exception {
        try (LiveRecording rec = history()) {
            // the first recorded view of a task placed on a node: claim it went elsewhere
            int i = 0;
            TaskView original = null;
            for (; i < rec.outputs.size(); i++) {
                Recorded r = rec.outputs.get(i);
                if (!r.topic().equals(Topics.TASKS.name()) || r.value() == null) continue;
                TaskView t = rec.serdes.value(Topics.TASKS).deserialize(r.topic(), r.value());
                if (!t.getNodeId().isEmpty()) {
                    original = t;
                    break;
                }
            }
            assertNotNull(original);
            Recorded r = rec.outputs.get(i);
            TaskView forged = TaskView.newBuilder(original).setNodeId("n9").build();
            rec.outputs.set(i, new Recorded(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(),
                    rec.serdes.value(Topics.TASKS).serialize(r.topic(), forged), r.headers()));

            Replayer.Result result = Replayer.verify(rec.serdes.registry(), rec.inputs, rec.outputs, ALL);
            assertTrue(result.report().differing() >= 1, result.report().summary());
            DecisionDiff.Difference d = result.report().first().orElseThrow();
            assertEquals(Topics.TASKS.name(), d.topic());
            assertEquals(original.getTaskId(), d.key());
            assertTrue(d.recorded().what().contains(" on n9"), d.describe());
            assertTrue(d.replayed().what().contains(" on " + original.getNodeId()), d.describe());
            assertTrue(d.describe().contains("recorded: ") && d.describe().contains("replayed: "), d.describe());
        }
    }

    /**
     * The scheduler's outputs carry cause headers too (for a replay of the scheduler alone), marked
     * {@code berth.decider: scheduler}: they are neither decisions of the controllers nor order
     * constraints on their inputs.
     */
    @Test
    void theSchedulersOwnRecordsAreLeftOutOfTheControllersReplay() throws Exception {
        try (LiveRecording rec = history()) {
            Recorded tick = rec.inputs.stream().filter(r -> r.topic().equals(Topics.TICKS.name()) && r.partition() == 0).skip(10)
                    .findFirst().orElseThrow();
            Assignment a = Assignment.newBuilder().setTaskId("web-forged-xxxxx").setNodeId("n9").setWorkloadKey("default/deployment/web")
                    .setTemplate(PodTemplate.newBuilder().setContainers(List.of(ContainerSpec.newBuilder().setName("c").setImage("nginx").build())).build())
                    .setRequests(new Resources(100L, 64L << 20)).setAssignedAt(tick.timestamp()).build();
            Map<String, String> headers = Map.of(Recorded.CAUSE, tick.position(),
                    Recorded.SEEN, Topics.PLACEMENT_REQUESTS.name() + "/0=999," + Topics.TICKS.name() + "/0=" + tick.offset(),
                    Replayer.DECIDER, "scheduler");
            rec.outputs.add(new Recorded(Topics.ASSIGNMENTS.name(), 0, 1_000_000, tick.timestamp(), "n9/web-forged-xxxxx",
                    rec.serdes.value(Topics.ASSIGNMENTS).serialize(Topics.ASSIGNMENTS.name(), a), headers));
            Replayer.Result r = Replayer.verify(rec.serdes.registry(), rec.inputs, rec.outputs, ALL);
            r.report().first().ifPresent(d -> fail(d.describe()));
            assertEquals(0, r.orderConflicts());
        }
    }

    @Test
    void theWindowRestrictsTheComparisonNotTheReplay() throws Exception {
        try (LiveRecording rec = history()) {
            long mid = LiveRecording.T0.toEpochMilli() + 20_000;
            Replayer.Result all = Replayer.verify(rec.serdes.registry(), rec.inputs, rec.outputs, ALL);
            Replayer.Result late = Replayer.verify(rec.serdes.registry(), rec.inputs, rec.outputs,
                    new Replayer.Options(LiveRecording.PARTITIONS, mid, Long.MAX_VALUE, LiveRecording.GRACE_MS, Duration.ofMillis(250)));
            Replayer.Result early = Replayer.verify(rec.serdes.registry(), rec.inputs, rec.outputs,
                    new Replayer.Options(LiveRecording.PARTITIONS, Long.MIN_VALUE, mid, LiveRecording.GRACE_MS, Duration.ofMillis(250)));
            assertEquals(0, late.report().differing(), late.report().summary());
            assertEquals(0, early.report().differing(), early.report().summary());
            assertTrue(late.report().decisions() > 0 && early.report().decisions() > 0);
            assertTrue(late.report().decisions() + early.report().decisions() >= all.report().decisions());
            assertTrue(early.inputs() < all.inputs());
        }
    }

    static LiveRecording history() throws Exception {
        LiveRecording rec = new LiveRecording();
        rec.node("n1", 0);
        rec.node("n2", 330);
        rec.node("n3", 660);
        rec.run(1200);
        rec.intent(deployment("web", 3, "berth/web:v1"));
        rec.run(2000);
        rec.intent(intent(IntentAction.SCALE, ResourceKind.DEPLOYMENT, "web", new ScaleSpec(5)));  // scale up
        rec.run(2000);
        rec.intent(intent(IntentAction.SCALE, ResourceKind.DEPLOYMENT, "web", new ScaleSpec(3)));  // scale down
        rec.run(2000);
        rec.intent(deployment("web", 3, "berth/web:v2"));                                          // rollout
        rec.run(4000);
        rec.intent(intent(IntentAction.ROLLBACK, ResourceKind.DEPLOYMENT, "web", null));            // undo
        rec.run(4000);
        rec.intent(deployment("api", 2, "berth/api:v1"));
        rec.run(2000);
        rec.intent(deployment("api", 2, "berth/api:crash"));                                       // a crashing revision
        rec.run(6000);
        // rejected inputs: scale of a missing deployment, negative replicas, bytes that are no intent
        rec.intent(intent(IntentAction.SCALE, ResourceKind.DEPLOYMENT, "ghost", new ScaleSpec(2)));
        rec.intent(intent(IntentAction.SCALE, ResourceKind.DEPLOYMENT, "web", new ScaleSpec(-1)));
        rec.rawIntent("default/deployment/junk", new byte[]{0, 0, 0, 0, 42, 1, 2});
        rec.run(1000);
        rec.kill("n3");                                                                             // a node lost
        rec.run(LiveRecording.GRACE_MS + 4000);
        rec.run(3000);
        return rec;
    }

    private static void assertHistoryHasItAll(LiveRecording rec) {
        Set<String> changes = new HashSet<>(), reasons = new HashSet<>();
        for (Recorded r : rec.outputs) {
            if (r.value() == null) continue;
            if (r.topic().equals(Topics.AUDIT.name())) changes.add(rec.serdes.value(Topics.AUDIT).deserialize(r.topic(), r.value()).getChange());
            if (r.topic().equals(Topics.EVENTS.name())) reasons.add(rec.serdes.value(Topics.EVENTS).deserialize(r.topic(), r.value()).getReason());
        }
        for (String c : List.of("TaskCreated", "IntentRejected", "TaskLost", "NodeNotReady", "TaskStopped")) {
            assertTrue(changes.contains(c), "no " + c + " in " + changes);
        }
        for (String e : List.of("ScalingReplicaSet", "DeploymentRollback", "BackOff", "NodeLost")) {
            assertTrue(reasons.contains(e), "no " + e + " event in " + reasons);
        }
        assertTrue(rec.inputs.stream().anyMatch(r -> r.topic().equals(Topics.TICKS.name())));
    }

    static Intent deployment(String name, int replicas, String image) {
        ContainerSpec c = ContainerSpec.newBuilder().setName("main").setImage(image).setRequests(new Resources(100L, 64L << 20)).build();
        PodTemplate t = PodTemplate.newBuilder().setLabels(Map.of("app", name)).setContainers(List.of(c)).build();
        return intent(IntentAction.APPLY, ResourceKind.DEPLOYMENT, name, DeploymentSpec.newBuilder().setReplicas(replicas).setTemplate(t).build());
    }

    private static int seq;

    static Intent intent(IntentAction action, ResourceKind kind, String name, Object payload) {
        return Intent.newBuilder().setIntentId("intent-" + (++seq)).setAction(action).setKind(kind).setNamespace("default").setName(name)
                .setActor("user:alice").setTimestamp(1L).setPayload(payload).build();
    }
}
