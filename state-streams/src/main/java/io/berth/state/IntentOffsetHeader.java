package io.berth.state;

import io.berth.schemas.avro.Intent;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

/**
 * Remembers an intent's offset on berth.intents in a record header before it is re-keyed through a
 * repartition topic, so the workload view it lands on can still name it (read-your-writes), and
 * its whole position ({@link Cause#HEADER}, topic/partition/offset) so its audit records name
 * the intent as their cause rather than the internal topic.
 */
final class IntentOffsetHeader implements FixedKeyProcessor<String, Intent, Intent> {
    static final String HEADER = "berth.intent-offset";
    private FixedKeyProcessorContext<String, Intent> context;

    @Override
    public void init(FixedKeyProcessorContext<String, Intent> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, Intent> record) {
        long offset = context.recordMetadata().map(RecordMetadata::offset).orElse(-1L);
        Headers headers = new RecordHeaders(record.headers().toArray());
        headers.remove(HEADER);
        headers.add(HEADER, Long.toString(offset).getBytes(StandardCharsets.UTF_8));
        headers.remove(Cause.HEADER);
        Cause cause = Cause.of(context.recordMetadata());
        if (!cause.isTick()) headers.add(Cause.HEADER, cause.bytes());
        context.forward(record.withHeaders(headers));
    }

    static OptionalLong read(Headers headers) {
        Header h = headers == null ? null : headers.lastHeader(HEADER);
        if (h == null) return OptionalLong.empty();
        try {
            return OptionalLong.of(Long.parseLong(new String(h.value(), StandardCharsets.UTF_8)));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
