package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.schemas.serde.AvroJson;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.serde.AvroSerde;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code berth get --at} and {@code berth diff} against the in-process control plane, over a history
 * produced straight onto berth.audit per the audit contract: deployment web (2 replicas) at minute 1,
 * pod web-1 running at 2, web scaled to 3 at 3, web-1 removed and web-2 running at 4.
 */
class TimeTravelCommandsTest extends InProcessControlPlaneTest {
    static final long MIN = 60_000;
    final long t0 = System.currentTimeMillis() - 30 * MIN;

    @BeforeAll
    void history() throws Exception {
        AvroSerde<AuditRecord> serde = new AvroSerde<>(registry, AuditRecord.class);
        try (var p = new KafkaProducer<String, byte[]>(Map.of("bootstrap.servers", kafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            record(p, serde, 1, "default/deployment/web", deployment(2), null);
            record(p, serde, 2, "default/pod/web-1", pod("web-1"), null);
            record(p, serde, 3, "default/deployment/web", deployment(3), null);
            record(p, serde, 4, "default/pod/web-1", null, TaskView.getClassSchema().getFullName());
            record(p, serde, 4, "default/pod/web-2", pod("web-2"), null);
        }
    }

    void record(KafkaProducer<String, byte[]> p, AvroSerde<AuditRecord> serde, int minute, String key, SpecificRecord after, String type) throws Exception {
        long ts = t0 + minute * MIN;
        String[] k = key.split("/", 3);
        AuditRecord a = AuditRecord.newBuilder().setKey(key).setNamespace(k[0]).setKind(k[1]).setName(k[2]).setChange(after == null ? "TaskRemoved" : "Changed")
                .setActor("user:test").setTimestamp(ts).setViewType(after == null ? type : after.getSchema().getFullName())
                .setAfter(after == null ? null : AvroJson.encode(after)).build();
        p.send(new ProducerRecord<>(Topics.AUDIT.name(), null, ts, key, serde.serialize(Topics.AUDIT.name(), a))).get();
    }

    static PodTemplate template() {
        return PodTemplate.newBuilder().setLabels(Map.of("app", "web"))
                .setContainers(List.of(ContainerSpec.newBuilder().setName("web").setImage("berth/busybox:latest").build())).build();
    }

    WorkloadView deployment(int replicas) {
        return WorkloadView.newBuilder().setKey("default/deployment/web").setKind(ResourceKind.DEPLOYMENT).setName("web").setNamespace("default")
                .setUid("u-web").setCreatedAt(t0 + MIN).setGeneration(replicas - 1)
                .setDeployment(DeploymentSpec.newBuilder().setTemplate(template()).setReplicas(replicas).setSelector(Map.of("app", "web")).build()).build();
    }

    TaskView pod(String name) {
        return TaskView.newBuilder().setTaskId(name).setPodName(name).setNamespace("default").setWorkloadKey("default/deployment/web")
                .setLabels(Map.of("app", "web")).setTemplate(template()).setPhase(TaskPhase.RUNNING).setReady(true).setCreatedAt(t0).build();
    }

    String at(double minute) {
        return Instant.ofEpochMilli(t0 + (long) (minute * MIN)).toString();
    }

    @Test
    void getAtShowsTheObjectsOfThen() throws Exception {
        Run pods = run(new GetCommand(), "", "pods", "--at", at(2.5));
        assertEquals(0, pods.exit, pods.err);
        System.out.println("$ berth get pods --at " + at(2.5) + "\n" + pods.out);
        assertTrue(pods.out.contains("web-1") && !pods.out.contains("web-2"), pods.out);
        Run later = run(new GetCommand(), "", "pods", "--at", at(4.5));
        assertTrue(later.out.contains("web-2") && !later.out.contains("web-1"), later.out);
        Run none = run(new GetCommand(), "", "pods", "--at", at(0.5));
        assertEquals(0, none.exit);
        assertTrue(none.err.contains("No resources found"), none.err);
        Run web = run(new GetCommand(), "", "deployment", "web", "--at", at(1.5), "-o", "json");
        assertEquals(0, web.exit, web.err);
        assertEquals(2, new ObjectMapper().readTree(web.out).path("spec").path("replicas").asInt());
        Run missing = run(new GetCommand(), "", "pod", "web-2", "--at", at(2.5));
        assertEquals(1, missing.exit);
        assertTrue(missing.err.contains("NotFound"), missing.err);
        Run bad = run(new GetCommand(), "", "pods", "--at", "yesterday");
        assertEquals(1, bad.exit);
        assertTrue(bad.err.contains("parameter \"at\""), bad.err);
        assertEquals(1, run(new GetCommand(), "", "events", "--at", "-1m").exit);
        assertEquals(1, run(new GetCommand(), "", "pods", "--at", "-1m", "-w").exit);
    }

    @Test
    void diffListsCreatedDeletedAndChangedObjects() throws Exception {
        Run d = run(new DiffCommand(), "", "--at", at(1.5), "--to", at(4.5));
        assertEquals(0, d.exit, d.err);
        System.out.println("$ berth diff --at " + at(1.5) + " --to " + at(4.5) + "\n" + d.out);
        assertTrue(d.out.contains("~ Deployment default/web"), d.out);
        assertTrue(d.out.contains("    spec.replicas: 2 -> 3"), d.out);
        assertTrue(d.out.contains("+ Pod default/web-2"), d.out);
        assertFalse(d.out.contains("web-1"), "web-1 came and went between the two instants: " + d.out);
        Run json = run(new DiffCommand(), "", "--at", at(2.5), "-o", "json");
        assertEquals(0, json.exit, json.err);
        JsonNode doc = new ObjectMapper().readTree(json.out);
        assertEquals("Diff", doc.path("kind").asText());
        assertEquals(List.of("changed", "deleted", "created"), doc.path("changes").findValuesAsText("change"), doc.toString());
        Run bad = run(new DiffCommand(), "", "--at", "-1m", "--to", "soon");
        assertEquals(1, bad.exit);
        assertTrue(bad.err.contains("parameter \"to\""), bad.err);
    }
}
