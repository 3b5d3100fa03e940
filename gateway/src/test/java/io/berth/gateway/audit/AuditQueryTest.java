package io.berth.gateway.audit;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class AuditQueryTest {
    static final long NOW = Instant.parse("2026-12-03T23:10:00Z").toEpochMilli();

    static AuditQuery parse(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return AuditQuery.parse(m::get, NOW);
    }

    static String error(String... kv) {
        return assertThrows(IllegalArgumentException.class, () -> parse(kv)).getMessage();
    }

    @Test
    void resourceAliasesNameOneKeyInTheDefaultNamespace() {
        for (String type : new String[]{"deployment", "deployments", "deploy", "deployments.apps", "Deployment"}) {
            assertEquals("default/deployment/web", parse("resource", type + "/web").key());
        }
        assertEquals("default/pod/web-5d8f7c-abcde", parse("resource", "po/web-5d8f7c-abcde").key());
        assertEquals("team-a/service/db", parse("resource", "svc/db", "namespace", "team-a").key());
        assertEquals("default/endpoints/db", parse("resource", "ep/db").key());
        assertEquals("/node/n1", parse("resource", "no/n1", "namespace", "team-a").key(), "nodes are cluster-scoped");
        assertEquals("/namespace/team-a", parse("resource", "ns/team-a").key());
    }

    @Test
    void theKeyPicksKafkasDefaultPartition() {
        AuditQuery q = parse("resource", "deploy/web");
        int expected = org.apache.kafka.common.utils.Utils.toPositive(
                org.apache.kafka.common.utils.Utils.murmur2("default/deployment/web".getBytes(java.nio.charset.StandardCharsets.UTF_8))) % 6;
        assertEquals(expected, q.partition(6));
        assertEquals(-1, parse().partition(6), "no resource: every partition");
    }

    @Test
    void filters() {
        AuditQuery all = parse();
        assertTrue(all.matches("team-a/pod/x", "node/n1", "TaskPhaseChanged", 5), "no filter: everything, every namespace");
        AuditQuery kind = parse("resource", "deployments");
        assertTrue(kind.matches("team-a/deployment/web", "a", "WorkloadChanged", 5));
        assertFalse(kind.matches("team-a/pod/web-1", "a", "TaskCreated", 5));
        AuditQuery ns = parse("namespace", "team-a");
        assertTrue(ns.matches("team-a/pod/x", "a", "b", 5));
        assertFalse(ns.matches("default/pod/x", "a", "b", 5));
        AuditQuery nodes = parse("resource", "nodes");
        assertTrue(nodes.matches("/node/n1", "node/n1", "NodeReady", 5));
        AuditQuery actor = parse("actor", "controller/*", "change", "TaskCreated, TaskStopped");
        assertEquals(Set.of("TaskCreated", "TaskStopped"), actor.changes());
        assertTrue(actor.matches("default/pod/x", "controller/workload", "TaskStopped", 5));
        assertFalse(actor.matches("default/pod/x", "api:alice", "TaskStopped", 5));
        assertFalse(actor.matches("default/pod/x", "controller/workload", "TaskPlaced", 5));
        AuditQuery exact = parse("actor", "api:alice");
        assertTrue(exact.matches("k/k/k", "api:alice", "X", 1));
        assertFalse(exact.matches("k/k/k", "api:alice2", "X", 1));
    }

    @Test
    void timesAreRfc3339OrRelativeToNow() {
        assertEquals(NOW - 600_000, parse("since", "-10m").since());
        assertEquals(NOW - 600_000, parse("since", "10m").since(), "a bare duration means ago, as --since does in kubectl logs");
        assertEquals(NOW - 5_400_000, parse("since", "-1h30m").since());
        assertEquals(NOW - 2 * 86_400_000L, parse("since", "2d").since());
        assertEquals(NOW + 60_000, parse("until", "+1m").until());
        assertEquals(NOW, parse("until", "now").until());
        assertEquals(Instant.parse("2026-12-03T23:10:04.123Z").toEpochMilli(), parse("since", "2026-12-03T23:10:04.123Z").since());
        assertEquals(Instant.parse("2026-12-03T22:10:04Z").toEpochMilli(), parse("since", "2026-12-03T23:10:04+01:00").since());
        AuditQuery window = parse("since", "-10m", "until", "-5m");
        assertTrue(window.matches("a/b/c", "x", "Y", NOW - 400_000));
        assertFalse(window.matches("a/b/c", "x", "Y", NOW - 700_000));
        assertFalse(window.matches("a/b/c", "x", "Y", NOW - 200_000));
    }

    @Test
    void limitsAreCapped() {
        assertEquals(AuditQuery.MAX_LIMIT, parse().limit());
        assertEquals(AuditQuery.MAX_LIMIT, parse("limit", "0").limit());
        assertEquals(7, parse("limit", "7").limit());
        assertEquals(AuditQuery.MAX_LIMIT, parse("limit", "99999999").limit());
    }

    @Test
    void everyBadParameterIsNamed() {
        assertTrue(error("resource", "widgets/x").startsWith("resource: the server doesn't have a resource type \"widgets\""));
        assertTrue(error("resource", "deploy/").startsWith("resource: "));
        assertTrue(error("resource", "deploy/a b").startsWith("resource: "));
        assertTrue(error("namespace", "Team_A").startsWith("namespace: "));
        assertTrue(error("actor", "a b").startsWith("actor: "));
        assertTrue(error("change", "WorkloadChanged,task-created").startsWith("change: \"task-created\""));
        assertTrue(error("since", "yesterday").startsWith("since: "));
        assertTrue(error("until", "2026-13-45T00:00:00Z").startsWith("until: "));
        assertTrue(error("since", "10").startsWith("since: "), "a duration needs a unit");
        assertTrue(error("since", "-5m", "until", "-10m").startsWith("since: must not be after until"));
        assertTrue(error("limit", "-1").startsWith("limit: "));
        assertTrue(error("limit", "ten").startsWith("limit: "));
        assertTrue(error("watch", "maybe").startsWith("watch: "));
        assertTrue(error("watch", "true", "continue", "abc").startsWith("continue: "));
        assertTrue(error("timeoutSeconds", "-3").startsWith("timeoutSeconds: "));
    }

    @Test
    void cursorsRoundTripAndRejectForeignTokens() {
        Map<Integer, Long> at = Map.of(3, 42L, 0, 7L);
        String token = AuditCursor.encode(at);
        assertEquals(at, AuditCursor.decode("continue", token, 6));
        assertTrue(token.matches("[A-Za-z0-9_-]+"), "URL-safe");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AuditCursor.decode("continue", "!!", 6)).getMessage().startsWith("continue: "));
        assertThrows(IllegalArgumentException.class, () -> AuditCursor.decode("resourceVersion", "12.0.5", 6));
        assertThrows(IllegalArgumentException.class, () -> AuditCursor.decode("continue", AuditCursor.encode(Map.of(9, 1L)), 6),
                "a partition the topic does not have");
    }
}
