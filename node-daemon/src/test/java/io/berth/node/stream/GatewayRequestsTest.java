package io.berth.node.stream;

import io.berth.schemas.auth.NodeKeys;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GatewayRequestsTest {
    private final byte[] secret = "cluster-secret-cluster-secret-32".getBytes(StandardCharsets.UTF_8);
    private final byte[] key = NodeKeys.nodeKey(secret, "n1");
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final GatewayRequests auth = new GatewayRequests("n1", key, now::get);

    private String signed(String node, byte[] k, String target, long at) {
        return NodeKeys.gatewayAuthorization(node, k, "GET", target, at);
    }

    @Test
    void shouldAcceptTheGatewaysSignatureOnceOnly() {
        String a = signed("n1", key, "/exec/t1?command=sh", now.get());
        assertTrue(auth.refusal(a, "GET", "/exec/t1?command=sh").isEmpty());
        assertEquals("replayed: this signed request was already used", auth.refusal(a, "GET", "/exec/t1?command=sh").orElseThrow());
    }

    @Test
    void shouldRefuseWhatTheGatewayDidNotSignForThisNodeAndTarget() {
        assertTrue(auth.refusal(null, "GET", "/exec/t1").orElseThrow().startsWith("not a gateway request"));
        assertTrue(auth.refusal("Bearer abc", "GET", "/exec/t1").orElseThrow().startsWith("not a gateway request"));
        // another target (a signed exec reused for another pod or command)
        assertTrue(auth.refusal(signed("n1", key, "/exec/t1?command=ls", now.get()), "GET", "/exec/t2?command=ls").orElseThrow().startsWith("bad signature"));
        // signed for another node, or with another node's key
        assertEquals("signed for node n2, this is node n1", auth.refusal(signed("n2", NodeKeys.nodeKey(secret, "n2"), "/exec/t1", now.get()), "GET", "/exec/t1").orElseThrow());
        assertTrue(auth.refusal(signed("n1", NodeKeys.nodeKey(secret, "n2"), "/exec/t1", now.get()), "GET", "/exec/t1").orElseThrow().startsWith("bad signature"));
        // a node's own request signature (the same key, the node→gateway domain) is no gateway request
        String nodeOwn = NodeKeys.authorization("n1", key, "GET", "/exec/t1", now.get()).replace(NodeKeys.REQUEST_SCHEME, NodeKeys.GATEWAY_SCHEME);
        assertTrue(auth.refusal(nodeOwn, "GET", "/exec/t1").orElseThrow().startsWith("bad signature"));
        // too old
        assertTrue(auth.refusal(signed("n1", key, "/exec/t1", now.get() - NodeKeys.REQUEST_SKEW_MILLIS - 1), "GET", "/exec/t1").orElseThrow().contains("off the node's clock"));
    }

    @Test
    void shouldForgetSignaturesOnceTheyCannotBeValidAnyMore() {
        assertTrue(auth.refusal(signed("n1", key, "/exec/t1", now.get()), "GET", "/exec/t1").isEmpty());
        now.addAndGet(3 * NodeKeys.REQUEST_SKEW_MILLIS);
        assertTrue(auth.refusal(signed("n1", key, "/exec/t2", now.get()), "GET", "/exec/t2").isEmpty());
        assertEquals(1, auth.remembered());
    }
}
