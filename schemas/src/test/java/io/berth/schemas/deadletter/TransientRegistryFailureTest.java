package io.berth.schemas.deadletter;

import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.registry.client.SchemaRegistryClient.RegistryException;
import io.berth.schemas.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A record whose processing or decoding failed because the schema registry was unreachable or between
 * leaders is not at fault: it must not become a dead letter (chaos run of 2026-12-05: a killed registry
 * leader made state-streams dead-letter an acknowledged intent). Both dead-letter handlers fail the thread
 * instead (it is replaced and the record processed again); a record that is at fault is still dead-lettered.
 * The handlers as plain functions, table-driven.
 */
class TransientRegistryFailureTest {

    /** failure: {@code 50003}/{@code 50004}/{@code 409}/{@code 42201} a registry answer with that code, {@code refused} an unreachable registry, {@code tls} a refused handshake. */
    private static RuntimeException failure(String kind) {
        RegistryException cause = switch (kind) {
            case "refused" -> new RegistryException("schema registry http://127.0.0.1:1 unreachable", new java.net.ConnectException("Connection refused"));
            case "tls" -> new RegistryException("schema registry refused TLS", new javax.net.ssl.SSLHandshakeException("PKIX path building failed"), false);
            default -> new RegistryException(Integer.parseInt(kind), "registry answered " + kind);
        };
        return new SerializationException("cannot register schema X under subject berth.assignments-value: " + cause.getMessage(), cause);
    }

    private static final ErrorHandlerContext CONTEXT = new ErrorHandlerContext() {
        public String topic() { return Topics.INTENTS.name(); }
        public int partition() { return 1; }
        public long offset() { return 0; }
        public org.apache.kafka.common.header.Headers headers() { return new RecordHeaders(); }
        public String processorNodeId() { return "workload-controller"; }
        public TaskId taskId() { return new TaskId(0, 1); }
        public long timestamp() { return 0; }
        public byte[] sourceRawKey() { return "default/Deployment/web".getBytes(StandardCharsets.UTF_8); }
        public byte[] sourceRawValue() { return new byte[]{0, 0, 0, 0, 1, 2}; }
    };

    @ParameterizedTest(name = "[{index}] registry failure {0} → {1}")
    @CsvSource({
            "50003,   FAIL",     // forwarding to a leader that just died
            "50004,   FAIL",     // no leader elected yet
            "500,     FAIL",
            "refused, FAIL",     // every registry unreachable
            "409,     RESUME",   // an incompatible schema: the record is at fault
            "42201,   RESUME",
            "tls,     RESUME",   // a misconfiguration, not a passing state: retrying cannot help
    })
    void shouldNotDeadLetterARecordForATransientRegistryFailure(String kind, String expected) {
        DeadLetterProcessingHandler processing = new DeadLetterProcessingHandler();
        DeadLetterDeserializationHandler deserialization = new DeadLetterDeserializationHandler();
        Map<String, Object> configs = Map.of(DeadLetterDeserializationHandler.REGISTRY_CONFIG, new InMemorySchemaRegistryClient(),
                DeadLetterDeserializationHandler.COMPONENT_CONFIG, "test");
        processing.configure(configs);
        deserialization.configure(configs);
        RuntimeException e = failure(kind);

        ProcessingExceptionHandler.Response p = processing.handleError(CONTEXT, new Record<>("k", "v", 0L), e);
        assertEquals(expected, p.result().name(), "processing handler, " + e.getMessage());
        assertEquals(expected.equals("RESUME") ? 2 : 0, p.deadLetterQueueRecords().size(), "a dead letter and its audit record only for a record at fault");

        ConsumerRecord<byte[], byte[]> raw = new ConsumerRecord<>(Topics.INTENTS.name(), 1, 0, CONTEXT.sourceRawKey(), CONTEXT.sourceRawValue());
        DeserializationExceptionHandler.Response d = deserialization.handleError(CONTEXT, raw, e);
        assertEquals(expected, d.result().name(), "deserialization handler, " + e.getMessage());
        assertEquals(expected.equals("RESUME") ? 2 : 0, d.deadLetterQueueRecords().size());
    }

    @ParameterizedTest(name = "[{index}] {0} → transient {1}")
    @CsvSource({"50003, true", "50004, true", "50001, true", "500, true", "503, true", "429, true", "refused, true",
            "409, false", "40403, false", "42201, false", "tls, false"})
    void shouldTellTransientFailuresFromRefusals(String kind, boolean expected) {
        assertEquals(expected, RegistryException.isTransient(failure(kind)));
    }
}
