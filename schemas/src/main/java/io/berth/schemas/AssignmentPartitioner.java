package io.berth.schemas;

import org.apache.kafka.streams.processor.StreamPartitioner;

import java.util.Optional;
import java.util.Set;

/** Streams partitioner for {@link Topics#ASSIGNMENTS}: all assignments of a node share a partition. */
public final class AssignmentPartitioner<V> implements StreamPartitioner<String, V> {
    @Override
    public Optional<Set<Integer>> partitions(String topic, String key, V value, int numPartitions) {
        return Optional.of(Set.of(Topics.assignmentPartition(Topics.nodeOfAssignmentKey(key), numPartitions)));
    }
}
