package io.berth.node.heartbeat;

import io.berth.node.NodeSettings;
import io.berth.node.bus.Addresses;
import io.berth.node.bus.EventPublisher;
import io.berth.node.reconcile.Fence;
import io.berth.schemas.service.NodeLease;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.Condition;
import io.berth.schemas.avro.NodeEvent;
import io.berth.schemas.avro.NodeEventType;
import io.berth.schemas.avro.NodeRegistration;
import io.berth.schemas.avro.Resources;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Supplier;
import java.util.function.LongSupplier;

/**
 * Registers the node (with a fresh incarnation, so state-streams can tell a restarted daemon
 * from a late heartbeat) and then heartbeats every {@code heartbeat-ms} with the task ids
 * whose containers run. Start completes once REGISTER is acknowledged by Kafka. Holds the node's
 * lease: when no heartbeat sent within {@code node-lease-ms} was acknowledged, it tells the reconciler
 * to fence (kill every container), and when one is again, that the lease is regained ({@link Fence}).
 */
public final class HeartbeatVerticle extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(HeartbeatVerticle.class);
    public static final String VERSION = "0.1.0";

    private final NodeSettings node;
    private final EventPublisher publisher;
    private final String incarnation;
    private final LongSupplier clock;
    private final Addresses addr;
    private volatile long sequence;
    private List<String> lastRunning = List.of();
    /** The newest running-ids list the broker acknowledged (null: none yet); what "unchanged" refers to ({@link ListingChoice}). */
    private List<String> ackedListing;
    private int listsInFlight;
    private int beatsSinceList;
    private volatile Supplier<List<Condition>> conditions = List::of;
    /** When the broker last acknowledged a REGISTER or HEARTBEAT of this node (0: never). */
    private volatile long lastAcknowledged;
    /** When the newest acknowledged REGISTER or HEARTBEAT was sent: the lease runs from here ({@link Fence}). */
    private volatile long lastAckedSentAt;
    /** When the newest HEARTBEAT was handed to the publisher (0: none yet): tells a late acknowledgement from a late send. */
    private volatile long lastSentAt;
    /** How many times the lease ran out (each a fence: every container killed). */
    private volatile int fences;
    /** The lease ran out and the reconciler was told to kill everything; until a heartbeat sent within the lease is acknowledged. */
    private volatile boolean fenced;
    private volatile boolean failing;
    /** True while no acknowledgement came for {@link #STALE_BEATS} intervals (logged once per stretch). */
    private volatile boolean stale;
    private static final int STALE_BEATS = 3;

    public HeartbeatVerticle(NodeSettings node, EventPublisher publisher, String incarnation, LongSupplier clock) {
        this.node = node;
        this.publisher = publisher;
        this.incarnation = incarnation;
        this.clock = clock;
        this.addr = new Addresses(node.nodeId());
    }

    @Override
    public Future<?> start() {
        NodeEvent register = event(NodeEventType.REGISTER, List.of()).setRegistration(registration()).build();
        long sent = clock.getAsLong();
        return Future.fromCompletionStage(publisher.publish(Topics.NODE_EVENTS, node.nodeId(), register), context)
                .onSuccess(md -> {
                    lastAcknowledged = clock.getAsLong();
                    lastAckedSentAt = sent;
                    beat(); // at once: the REGISTER may have taken most of a lease to be acknowledged (first send, loaded broker)
                    vertx.setPeriodic(node.heartbeatMs(), id -> beat());
                    vertx.setPeriodic(NodeLease.CHECK_MS, id -> checkLease());
                });
    }

    /** The LEAVE event of a clean shutdown (published by the service before it stops the verticles). */
    public static NodeEvent leave(NodeSettings node, long sequence, long now) {
        return NodeEvent.newBuilder().setNodeId(node.nodeId()).setType(NodeEventType.LEAVE)
                .setTimestamp(now).setSequence(sequence).setRunningTaskIds(List.of()).build();
    }

    /**
     * The node conditions the daemon judges itself (e.g. {@code ContainerRuntimeUnhealthy}), asked
     * on every REGISTER and HEARTBEAT. Computed off any Docker call, so a stalled engine still gets
     * its condition out.
     */
    public HeartbeatVerticle withConditions(Supplier<List<Condition>> conditions) {
        this.conditions = conditions;
        return this;
    }

    /** The port of this daemon's stream server (exec, port-forward), advertised in REGISTER; 0 = none. */
    public HeartbeatVerticle withDaemonPort(int port) {
        this.daemonPort = port;
        return this;
    }

    private int daemonPort;

    public long sequence() {
        return sequence;
    }

    /** When the broker last acknowledged this node's REGISTER or HEARTBEAT (acks=all, the producer's callback); 0 before the first. */
    public long lastAcknowledged() {
        return lastAcknowledged;
    }

    private void beat() {
        long age = clock.getAsLong() - lastAcknowledged;
        if (lastAcknowledged > 0 && !stale && age > STALE_BEATS * node.heartbeatMs()) {
            stale = true; // the producer retries until its delivery timeout; say so long before that
            log.warn("node {}: no heartbeat acknowledged by the broker for {} ms", node.nodeId(), age);
        }
        // sent on time, never after a wait: each heartbeat has (lease - interval) to be acknowledged, and a late send
        // eats into it. The running ids are what the reconciler (which owns container state) said at the last beat,
        // asked again now for the next one; a slow answer only makes them one beat older.
        long sent = clock.getAsLong();
        lastSentAt = sent;
        List<String> running = lastRunning;
        boolean list = ListingChoice.sendList(running, ackedListing, listsInFlight, beatsSinceList);
        if (list) {
            listsInFlight++;
            beatsSinceList = 0;
        } else {
            beatsSinceList++;
        }
        publisher.publish(Topics.NODE_EVENTS, node.nodeId(), event(NodeEventType.HEARTBEAT, list ? running : List.of()).setRunningUnchanged(!list).build())
                .whenComplete((md, err) -> context.runOnContext(v -> {
                    if (list) {
                        listsInFlight--;
                        if (err == null) ackedListing = running; // one producer, one partition: acknowledged in the order sent
                    }
                    acknowledged(sent, err);
                }));
        vertx.eventBus().<JsonArray>request(addr.runningTasks(), null, new DeliveryOptions().setSendTimeout(500))
                .onSuccess(m -> lastRunning = m.body().stream().map(String::valueOf).toList());
    }

    /** How many times this node's lease ran out since it started. */
    public int fences() {
        return fences;
    }

    /** Whether the node is fenced now (its lease ran out and no heartbeat sent within it was acknowledged since). */
    public boolean fenced() {
        return fenced;
    }

    /**
     * Every {@link NodeLease#CHECK_MS}: once no heartbeat sent within the lease was acknowledged, tell the
     * reconciler to kill every container of this node and start nothing ({@link Fence}).
     */
    private void checkLease() {
        long now = clock.getAsLong();
        if (fenced || !Fence.expired(lastAckedSentAt, now, node.leaseMs())) return;
        fenced = true;
        fences++;
        String why = Fence.why(now - lastAckedSentAt, node.leaseMs());
        // which side stalled: heartbeats sent on time but not acknowledged (the link, the broker, the producer), or none
        // sent for most of the lease (this daemon's own event loop or machine)
        log.warn("node {}: lease expired ({}; the newest heartbeat was sent {} ms ago, every {} ms expected): killing every container "
                        + "of this node; nothing starts until heartbeats are acknowledged again",
                node.nodeId(), why, lastSentAt == 0 ? -1 : now - lastSentAt, node.heartbeatMs());
        vertx.eventBus().send(addr.fence(), now - lastAckedSentAt);
    }

    /** Records an acknowledgement (on this verticle's context); logs the first failure after a success and the first success after failures, with the age. */
    private void acknowledged(long sent, Throwable err) {
        long now = clock.getAsLong();
        if (err == null) lastAckedSentAt = Math.max(lastAckedSentAt, sent);
        if (err == null && fenced && !Fence.expired(lastAckedSentAt, now, node.leaseMs())) {
            fenced = false; // an old heartbeat acknowledged late proves nothing; one sent within the lease does
            log.info("node {}: lease regained (a heartbeat sent {} ms ago was acknowledged)", node.nodeId(), now - sent);
            vertx.eventBus().send(addr.leaseRegained(), null);
        }
        long ageMs = lastAcknowledged == 0 ? -1 : now - lastAcknowledged;
        if (err == null) {
            if (failing || stale) log.info("node {}: heartbeat acknowledged again (the last one before was {} ms ago)", node.nodeId(), ageMs);
            failing = false;
            stale = false;
            lastAcknowledged = now;
        } else {
            if (!failing) log.warn("node {}: heartbeat not acknowledged: {}; last acknowledged {} ms ago", node.nodeId(), err.toString(), ageMs);
            failing = true;
        }
    }

    private NodeEvent.Builder event(NodeEventType type, List<String> running) {
        return NodeEvent.newBuilder().setNodeId(node.nodeId()).setType(type)
                .setTimestamp(clock.getAsLong()).setSequence(++sequence).setRunningTaskIds(running)
                .setConditions(currentConditions());
    }

    private List<Condition> currentConditions() {
        List<Condition> out = new java.util.ArrayList<>();
        try {
            out.addAll(conditions.get());
        } catch (RuntimeException e) {
            log.warn("node {}: conditions not judged: {}", node.nodeId(), e.toString());
        }
        out.add(Fence.condition(fenced, lastAckedSentAt == 0 ? 0 : clock.getAsLong() - lastAckedSentAt, node.leaseMs()));
        return out;
    }

    private NodeRegistration registration() {
        return NodeRegistration.newBuilder()
                .setName(node.name()).setAddress(node.address()).setLabels(node.labels())
                .setCapacity(Resources.newBuilder().setCpuMillis(node.cpuMillis()).setMemoryBytes(node.memoryBytes()).build())
                .setDaemonVersion(VERSION).setStartedAt(clock.getAsLong()).setIncarnation(incarnation)
                .setMaxPods(node.maxPods()).setDaemonPort(daemonPort).setLeaseMs(node.leaseMs())
                .build();
    }
}
