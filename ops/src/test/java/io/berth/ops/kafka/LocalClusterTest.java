package io.berth.ops.kafka;

import io.berth.ops.TestSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Three real broker processes; an idempotent acks=all producer streams records while the
 * partition leader is killed with SIGKILL; every acknowledged record must be readable afterwards.
 */
class LocalClusterTest {
    private Path dir;

    @AfterEach
    void stop() throws Exception {
        if (dir != null) {
            LocalCluster.stop(dir, 15_000);
            TestSupport.deleteTree(dir);
        }
    }

    /** Describes the topic once every broker knows it and all three replicas are in sync (metadata propagates after create). */
    private static TopicDescription awaitFullIsr(Admin admin, String topic) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            try {
                TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
                if (d.partitions().get(0).leader() != null && d.partitions().get(0).isr().size() == 3) return d;
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) throw e;
            }
            if (System.currentTimeMillis() > deadline) throw new AssertionError("topic " + topic + " not fully in sync within 30 s");
            Thread.sleep(100);
        }
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void noAcknowledgedRecordIsLostWhenTheLeaderIsKilled() throws Exception {
        dir = Files.createTempDirectory("berth-cluster");
        List<Integer> ports = new ArrayList<>(), cports = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ports.add(EmbeddedKafka.freePort("127.0.0.1"));
            cports.add(EmbeddedKafka.freePort("127.0.0.1"));
        }
        LocalCluster cluster = new LocalCluster(dir, 3, ports, cports, TestSupport.classpath(), "-Xmx256m");
        long t0 = System.currentTimeMillis();
        cluster.start(90_000);
        System.out.println("3 brokers registered in " + (System.currentTimeMillis() - t0) + " ms: " + cluster.bootstrapServers());
        String bs = cluster.bootstrapServers();
        String topic = "durable";

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bs))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                    .all().get(30, TimeUnit.SECONDS);
            TopicDescription d = awaitFullIsr(admin, topic);
            assertEquals(3, d.partitions().get(0).replicas().size(), "replication factor 3");
            assertEquals(3, d.partitions().get(0).isr().size(), "all replicas in sync before the kill");
            int leader = d.partitions().get(0).leader().id();

            Set<String> acked = ConcurrentHashMap.newKeySet();
            AtomicInteger failed = new AtomicInteger();
            AtomicReference<Exception> firstError = new AtomicReference<>();
            Map<String, Object> pc = new HashMap<>();
            pc.put("bootstrap.servers", bs);
            pc.put("acks", "all");
            pc.put("enable.idempotence", "true");
            pc.put("max.in.flight.requests.per.connection", "5");
            pc.put("linger.ms", "5");
            pc.put("delivery.timeout.ms", "60000");
            pc.put("request.timeout.ms", "10000");
            int total = 6000;
            long killedAt = -1;
            try (KafkaProducer<String, String> p = new KafkaProducer<>(pc, new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < total; i++) {
                    String v = "r-" + i;
                    p.send(new ProducerRecord<>(topic, String.valueOf(i % 17), v), (md, e) -> {
                        if (e == null) acked.add(v);
                        else {
                            failed.incrementAndGet();
                            firstError.compareAndSet(null, e);
                        }
                    });
                    if (i == total / 3) {
                        p.flush();
                        long pid = cluster.pids().get(leader - 1);
                        ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL
                        killedAt = acked.size();
                        System.out.println("killed leader broker " + leader + " (pid " + pid + ") after " + killedAt + " acknowledged records");
                    }
                    if (i % 200 == 0) Thread.sleep(20); // a stream, not one burst
                }
                p.flush();
            }
            assertTrue(killedAt > 0);

            // read everything back
            Set<String> read = new HashSet<>();
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bs,
                    "group.id", "verify", "enable.auto.commit", "false", "auto.offset.reset", "earliest"),
                    new StringDeserializer(), new StringDeserializer())) {
                TopicPartition tp = new TopicPartition(topic, 0);
                c.assign(List.of(tp));
                c.seekToBeginning(List.of(tp));
                long end = c.endOffsets(List.of(tp)).get(tp);
                long deadline = System.currentTimeMillis() + 30_000;
                while (c.position(tp) < end && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) read.add(r.value());
                }
            }
            Set<String> lost = new TreeSet<>(acked);
            lost.removeAll(read);
            System.out.printf("produced %d, acknowledged %d, failed %d, read back %d, acknowledged-but-lost %d%n",
                    total, acked.size(), failed.get(), read.size(), lost.size());
            assertTrue(lost.isEmpty(), "acknowledged records lost: " + lost.stream().limit(10).toList());
            assertTrue(acked.size() > killedAt, "the producer kept going after the kill (" + firstError.get() + ")");
            assertEquals(total, acked.size(), "with 2 of 3 replicas left every record is acknowledged (" + firstError.get() + ")");
        }
    }
}
