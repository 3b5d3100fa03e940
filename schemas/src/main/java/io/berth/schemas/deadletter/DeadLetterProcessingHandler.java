package io.berth.schemas.deadletter;

import io.berth.registry.client.SchemaRegistryClient;
import io.berth.schemas.avro.DeadLetter;
import io.berth.schemas.serde.BerthSerdes;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Streams {@link ProcessingExceptionHandler}: a record whose processing throws (a bug, or data no
 * validator foresaw) becomes a {@link DeadLetter} carrying the source record's raw bytes, and the
 * stream continues instead of one bad record stopping every controller on the instance. Configured
 * like {@link DeadLetterDeserializationHandler} (same settings).
 */
public final class DeadLetterProcessingHandler implements ProcessingExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(DeadLetterProcessingHandler.class);

    private BerthSerdes serdes;
    private String component = "";

    /** Sets this handler on Streams properties (call after {@link DeadLetterDeserializationHandler#configure}). */
    public static void configure(java.util.Properties props) {
        props.put(org.apache.kafka.streams.StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingHandler.class);
    }

    @Override
    public void configure(Map<String, ?> configs) {
        if (!(configs.get(DeadLetterDeserializationHandler.REGISTRY_CONFIG) instanceof SchemaRegistryClient registry)) {
            throw new ConfigException(DeadLetterDeserializationHandler.REGISTRY_CONFIG,
                    configs.get(DeadLetterDeserializationHandler.REGISTRY_CONFIG), "must be a SchemaRegistryClient instance");
        }
        serdes = new BerthSerdes(registry);
        Object c = configs.get(DeadLetterDeserializationHandler.COMPONENT_CONFIG);
        Object app = configs.get("application.id");
        component = c != null ? c.toString() : app != null ? app.toString() : "";
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (DeadLetters.notAtFault(log, component, context.topic(), context.partition(), context.offset(), exception)) return Response.fail();
        String reason = "processing failed in " + context.processorNodeId() + ": " + DeadLetters.reasonOf(exception);
        log.warn("{}: dead-lettering {}-{}@{}: {}", component, context.topic(), context.partition(), context.offset(), reason, exception);
        DeadLetter dl = DeadLetters.of(context.topic() == null ? "" : context.topic(), context.partition(), context.offset(),
                context.sourceRawKey(), context.sourceRawValue(), reason, exception, component, System.currentTimeMillis());
        return Response.resume(DeadLetters.toRawRecords(dl, context.headers(), serdes));  // the dead letter and its audit record
    }
}
