package io.berth.state.core;

import io.berth.schemas.avro.Condition;
import io.berth.schemas.avro.NodeView;

import java.util.Optional;

/**
 * Names the change of a node view for the audit log. A view that only moves {@code lastHeartbeat}
 * (and the resource version) — the periodic refresh of a heartbeating node's view
 * ({@link NodeLiveness#mustWrite}) — is no change worth a record: it is written but not audited;
 * what time travel rebuilds then shows the last meaningful view.
 */
public final class NodeChanges {
    private NodeChanges() {}

    /** The change's name, or empty when only heartbeat times moved. */
    public static Optional<String> of(NodeView before, NodeView after) {
        if (before != null && NodeLiveness.withoutHeartbeat(before).equals(NodeLiveness.withoutHeartbeat(after))) return Optional.empty();
        if (before == null || !before.getIncarnation().equals(after.getIncarnation()) || before.getRegisteredAt() != after.getRegisteredAt()) {
            return Optional.of("NodeRegistered");
        }
        if (before.getReady() != after.getReady()) return Optional.of(after.getReady() ? "NodeReady" : "NodeNotReady");
        if (NodeLiveness.draining(after) && !NodeLiveness.draining(before)) return Optional.of("NodeDrained");
        if (before.getCordoned() != after.getCordoned()) return Optional.of(after.getCordoned() ? "NodeCordoned" : "NodeUncordoned");
        return Optional.of("NodeUpdated");
    }
}
