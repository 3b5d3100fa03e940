package io.berth.state.core;

import io.berth.schemas.avro.Condition;
import io.berth.schemas.avro.NodeView;

import java.util.Optional;

/**
 * Names the change of a node view for the audit log. A heartbeat that only moves
 * {@code lastHeartbeat} (and the resource version) is no change worth a record: the view is still
 * written (the grace check needs it) but not audited, so a cluster's audit does not grow by a record
 * per node per second; what time travel rebuilds then shows the last meaningful view.
 */
public final class NodeChanges {
    private NodeChanges() {}

    /** The change's name, or empty when only heartbeat times moved. */
    public static Optional<String> of(NodeView before, NodeView after) {
        if (before != null && withoutHeartbeat(before).equals(withoutHeartbeat(after))) return Optional.empty();
        if (before == null || !before.getIncarnation().equals(after.getIncarnation()) || before.getRegisteredAt() != after.getRegisteredAt()) {
            return Optional.of("NodeRegistered");
        }
        if (before.getReady() != after.getReady()) return Optional.of(after.getReady() ? "NodeReady" : "NodeNotReady");
        if (NodeLiveness.draining(after) && !NodeLiveness.draining(before)) return Optional.of("NodeDrained");
        if (before.getCordoned() != after.getCordoned()) return Optional.of(after.getCordoned() ? "NodeCordoned" : "NodeUncordoned");
        return Optional.of("NodeUpdated");
    }

    /**
     * Also without the conditions' messages: a daemon-reported condition's message moves with time
     * ("pleg was last seen active 3m10s ago"); its status or reason changing is the change.
     */
    private static NodeView withoutHeartbeat(NodeView v) {
        return NodeView.newBuilder(v).setLastHeartbeat(0).setResourceVersion("")
                .setConditions(v.getConditions().stream().map(c -> Condition.newBuilder(c).setMessage("").build()).toList()).build();
    }
}
