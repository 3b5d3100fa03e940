package io.berth.state;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Makes a controller's processing order recoverable from its outputs, for deterministic replay.
 *
 * <p>A stream task interleaves its input partitions by timestamp, but not reproducibly (a partition
 * with nothing buffered is skipped). So every record a controller writes carries two headers:
 * <ul>
 *   <li>{@value #CAUSE}: the input it was decided on, {@code topic/partition/offset};</li>
 *   <li>{@value #SEEN}: for every input lane this processor has read since it started, the last
 *       offset read, {@code lane=offset,…} (lane = {@code topic/partition}).</li>
 * </ul>
 * A record that came through a repartition topic (pod deletes, node intents) is named by its
 * origin on berth.intents ({@link OriginHeader}), because repartition topics are purged after commit;
 * its lane is {@code berth.intents/P@<repartition>}, distinct from the same partition read directly.
 * The replayer (ops, {@code io.berth.ops.replay}) orders inputs by these constraints: an input that
 * caused something comes after exactly the offsets its {@value #SEEN} names and before the next ones.
 */
final class Causes {
    static final String CAUSE = "berth.cause";
    static final String SEEN = "berth.seen";

    private final ProcessorContext<?, ?> context;
    private final Map<String, Long> seen = new TreeMap<>();
    private String cause;

    Causes(ProcessorContext<?, ?> context) {
        this.context = context;
    }

    /** Called for every input, whatever it leads to. */
    void observe(Headers headers) {
        Optional<RecordMetadata> m = context.recordMetadata();
        if (m.isEmpty()) {
            cause = null;
            return;
        }
        Optional<OriginHeader.Origin> origin = OriginHeader.read(headers);
        String lane = origin.map(o -> o.topic() + "/" + o.partition() + "@" + via(m.get().topic()))
                .orElse(m.get().topic() + "/" + m.get().partition());
        long offset = origin.map(OriginHeader.Origin::offset).orElse(m.get().offset());
        seen.put(lane, offset);
        cause = lane + "/" + offset;
    }

    /** The repartition a record came through, without the application id prefix and suffix. */
    static String via(String topic) {
        String t = topic.endsWith("-repartition") ? topic.substring(0, topic.length() - "-repartition".length()) : topic;
        for (String name : new String[]{"pod-deletes-by-owner", "node-intents-by-node", StateStreamsTopology.NODE_GAPS, StateStreamsTopology.HPAS_BY_TARGET,
                StateStreamsTopology.POD_USAGE_BY_OWNER}) if (t.endsWith(name)) return name;
        return t;
    }

    /** The headers for an output of the input being processed (none outside of a record, e.g. in a punctuation). */
    Headers headers() {
        Headers h = new RecordHeaders();
        if (cause == null) return h;
        h.add(CAUSE, cause.getBytes(StandardCharsets.UTF_8));
        StringBuilder b = new StringBuilder();
        seen.forEach((lane, off) -> b.append(b.length() == 0 ? "" : ",").append(lane).append('=').append(off));
        h.add(SEEN, b.toString().getBytes(StandardCharsets.UTF_8));
        return h;
    }

    static Optional<String> read(Headers headers, String name) {
        Header h = headers == null ? null : headers.lastHeader(name);
        return h == null || h.value() == null ? Optional.empty() : Optional.of(new String(h.value(), StandardCharsets.UTF_8));
    }
}
