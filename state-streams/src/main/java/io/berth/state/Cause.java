package io.berth.state;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The input record behind a decision: topic, partition, offset; {@link #TICK} when a timer, not a
 * record, led to it. A record re-keyed through a repartition topic carries its original cause in
 * the {@link #HEADER} header ({@code topic/partition/offset}), so the audit names the intent on
 * berth.intents, not the internal topic.
 */
record Cause(String topic, int partition, long offset) {
    static final String HEADER = "berth.audit-cause";
    static final Cause TICK = new Cause("", -1, -1);

    /** The cause of the record being processed; during a punctuation Streams reports no topic. */
    static Cause of(Optional<RecordMetadata> m) {
        return m.filter(r -> r.topic() != null && !r.topic().isEmpty())
                .map(r -> new Cause(r.topic(), r.partition(), r.offset())).orElse(TICK);
    }

    static Optional<Cause> read(Headers headers) {
        Header h = headers == null ? null : headers.lastHeader(HEADER);
        return h == null || h.value() == null ? Optional.empty() : parse(new String(h.value(), StandardCharsets.UTF_8));
    }

    /** Parses {@code topic/partition/offset}; Kafka topic names cannot contain a slash. */
    static Optional<Cause> parse(String s) {
        String[] p = s.split("/");
        if (p.length != 3 || p[0].isEmpty()) return Optional.empty();
        try {
            return Optional.of(new Cause(p[0], Integer.parseInt(p[1]), Long.parseLong(p[2])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    boolean isTick() {
        return topic.isEmpty();
    }

    /** An internal topic of this application (a repartition), whose records carry their original cause in a header. */
    boolean isInternal() {
        return topic.endsWith("-repartition");
    }

    String text() {
        return topic + "/" + partition + "/" + offset;
    }

    byte[] bytes() {
        return text().getBytes(StandardCharsets.UTF_8);
    }
}
