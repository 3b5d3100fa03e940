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
    /**
     * Each partition's node list as sets, decoded once per tick that changes it. Every task status
     * and every workload of a tick asks for them: reading them from the store decoded the whole
     * list (1,000 nodes with their labels) twice per decision, most of the controller's time at
     * 1,000 nodes. This class is the only writer of the ticks store while its processor lives.
     */
    private final java.util.Map<Integer, Snapshot> snapshots = new java.util.HashMap<>();

    /** The ready, known and draining node ids of one node list. */
    private record Snapshot(Set<String> known, Set<String> ready, Set<String> draining, List<TickNode> nodes) {
        static Snapshot of(List<TickNode> nodes) {
            Set<String> known = new HashSet<>(), ready = new HashSet<>(), draining = new HashSet<>();
            for (TickNode n : nodes) {
                known.add(n.getId());
                if (n.getReady()) ready.add(n.getId());
                if (n.getDraining()) draining.add(n.getId());
            }
            return new Snapshot(Set.copyOf(known), Set.copyOf(ready), Set.copyOf(draining), List.copyOf(nodes));
        }
    }

    NodeReadiness(KeyValueStore<String, Tick> ticks, int partitions, int taskPartition) {
        this.ticks = ticks;
        this.partitions = partitions;
        this.taskPartition = taskPartition;
    }

    /** Keeps the tick's node list (a tick without one keeps the previous list). */
    void record(Tick t) {
        if (t.getNodes() == null) return;
        ticks.put(Integer.toString(t.getPartition()), t);
        snapshots.put(t.getPartition(), Snapshot.of(t.getNodes()));
    }

    /** Whether the periodic check of {@code tick} concerns {@code key} (always, live). */
    boolean owns(Tick tick, String key) {
        return owns(tick.getPartition(), key);
    }

    /** Whether {@code key} is of {@code partition} (always, live). */
    boolean owns(int partition, String key) {
        return partitions <= 0 || partitionOf(key) == partition;
    }

    int partitionOf(String key) {
        if (partitions <= 0) return taskPartition;
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** Ready nodes for a decision about a key of {@code partition}: the listed ready ones, and every node not listed. */
    Set<String> readyNodeIds(int partition) {
        Snapshot s = snapshot(partition);
        Set<String> known = s.known(), ready = s.ready();
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

    /** The nodes of the last tick with a node list, with their labels, readiness and cordon (the DaemonSet controller's view). */
    List<TickNode> nodes(int partition) {
        return snapshot(partition).nodes();
    }

    /** Nodes being drained (label berth.io/draining), as of the last tick. */
    Set<String> drainingNodeIds(int partition) {
        return snapshot(partition).draining();
    }

    private Snapshot snapshot(int partition) {
        return snapshots.computeIfAbsent(partition, p -> Snapshot.of(nodesOf(p)));
    }

    private List<TickNode> nodesOf(int partition) {
        Tick t = ticks.get(Integer.toString(partition));
        return t == null || t.getNodes() == null ? List.of() : t.getNodes();
    }
}
