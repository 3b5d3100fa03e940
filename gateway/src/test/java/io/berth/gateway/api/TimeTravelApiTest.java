package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.gateway.timetravel.TimeMachine;
import io.berth.schemas.serde.AvroJson;
import io.berth.gateway.view.ViewFixtures;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.service.BerthConfig;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Time travel on a real broker: audit records produced straight onto berth.audit per the AUDIT
 * CONTRACT (views as Avro JSON, a tombstone as after = null, non-view records with an empty view type),
 * at known timestamps; the gateway's {@code ?at=} and {@code /apis/berth.io/v1/diff} answer the state of
 * then, with the gateway's snapshot writer (a snapshot every 3 records) in play.
 */
class TimeTravelApiTest extends GatewayApiFixture {
    static final long MIN = 60_000;
    final long t0 = System.currentTimeMillis() - 60 * MIN;

    @Override
    boolean withStateStreams() {
        return false;
    }

    @Override
    BerthConfig configure(BerthConfig config) {
        return config.with("gateway-audit-snapshot-every", "3");
    }

    /** t0+1m node n1; +2m deployment web (2 replicas); +3m pod web-1 Pending; +4m Running; +5m an intent (no view);
     * +6m web scaled to 3; +7m pod web-1 deleted; +8m pod web-2 Running; +9m node n1 cordoned. */
    @BeforeAll
    void history() throws Exception {
        NodeView n1 = ViewFixtures.node("n1", true, false);
        WorkloadView web = ViewFixtures.deployment();
        TaskView pending = TaskView.newBuilder(ViewFixtures.task("web-1", TaskPhase.PENDING, false, "")).build();
        audit(1, "/node/n1", "NodeRegistered", null, n1);
        audit(2, "default/deployment/web", "WorkloadCreated", null, WorkloadView.newBuilder(web).setReplicas(2).setDeployment(
                DeploymentSpec.newBuilder(web.getDeployment()).setReplicas(2).build()).build());
        audit(3, "default/pod/web-1", "TaskCreated", null, pending);
        audit(4, "default/pod/web-1", "TaskPhaseChanged", pending, ViewFixtures.task("web-1", TaskPhase.RUNNING, true, "n1"));
        producer.send(new ProducerRecord<>(Topics.AUDIT.name(), 0, t0 + 5 * MIN, "default/deployment/web",
                serdes.value(Topics.AUDIT).serialize(Topics.AUDIT.name(), AuditRecord.newBuilder().setKey("default/deployment/web")
                        .setKind("deployment").setChange("IntentAccepted").setTimestamp(t0 + 5 * MIN).setAfter("{\"intent\":true}").build()))).get();
        audit(6, "default/deployment/web", "WorkloadChanged", null, web);
        audit(7, "default/pod/web-1", "TaskRemoved", null, null, TaskView.getClassSchema().getFullName());
        audit(8, "default/pod/web-2", "TaskCreated", null, ViewFixtures.task("web-2", TaskPhase.RUNNING, true, "n1"));
        audit(9, "/node/n1", "NodeCordoned", n1, ViewFixtures.node("n1", true, true));
        // the snapshot writer has cut partition 0 at offsets 3, 6 (and 9 once a tenth record comes: it never will)
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(Topics.AUDIT_SNAPSHOTS.name(), 0);
            eventually(() -> c.endOffsets(List.of(tp)).get(tp) >= 2);
        }
    }

    void audit(int minute, String key, String change, SpecificRecord before, SpecificRecord after) throws Exception {
        audit(minute, key, change, before, after, after.getSchema().getFullName());
    }

    void audit(int minute, String key, String change, SpecificRecord before, SpecificRecord after, String viewType) throws Exception {
        long ts = t0 + minute * MIN;
        String[] k = key.split("/", 3);
        AuditRecord a = AuditRecord.newBuilder().setKey(key).setNamespace(k[0]).setKind(k[1]).setName(k[2]).setChange(change)
                .setActor("controller/test").setTimestamp(ts).setViewType(viewType)
                .setBefore(before == null ? null : AvroJson.encode(before)).setAfter(after == null ? null : AvroJson.encode(after)).build();
        // every record in partition 0, so the snapshots of the test cover the whole history
        producer.send(new ProducerRecord<>(Topics.AUDIT.name(), 0, ts, key, serdes.value(Topics.AUDIT).serialize(Topics.AUDIT.name(), a))).get();
    }

    String at(long minute) {
        return URLEncoder.encode(Instant.ofEpochMilli(t0 + minute * MIN).toString(), StandardCharsets.UTF_8);
    }

    List<String> pods(String at) throws Exception {
        JsonNode list = getJson("/api/v1/namespaces/default/pods?at=" + at);
        assertEquals("PodList", list.path("kind").asText(), list.toString());
        List<String> out = new java.util.ArrayList<>();
        for (JsonNode p : list.path("items")) out.add(p.path("metadata").path("name").asText() + ":" + p.path("status").path("phase").asText());
        return out;
    }

    @Test
    void listsShowThePodsOfThen() throws Exception {
        assertEquals(List.of(), pods(URLEncoder.encode(Instant.ofEpochMilli(t0 - 10 * MIN).toString(), StandardCharsets.UTF_8)),
                "before the first record");
        assertEquals(List.of(), pods(at(2)));
        assertEquals(List.of("web-1:Pending"), pods(at(3)));
        assertEquals(List.of("web-1:Running"), pods(at(4)));
        assertEquals(List.of("web-1:Running"), pods(at(6)));
        assertEquals(List.of(), pods(at(7)));
        assertEquals(List.of("web-2:Running"), pods(at(8)));
        assertEquals(List.of("web-2:Running"), pods("-1s"), "relative: now");
        assertEquals(List.of("web-2:Running"), pods("-10m"), "relative: t0+50m");
        assertEquals(List.of(), getJson("/api/v1/pods?at=" + at(4) + "&fieldSelector=status.phase%3DPending").path("items").findValuesAsText("name"));
        assertEquals(List.of(), getJson("/api/v1/namespaces/other/pods?at=" + at(4)).path("items").findValuesAsText("name"));
        var r = get("/api/v1/pods?at=" + at(4));
        assertEquals(Instant.ofEpochMilli(t0 + 4 * MIN).toString(), r.headers().firstValue("X-Berth-At").orElseThrow());
    }

    @Test
    void getsShowTheObjectOfThenAnd404WhenItDidNotExist() throws Exception {
        JsonNode web = getJson("/apis/apps/v1/namespaces/default/deployments/web?at=" + at(3));
        assertEquals("Deployment", web.path("kind").asText(), web.toString());
        assertEquals(2, web.path("spec").path("replicas").asInt());
        assertTrue(web.path("metadata").path("resourceVersion").isMissingNode());
        assertEquals(3, getJson("/apis/apps/v1/namespaces/default/deployments/web?at=" + at(6)).path("spec").path("replicas").asInt());
        assertEquals(404, get("/apis/apps/v1/namespaces/default/deployments/web?at=" + at(1)).statusCode());
        assertEquals(404, get("/api/v1/namespaces/default/pods/web-1?at=" + at(7)).statusCode());
        assertEquals("Running", getJson("/api/v1/namespaces/default/pods/web-1?at=" + at(5)).path("status").path("phase").asText());
        assertFalse(getJson("/api/v1/nodes/n1?at=" + at(8)).path("spec").path("unschedulable").asBoolean(false));
        assertTrue(getJson("/api/v1/nodes/n1?at=" + at(9)).path("spec").path("unschedulable").asBoolean(false));
        assertEquals(404, get("/api/v1/nodes/n1?at=" + at(0)).statusCode());
        assertEquals(404, get("/apis/apps/v1/namespaces/default/deployments/web").statusCode(), "the live views know nothing of it");
    }

    @Test
    void badInstantsAre400NamingTheParameter() throws Exception {
        for (String bad : List.of("yesterday", "10m", URLEncoder.encode(Instant.now().plusSeconds(3600).toString(), StandardCharsets.UTF_8), "")) {
            var r = get("/api/v1/pods?at=" + bad);
            assertEquals(400, r.statusCode(), bad + ": " + r.body());
            JsonNode status = JSON.readTree(r.body());
            assertEquals("BadRequest", status.path("reason").asText());
            assertTrue(status.path("message").asText().contains("parameter \"at\""), status.toString());
        }
        assertTrue(get("/api/v1/namespaces/default/pods/x?at=" + URLEncoder.encode(Instant.now().plusSeconds(3600).toString(), StandardCharsets.UTF_8))
                .body().contains("in the future"));
        assertEquals(400, get("/api/v1/events?at=-1m").statusCode());
        assertEquals(400, get("/api/v1/pods?at=-1m&watch=true").statusCode());
        assertEquals(400, get("/apis/berth.io/v1/diff").statusCode());
        var badTo = get("/apis/berth.io/v1/diff?from=-1m&to=bad");
        assertTrue(JSON.readTree(badTo.body()).path("message").asText().contains("parameter \"to\""), badTo.body());
        assertEquals(400, get("/apis/berth.io/v1/diff?from=-1m&to=-2m").statusCode());
    }

    @Test
    void diffListsWhatChangedBetweenTwoInstants() throws Exception {
        JsonNode d = getJson("/apis/berth.io/v1/diff?from=" + at(4) + "&to=" + at(9));
        assertEquals("Diff", d.path("kind").asText(), d.toString());
        List<String> changes = new java.util.ArrayList<>();
        for (JsonNode c : d.path("changes")) changes.add(c.path("change").asText() + " " + c.path("kind").asText() + "/" + c.path("name").asText());
        assertEquals(List.of("changed Deployment/web", "changed Node/n1", "deleted Pod/web-1", "created Pod/web-2"), changes);
        List<String> paths = d.path("changes").get(0).path("fields").findValuesAsText("path");
        assertTrue(paths.contains("spec.replicas"), paths.toString());
        assertTrue(d.path("changes").get(1).path("fields").findValuesAsText("path").contains("spec.unschedulable"));
        assertEquals(0, getJson("/apis/berth.io/v1/diff?from=" + at(9) + "&to=" + at(9)).path("changes").size());
        assertEquals(1, getJson("/apis/berth.io/v1/diff?from=" + at(9)).path("changes").size() + 1, "to defaults to now: nothing since");
    }

    @Test
    void snapshotsGiveTheSameAnswerAsTheWholeLog() {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        TimeMachine machine = new TimeMachine(props, serdes, 0);
        int used = 0;
        for (int minute = -1; minute <= 10; minute++) {
            long t = t0 + minute * MIN;
            var fast = machine.stateAt(t, true);
            var full = machine.stateAt(t, false);
            assertEquals(full.state().items().stream().map(i -> i.json()).toList(), fast.state().items().stream().map(i -> i.json()).toList(), "at minute " + minute);
            used += fast.stats().snapshotsUsed();
            if (minute >= 7) {
                assertEquals(1, fast.stats().snapshotsUsed(), "minute " + minute);
                assertTrue(fast.stats().tailRecords() < full.stats().tailRecords(), fast.stats() + " vs " + full.stats());
            }
        }
        assertTrue(used > 0);
    }
}
