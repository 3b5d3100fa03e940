package io.berth.node.bus;

import io.berth.schemas.auth.NodeKeys;
import io.berth.schemas.avro.NodeEvent;
import io.berth.schemas.avro.TaskStatus;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signs what a node publishes ({@link NodeKeys#sign}: headers {@code berth.node} and {@code berth.sig}),
 * so state-streams can tell the node's own records from forged ones. One HMAC-SHA256 per record.
 */
public interface NodeSigner {
    void sign(Headers headers, String topic, String key, byte[] value, SpecificRecord record);

    /** Unsigned: only for fixtures whose control plane has no cluster secret (it then checks nothing). */
    static NodeSigner none() {
        return (h, t, k, v, r) -> { };
    }

    /** A daemon: everything it publishes is signed as {@code nodeId} with the key it got at join. */
    static NodeSigner of(String nodeId, byte[] nodeKey) {
        byte[] key = nodeKey.clone();
        return (h, t, k, v, r) -> NodeKeys.sign(h, nodeId, key, t, k, v);
    }

    /**
     * Many simulated nodes behind one publisher (ops/bench sim, SimCluster): each record is signed as
     * the node it names, with that node's key derived from the cluster secret (cached per node).
     * Records that name no node (dead letters) go unsigned.
     */
    static NodeSigner forSimulatedNodes(byte[] clusterSecret) {
        Map<String, byte[]> keys = new ConcurrentHashMap<>();
        return (h, t, k, v, r) -> {
            String node = r instanceof NodeEvent e ? e.getNodeId() : r instanceof TaskStatus s ? s.getNodeId() : null;
            if (node == null || node.isEmpty()) return;
            NodeKeys.sign(h, node, keys.computeIfAbsent(node, n -> NodeKeys.nodeKey(clusterSecret, n)), t, k, v);
        };
    }
}
