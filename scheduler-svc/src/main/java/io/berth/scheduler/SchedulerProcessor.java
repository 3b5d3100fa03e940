package io.berth.scheduler;

import io.berth.scheduler.core.Placement;
import io.berth.scheduler.core.Placer;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.AuditRecord;
import io.berth.schemas.avro.PlacementVerdict;
import io.berth.schemas.avro.PlacementRequest;
import io.berth.schemas.avro.Tick;
import io.berth.schemas.serde.AvroSerde;
import io.berth.schemas.serde.BerthSerdes;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import static io.berth.scheduler.SchedulerTopology.*;

/**
 * The adapter around the pure {@link Placer}: takes placement requests, reads the ledger into a
 * snapshot, places, and publishes the decisions. A request that fits nowhere waits in the pending
 * store and is tried again on every {@link Tick} of its partition read from berth.ticks. The
 * cluster it places on (nodes and their bookings) is the last tick that carried it plus its own
 * decisions since ({@link Ledger}); time is the input's timestamp (a request's, a tick's), never
 * the wall clock. So every decision is a function of the records read, in the order read, and
 * each output names that order ({@link ReplayHeaders}) for {@code berth replay --verify}.
 */
final class SchedulerProcessor implements Processor<String, byte[], String, SpecificRecord> {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulerProcessor.class);
    /** Requests are tried oldest first, so a big task is not starved by a stream of small ones arriving later. */
    private static final Comparator<PlacementRequest> FIFO =
            Comparator.comparingLong(PlacementRequest::getTimestamp).thenComparing(PlacementRequest::getTaskId);

    private final AvroSerde<PlacementRequest> requestSerde;
    private final AvroSerde<Tick> tickSerde;
    private final SchedulerSettings settings;
    private final Placer placer = Placer.standard();
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, PlacementRequest> pending;
    private KeyValueStore<String, String> lastReason;
    private KeyValueStore<String, String> causes;   // task id → the request's topic/partition/offset, for the audit
    private long lastAuditAt = Long.MIN_VALUE;
    private long auditSeq;
    private Ledger ledger;
    private Ledger.View view;   // the last snapshot read, with this processor's decisions since folded in; null = read again
    private ReplayHeaders replayHeaders;
    private DeadLetters deadLetters;

    SchedulerProcessor(BerthSerdes serdes, SchedulerSettings settings) {
        this.requestSerde = serdes.value(Topics.PLACEMENT_REQUESTS);
        this.tickSerde = serdes.value(Topics.TICKS);
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.pending = context.getStateStore(PENDING_STORE);
        this.lastReason = context.getStateStore(REASONS_STORE);
        this.causes = context.getStateStore(CAUSES_STORE);
        this.ledger = new Ledger(context.getStateStore(TICK_STORE), context.getStateStore(LEDGER_STORE), context.getStateStore(IN_FLIGHT_STORE), settings.inFlightTtl());
        this.replayHeaders = new ReplayHeaders(context);
        this.deadLetters = new DeadLetters(context, DEAD_LETTER_SINK, AUDIT_SINK);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.value() == null) return; // nothing to place; the contract has no tombstones here
        replayHeaders.observe();
        if (context.recordMetadata().map(m -> m.topic().equals(Topics.TICKS.name())).orElse(false)) {
            onTick(record);
            return;
        }
        Optional<PlacementRequest> request = decode(record);
        if (request.isEmpty()) return;
        PlacementRequest stamped = stamped(request.get(), record.timestamp());
        pending.put(stamped.getTaskId(), stamped);
        context.recordMetadata().ifPresent(m ->
                causes.put(stamped.getTaskId(), new Audits.Cause(m.topic(), m.partition(), m.offset()).text()));
        placeArrival(stamped, record.timestamp());
    }

    /**
     * Retries on the ticks of this task's own partition only: live, the task that holds the
     * requests (partition 0 of the single-partition requests topic) reads partition 0 of
     * berth.ticks; a replay driver (one task, partition 0) then sees the same ticks.
     */
    private void onTick(Record<String, byte[]> record) {
        Tick t;
        try {
            t = tickSerde.deserialize(Topics.TICKS.name(), record.value());
        } catch (RuntimeException e) {
            LOG.warn("ignoring an undecodable tick: {}", e.getMessage());
            return;
        }
        if (t.getPartition() != context.taskId().partition()) return;
        if (ledger.accept(t)) view = null;
        if (!t.getLedgerMore()) retryPending(record.timestamp());   // a ledger-only record: its tick proper follows
    }

    /**
     * An arriving request is placed on the view kept since the last tick that carried the cluster
     * (with every decision since folded in). Before any such tick it just waits: a verdict on a
     * cluster not yet known would be a false UNSCHEDULABLE.
     */
    private void placeArrival(PlacementRequest request, long now) {
        if (view == null) readView(now);
        if (view == null) return;
        apply(request, attempt(request), now);
    }

    /**
     * A request without a timestamp is aged from its first arrival (a repeat keeps the age of the
     * one already waiting). A copy: records read are never changed.
     */
    private PlacementRequest stamped(PlacementRequest r, long now) {
        if (r.getTimestamp() > 0) return r;
        PlacementRequest waiting = pending.get(r.getTaskId());
        long since = waiting != null ? waiting.getTimestamp() : now;
        return PlacementRequest.newBuilder(r).setTimestamp(since).build();
    }

    private Optional<PlacementRequest> decode(Record<String, byte[]> record) {
        PlacementRequest request;
        try {
            request = requestSerde.deserialize(Topics.PLACEMENT_REQUESTS.name(), record.value());
        } catch (RuntimeException e) {
            deadLetters.send(record, e.getMessage(), e.getClass().getName());
            return Optional.empty();
        }
        Optional<String> problem = RequestValidation.problem(request);
        problem.ifPresent(p -> deadLetters.send(record, p, IllegalArgumentException.class.getName()));
        return problem.isPresent() ? Optional.empty() : Optional.of(request);
    }

    private void retryPending(long now) {
        ledger.settle(now);
        List<PlacementRequest> queue = new ArrayList<>();
        try (KeyValueIterator<String, PlacementRequest> it = pending.all()) {
            it.forEachRemaining(kv -> queue.add(kv.value));
        }
        queue.removeIf(r -> expired(r, now));
        queue.sort(FIFO);
        if (!queue.isEmpty()) placeBatch(queue, now);
    }

    /** The controller will not tell us a task was dropped, so a request cannot wait forever. */
    private boolean expired(PlacementRequest r, long now) {
        if (now - r.getTimestamp() <= settings.pendingTtl().toMillis()) return false;
        LOG.warn("dropping placement request for {} after {}: {}", r.getTaskId(), settings.pendingTtl(), lastReason.get(r.getTaskId()));
        forget(r.getTaskId());
        return true;
    }

    /** One fresh snapshot for the whole batch; each decision is folded in before the next is made. */
    private void placeBatch(List<PlacementRequest> queue, long now) {
        readView(now);
        if (view == null) return;
        for (PlacementRequest request : queue) apply(request, attempt(request), now);
    }

    private void readView(long now) {
        view = ledger.read(now).orElse(null);
    }

    /** Empty when the task already has an assignment: a request seen twice is placed once. */
    private Optional<Placement> attempt(PlacementRequest request) {
        if (view.isPlaced(request.getTaskId())) return Optional.empty();
        long t0 = System.nanoTime();
        Placement p = placer.place(view.snapshot(), Conversions.pending(request));
        PlacementMetrics.record(p instanceof Placement.Placed, System.nanoTime() - t0);
        return Optional.of(p);
    }

    private void apply(PlacementRequest request, Optional<Placement> decision, long now) {
        if (decision.isEmpty()) {
            forget(request.getTaskId());
            return;
        }
        view = view.with(decision.get());
        if (decision.get() instanceof Placement.Placed placed) publishPlaced(request, placed, now);
        else publishUnplaceable(request, (Placement.Unplaceable) decision.get(), now);
    }

    private void publishPlaced(PlacementRequest request, Placement.Placed placed, long now) {
        Assignment assignment = Decisions.assignment(request, placed.nodeId(), now);
        String key = Topics.assignmentKey(placed.nodeId(), request.getTaskId());
        PlacementVerdict verdict = Decisions.verdict(placed.verdict(), now);
        context.forward(new Record<>(key, assignment, now, replayHeaders.headers()), ASSIGNMENT_SINK);
        context.forward(new Record<>(request.getWorkloadKey(), Decisions.assigned(request, placed.nodeId(), verdict, now), now,
                replayHeaders.headers()), STATUS_SINK);
        audit(Audits.PLACED, request, verdict, now);
        ledger.recordPlacement(assignment);
        forget(request.getTaskId());
        LOG.debug("placed {} on {} ({} feasible, {})", request.getTaskId(), placed.nodeId(), placed.feasibleNodes(), placed.score());
    }

    /** Reports only a changed reason: a task retried every half second must not flood the status topic. */
    private void publishUnplaceable(PlacementRequest request, Placement.Unplaceable u, long now) {
        if (u.message().equals(lastReason.get(request.getTaskId()))) return;
        lastReason.put(request.getTaskId(), u.message());
        PlacementVerdict verdict = Decisions.verdict(u.verdict(), now);
        context.forward(new Record<>(request.getWorkloadKey(), Decisions.unschedulable(request, u.message(), verdict, now), now,
                replayHeaders.headers()), STATUS_SINK);
        audit(Audits.UNSCHEDULABLE, request, verdict, now);
        LOG.info("cannot place {}: {}", request.getTaskId(), u.message());
    }

    /**
     * Caused by the request's own offset, also on a retry from the punctuation (kept in the causes
     * store); seq orders the records of one millisecond, restarting at 0 each new millisecond.
     */
    private void audit(String change, PlacementRequest request, PlacementVerdict verdict, long now) {
        auditSeq = now == lastAuditAt ? auditSeq + 1 : 0;
        lastAuditAt = now;
        Audits.Cause cause = Audits.Cause.parse(causes.get(request.getTaskId()));
        AuditRecord record = Audits.decision(change, request, verdict, cause, now, auditSeq);
        context.forward(new Record<>(record.getKey(), record, now, replayHeaders.headers()), AUDIT_SINK);
    }

    private void forget(String taskId) {
        pending.delete(taskId);
        lastReason.delete(taskId);
        causes.delete(taskId);
    }
}
