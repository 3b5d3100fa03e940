package io.berth.state;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Remembers where a record was read ({@code topic/partition/offset}) in a header before it is
 * re-keyed through a repartition topic: the controller behind the repartition names that origin as
 * the cause of what it decides ({@link Causes}), and the replayer feeds the original record.
 */
final class OriginHeader<V> implements FixedKeyProcessor<String, V, V> {
    static final String HEADER = "berth.origin";
    private FixedKeyProcessorContext<String, V> context;

    record Origin(String topic, int partition, long offset) {}

    @Override
    public void init(FixedKeyProcessorContext<String, V> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, V> record) {
        Optional<RecordMetadata> m = context.recordMetadata();
        Headers headers = new RecordHeaders(record.headers().toArray());
        headers.remove(HEADER);
        m.ifPresent(md -> headers.add(HEADER, (md.topic() + "/" + md.partition() + "/" + md.offset()).getBytes(StandardCharsets.UTF_8)));
        context.forward(record.withHeaders(headers));
    }

    static Optional<Origin> read(Headers headers) {
        return Causes.read(headers, HEADER).flatMap(OriginHeader::parse);
    }

    /** {@code topic/partition/offset}; the topic may not contain a slash. */
    static Optional<Origin> parse(String s) {
        String[] p = s.split("/");
        if (p.length != 3) return Optional.empty();
        try {
            return Optional.of(new Origin(p[0], Integer.parseInt(p[1]), Long.parseLong(p[2])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
