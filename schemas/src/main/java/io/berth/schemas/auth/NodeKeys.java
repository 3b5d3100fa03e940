package io.berth.schemas.auth;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;

/**
 * Node identity as a credential. A node's key is {@code HMAC-SHA256(cluster secret, "berth-node-key/v1|" + nodeId)},
 * issued once at join by the gateway (to a holder of a node join token) and recomputed by state-streams
 * from the cluster secret. The daemon signs every record it produces:
 * <pre>
 *   berth.node = nodeId                                  (who claims to have written it)
 *   berth.sig  = HMAC-SHA256(node key, topic 0x00 key 0x00 SHA-256(value bytes))
 * </pre>
 * The value enters as its SHA-256 because state-streams sees it deserialized: its value deserializer
 * stamps the digest of the bytes it read into {@link #DIGEST_HEADER} (dropping any the producer sent),
 * see {@link #stampDigest}. Pure functions, no I/O.
 */
public final class NodeKeys {
    public static final String NODE_HEADER = "berth.node";
    public static final String SIG_HEADER = "berth.sig";
    /** Set by the reading side only (the value's SHA-256 as it was read); a producer's own is removed. */
    public static final String DIGEST_HEADER = "berth.value-sha256";
    private static final String HMAC = "HmacSHA256";

    private NodeKeys() {}

    /** The key of {@code nodeId}, derived from the cluster secret. */
    public static byte[] nodeKey(byte[] clusterSecret, String nodeId) {
        return hmac(clusterSecret, ("berth-node-key/v1|" + nodeId).getBytes(StandardCharsets.UTF_8));
    }

    /** The signature of one record, given its value's SHA-256. */
    public static byte[] signature(byte[] nodeKey, String topic, String key, byte[] valueDigest) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(nodeKey, HMAC));
            mac.update(topic.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            if (key != null) mac.update(key.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            mac.update(valueDigest);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Adds the node and signature headers to an outgoing record (replacing any). */
    public static void sign(Headers headers, String nodeId, byte[] nodeKey, String topic, String key, byte[] value) {
        headers.remove(NODE_HEADER);
        headers.remove(SIG_HEADER);
        headers.add(NODE_HEADER, nodeId.getBytes(StandardCharsets.UTF_8));
        headers.add(SIG_HEADER, signature(nodeKey, topic, key, sha256(value)));
    }

    /** The reading side: replaces any {@link #DIGEST_HEADER} with the SHA-256 of the bytes actually read. */
    public static void stampDigest(Headers headers, byte[] value) {
        if (headers == null) return;
        headers.remove(DIGEST_HEADER);
        headers.add(DIGEST_HEADER, sha256(value));
    }

    /**
     * Who signed a record read from {@code topic} with {@code key}: the node named in its header, if
     * its signature is that node's; otherwise the reason it is not (missing, wrong, no digest).
     */
    public static Verdict verify(byte[] clusterSecret, String topic, String key, Headers headers) {
        return verify(n -> nodeKey(clusterSecret, n), topic, key, headers);
    }

    /** As {@link #verify(byte[], String, String, Headers)} with the node keys from {@code keyOf} (e.g. a cache of {@link #nodeKey}). */
    public static Verdict verify(java.util.function.Function<String, byte[]> keyOf, String topic, String key, Headers headers) {
        String node = text(headers, NODE_HEADER);
        if (node == null || node.isEmpty()) return Verdict.refused(null, "unsigned: no " + NODE_HEADER + " header (a node signs every record with the key it got at join)");
        Header sig = headers.lastHeader(SIG_HEADER);
        if (sig == null) return Verdict.refused(node, "unsigned: no " + SIG_HEADER + " header");
        Header digest = headers.lastHeader(DIGEST_HEADER);
        if (digest == null) return Verdict.refused(node, "the value's digest was not stamped when it was read (a reader bug)");
        byte[] expected = signature(keyOf.apply(node), topic, key, digest.value());
        if (!MessageDigest.isEqual(expected, sig.value())) return Verdict.refused(node, "bad signature: not signed with node " + node + "'s key");
        return new Verdict(node, null);
    }

    /** A verified signer ({@code reason} null) or the claimed signer (maybe null) and why the record is refused. */
    public record Verdict(String node, String reason) {
        static Verdict refused(String node, String reason) {
            return new Verdict(node, reason);
        }

        public boolean ok() {
            return reason == null;
        }

        /** Signed by exactly {@code nodeId}. */
        public Optional<String> problemFor(String nodeId) {
            if (!ok()) return Optional.of(reason);
            if (!node.equals(nodeId)) return Optional.of("signed by node " + node + ", not by node " + nodeId);
            return Optional.empty();
        }
    }

    // ---- requests to the gateway: the node's key also authenticates the node's own API calls ----

    /** The {@code Authorization} scheme of a node's signed request: {@code BerthNode <node>:<epoch millis>:<base64 signature>}. */
    public static final String REQUEST_SCHEME = "BerthNode";
    /** How far a signed request's time may be from the gateway's clock (either way): a captured request is good this long only. */
    public static final long REQUEST_SKEW_MILLIS = 300_000;

    /**
     * The signature of one request: {@code HMAC-SHA256(node key, "berth-node-request/v1" 0x00 METHOD 0x00 target 0x00 millis)},
     * {@code target} being the path and query exactly as sent (e.g. {@code /api/v1/namespaces/default/secrets/db?pod=t1}).
     */
    public static byte[] requestSignature(byte[] nodeKey, String method, String target, long millis) {
        return hmac(nodeKey, ("berth-node-request/v1\0" + method.toUpperCase(java.util.Locale.ROOT) + "\0" + target + "\0" + millis)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** The {@code Authorization} header value of a request node {@code nodeId} sends at {@code millis}. */
    public static String authorization(String nodeId, byte[] nodeKey, String method, String target, long millis) {
        return REQUEST_SCHEME + " " + nodeId + ":" + millis + ":" + Base64.getEncoder().encodeToString(requestSignature(nodeKey, method, target, millis));
    }

    /** Whether an {@code Authorization} header claims a node's signed request (then only {@link #verifyRequest} may accept it). */
    public static boolean isNodeRequest(String authorization) {
        return authorization != null && authorization.regionMatches(true, 0, REQUEST_SCHEME + " ", 0, REQUEST_SCHEME.length() + 1);
    }

    /**
     * Who sent a request: the node named in its {@code Authorization}, if the signature is that node's for this
     * method and target and its time is within {@link #REQUEST_SKEW_MILLIS} of {@code now}; else why not.
     */
    public static Verdict verifyRequest(java.util.function.Function<String, byte[]> keyOf, String authorization, String method, String target, long now) {
        Parsed p = parse(REQUEST_SCHEME, "node", authorization, null, "gateway's", now);
        if (p.refusal() != null) return p.refusal();
        String node = p.signed().node();
        if (!MessageDigest.isEqual(requestSignature(keyOf.apply(node), method, target, p.signed().millis()), p.signed().signature())) {
            return Verdict.refused(node, "bad signature: not signed with node " + node + "'s key");
        }
        return new Verdict(node, null);
    }

    /** A parsed {@code SCHEME <node>:<millis>:<signature>} credential. */
    private record Signed(String node, long millis, byte[] signature) {}

    /** The credential, or the verdict refusing it (one of the two is null). */
    private record Parsed(Signed signed, Verdict refusal) {}

    /**
     * Reads {@code authorization} as {@code scheme <node>:<millis>:<signature>} (for {@code expectedNode} when
     * not null) whose time is within {@link #REQUEST_SKEW_MILLIS} of {@code now} by {@code clock}'s clock;
     * the signature itself is for the caller to check.
     */
    private static Parsed parse(String scheme, String kind, String authorization, String expectedNode, String clock, long now) {
        if (authorization == null || !authorization.regionMatches(true, 0, scheme + " ", 0, scheme.length() + 1)) {
            return new Parsed(null, Verdict.refused(null, "not a " + kind + " request (Authorization: " + scheme + " <node>:<millis>:<signature>)"));
        }
        String[] parts = authorization.substring(scheme.length() + 1).strip().split(":", 3);
        if (parts.length != 3 || parts[0].isEmpty()) {
            return new Parsed(null, Verdict.refused(null, "malformed " + scheme + " credential: <node>:<millis>:<signature>"));
        }
        String node = parts[0];
        if (expectedNode != null && !node.equals(expectedNode)) {
            return new Parsed(null, Verdict.refused(node, "signed for node " + node + ", this is node " + expectedNode));
        }
        long millis;
        byte[] sig;
        try {
            millis = Long.parseLong(parts[1]);
            sig = Base64.getDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            return new Parsed(null, Verdict.refused(node, "malformed " + scheme + " credential: " + e.getMessage()));
        }
        if (Math.abs(now - millis) > REQUEST_SKEW_MILLIS) {
            return new Parsed(null, Verdict.refused(node, "the request's time is " + (now - millis) / 1000 + " s off the " + clock
                    + " clock (at most " + REQUEST_SKEW_MILLIS / 1000 + " s)"));
        }
        return new Parsed(new Signed(node, millis, sig), null);
    }

    // ---- requests of the gateway to a node daemon (exec, port-forward): signed with that node's key ----

    /** The {@code Authorization} scheme of the gateway's signed request to a node daemon: {@code BerthGateway <node>:<millis>:<signature>}. */
    public static final String GATEWAY_SCHEME = "BerthGateway";

    /**
     * The signature of one gateway request to node {@code nodeId}'s daemon: {@code HMAC-SHA256(node key,
     * "berth-gateway-request/v1" 0x00 METHOD 0x00 target 0x00 millis)}. Its own domain string, so a node's own
     * request (signed with the same key) is never a valid gateway request, nor the other way round.
     */
    public static byte[] gatewayRequestSignature(byte[] nodeKey, String method, String target, long millis) {
        return hmac(nodeKey, ("berth-gateway-request/v1\0" + method.toUpperCase(java.util.Locale.ROOT) + "\0" + target + "\0" + millis)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** The {@code Authorization} header of the gateway's request to node {@code nodeId} at {@code millis}. */
    public static String gatewayAuthorization(String nodeId, byte[] nodeKey, String method, String target, long millis) {
        return GATEWAY_SCHEME + " " + nodeId + ":" + millis + ":" + Base64.getEncoder().encodeToString(gatewayRequestSignature(nodeKey, method, target, millis));
    }

    /**
     * Whether a request reaching node {@code nodeId}'s daemon was signed by the gateway for this node, method and
     * target within {@link #REQUEST_SKEW_MILLIS} of {@code now}: an empty verdict reason when it was, else why not.
     */
    public static Verdict verifyGatewayRequest(String nodeId, byte[] nodeKey, String authorization, String method, String target, long now) {
        Parsed p = parse(GATEWAY_SCHEME, "gateway", authorization, nodeId, "node's", now);
        if (p.refusal() != null) return p.refusal();
        if (!MessageDigest.isEqual(gatewayRequestSignature(nodeKey, method, target, p.signed().millis()), p.signed().signature())) {
            return Verdict.refused(nodeId, "bad signature: not signed with this node's key");
        }
        return new Verdict(nodeId, null);
    }

    public static String encodeKey(byte[] key) {
        return Base64.getEncoder().encodeToString(key);
    }

    public static byte[] decodeKey(String text, String field) {
        byte[] k;
        try {
            k = Base64.getDecoder().decode(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": not a base64 node key: " + e.getMessage());
        }
        if (k.length != 32) throw new IllegalArgumentException(field + ": a node key has 32 bytes, got " + k.length);
        return k;
    }

    static byte[] sha256(byte[] value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value == null ? new byte[0] : value);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(Headers headers, String name) {
        Header h = headers == null ? null : headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
