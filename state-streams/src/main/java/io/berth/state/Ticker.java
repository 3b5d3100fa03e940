package io.berth.state;

import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.ContainerPort;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.NodeView;
import io.berth.schemas.avro.TickAssignment;
import io.berth.schemas.avro.Tick;
import io.berth.schemas.avro.TickNode;
import io.berth.state.core.NodeLiveness;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The only wall-clock code of state-streams, and it decides nothing: every {@code tick} it writes a
 * {@link Tick} for its own partition to berth.ticks, carrying the nodes as the global nodes table
 * shows them (ready, draining, address) when they changed or once a minute. The controllers read
 * those ticks back like any input and run their periodic checks then, with now = the tick's
 * timestamp, reading node readiness from the last tick they read. So time and the cluster's
 * node facts reach every decision through the log, and a replay of the log decides the same.
 *
 * <p>The tick of partition 0 also carries what the scheduler needs (it reads only partition 0):
 * each node's capacity, labels and cordon flag, and its live assignments as the global
 * berth.assignments table shows them ({@code Tick.ledger} = true). The other partitions' ticks
 * carry no assignments (the controllers do not need them; six copies would only cost bytes).
 *
 * <p>One instance per stream task of the controllers' sub-topology (it is wired to the ticks
 * stream only to live in that task); it forwards to the berth.ticks sink, whose partitioner sends
 * each tick to {@link Tick#getPartition()}.
 */
final class Ticker extends ContextualProcessor<String, Tick, String, Tick> {
    /** A full node list at least this often, so a reader starting anywhere in the log soon knows every node. */
    static final Duration FULL_EVERY = Duration.ofMinutes(1);

    private final Duration tick;
    private ReadOnlyKeyValueStore<String, ?> globalNodes;
    private ReadOnlyKeyValueStore<String, ?> globalAssignments;
    private List<TickNode> lastSent;
    private long lastFullAt = Long.MIN_VALUE;

    Ticker(Duration tick) {
        this.tick = tick;
    }

    @Override
    public void init(ProcessorContext<String, Tick> context) {
        super.init(context);
        globalNodes = context.getStateStore(StateStreamsTopology.GLOBAL_NODES_STORE);
        globalAssignments = context.getStateStore(StateStreamsTopology.GLOBAL_ASSIGNMENTS_STORE);
        context.schedule(tick, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void process(Record<String, Tick> record) {
        // never called with anything to do: ticks flow from berth.ticks to the controllers directly
    }

    private void tick(long now) {
        int partition = context().taskId().partition();
        boolean ledger = partition == 0;
        List<TickNode> nodes = readNodes(ledger ? readAssignments() : Map.of());
        boolean send = !nodes.equals(lastSent) || now - lastFullAt >= FULL_EVERY.toMillis();
        if (send) {
            lastSent = nodes;
            lastFullAt = now;
        }
        Tick t = Tick.newBuilder().setPartition(partition).setNodes(send ? nodes : null).setLedger(ledger).build();
        context().forward(new Record<>(Integer.toString(partition), t, now));
    }

    private List<TickNode> readNodes(Map<String, List<TickAssignment>> assignments) {
        List<TickNode> out = new ArrayList<>();
        try (KeyValueIterator<String, ?> it = globalNodes.all()) {
            it.forEachRemaining(kv -> {
                Object v = kv.value instanceof ValueAndTimestamp<?> vt ? vt.value() : kv.value;
                if (v instanceof NodeView n) {
                    out.add(TickNode.newBuilder().setId(kv.key).setReady(n.getReady()).setDraining(NodeLiveness.draining(n))
                            .setAddress(n.getAddress()).setLabels(new HashMap<>(n.getLabels()))
                            .setCpuMillis(n.getCapacity() == null ? 0 : n.getCapacity().getCpuMillis())
                            .setMemoryBytes(n.getCapacity() == null ? 0 : n.getCapacity().getMemoryBytes())
                            .setCordoned(n.getCordoned()).setMaxPods(n.getMaxPods())
                            .setAssignments(assignments.getOrDefault(kv.key, List.of())).build());
                }
            });
        }
        out.sort(java.util.Comparator.comparing(TickNode::getId));
        return out;
    }

    /** Live assignments per node, each node's sorted by task id (so an unchanged ledger compares equal). */
    private Map<String, List<TickAssignment>> readAssignments() {
        Map<String, List<TickAssignment>> byNode = new HashMap<>();
        try (KeyValueIterator<String, ?> it = globalAssignments.all()) {
            it.forEachRemaining(kv -> {
                Object v = kv.value instanceof ValueAndTimestamp<?> vt ? vt.value() : kv.value;
                if (v instanceof Assignment a) byNode.computeIfAbsent(a.getNodeId(), x -> new ArrayList<>()).add(tickAssignment(a));
            });
        }
        byNode.values().forEach(l -> l.sort(Comparator.comparing(TickAssignment::getTaskId)));
        return byNode;
    }

    /** The requests and host ports the scheduler counts for an assignment (host ports as its template declares them). */
    static TickAssignment tickAssignment(Assignment a) {
        TreeSet<Integer> ports = new TreeSet<>();
        if (a.getTemplate() != null) {
            for (ContainerSpec c : a.getTemplate().getContainers()) {
                for (ContainerPort p : c.getPorts()) if (p.getHostPort() != null && p.getHostPort() > 0) ports.add(p.getHostPort());
            }
        }
        return TickAssignment.newBuilder().setTaskId(a.getTaskId()).setWorkloadKey(a.getWorkloadKey())
                .setCpuMillis(a.getRequests() == null ? 0 : a.getRequests().getCpuMillis())
                .setMemoryBytes(a.getRequests() == null ? 0 : a.getRequests().getMemoryBytes())
                .setHostPorts(new ArrayList<>(ports)).build();
    }
}
