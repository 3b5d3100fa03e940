package io.berth.schemas.service;

import org.apache.kafka.streams.StreamsConfig;

import java.time.Duration;
import java.util.Properties;

/**
 * The settings that make a Berth Streams app (state-streams, scheduler) fail over quickly when one of
 * several instances dies, as {@code berth up --ha} runs them:
 * <ul>
 *   <li>{@code streams-standby-replicas} → {@code num.standby.replicas} (default 0): a warm copy of every
 *       state store on another instance, so the survivor takes a task over without restoring it from
 *       the changelog;</li>
 *   <li>{@code streams-session-timeout-ms} → the consumer's {@code session.timeout.ms} (default Kafka's
 *       45 s), with {@code heartbeat.interval.ms} a third of it: how long a {@code kill -9}ed instance
 *       keeps its partitions before the group rebalances them to the others;</li>
 *   <li>{@code streams-start-timeout-ms} (default 60 s): how long a starting instance waits for RUNNING
 *       before it exits non-zero. {@code berth up --ha} raises it: nothing there restarts an instance that
 *       gave up, and a restart on a loaded machine while a broker is down can rebalance for minutes
 *       (seen by {@code ops/chaos}).</li>
 * </ul>
 * {@code replication-factor} (the internal topics', {@code replication.factor}) is set by each service.
 */
public final class StreamsHa {
    private StreamsHa() {}

    public static void apply(Properties p, BerthConfig config) {
        long standbys = config.getLong("streams-standby-replicas", 0);
        if (standbys < 0) throw new IllegalArgumentException("streams-standby-replicas: must be >= 0, was " + standbys);
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, (int) standbys);
        String session = config.get("streams-session-timeout-ms", null);
        if (session != null) {
            long ms = Long.parseLong(session);
            if (ms < 1000) throw new IllegalArgumentException("streams-session-timeout-ms: must be >= 1000, was " + ms);
            p.put(StreamsConfig.consumerPrefix("session.timeout.ms"), (int) ms);
            p.put(StreamsConfig.consumerPrefix("heartbeat.interval.ms"), (int) Math.max(300, ms / 3));
        }
    }

    /** {@code streams-start-timeout-ms}: how long a Streams service waits for RUNNING at its start. */
    public static Duration startTimeout(BerthConfig config) {
        long ms = config.getLong("streams-start-timeout-ms", 60_000);
        if (ms < 1000) throw new IllegalArgumentException("streams-start-timeout-ms: must be >= 1000, was " + ms);
        return Duration.ofMillis(ms);
    }
}
