package io.berth.schemas.service;

import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;

import java.time.Duration;

/** How Berth's Kafka Streams apps stop. */
public final class StreamsLifecycle {
    private StreamsLifecycle() {}

    /**
     * Closes and leaves the consumer group. Streams stays in the group by default, so a restarted
     * instance (a warm {@code berth up}) would wait out the session timeout (45 s) before it gets its
     * partitions back; leaving makes the restart rebalance at once.
     */
    public static void closeLeavingGroup(KafkaStreams streams, Duration timeout) {
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(timeout));
    }
}
