package io.berth.schemas.deadletter;

import io.berth.registry.client.SchemaRegistryClient;
import io.berth.schemas.avro.DeadLetter;
import io.berth.schemas.serde.BerthSerdes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Streams {@link DeserializationExceptionHandler} that turns a record which does not deserialize
 * into a {@link DeadLetter} and lets the stream continue. It uses Kafka Streams 4.x's
 * {@code Response.resume(deadLetterRecords)}: the dead letter is written by the task's own
 * producer, inside the same transaction as the offset commit under exactly_once_v2, so a poison
 * record is dead-lettered exactly once.
 *
 * <p>Configure with {@link #REGISTRY_CONFIG} (a {@link SchemaRegistryClient} instance, to encode
 * the DeadLetter in the Berth wire format) and optionally {@link #COMPONENT_CONFIG}; see
 * {@link #configure(java.util.Properties, SchemaRegistryClient, String)}.
 */
public final class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {
    public static final String REGISTRY_CONFIG = "berth.dead-letter.registry";
    public static final String COMPONENT_CONFIG = "berth.dead-letter.component";
    private static final Logger log = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);

    private BerthSerdes serdes;
    private String component = "";

    /** Sets the handler and its settings on Streams properties. */
    public static void configure(java.util.Properties props, SchemaRegistryClient registry, String component) {
        props.put(org.apache.kafka.streams.StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterDeserializationHandler.class);
        props.put(REGISTRY_CONFIG, registry);
        props.put(COMPONENT_CONFIG, component);
    }

    @Override
    public void configure(Map<String, ?> configs) {
        if (!(configs.get(REGISTRY_CONFIG) instanceof SchemaRegistryClient registry)) {
            throw new ConfigException(REGISTRY_CONFIG, configs.get(REGISTRY_CONFIG), "must be a SchemaRegistryClient instance");
        }
        this.serdes = new BerthSerdes(registry);
        Object c = configs.get(COMPONENT_CONFIG);
        Object app = configs.get("application.id");
        this.component = c != null ? c.toString() : app != null ? app.toString() : "";
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        if (DeadLetters.notAtFault(log, component, record.topic(), record.partition(), record.offset(), exception)) return Response.fail();
        String reason = "cannot deserialize: " + DeadLetters.reasonOf(exception);
        log.warn("{}: dead-lettering {}-{}@{}: {}", component, record.topic(), record.partition(), record.offset(), reason);
        DeadLetter dl = DeadLetters.of(record.topic(), record.partition(), record.offset(), record.key(), record.value(),
                reason, exception, component, System.currentTimeMillis());
        return Response.resume(DeadLetters.toRawRecords(dl, record.headers(), serdes));  // the dead letter and its audit record
    }
}
