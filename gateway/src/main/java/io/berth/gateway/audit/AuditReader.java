package io.berth.gateway.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.AuditRecord;
import io.berth.schemas.serde.AvroSerde;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.*;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Reads {@code berth.audit} for one query with its own short-lived consumer (assigned, no group,
 * read_committed), only the partitions the query can match: one when it names a resource (the record
 * key's partition), all otherwise. {@code since} starts each partition at
 * {@code offsetsForTimes(since)}; {@code until} ends it at {@code offsetsForTimes(until + 1)}; a list
 * never reads past the end offsets it saw when it started.
 *
 * <p>A list merges the partitions by record time (a k-way merge over small per-partition buffers;
 * partitions with a buffered record are paused, so memory stays bounded whatever the history) and stops
 * at {@code limit}, or when it has read for longer than {@code deadline} (a narrow filter over a long
 * history: the page is then short, possibly empty, and carries a continue token). The cursor it returns is the next offset per partition: every record before it has
 * been either returned or filtered out, so the next page starts there with no duplicate and no gap.
 * Blocking: call it on a worker thread, never on the event loop.
 */
public final class AuditReader {
    private static final Logger log = LoggerFactory.getLogger(AuditReader.class);
    private static final int BUFFER = 500;
    private static final String TOPIC = Topics.AUDIT.name();

    private final Properties props;
    private final AvroSerde<AuditRecord> serde;
    private final LongSupplier clock;
    private final Duration deadline;

    /** One page: the items, the cursor after them, and whether the partitions hold more before their end. */
    public record Page(List<ObjectNode> items, Map<Integer, Long> next, boolean more) {}

    public AuditReader(Properties consumerProps, AvroSerde<AuditRecord> serde, LongSupplier clock, Duration deadline) {
        this.props = consumerProps;
        this.serde = serde;
        this.clock = clock;
        this.deadline = deadline;
    }

    /** A consumer that closes without waiting for in-flight fetches (there is no group to leave, no offset to commit). */
    private static final class Reader extends KafkaConsumer<String, byte[]> {
        Reader(Properties p) {
            super(p, new StringDeserializer(), new ByteArrayDeserializer());
        }

        @Override
        public void close() {
            close(Duration.ZERO);
        }
    }

    private KafkaConsumer<String, byte[]> consumer() {
        Properties p = new Properties();
        p.putAll(props);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(BUFFER));
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return new Reader(p);
    }

    /** Assigns the partitions of the query and tells where each starts: the token's offset, else since's, else the beginning. */
    private Map<TopicPartition, Long> start(KafkaConsumer<String, byte[]> c, AuditQuery q, String param, String token, boolean liveDefault) {
        int n = c.partitionsFor(TOPIC, Duration.ofSeconds(10)).size();
        List<TopicPartition> scope = new ArrayList<>();
        int only = q.partition(n);
        if (only >= 0) scope.add(new TopicPartition(TOPIC, only));
        else for (int i = 0; i < n; i++) scope.add(new TopicPartition(TOPIC, i));
        c.assign(scope);
        Map<Integer, Long> given = token == null ? Map.of() : AuditCursor.decode(param, token, n);
        Map<TopicPartition, Long> begin = c.beginningOffsets(scope);
        Map<TopicPartition, Long> end = c.endOffsets(scope);
        Map<TopicPartition, OffsetAndTimestamp> since = Map.of();
        if (q.hasSince()) {
            Map<TopicPartition, Long> ts = new HashMap<>();
            scope.forEach(tp -> ts.put(tp, Math.max(0, q.since())));
            since = c.offsetsForTimes(ts);
        }
        Map<TopicPartition, Long> start = new LinkedHashMap<>();
        for (TopicPartition tp : scope) {
            Long o = given.get(tp.partition());
            if (o != null) {
                if (o < begin.get(tp)) {
                    throw new ExpiredException("too old resource version: partition " + tp.partition() + " starts at " + begin.get(tp));
                }
                start.put(tp, Math.min(o, end.get(tp)));
            } else if (q.hasSince()) {
                OffsetAndTimestamp s = since.get(tp);
                start.put(tp, s == null ? end.get(tp) : Math.max(s.offset(), begin.get(tp)));
            } else {
                start.put(tp, liveDefault ? end.get(tp) : begin.get(tp));
            }
        }
        return start;
    }

    /** Where each partition of a list ends: its end offset now, or the first offset past {@code until}. */
    private Map<TopicPartition, Long> end(KafkaConsumer<String, byte[]> c, AuditQuery q, Collection<TopicPartition> scope) {
        Map<TopicPartition, Long> end = new HashMap<>(c.endOffsets(scope));
        if (q.hasUntil() && q.until() < Long.MAX_VALUE - 1) {
            Map<TopicPartition, Long> ts = new HashMap<>();
            scope.forEach(tp -> ts.put(tp, Math.max(0, q.until() + 1)));
            c.offsetsForTimes(ts).forEach((tp, ot) -> {
                if (ot != null) end.put(tp, Math.min(end.get(tp), ot.offset()));
            });
        }
        return end;
    }

    /** A token given by the client is older than what the topic still holds (410 Expired). */
    public static final class ExpiredException extends RuntimeException {
        public ExpiredException(String message) {
            super(message);
        }
    }

    /** One page of a list (see the class comment). */
    public Page list(AuditQuery q) {
        try (KafkaConsumer<String, byte[]> c = consumer()) {
            Map<TopicPartition, Long> cursor = start(c, q, "continue", q.continueToken(), false);
            Map<TopicPartition, Long> end = end(c, q, cursor.keySet());
            cursor.forEach(c::seek);
            Map<TopicPartition, ArrayDeque<ConsumerRecord<String, byte[]>>> buffers = new HashMap<>();
            cursor.keySet().forEach(tp -> buffers.put(tp, new ArrayDeque<>()));
            List<ObjectNode> items = new ArrayList<>();
            long giveUp = clock.getAsLong() + deadline.toMillis();
            long examined = 0;
            while (items.size() < q.limit()) {
                // every partition that may still hold a record needs its head before the merge can pick
                List<TopicPartition> need = new ArrayList<>();
                for (TopicPartition tp : cursor.keySet()) {
                    if (!buffers.get(tp).isEmpty() || cursor.get(tp) >= end.get(tp)) continue;
                    if (c.position(tp) >= end.get(tp)) cursor.put(tp, end.get(tp)); // only markers were left
                    else need.add(tp);
                }
                if (!need.isEmpty()) {
                    // a long scan (a narrow filter over a long history) answers what it has with a continue token,
                    // once it has moved on at least one record (so paging always progresses)
                    if (examined > 0 && clock.getAsLong() > giveUp) break;
                    c.pause(c.assignment());
                    c.resume(need);
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                        if (r.offset() < end.get(tp)) buffers.get(tp).addLast(r);
                    }
                    continue;
                }
                ConsumerRecord<String, byte[]> head = null;
                for (ArrayDeque<ConsumerRecord<String, byte[]>> b : buffers.values()) {
                    ConsumerRecord<String, byte[]> h = b.peekFirst();
                    if (h != null && (head == null || before(h, head))) head = h;
                }
                if (head == null) break;
                TopicPartition tp = new TopicPartition(head.topic(), head.partition());
                buffers.get(tp).removeFirst();
                cursor.put(tp, head.offset() + 1);
                examined++;
                ObjectNode item = render(q, head, cursor);
                if (item != null) items.add(item);
            }
            boolean more = false;
            for (TopicPartition tp : cursor.keySet()) more |= cursor.get(tp) < end.get(tp);
            return new Page(items, offsets(cursor), more);
        }
    }

    /**
     * Follows the query live from the token ({@code resourceVersion}), else from {@code since}, else
     * from now, handing each matching item to {@code sink} in the order of each partition, until
     * {@code stopped} says so or, with {@code until}, every partition has passed it. {@code started}
     * runs once the start is known good (a bad token throws before it).
     */
    public void follow(AuditQuery q, Runnable started, Consumer<ObjectNode> sink, BooleanSupplier stopped) {
        try (KafkaConsumer<String, byte[]> c = consumer()) {
            Map<TopicPartition, Long> cursor = start(c, q, "resourceVersion", q.resourceVersion(), true);
            cursor.forEach(c::seek);
            started.run();
            Set<TopicPartition> done = new HashSet<>();
            while (!stopped.getAsBoolean()) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (done.contains(tp)) continue;
                    if (q.hasUntil() && r.timestamp() > q.until()) {
                        done.add(tp);
                        continue;
                    }
                    cursor.put(tp, r.offset() + 1);
                    ObjectNode item = render(q, r, cursor);
                    if (item != null) sink.accept(item);
                }
                if (!done.isEmpty()) c.pause(done);
                if (q.hasUntil() && (done.size() == cursor.size() || (clock.getAsLong() > q.until() && caughtUp(c, cursor.keySet())))) return;
            }
        }
    }

    private static boolean caughtUp(KafkaConsumer<String, byte[]> c, Set<TopicPartition> scope) {
        Map<TopicPartition, Long> end = c.endOffsets(scope);
        for (TopicPartition tp : scope) if (c.position(tp) < end.get(tp)) return false;
        return true;
    }

    private ObjectNode render(AuditQuery q, ConsumerRecord<String, byte[]> r, Map<TopicPartition, Long> cursor) {
        if (r.value() == null) return null;
        AuditRecord a;
        try {
            a = serde.deserialize(r.topic(), r.value());
        } catch (RuntimeException e) {
            log.warn("skipping undecodable audit record {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.toString());
            return null;
        }
        String key = a.getKey().isEmpty() && r.key() != null ? r.key() : a.getKey();
        long time = AuditItems.time(a, r.timestamp());
        if (!q.matches(key, a.getActor(), a.getChange(), time)) return null;
        if (!key.equals(a.getKey())) a = AuditRecord.newBuilder(a).setKey(key).build();
        return AuditItems.item(a, r.timestamp(), AuditCursor.encode(offsets(cursor)));
    }

    /** Merge order: record time, then partition and offset (stable). */
    private static boolean before(ConsumerRecord<String, byte[]> a, ConsumerRecord<String, byte[]> b) {
        if (a.timestamp() != b.timestamp()) return a.timestamp() < b.timestamp();
        if (a.partition() != b.partition()) return a.partition() < b.partition();
        return a.offset() < b.offset();
    }

    private static Map<Integer, Long> offsets(Map<TopicPartition, Long> cursor) {
        Map<Integer, Long> out = new TreeMap<>();
        cursor.forEach((tp, o) -> out.put(tp.partition(), o));
        return out;
    }
}
