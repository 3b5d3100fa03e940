package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static io.berth.state.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** A client-chosen intent id applies once: duplicates are dropped before the controllers and audited. */
class IntentDeduplicationTopologyTest extends HarnessTest {
    static final String WEB = key("web");

    private static Intent withId(Intent i, String id) {
        return Intent.newBuilder(i).setIntentId(id).build();
    }

    private WorkloadView view() {
        return h.live(Topics.WORKLOADS).get(WEB);
    }

    private List<AuditRecord> audits(String change) {
        return h.all(Topics.AUDIT).stream().map(kv -> kv.value).filter(a -> a.getChange().equals(change)).toList();
    }

    @Test
    void shouldApplyAScaleOnceWhenItIsProducedTwice() {
        h.intent(WEB, withId(deployment("web", 2), "apply-1"));
        h.intent(WEB, withId(scale("web", 3), "scale-to-3"));
        h.intent(WEB, withId(scale("web", 5), "scale-to-5"));
        WorkloadView before = view();
        int workloadWrites = h.all(Topics.WORKLOADS).size();
        int tasksCreated = audits("TaskCreated").size();

        h.intent(WEB, withId(scale("web", 3), "scale-to-3")); // a blind retry of an old scale arrives late
        h.intent(WEB, withId(deployment("web", 2), "apply-1"));

        assertEquals(5, view().getDeployment().getReplicas(), "the retried scale to 3 is not applied again");
        assertEquals(before.getGeneration(), view().getGeneration());
        assertEquals(before.getResourceVersion(), view().getResourceVersion());
        assertEquals(workloadWrites, h.all(Topics.WORKLOADS).size(), "no view written for a duplicate");
        assertEquals(tasksCreated, audits("TaskCreated").size());
        assertEquals(5, h.liveTasks(WEB).size());

        List<AuditRecord> dups = audits(IntentDeduplicator.CHANGE);
        assertEquals(2, dups.size());
        AuditRecord dup = dups.get(0);
        assertEquals(WEB, dup.getKey());
        assertEquals("deployment", dup.getKind());
        assertEquals("default", dup.getNamespace());
        assertEquals("web", dup.getName());
        assertEquals("scale-to-3", dup.getIntentId());
        assertEquals("alice", dup.getActor());
        assertEquals(Topics.INTENTS.name(), dup.getCauseTopic());
        assertEquals(3, dup.getCauseOffset(), "the fourth record on the (single-partition) intents topic");
        assertEquals(Topics.INTENTS.name() + "/0/3", dup.getCause());
        assertEquals("", dup.getViewType());
        assertTrue(dup.getMessage().contains(Topics.INTENTS.name() + "/0/1"), "names the first copy: " + dup.getMessage());
        assertTrue(dup.getAfter().contains("\"scale-to-3\""), dup.getAfter());
    }

    @Test
    void shouldProduceOneRevisionForARollbackProducedTwice() {
        h.intent(WEB, withId(deployment("web", 1), "v1"));
        Intent v2 = intent(IntentAction.APPLY, ResourceKind.DEPLOYMENT, "web",
                DeploymentSpec.newBuilder().setReplicas(1).setTemplate(template("berth/busybox:v2")).build());
        h.intent(WEB, withId(v2, "v2"));
        assertEquals(2, view().getRevision());

        Intent undo = withId(intent(IntentAction.ROLLBACK, ResourceKind.DEPLOYMENT, "web", null), "undo-1");
        h.intent(WEB, undo);
        assertEquals(3, view().getRevision());
        h.intent(WEB, undo);
        h.intent(WEB, undo);

        assertEquals(3, view().getRevision(), "a rollback retried twice would have flipped to revision 4 and 5");
        assertEquals(List.of(2L, 3L), view().getHistory().stream().map(Revision::getRevision).toList());
        assertEquals(2, audits(IntentDeduplicator.CHANGE).size());
    }

    @Test
    void shouldApplyTwoIntentsWithDifferentIds() {
        h.intent(WEB, withId(deployment("web", 2), "a"));
        h.intent(WEB, withId(scale("web", 4), "b"));
        h.intent(WEB, withId(scale("web", 2), "c"));
        h.intent(WEB, withId(scale("web", 4), "d"));
        assertEquals(4, view().getDeployment().getReplicas());
        assertEquals("d", view().getLastIntentId());
        assertTrue(audits(IntentDeduplicator.CHANGE).isEmpty());
    }

    @Test
    void shouldNotDeduplicateIntentsWithAnEmptyId() {
        h.intent(WEB, withId(deployment("web", 2), ""));
        h.intent(WEB, withId(scale("web", 4), ""));
        h.intent(WEB, withId(scale("web", 2), ""));
        h.intent(WEB, withId(scale("web", 4), ""));
        assertEquals(4, view().getDeployment().getReplicas());
        assertTrue(audits(IntentDeduplicator.CHANGE).isEmpty());
    }

    @Test
    void shouldScopeAnIdToItsResource() {
        h.intent(WEB, withId(deployment("web", 1), "same"));
        h.intent(key("api"), withId(deployment("api", 1), "same"));
        assertNotNull(h.live(Topics.WORKLOADS).get(key("api")), "the same id for another resource is another intent");
    }

    @Test
    void shouldDeduplicateNodeIntentsAndCreditTheExternalProducer() {
        h.node(register("n1"));
        TestInputTopic<String, Intent> in = h.driver.createInputTopic(Topics.INTENTS.name(), new StringSerializer(),
                h.serdes.value(Intent.class).serializer());
        Intent cordon = Intent.newBuilder(intent(IntentAction.CORDON, ResourceKind.NODE, "n1", null))
                .setIntentId("cordon-n1").setActor("").build();
        RecordHeaders headers = new RecordHeaders();
        headers.add(io.berth.schemas.audit.Actors.CLIENT_ID_HEADER, "ci-bot".getBytes(StandardCharsets.UTF_8));
        in.pipeInput(new TestRecord<>("/node/n1", cordon, headers, h.now()));
        in.pipeInput(new TestRecord<>("/node/n1", cordon, headers, h.now()));
        h.drain();

        assertTrue(h.live(Topics.NODES).get("n1").getCordoned());
        assertEquals(1, audits("NodeCordoned").size());
        AuditRecord dup = audits(IntentDeduplicator.CHANGE).get(0);
        assertEquals("external:ci-bot", dup.getActor());
        assertEquals("/node/n1", dup.getKey());
        assertEquals("node", dup.getKind());
    }

    @Test
    void shouldForgetIdsAfterTheRetentionOfRecordTime() throws Exception {
        h.close();
        h = new Harness(new StateStreamsTopology.Settings(Harness.GRACE_MS, Duration.ofMillis(250), Duration.ofMinutes(10), 1000));
        h.intent(WEB, withId(deployment("web", 2), "apply"));
        h.intent(WEB, withId(scale("web", 3), "scale"));
        h.advance(Duration.ofMinutes(5));
        h.intent(WEB, withId(deployment("web", 2), "apply"));
        assertEquals(3, view().getDeployment().getReplicas(), "still remembered after 5 minutes");
        h.advance(Duration.ofMinutes(6));
        h.intent(WEB, withId(scale("web", 4), "later")); // record time moves past the retention of "apply"
        h.intent(WEB, withId(deployment("web", 2), "apply"));
        assertEquals(2, view().getDeployment().getReplicas(), "forgotten after 10 minutes of record time: applied again");
    }

    @Test
    void shouldKeepAtMostTheBoundedNumberOfIds() throws Exception {
        h.close();
        h = new Harness(new StateStreamsTopology.Settings(Harness.GRACE_MS, Duration.ofMillis(250), Duration.ofDays(7), 2));
        h.intent(WEB, withId(deployment("web", 1), "one"));
        h.intent(WEB, withId(scale("web", 2), "two"));
        h.intent(WEB, withId(scale("web", 3), "three"));
        h.intent(WEB, withId(scale("web", 2), "two"));
        assertEquals(3, view().getDeployment().getReplicas(), "'two' is among the 2 newest ids: dropped");
        h.intent(WEB, withId(deployment("web", 1), "one"));
        assertEquals(1, view().getDeployment().getReplicas(), "'one' was pushed out by the bound: applied again");
        List<KeyValue<String, AuditRecord>> dups = h.all(Topics.AUDIT).stream()
                .filter(kv -> kv.value.getChange().equals(IntentDeduplicator.CHANGE)).toList();
        assertEquals(1, dups.size());
    }
}
