package io.berth.scheduler;

import io.berth.schemas.avro.AuditRecord;
import io.berth.schemas.avro.DeadLetter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Sends a rejected input record, with the reason, to the dead letters and its {@code DeadLettered}
 * audit record to berth.audit (the shared {@link io.berth.schemas.deadletter.DeadLetters#audit}); the
 * stream carries on.
 */
final class DeadLetters {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
    private final ProcessorContext<String, SpecificRecord> context;
    private final String sink;
    private final String auditSink;

    DeadLetters(ProcessorContext<String, SpecificRecord> context, String sink, String auditSink) {
        this.context = context;
        this.sink = sink;
        this.auditSink = auditSink;
    }

    void send(Record<String, byte[]> record, String reason, String exceptionClass) {
        RecordMetadata meta = context.recordMetadata().orElse(null);
        DeadLetter letter = DeadLetter.newBuilder()
                .setSourceTopic(meta == null ? "" : meta.topic())
                .setPartition(meta == null ? -1 : meta.partition())
                .setOffset(meta == null ? -1 : meta.offset())
                .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key().getBytes(StandardCharsets.UTF_8)))
                .setValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
                .setReason(reason == null ? "unknown" : reason)
                .setExceptionClass(exceptionClass)
                .setComponent("scheduler")
                .setTimestamp(record.timestamp())
                .build();
        io.berth.schemas.metrics.ProcessMetrics.deadLetter(letter.getSourceTopic());
        LOG.warn("dead-lettering {}-{}@{}: {}", letter.getSourceTopic(), letter.getPartition(), letter.getOffset(), letter.getReason());
        context.forward(new Record<>(record.key(), letter, record.timestamp()), sink);
        AuditRecord audit = io.berth.schemas.deadletter.DeadLetters.audit(letter, record.headers());
        context.forward(new Record<>(audit.getKey(), audit, record.timestamp()), auditSink);
    }
}
