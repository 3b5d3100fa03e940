package io.berth.schemas.audit;

import io.berth.schemas.AvroTrust;
import io.berth.schemas.avro.AuditRecord;

/**
 * Builds {@link AuditRecord}s the way every writer must (see the audit contract in
 * state-streams/README.md): namespace, kind and name taken from the resource key, the cause both as
 * topic/partition/offset and in its human form {@code topic/partition/offset} (or
 * {@code tick/<ms>} when a timer, not a record, caused the change).
 */
public final class AuditRecords {
    static {
        AvroTrust.ensure();
    }

    private AuditRecords() {}

    /** A record for {@code key} with no cause, before/after or view type yet. */
    public static AuditRecord.Builder of(String key, String change, String actor, String message, long timestamp) {
        ResourceKey k = ResourceKey.parse(key);
        return AuditRecord.newBuilder().setKey(key == null ? "" : key).setNamespace(k.namespace()).setKind(k.kind())
                .setName(k.name()).setChange(change).setActor(actor).setMessage(message == null ? "" : message)
                .setTimestamp(timestamp).setCause("tick/" + timestamp).setIntentId("").setViewType("")
                .setCauseTopic("").setCausePartition(-1).setCauseOffset(-1);
    }

    /** Sets the cause to a record at topic/partition/offset; a null or empty topic means a timer tick. */
    public static AuditRecord.Builder causedBy(AuditRecord.Builder b, String topic, int partition, long offset) {
        if (topic == null || topic.isEmpty()) {
            return b.setCauseTopic("").setCausePartition(-1).setCauseOffset(-1).setCause("tick/" + b.getTimestamp());
        }
        return b.setCauseTopic(topic).setCausePartition(partition).setCauseOffset(offset).setCause(topic + "/" + partition + "/" + offset);
    }
}
