package io.berth.scheduler;

import io.berth.schemas.avro.AuditRecord;
import io.berth.schemas.avro.PlacementRequest;
import io.berth.schemas.avro.PlacementVerdict;

/**
 * The scheduler's audit records: one TaskPlaced per placement and one TaskUnschedulable per new
 * "fits nowhere" verdict, keyed by the pod ({@code ns/pod/<podName>}) as the audit contract says,
 * credited to {@code controller/scheduler} (not to the node that later runs the pod) and caused by
 * the placement request's own offset, also when a punctuation retried it. They are not view
 * changes: viewType is empty, before/after are null, the verdict is in {@code placement}.
 */
final class Audits {
    static final String ACTOR = "controller/scheduler";
    static final String PLACED = "TaskPlaced";
    static final String UNSCHEDULABLE = "TaskUnschedulable";

    private Audits() {}

    /** Where a decision came from: a request's topic/partition/offset, or a timer tick (topic empty, -1/-1). */
    record Cause(String topic, int partition, long offset) {
        static Cause tick() {
            return new Cause("", -1, -1);
        }

        /** The form kept in the causes store and shown in the audit: "topic/partition/offset". */
        String text() {
            return topic + "/" + partition + "/" + offset;
        }

        /** Parses {@link #text()}; anything else is a tick (a store written by an older version, say). */
        static Cause parse(String text) {
            if (text == null) return tick();
            int b = text.lastIndexOf('/');
            int a = b <= 0 ? -1 : text.lastIndexOf('/', b - 1);
            if (a <= 0) return tick();
            try {
                return new Cause(text.substring(0, a), Integer.parseInt(text.substring(a + 1, b)), Long.parseLong(text.substring(b + 1)));
            } catch (NumberFormatException e) {
                return tick();
            }
        }
    }

    static String podKey(PlacementRequest r) {
        return r.getNamespace() + "/pod/" + podName(r);
    }

    static String podName(PlacementRequest r) {
        return r.getPodName().isEmpty() ? r.getTaskId() : r.getPodName();
    }

    static AuditRecord decision(String change, PlacementRequest r, PlacementVerdict verdict, Cause cause, long now, long seq) {
        boolean tick = cause.topic().isEmpty();
        return AuditRecord.newBuilder()
                .setKey(podKey(r))
                .setKind("pod")
                .setNamespace(r.getNamespace())
                .setName(podName(r))
                .setChange(change)
                .setActor(ACTOR)
                .setCause(tick ? "tick/" + now : cause.text())
                .setCauseTopic(cause.topic())
                .setCausePartition(cause.partition())
                .setCauseOffset(cause.offset())
                .setMessage(verdict.getMessage())
                .setTimestamp(now)
                .setViewType("")
                .setPlacement(verdict)
                .setSeq(seq)
                .build();
    }
}
