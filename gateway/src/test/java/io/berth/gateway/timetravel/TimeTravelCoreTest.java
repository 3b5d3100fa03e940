package io.berth.gateway.timetravel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.gateway.view.ViewFixtures;
import io.berth.schemas.serde.AvroJson;
import io.berth.schemas.avro.*;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The pure parts of time travel: the fold, instants, the object and cluster diffs, snapshot chunks, decoding. */
class TimeTravelCoreTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TASK = TaskView.getClassSchema().getFullName();
    static final String NODE = NodeView.getClassSchema().getFullName();

    @Test
    void foldKeepsTheLastViewAtOrBeforeTAndForgetsDeletedKeys() {
        AuditFold f = new AuditFold();
        assertTrue(f.apply("default/pod/a", TASK, "{\"v\":1}", 100, 250));
        assertFalse(f.apply("default/pod/a", "", "{\"intent\":1}", 120, 250), "not a view change");
        assertTrue(f.apply("default/pod/a", TASK, "{\"v\":2}", 200, 250));
        assertTrue(f.apply("default/pod/b", TASK, "{\"v\":1}", 210, 250));
        assertTrue(f.apply("default/pod/b", TASK, null, 240, 250), "a tombstone deletes");
        assertFalse(f.apply("default/pod/a", TASK, "{\"v\":3}", 300, 250), "after T");
        assertEquals(List.of("default/pod/a"), List.copyOf(f.views().keySet()));
        assertEquals("{\"v\":2}", f.views().get("default/pod/a").after());
        assertEquals(240, f.maxTimestamp());
        assertEquals(4, f.records());
    }

    @Test
    void instantsAcceptRfc3339AndRelativeAndRefuseTheFuture() {
        long now = Instant.parse("2026-12-03T22:00:00Z").toEpochMilli();
        assertEquals(Instant.parse("2026-12-03T21:10:00Z").toEpochMilli(), Instants.parse("2026-12-03T21:10:00Z", now));
        assertEquals(Instant.parse("2026-12-03T20:10:00.5Z").toEpochMilli(), Instants.parse("2026-12-03T21:10:00.5+01:00", now));
        assertEquals(now - 600_000, Instants.parse("-10m", now));
        assertEquals(now - 5_400_000 - 5_000, Instants.parse("-1h30m5s", now));
        assertEquals(now - 2 * 86_400_000L, Instants.parse("-2d", now));
        assertEquals(now, Instants.parse("now", now));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Instants.parse("2026-12-03T23:00:00Z", now)).getMessage().contains("future"));
        assertThrows(IllegalArgumentException.class, () -> Instants.parse("10m", now));
        assertThrows(IllegalArgumentException.class, () -> Instants.parse("yesterday", now));
        assertThrows(IllegalArgumentException.class, () -> Instants.parse("", now));
        assertThrows(IllegalArgumentException.class, () -> Instants.parse("2026-12-03", now));
    }

    @Test
    void objectDiffListsChangedLeavesAndIgnoresNoise() throws Exception {
        JsonNode a = JSON.readTree("""
                {"metadata":{"name":"web","resourceVersion":"1","generation":1,"labels":{"app":"web"}},
                 "spec":{"replicas":2,"containers":[{"image":"a:1"}]},
                 "status":{"conditions":[{"type":"Ready","status":"True","lastHeartbeatTime":"t1"}]}}""");
        JsonNode b = JSON.readTree("""
                {"metadata":{"name":"web","resourceVersion":"9","generation":2,"labels":{"app":"web","tier":"x"}},
                 "spec":{"replicas":3,"containers":[{"image":"a:2"},{"image":"b:1"}]},
                 "status":{"conditions":[{"type":"Ready","status":"True","lastHeartbeatTime":"t2"}]}}""");
        List<ObjectDiff.Field> d = ObjectDiff.diff(a, b);
        assertEquals(List.of("metadata.labels.tier", "spec.containers[0].image", "spec.containers[1]", "spec.replicas"),
                d.stream().map(ObjectDiff.Field::path).toList());
        assertTrue(d.get(0).from().isNull());
        assertEquals("a:1", d.get(1).from().asText());
        assertEquals(3, d.get(3).to().asInt());
        assertTrue(ObjectDiff.diff(a, a.deepCopy()).isEmpty());
    }

    @Test
    void clusterDiffSaysCreatedDeletedChangedAndSkipsNoiseOnlyChanges() {
        NodeView n1 = ViewFixtures.node("n1", true, false);
        TaskView running = ViewFixtures.task("web-1", TaskPhase.RUNNING, true, "n1");
        TaskView gone = ViewFixtures.task("web-2", TaskPhase.RUNNING, true, "n1");
        PastState before = PastState.of(1, List.of(n1, running, gone));
        NodeView n1Later = NodeView.newBuilder(n1).setLastHeartbeat(n1.getLastHeartbeat() + 5000).setResourceVersion("8").build();
        TaskView failed = TaskView.newBuilder(running).setPhase(TaskPhase.FAILED).setReady(false).build();
        TaskView fresh = ViewFixtures.task("web-3", TaskPhase.PENDING, false, "");
        PastState after = PastState.of(2, List.of(n1Later, failed, fresh));
        List<ClusterDiff.Change> changes = ClusterDiff.between(before, after);
        assertEquals(List.of("changed Pod web-1", "deleted Pod web-2", "created Pod web-3"),
                changes.stream().map(c -> c.change() + " " + c.kind() + " " + c.name()).toList(), changes.toString());
        List<String> paths = changes.get(0).fields().stream().map(ObjectDiff.Field::path).toList();
        assertTrue(paths.contains("status.phase"), paths.toString());
        JsonNode json = ClusterDiff.toJson("a", "b", changes);
        assertEquals("Diff", json.path("kind").asText());
        assertEquals("changed", json.path("changes").get(0).path("change").asText());
    }

    @Test
    void pastStateRendersLikeTheLiveApiWithoutResourceVersions() {
        WorkloadView deleted = WorkloadView.newBuilder(ViewFixtures.deployment()).setKey("default/deployment/old").setName("old").setDeleted(true).build();
        PastState s = PastState.of(5, List.of(ViewFixtures.node("n1", true, false), ViewFixtures.task("web-1", TaskPhase.RUNNING, true, "n1"),
                ViewFixtures.deployment(), deleted));
        assertEquals(List.of("web"), s.list("Deployment", "default").stream().map(PastState.Item::name).toList());
        PastState.Item pod = s.get("Pod", "default", "web-1").orElseThrow();
        assertEquals("Running", pod.object().path("status").path("phase").asText());
        assertEquals("10.0.0.1", pod.object().path("status").path("hostIP").asText(), pod.json());
        assertTrue(pod.object().path("metadata").path("resourceVersion").isMissingNode());
        assertTrue(s.get("Node", "", "n1").isPresent());
        assertTrue(s.get("Pod", "other", "web-1").isEmpty());
    }

    @Test
    void viewJsonRoundTripsTheContractEncodingAndRefusesForeignTypes() {
        TaskView t = ViewFixtures.task("web-1", TaskPhase.RUNNING, true, "n1");
        String json = AvroJson.encode(t);
        assertTrue(json.contains("{\"string\":"), "unions wrapped as Avro JSON does: " + json);
        assertEquals(t, AvroJson.<SpecificRecord>decode(TASK, json));
        assertThrows(IllegalArgumentException.class, () -> AvroJson.<SpecificRecord>decode("java.lang.Runtime", "{}"));
        assertThrows(IllegalArgumentException.class, () -> AvroJson.<SpecificRecord>decode("io.berth.schemas.avro.Nope", "{}"));
        assertThrows(IllegalArgumentException.class, () -> AvroJson.<SpecificRecord>decode(TASK, "{not json"));
        List<String> skipped = new ArrayList<>();
        PastState s = PastState.render(1, List.of(new AuditFold.Latest(TASK, json, 1), new AuditFold.Latest(NODE, "{}", 1)), skipped);
        assertEquals(1, s.items().size());
        assertEquals(1, skipped.size());
    }

    @Test
    void snapshotChunksStayBelowTheBudgetAndRestoreTheFold() {
        AuditFold f = new AuditFold();
        String big = "x".repeat(100_000);
        for (int i = 0; i < 20; i++) f.apply("default/pod/p" + i, TASK, big + i, 1000 + i);
        f.apply("default/pod/p3", TASK, null, 2000);
        List<AuditSnapshot> chunks = SnapshotChunks.cut(2, 5000, f);
        assertTrue(chunks.size() >= 4, "19 × 100 kB in ≤ 512 kB chunks: " + chunks.size());
        for (AuditSnapshot c : chunks) {
            assertEquals(chunks.size(), c.getChunks());
            assertEquals(2000, c.getMaxTimestamp());
            long bytes = c.getEntries().stream().mapToLong(e -> e.getAfter().length()).sum();
            assertTrue(bytes < 900_000, "chunk under 1 MB: " + bytes);
        }
        assertEquals(chunks, SnapshotChunks.cut(2, 5000, f), "deterministic");
        assertEquals("2/0000000000000005000/1", SnapshotChunks.key(2, 5000, 1));
        assertTrue(SnapshotChunks.complete(chunks));
        assertFalse(SnapshotChunks.complete(chunks.subList(1, chunks.size())));
        AuditFold back = SnapshotChunks.restore(chunks);
        assertEquals(f.views(), back.views());
        assertEquals(2000, back.maxTimestamp());
        assertEquals(21, back.records());
        AuditFold empty = new AuditFold();
        List<AuditSnapshot> none = SnapshotChunks.cut(0, 1000, empty);
        assertEquals(1, none.size());
        assertTrue(SnapshotChunks.restore(none).views().isEmpty());
    }
}
