package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.audit.Actors;
import io.berth.schemas.avro.Condition;
import io.berth.schemas.avro.Intent;
import io.berth.schemas.avro.IntentAction;
import io.berth.schemas.avro.NodeEvent;
import io.berth.schemas.avro.NodeEventType;
import io.berth.schemas.avro.NodeView;
import io.berth.schemas.serde.AvroJson;
import io.berth.schemas.avro.Tick;
import io.berth.state.core.IntentValidator;
import io.berth.state.core.NodeChanges;
import io.berth.state.core.NodeLiveness;
import io.berth.state.core.RunningListing;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.TaskState;
import io.berth.schemas.avro.TaskStatus;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The node lifecycle controller, per partition of berth.node-events (key node id): folds
 * registrations and heartbeats into NodeViews, applies cordon intents (re-keyed by node id
 * upstream), and on a {@code CLOCK} record (the {@link Ticker}'s, written into the heartbeat
 * partition itself every tick, see {@link #onClock}) turns nodes that stopped heartbeating NotReady.
 *
 * <p>Leases, as Kubernetes' node Leases: every REGISTER and HEARTBEAT renews the node's lease in
 * the small changelogged store {@code node-leases} (node id → the record time of its latest
 * heartbeat); the NodeView (the store {@code nodes}, berth.state.nodes, read by every global nodes
 * table) is written only when something its readers need changed, or to refresh its last
 * heartbeat every {@code node-status-refresh-ms} ({@link NodeLiveness#mustWrite}). Expiry reads
 * the leases, and compares each with the other leases of its partition, so that a controller that
 * reads a partition's heartbeats late does not declare all its nodes dead ({@link NodeLiveness#overdue}). Time is the records' timestamps (a heartbeat's as its producer stamped it, a tick's as
 * the ticker did), so a replay decides the same; the grace check therefore compares the daemon's
 * clock with the ticker's, and the hosts' clocks must agree well within the grace (NTP), as
 * Kubernetes' node lease requires too.
 */
final class NodeProcessor extends ContextualProcessor<String, SpecificRecord, String, Emit> {
    static final String ACTOR = "node-lifecycle-controller";

    private final int partitions;
    private final long graceMs;
    private final long refreshMs;
    private final long lagGraceMs;
    private final Function<Intent, byte[]> encodeIntent;
    private final Function<NodeEvent, byte[]> encodeEvent;
    private final NodeSignatures signatures;
    private KeyValueStore<String, NodeView> nodes;
    private KeyValueStore<String, Long> leases;
    /** node id → what its heartbeats listed ({@link RunningListing}, encoded) */
    private KeyValueStore<String, String> running;
    /** the global assignments table: which node holds which task now, and its workload */
    private org.apache.kafka.streams.state.ReadOnlyKeyValueStore<String, ?> assignments;
    /** Partitions whose views without a lease (written before leases existed) were given one since this task started. */
    private final Set<Integer> adopted = new HashSet<>();
    private Outputs out;
    private NodeClock clock;
    private NodeReadiness partitioning;

    /**
     * @param partitions 0 live; the live partition count when a replay runs every partition in one driver
     * @param refreshMs  a heartbeating node's view is rewritten at least this often (its last heartbeat)
     * @param lagGraceMs the grace when the node's whole partition went quiet together ({@link NodeLiveness#overdue})
     */
    NodeProcessor(int partitions, long graceMs, long refreshMs, long lagGraceMs, Function<Intent, byte[]> encodeIntent) {
        this(partitions, graceMs, refreshMs, lagGraceMs, encodeIntent, e -> AvroJson.encode(e).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                NodeSignatures.OFF);
    }

    /** @param signatures who may speak for a node: a REGISTER, HEARTBEAT or LEAVE not signed by its node changes nothing */
    NodeProcessor(int partitions, long graceMs, long refreshMs, long lagGraceMs, Function<Intent, byte[]> encodeIntent,
                  Function<NodeEvent, byte[]> encodeEvent, NodeSignatures signatures) {
        this.encodeEvent = encodeEvent;
        this.signatures = signatures;
        this.partitions = partitions;
        this.graceMs = graceMs;
        this.refreshMs = refreshMs;
        this.lagGraceMs = lagGraceMs;
        this.encodeIntent = encodeIntent;
    }

    @Override
    public void init(ProcessorContext<String, Emit> context) {
        super.init(context);
        nodes = context.getStateStore(StateStreamsTopology.NODES_STORE);
        leases = context.getStateStore(StateStreamsTopology.NODE_LEASES_STORE);
        running = context.getStateStore(StateStreamsTopology.NODE_RUNNING_STORE);
        assignments = context.getStateStore(StateStreamsTopology.GLOBAL_ASSIGNMENTS_STORE);
        out = new Outputs(context, StateStreamsTopology.APPLICATION_ID);
        clock = new NodeClock(context.getStateStore(StateStreamsTopology.NODE_CLOCK_STORE), graceMs);
        partitioning = new NodeReadiness(null, partitions, context.taskId().partition());
    }

    /** Time is the input's timestamp: a tick's for expiry, the heartbeat's own otherwise (deterministic replay). */
    @Override
    public void process(Record<String, SpecificRecord> record) {
        long now = record.timestamp();
        out.observe(record);
        if (record.key() == null) return;
        if (record.value() instanceof Tick t) {
            clock.tickRead(t.getPartition(), now);
        } else if (record.value() instanceof NodeEvent e && e.getType() == NodeEventType.CLOCK) {
            onClock(record.key(), now);
        } else if (record.value() instanceof NodeEvent e) {
            Optional<String> forged = forged(record.key(), e, record.headers());
            if (forged.isPresent()) refuse(record.key(), e, forged.get(), now);
            else onEvent(record.key(), e, now);
        } else if (record.value() instanceof Intent i) {
            onIntent(record.key(), i, record.headers(), now);
        }
    }

    /**
     * A {@code CLOCK} record of the ticker, in the heartbeat partition (key = partition): every
     * heartbeat that reached the broker before it has been read, so a lease older than the grace at
     * its time is a node that went silent, not a heartbeat this controller has yet to read — however
     * far behind it is (a tick on berth.ticks could be read before heartbeats already on the broker,
     * and 206 of 270 live nodes were once declared dead that way). Anyone who may write heartbeats
     * may write one, so it is unsigned and trusted only up to the newest tick read from berth.ticks
     * (which only the control plane may write): it cannot make time run faster than the ticks say.
     */
    private void onClock(String key, long at) {
        int partition;
        try {
            partition = Integer.parseInt(key);
        } catch (NumberFormatException e) {
            return;  // not the ticker's
        }
        Long tick = clock.lastTick(partition);
        if (tick == null) return;
        long now = Math.min(at, tick);
        if (clock.mayExpire(partition, now)) expire(partition, now);
    }

    /** Why {@code e} is not its node's own record: unsigned, signed with another key, or naming another node than its key. */
    private Optional<String> forged(String nodeId, NodeEvent e, Headers headers) {
        if (!signatures.enabled()) return Optional.empty();
        if (!e.getNodeId().isEmpty() && !e.getNodeId().equals(nodeId)) {
            return Optional.of("the event names node " + e.getNodeId() + " but is keyed by node " + nodeId);
        }
        return signatures.problem(out.inputTopic(Topics.NODE_EVENTS.name()), nodeId, headers, nodeId);
    }

    /** A forged node event changes nothing: it is dead-lettered with the reason and audited (NodeEventRejected). */
    private void refuse(String nodeId, NodeEvent e, String reason, long now) {
        String why = e.getType().name() + " for node " + nodeId + " refused: " + reason;
        out.deadLetter(nodeId, e, encodeEvent, why, now);
        out.audit(Events.nodeKey(nodeId), "NodeEventRejected", ACTOR, "", null, AvroJson.encode(e), why, now);
    }

    private void onEvent(String nodeId, NodeEvent e, long now) {
        if (e.getType() == NodeEventType.REGISTER || e.getType() == NodeEventType.HEARTBEAT) renew(nodeId, now);
        if (e.getType() == NodeEventType.HEARTBEAT) listed(nodeId, e, now);
        else if (running.get(nodeId) != null) running.delete(nodeId); // a new incarnation (or a leave) lists afresh
        NodeView before = nodes.get(nodeId);
        NodeView after = NodeLiveness.onEvent(before, e, now);
        if (!NodeLiveness.mustWrite(before, after, refreshMs)) return;
        write(nodeId, before, after, Actors.node(nodeId), "", "node " + nodeId + " " + e.getType().name().toLowerCase()
                + (after.getIncarnation().isEmpty() ? "" : " (incarnation " + after.getIncarnation() + ")"), now);
        boolean readinessChanged = before == null || before.getReady() != after.getReady();
        if (readinessChanged) out.event(Events.nodeStatus(nodeId, after.getReady() ? "NodeReady" : "NodeNotReady"), now);
        for (Condition c : after.getConditions()) { // the daemon's own conditions: an event when one turns True, or back
            if (NodeLiveness.READY.equals(c.getType())) continue;
            String was = NodeLiveness.condition(before, c.getType()).map(Condition::getStatus).orElse("False");
            if (!was.equals(c.getStatus())) out.event(Events.nodeCondition(nodeId, c), now);
        }
    }

    /**
     * Cordon keeps new tasks off a node. Drain cordons it and marks it draining: the workload
     * controllers then move its tasks elsewhere (replacement first, within each workload's
     * availability budget). Uncordon ends both.
     */
    private void onIntent(String nodeId, Intent i, Headers headers, long now) {
        Optional<String> problem = IntentValidator.problem(i);
        String actor = Actors.of(i, headers);
        if (problem.isPresent()) {
            out.deadLetter(nodeId, i, encodeIntent, problem.get(), now);
            out.event(Events.rejected(Events.nodeKey(nodeId), i.getKind(), "", nodeId, false, problem.get(), ACTOR), now);
            out.audit(Events.nodeKey(nodeId), "IntentRejected", actor, i.getIntentId(), null, AvroJson.encode(i), problem.get(), now);
            return;
        }
        out.audit(Events.nodeKey(nodeId), "IntentAccepted", actor, i.getIntentId(), null, AvroJson.encode(i), i.getAction() + " node " + nodeId, now);
        NodeView before = nodes.get(nodeId);
        NodeView after = switch (i.getAction()) {
            case DRAIN -> NodeLiveness.drain(before, nodeId);
            case UNCORDON -> NodeLiveness.cordon(before, nodeId, false);
            default -> NodeLiveness.cordon(before, nodeId, true);
        };
        if (after.equals(before)) return;
        write(nodeId, before, after, actor, i.getIntentId(),
                "node " + nodeId + (after.getCordoned() ? " cordoned (" + i.getAction() + ")" : " uncordoned"), now);
        boolean wasCordoned = before != null && before.getCordoned();
        if (wasCordoned != after.getCordoned()) {
            out.event(Events.nodeStatus(nodeId, after.getCordoned() ? "NodeNotSchedulable" : "NodeSchedulable"), now);
        }
        boolean draining = NodeLiveness.draining(after);
        if (draining && (before == null || !NodeLiveness.draining(before))) out.event(Events.nodeDraining(nodeId), now);
    }

    /**
     * What statuses missed ({@link RunningListing}): a task the node listed and left out of two heartbeats in
     * a row, still assigned to it, goes to its workload's controller as a FAILED status of reason
     * ContainerMissing (through the repartition topic {@code node-gaps-by-workload}, which only this
     * application writes); that controller folds it only if it still believes the task runs there.
     */
    private void listed(String nodeId, NodeEvent e, long now) {
        String before = running.get(nodeId);
        if (e.getRunningUnchanged() && RunningListing.unchangedKeeps(before)) return; // nothing can go: the listing stays
        RunningListing prev = RunningListing.decode(before);
        // "unchanged": the node runs exactly what its newest list said, which is what this listing holds as listed
        RunningListing.Next next = RunningListing.next(prev, e.getRunningUnchanged() ? prev.listed() : e.getRunningTaskIds());
        String after = next.listing().encode();
        if (!after.equals(before == null ? "" : before)) {
            if (after.isEmpty()) running.delete(nodeId);
            else running.put(nodeId, after);
        }
        for (String taskId : next.gone()) {
            Object v = assignments.get(Topics.assignmentKey(nodeId, taskId));
            if (v instanceof org.apache.kafka.streams.state.ValueAndTimestamp<?> vt) v = vt.value();
            if (!(v instanceof Assignment a)) continue; // revoked: the control plane knows already
            TaskStatus gap = TaskStatus.newBuilder().setTaskId(taskId).setWorkloadKey(a.getWorkloadKey()).setNodeId(nodeId)
                    .setState(TaskState.FAILED).setReason(RunningListing.REASON).setMessage(RunningListing.message(taskId, nodeId))
                    .setTimestamp(now).build();
            out.put(Topics.TASK_STATUS, a.getWorkloadKey(), gap, now);
        }
    }

    /** The lease only moves forward (a late heartbeat does not shorten it). */
    private void renew(String nodeId, long at) {
        Long held = leases.get(nodeId);
        if (held == null || held < at) leases.put(nodeId, at);
    }

    /**
     * Runs on a {@code CLOCK} record once {@link NodeClock} allows it (not during the first grace
     * period after the clock resumed: nodes may still be reconnecting). Walks the leases (a long per
     * node) and reads the view only of a node whose lease ran out.
     */
    private void expire(int partition, long now) {
        if (adopted.add(partition)) adoptViewsWithoutLease(partition);
        List<KeyValue<String, Long>> owned = new ArrayList<>();
        try (KeyValueIterator<String, Long> it = leases.all()) {
            it.forEachRemaining(kv -> { if (partitioning.owns(partition, kv.key)) owned.add(kv); });
        }
        // the newest and second newest lease: the newest lease among the *other* nodes of each
        long newest = NodeLiveness.NO_OTHER_LEASE, second = NodeLiveness.NO_OTHER_LEASE;
        String newestNode = null;
        for (KeyValue<String, Long> kv : owned) {
            if (kv.value > newest) {
                second = newest;
                newest = kv.value;
                newestNode = kv.key;
            } else if (kv.value > second) {
                second = kv.value;
            }
        }
        for (KeyValue<String, Long> kv : owned) {
            long newestOther = kv.key.equals(newestNode) ? second : newest;
            if (!NodeLiveness.overdue(kv.value, newestOther, now, graceMs, lagGraceMs)) continue;
            NodeView view = nodes.get(kv.key);
            if (view == null) continue;
            NodeLiveness.expire(view, kv.value, now, graceMs).ifPresent(notReady -> {
                write(kv.key, view, notReady, Actors.NODE_CONTROLLER, "", notReady.getConditions().get(0).getMessage(), now);
                out.event(Events.nodeStatus(kv.key, "NodeNotReady"), now);
            });
        }
    }

    /**
     * A view written before leases existed has none: its own last heartbeat becomes its lease, once
     * per task start, so such a node still expires if it never heartbeats again.
     */
    private void adoptViewsWithoutLease(int partition) {
        List<KeyValue<String, NodeView>> orphans = new ArrayList<>();
        try (KeyValueIterator<String, NodeView> it = nodes.all()) {
            it.forEachRemaining(kv -> {
                if (kv.value.getReady() && partitioning.owns(partition, kv.key) && leases.get(kv.key) == null) orphans.add(kv);
            });
        }
        orphans.forEach(kv -> leases.put(kv.key, kv.value.getLastHeartbeat()));
    }

    /** Writes the view, and its audit record unless only heartbeat times moved ({@link NodeChanges}). */
    private void write(String nodeId, NodeView before, NodeView v, String actor, String intentId, String message, long now) {
        NodeView stamped = NodeView.newBuilder(v).setResourceVersion(Long.toString(now)).build();
        nodes.put(nodeId, stamped);
        out.put(Topics.NODES, nodeId, stamped, now);
        NodeChanges.of(before, stamped).ifPresent(change ->
                out.auditView(Events.nodeKey(nodeId), change, actor, intentId, before, stamped, message, now));
    }
}
