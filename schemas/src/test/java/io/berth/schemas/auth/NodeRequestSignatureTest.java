package io.berth.schemas.auth;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/** A node's signed request to the gateway ({@link NodeKeys#authorization} / {@link NodeKeys#verifyRequest}): what passes and why the rest does not. */
class NodeRequestSignatureTest {
    private static final byte[] SECRET = "cluster-secret-0123456789abcdef!".getBytes(StandardCharsets.UTF_8);
    private static final Function<String, byte[]> KEYS = n -> NodeKeys.nodeKey(SECRET, n);
    private static final String TARGET = "/api/v1/namespaces/default/secrets/db?pod=t1";
    private static final long NOW = 1_760_000_000_000L;

    private static NodeKeys.Verdict verify(String authorization, String method, String target, long now) {
        return NodeKeys.verifyRequest(KEYS, authorization, method, target, now);
    }

    @Test
    void shouldAcceptANodesOwnFreshSignature() {
        String auth = NodeKeys.authorization("n1", KEYS.apply("n1"), "GET", TARGET, NOW);
        assertTrue(auth.startsWith("BerthNode n1:" + NOW + ":"), auth);
        assertEquals(new NodeKeys.Verdict("n1", null), verify(auth, "GET", TARGET, NOW + 1000));
        assertTrue(verify(auth, "get", TARGET, NOW - NodeKeys.REQUEST_SKEW_MILLIS).ok(), "the method's case does not matter; the skew is inclusive");
    }

    @Test
    void shouldRefuseWhatItDidNotSign() {
        String auth = NodeKeys.authorization("n1", KEYS.apply("n1"), "GET", TARGET, NOW);
        assertEquals("bad signature: not signed with node n1's key", verify(auth, "DELETE", TARGET, NOW).reason(), "another method");
        assertFalse(verify(auth, "GET", TARGET.replace("t1", "t2"), NOW).ok(), "another pod");
        assertFalse(verify(auth, "GET", "/api/v1/namespaces/default/secrets/other?pod=t1", NOW).ok(), "another Secret");
        assertFalse(verify(auth.replace("BerthNode n1:", "BerthNode n2:"), "GET", TARGET, NOW).ok(), "n1's signature claiming n2");
        assertFalse(verify(NodeKeys.authorization("n1", KEYS.apply("n2"), "GET", TARGET, NOW), "GET", TARGET, NOW).ok(), "another node's key");
        assertFalse(verify(auth.replace(":" + NOW + ":", ":" + (NOW + 1) + ":"), "GET", TARGET, NOW).ok(), "the time changed");
    }

    @Test
    void shouldRefuseAStaleOrFutureRequest() {
        String auth = NodeKeys.authorization("n1", KEYS.apply("n1"), "GET", TARGET, NOW);
        NodeKeys.Verdict stale = verify(auth, "GET", TARGET, NOW + NodeKeys.REQUEST_SKEW_MILLIS + 1000);
        assertEquals("the request's time is 301 s off the gateway's clock (at most 300 s)", stale.reason());
        assertFalse(verify(auth, "GET", TARGET, NOW - NodeKeys.REQUEST_SKEW_MILLIS - 1000).ok());
    }

    @Test
    void shouldRefuseMalformedCredentials() {
        assertFalse(NodeKeys.isNodeRequest("Bearer abc"));
        assertFalse(NodeKeys.isNodeRequest(null));
        assertTrue(NodeKeys.isNodeRequest("berthnode n1:1:x"));
        assertTrue(verify("Bearer abc", "GET", TARGET, NOW).reason().startsWith("not a node request"));
        assertTrue(verify("BerthNode n1", "GET", TARGET, NOW).reason().startsWith("malformed BerthNode credential"));
        assertTrue(verify("BerthNode :1:x", "GET", TARGET, NOW).reason().startsWith("malformed BerthNode credential"));
        assertTrue(verify("BerthNode n1:soon:AAAA", "GET", TARGET, NOW).reason().startsWith("malformed BerthNode credential"));
        assertTrue(verify("BerthNode n1:" + NOW + ":%%%", "GET", TARGET, NOW).reason().startsWith("malformed BerthNode credential"));
        assertEquals("bad signature: not signed with node n1's key", verify("BerthNode n1:" + NOW + ":", "GET", TARGET, NOW).reason());
    }
}
