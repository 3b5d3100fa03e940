package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.gateway.audit.AuditItems;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.AuditRecord;
import io.berth.schemas.avro.PlacementVerdict;
import io.berth.schemas.avro.RankerScore;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code GET /apis/berth.io/v1/audit} on a real broker: the test plays the audit writers by producing
 * {@link AuditRecord}s as the contract has them (key = resource key, Kafka timestamp = the record's).
 */
class AuditApiTest extends GatewayApiFixture {
    /** An hour ago, to the second: the history the tests read is laid out from here, one record per second. */
    final long t0 = (System.currentTimeMillis() - 3_600_000L) / 1000 * 1000;
    /** Every record produced by {@link #history}, in time order: "key change actor". */
    final List<String> all = new ArrayList<>();

    @Override
    boolean withStateStreams() {
        return false;
    }

    static AuditRecord.Builder audit(String ns, String kind, String name, String change, String actor, long time) {
        String key = ns + "/" + kind + "/" + name;
        return AuditRecord.newBuilder().setKey(key).setKind(kind).setNamespace(ns).setName(name).setChange(change)
                .setActor(actor).setTimestamp(time).setMessage(change + " of " + key);
    }

    void produceAudit(AuditRecord a) throws Exception {
        producer.send(new ProducerRecord<>(Topics.AUDIT.name(), null, a.getTimestamp(), a.getKey(),
                serdes.value(Topics.AUDIT).serialize(Topics.AUDIT.name(), a))).get();
    }

    @BeforeAll
    void history() throws Exception {
        long t = t0;
        String[][] steps = {
                {"default", "deployment", "web", "IntentAccepted", "api:alice"},
                {"default", "deployment", "web", "WorkloadCreated", "api:alice"},
                {"default", "pod", "web-5d8f7c-aaaaa", "TaskCreated", "controller/workload"},
                {"", "node", "n1", "NodeReady", "node/n1"},
                {"default", "pod", "web-5d8f7c-aaaaa", "TaskPlaced", "controller/scheduler"},
                {"team-a", "deployment", "web", "WorkloadCreated", "api:bob"},
                {"default", "deployment", "web", "WorkloadChanged", "api:bob"},
                {"default", "service", "db", "ServiceCreated", "api:alice"},
                {"default", "deployment", "db", "WorkloadCreated", "external:ci"},
                {"default", "deployment", "web", "WorkloadStatusChanged", "controller/workload"},
                {"default", "pod", "web-5d8f7c-aaaaa", "TaskPhaseChanged", "node/n1"},
                {"default", "deployment", "web", "WorkloadChanged", "api:alice"},
        };
        int offset = 100;
        for (String[] s : steps) {
            AuditRecord.Builder b = audit(s[0], s[1], s[2], s[3], s[4], t).setCause("berth.intents/2/" + offset)
                    .setCauseTopic("berth.intents").setCausePartition(2).setCauseOffset(offset++).setIntentId("7f3a9c1e-" + offset);
            if (s[3].startsWith("Workload")) {
                b.setViewType("io.berth.schemas.avro.WorkloadView").setAfter("{\"name\":\"" + s[2] + "\",\"replicas\":" + offset + "}")
                        .setBefore(s[3].equals("WorkloadCreated") ? null : "{\"name\":\"" + s[2] + "\"}");
            }
            if (s[3].equals("TaskPlaced")) {
                b.setPlacement(PlacementVerdict.newBuilder().setNodeId("n1").setFeasible(1).setTotal(2)
                        .setScores(List.of(RankerScore.newBuilder().setRanker("spread").setScore(100).setNormalized(1.0).build()))
                        .setRejected(Map.of("n2", "Insufficient memory")).setMessage("n1 of 2 feasible").setDecidedAt(t).build());
            }
            produceAudit(b.build());
            all.add(String.join("/", s[0], s[1], s[2]) + " " + s[3] + " " + s[4]);
            t += 1000;
        }
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String rfc3339(long ms) {
        return AuditItems.TIME.format(Instant.ofEpochMilli(ms));
    }

    /** The items of one list, as "key change actor". */
    List<String> lines(String query) throws Exception {
        HttpResponse<String> r = get(AuditApi.PATH + query);
        assertEquals(200, r.statusCode(), r.body());
        List<String> out = new ArrayList<>();
        for (JsonNode i : JSON.readTree(r.body()).path("items")) out.add(line(i));
        return out;
    }

    static String line(JsonNode i) {
        return i.path("resource").path("key").asText() + " " + i.path("change").asText() + " " + i.path("actor").asText();
    }

    /** Bounds the lists to the fixture's history (the watch tests add records later). */
    String window() {
        return "until=" + q(rfc3339(t0 + 60_000));
    }

    List<String> webHistory() {
        return all.stream().filter(l -> l.startsWith("default/deployment/web ")).toList();
    }

    @Test
    void oneResourceIsReadFromItsPartitionWithAllItsFields() throws Exception {
        JsonNode list = getJson(AuditApi.PATH + "?resource=deployment/web");
        assertEquals("berth.io/v1", list.path("apiVersion").asText());
        assertEquals("AuditList", list.path("kind").asText());
        assertFalse(list.path("metadata").has("continue"), "a complete answer has no continue token");
        assertFalse(list.path("metadata").path("resourceVersion").asText().isEmpty());
        List<String> got = new ArrayList<>();
        list.path("items").forEach(i -> got.add(line(i)));
        assertEquals(webHistory(), got);
        JsonNode first = list.path("items").get(0);
        assertEquals(rfc3339(t0), first.path("time").asText());
        assertTrue(first.path("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
        assertEquals("deployment", first.path("resource").path("kind").asText());
        assertEquals("default", first.path("resource").path("namespace").asText());
        assertEquals("web", first.path("resource").path("name").asText());
        assertEquals("berth.intents", first.path("cause").path("topic").asText());
        assertEquals(2, first.path("cause").path("partition").asInt());
        assertEquals(100, first.path("cause").path("offset").asLong());
        assertEquals("7f3a9c1e-101", first.path("cause").path("intentId").asText());
        assertEquals("IntentAccepted of default/deployment/web", first.path("message").asText());
        assertTrue(first.path("before").isNull());
        assertTrue(first.path("after").isNull());
        assertTrue(first.path("placement").isNull());
        JsonNode created = list.path("items").get(1);
        assertEquals("io.berth.schemas.avro.WorkloadView", created.path("viewType").asText());
        assertEquals(102, created.path("after").path("replicas").asInt(), "after is the parsed JSON, not a string");
        assertTrue(created.path("before").isNull(), "null when created");
        assertEquals("web", list.path("items").get(2).path("before").path("name").asText());
        // kubectl's aliases and the namespace
        assertEquals(webHistory(), lines("?resource=deploy/web"));
        assertEquals(webHistory(), lines("?resource=deployments.apps/web&namespace=default"));
        assertEquals(List.of("team-a/deployment/web WorkloadCreated api:bob"), lines("?resource=deploy/web&namespace=team-a"));
        assertEquals(List.of(), lines("?resource=deploy/web&namespace=nowhere"));
        assertEquals(List.of("/node/n1 NodeReady node/n1"), lines("?resource=no/n1"));
    }

    @Test
    void thePlacementVerdictIsServedAsJson() throws Exception {
        JsonNode items = getJson(AuditApi.PATH + "?resource=po/web-5d8f7c-aaaaa&change=TaskPlaced").path("items");
        assertEquals(1, items.size());
        JsonNode p = items.get(0).path("placement");
        assertEquals("n1", p.path("nodeId").asText());
        assertEquals(2, p.path("total").asInt());
        assertEquals("spread", p.path("scores").get(0).path("ranker").asText());
        assertEquals("Insufficient memory", p.path("rejected").path("n2").asText());
    }

    @Test
    void everythingIsMergedInTimeOrderAcrossPartitions() throws Exception {
        assertEquals(all, lines("?" + window()));
        assertEquals(all.stream().filter(l -> l.startsWith("default/")).toList(), lines("?namespace=default&" + window()));
        assertEquals(all.stream().filter(l -> l.contains("/deployment/")).toList(), lines("?resource=deployments&" + window()));
    }

    @Test
    void actorChangeAndTimeFilters() throws Exception {
        assertEquals(all.stream().filter(l -> l.endsWith(" api:alice")).toList(), lines("?actor=" + q("api:alice") + "&" + window()));
        assertEquals(all.stream().filter(l -> l.contains(" controller/")).toList(), lines("?actor=" + q("controller/*") + "&" + window()));
        assertEquals(List.of("default/deployment/web WorkloadChanged api:bob", "default/deployment/web WorkloadChanged api:alice"),
                lines("?resource=deploy/web&change=WorkloadChanged"));
        assertEquals(all.stream().filter(l -> l.contains(" TaskCreated ") || l.contains(" TaskPlaced ")).toList(),
                lines("?change=TaskCreated,TaskPlaced&" + window()));
        // absolute: records 3..6 (inclusive bounds)
        assertEquals(all.subList(3, 7), lines("?since=" + q(rfc3339(t0 + 3000)) + "&until=" + q(rfc3339(t0 + 6000))));
        assertEquals(all.subList(10, 12), lines("?since=" + q(rfc3339(t0 + 10_000)) + "&" + window()));
        assertEquals(all.subList(0, 2), lines("?until=" + q(rfc3339(t0 + 1000))));
        // relative: everything is about an hour old
        assertEquals(all, lines("?since=-2h&" + window()));
        assertEquals(List.of(), lines("?since=-30m&resource=deploy/web"));
        assertEquals(List.of(), lines("?until=-2h"));
    }

    @Test
    void pagesFollowEachOtherWithoutDuplicatesOrGaps() throws Exception {
        for (String filter : new String[]{"", "&resource=deploy/web", "&namespace=default", "&actor=" + q("api:alice")}) {
            filter += "&" + window();
            List<String> whole = lines("?limit=0" + filter);
            List<String> paged = new ArrayList<>();
            String token = null;
            int pages = 0;
            do {
                JsonNode list = getJson(AuditApi.PATH + "?limit=2" + filter + (token == null ? "" : "&continue=" + q(token)));
                assertTrue(list.path("items").size() <= 2);
                list.path("items").forEach(i -> paged.add(line(i)));
                token = list.path("metadata").path("continue").asText(null);
                assertTrue(++pages < 20, "paging ends");
            } while (token != null);
            assertEquals(whole, paged, "filter " + filter);
        }
    }

    @Test
    void badParametersAre400NamingTheParameter() throws Exception {
        Map<String, String> cases = Map.of(
                "?resource=widgets/x", "resource: ",
                "?namespace=Bad_NS", "namespace: ",
                "?change=task-created", "change: ",
                "?since=yesterday", "since: ",
                "?until=2026-99-01T00:00:00Z", "until: ",
                "?limit=-5", "limit: ",
                "?continue=not-ours", "continue: ",
                "?watch=maybe", "watch: ",
                "?watch=true&resourceVersion=garbage", "resourceVersion: ",
                "?since=-5m&until=-10m", "since: ");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> r = get(AuditApi.PATH + c.getKey());
            assertEquals(400, r.statusCode(), c.getKey() + " → " + r.body());
            JsonNode status = JSON.readTree(r.body());
            assertEquals("Status", status.path("kind").asText());
            assertEquals("BadRequest", status.path("reason").asText());
            assertTrue(status.path("message").asText().startsWith(c.getValue()), c.getKey() + " → " + status.path("message").asText());
        }
    }

    @Test
    void aWatchFollowsLiveAndResumesFromItsLastVersionWithoutDuplicatesOrGaps() throws Exception {
        String ns = "watch";
        long now = System.currentTimeMillis();
        // list, then watch from the list's resourceVersion: only what comes after
        String rv = getJson(AuditApi.PATH + "?resource=deploy/w&namespace=" + ns).path("metadata").path("resourceVersion").asText();
        String last;
        try (Watch w = new Watch(AuditApi.PATH + "?watch=true&resource=deploy/w&namespace=" + ns + "&resourceVersion=" + q(rv))) {
            assertEquals(200, w.status);
            produceAudit(audit(ns, "deployment", "w", "WorkloadCreated", "api:alice", now).build());
            produceAudit(audit(ns, "deployment", "other", "WorkloadCreated", "api:alice", now).build());
            produceAudit(audit(ns, "deployment", "w", "WorkloadChanged", "api:alice", now + 1).build());
            JsonNode e1 = w.next(), e2 = w.next();
            assertEquals("ADDED", e1.path("type").asText());
            assertEquals("WorkloadCreated", e1.path("object").path("change").asText());
            assertEquals("WorkloadChanged", e2.path("object").path("change").asText());
            last = e2.path("object").path("metadata").path("resourceVersion").asText();
            assertFalse(last.isEmpty());
        }
        // missed while disconnected
        produceAudit(audit(ns, "deployment", "w", "WorkloadStatusChanged", "controller/workload", now + 2).build());
        produceAudit(audit(ns, "deployment", "w", "WorkloadChanged", "api:bob", now + 3).build());
        try (Watch w = new Watch(AuditApi.PATH + "?watch=true&resource=deploy/w&namespace=" + ns + "&resourceVersion=" + q(last))) {
            assertEquals("WorkloadStatusChanged", w.next().path("object").path("change").asText());
            JsonNode o = w.next().path("object");
            assertEquals("WorkloadChanged api:bob", o.path("change").asText() + " " + o.path("actor").asText());
            produceAudit(audit(ns, "deployment", "w", "WorkloadDeleted", "api:bob", now + 4).build());
            assertEquals("WorkloadDeleted", w.next().path("object").path("change").asText());
            assertNull(w.events.poll(500, TimeUnit.MILLISECONDS), "nothing twice");
        }
        // a watch over every resource with since replays from then; timeoutSeconds ends it
        try (Watch w = new Watch(AuditApi.PATH + "?watch=true&namespace=" + ns + "&since=" + q(rfc3339(now)) + "&timeoutSeconds=3")) {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                JsonNode o = w.next().path("object");
                seen.add(o.path("resource").path("name").asText() + " " + o.path("change").asText());
            }
            assertEquals(Set.of("w WorkloadCreated", "other WorkloadCreated", "w WorkloadChanged", "w WorkloadStatusChanged",
                    "w WorkloadDeleted"), seen);
            assertTrue(w.ended.await(15, TimeUnit.SECONDS), "the server ends the watch after timeoutSeconds");
        }
    }

    @Test
    void aWatchWithUntilInThePastEndsOnceItHasReplayed() throws Exception {
        try (Watch w = new Watch(AuditApi.PATH + "?watch=true&resource=deploy/web&since=" + q(rfc3339(t0)) + "&until=" + q(rfc3339(t0 + 6000)))) {
            assertEquals("IntentAccepted", w.next().path("object").path("change").asText());
            assertEquals("WorkloadCreated", w.next().path("object").path("change").asText());
            assertEquals("WorkloadChanged", w.next().path("object").path("change").asText());
            assertTrue(w.ended.await(15, TimeUnit.SECONDS), "the stream ends at until");
            assertTrue(w.events.isEmpty());
        }
    }
}
