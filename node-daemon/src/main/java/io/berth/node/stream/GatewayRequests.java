package io.berth.node.stream;

import io.berth.schemas.auth.NodeKeys;

import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Who may open a stream on this node: only the gateway, which signs each request with this node's key
 * ({@link NodeKeys#gatewayAuthorization}: method, path and query, time). A signature is good once and for
 * {@link NodeKeys#REQUEST_SKEW_MILLIS} at most: one seen before is refused (a captured request cannot be replayed).
 */
public final class GatewayRequests {
    /** Signatures remembered at most; beyond it (a flood of valid ones within the window) requests are refused. */
    static final int MAX_REMEMBERED = 100_000;
    private final String nodeId;
    private final byte[] nodeKey;
    private final LongSupplier clock;
    private final Map<String, Long> seen = new ConcurrentHashMap<>();

    public GatewayRequests(String nodeId, byte[] nodeKey, LongSupplier clock) {
        this.nodeId = nodeId;
        this.nodeKey = nodeKey.clone();
        this.clock = clock;
    }

    /** Why the request is refused (401), or empty when the gateway signed it for this node and it is new. */
    public Optional<String> refusal(String authorization, String method, String target) {
        long now = clock.getAsLong();
        NodeKeys.Verdict v = NodeKeys.verifyGatewayRequest(nodeId, nodeKey, authorization, method, target, now);
        if (!v.ok()) return Optional.of(v.reason());
        forgetOlderThan(now - 2 * NodeKeys.REQUEST_SKEW_MILLIS);
        if (seen.size() >= MAX_REMEMBERED) return Optional.of("too many signed requests within " + NodeKeys.REQUEST_SKEW_MILLIS / 1000 + " s");
        if (seen.putIfAbsent(authorization, now) != null) return Optional.of("replayed: this signed request was already used");
        return Optional.empty();
    }

    private void forgetOlderThan(long cutoff) {
        for (Iterator<Long> it = seen.values().iterator(); it.hasNext(); ) if (it.next() < cutoff) it.remove();
    }

    /** Signed requests remembered now (tests). */
    int remembered() {
        return seen.size();
    }
}
