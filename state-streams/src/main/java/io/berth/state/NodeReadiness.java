package io.berth.state;

import io.berth.schemas.avro.Tick;
import io.berth.schemas.avro.TickNode;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.charset.StandardCharsets;
import java.util.AbstractSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Which nodes are ready or draining, as of the last {@link Tick} this controller read (not as the
 * global nodes table shows them "now", which changes on another thread and would make a replay
 * decide differently). The last tick with a node list is kept per partition in the
 * {@value StateStreamsTopology#TICKS_STORE} store, so a restart resumes with it.
 *
 * <p>A node the tick does not list at all (it registered after the tick was written) counts as
 * ready until a tick says otherwise: its first task status may arrive before the next tick, and a
 * node nobody has heard of yet cannot have been declared lost.
 *
 * <p>Partitions: live, a task owns one partition and every key it sees is of it. A replay runs all
 * partitions in one driver; there {@code partitions} > 0 and a key belongs to partition
 * {@code murmur2(key) % partitions} (Kafka's default partitioner), so a tick of partition P checks
 * exactly the keys the live task P checked.
 */
final class NodeReadiness {
    private final KeyValueStore<String, Tick> ticks;
    private final int partitions;
    private final int taskPartition;

    NodeReadiness(KeyValueStore<String, Tick> ticks, int partitions, int taskPartition) {
        this.ticks = ticks;
        this.partitions = partitions;
        this.taskPartition = taskPartition;
    }

    /** Keeps the tick's node list (a tick without one keeps the previous list). */
    void record(Tick t) {
        if (t.getNodes() != null) ticks.put(Integer.toString(t.getPartition()), t);
    }

    /** Whether the periodic check of {@code tick} concerns {@code key} (always, live). */
    boolean owns(Tick tick, String key) {
        return partitions <= 0 || partitionOf(key) == tick.getPartition();
    }

    int partitionOf(String key) {
        if (partitions <= 0) return taskPartition;
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** Ready nodes for a decision about a key of {@code partition}: the listed ready ones, and every node not listed. */
    Set<String> readyNodeIds(int partition) {
        List<TickNode> nodes = nodesOf(partition);
        Set<String> known = new HashSet<>(), ready = new HashSet<>();
        for (TickNode n : nodes) {
            known.add(n.getId());
            if (n.getReady()) ready.add(n.getId());
        }
        return new AbstractSet<>() {
            @Override
            public boolean contains(Object o) {
                return ready.contains(o) || !known.contains(o);
            }

            @Override
            public Iterator<String> iterator() {
                return ready.iterator();  // the listed ready nodes; unknown ones cannot be enumerated
            }

            @Override
            public int size() {
                return ready.size();
            }
        };
    }

    /** Nodes being drained (label berth.io/draining), as of the last tick. */
    Set<String> drainingNodeIds(int partition) {
        Set<String> out = new HashSet<>();
        for (TickNode n : nodesOf(partition)) if (n.getDraining()) out.add(n.getId());
        return out;
    }

    private List<TickNode> nodesOf(int partition) {
        Tick t = ticks.get(Integer.toString(partition));
        return t == null || t.getNodes() == null ? List.of() : t.getNodes();
    }
}
