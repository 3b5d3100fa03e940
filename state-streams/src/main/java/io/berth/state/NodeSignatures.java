package io.berth.state;

import io.berth.schemas.auth.NodeKeys;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * Checks that a node record (node event, task status) was signed by the node it speaks for
 * ({@link NodeKeys}). Off (everything passes) only when the control plane has no cluster secret:
 * the in-process test fixtures; {@code berth up} always creates one.
 */
final class NodeSignatures {
    private static final Logger LOG = LoggerFactory.getLogger(NodeSignatures.class);
    /** Verification off: only for fixtures without a cluster secret. */
    static final NodeSignatures OFF = new NodeSignatures(null);

    private final byte[] clusterSecret;
    /** Node keys derived so far (one HMAC per node instead of one per record); bounded by clearing. */
    private final java.util.Map<String, byte[]> keys = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_CACHED_KEYS = 100_000;

    private NodeSignatures(byte[] clusterSecret) {
        this.clusterSecret = clusterSecret;
    }

    static NodeSignatures of(byte[] clusterSecret) {
        if (clusterSecret == null) {
            LOG.warn("NODE RECORDS ARE NOT VERIFIED: no cluster secret configured (cluster-secret-file); any producer on the bus "
                    + "can register a node, heartbeat or leave for one, or report its tasks. Only in-process test fixtures run like this.");
            return OFF;
        }
        return new NodeSignatures(clusterSecret.clone());
    }

    boolean enabled() {
        return clusterSecret != null;
    }

    /** Why a record read from {@code topic} is not {@code nodeId}'s own, or empty when it is (or verification is off). */
    Optional<String> problem(String topic, String key, Headers headers, String nodeId) {
        if (clusterSecret == null) return Optional.empty();
        if (keys.size() > MAX_CACHED_KEYS) keys.clear();
        return NodeKeys.verify(n -> keys.computeIfAbsent(n, id -> NodeKeys.nodeKey(clusterSecret, id)), topic, key, headers).problemFor(nodeId);
    }
}
