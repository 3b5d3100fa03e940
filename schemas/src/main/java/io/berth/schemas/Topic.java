package io.berth.schemas;

import org.apache.avro.specific.SpecificRecord;

import java.time.Duration;
import java.util.Map;

/**
 * A typed topic: its name, the class of its Avro values, and how it is laid out on the cluster.
 * Keys are always UTF-8 strings (resource keys, node ids, task ids). Topology code never spells a
 * topic name: it names one of the constants in {@link Topics}.
 *
 * @param name          the topic name on the cluster
 * @param valueClass    the generated Avro class of the values
 * @param partitions    partition count when Berth creates the topic
 * @param cleanupPolicy {@code delete} or {@code compact}
 * @param retention     retention for {@code delete} topics; {@code null} means forever
 */
public record Topic<V extends SpecificRecord>(String name, Class<V> valueClass, int partitions,
                                               String cleanupPolicy, Duration retention) {

    public static final String COMPACT = "compact";
    public static final String DELETE = "delete";

    public boolean compacted() {
        return COMPACT.equals(cleanupPolicy);
    }

    /** The topic-level configs Berth sets when it creates the topic. */
    public Map<String, String> configs() {
        String retentionMs = retention == null ? "-1" : Long.toString(retention.toMillis());
        return compacted()
                ? Map.of("cleanup.policy", COMPACT, "min.compaction.lag.ms", "0")
                : Map.of("cleanup.policy", DELETE, "retention.ms", retentionMs);
    }

    /** Confluent's TopicNameStrategy subject for the values of this topic. */
    public String valueSubject() {
        return name + "-value";
    }
}
