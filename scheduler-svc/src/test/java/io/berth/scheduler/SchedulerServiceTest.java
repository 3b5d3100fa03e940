package io.berth.scheduler;

import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.Tick;
import io.berth.schemas.avro.PlacementRequest;
import io.berth.schemas.serde.BerthSerdes;
import io.berth.schemas.service.BerthConfig;
import io.berth.testing.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static io.berth.scheduler.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** The service on a real broker: starts RUNNING, and its assignments land on the node's partition. */
class SchedulerServiceTest {
    @TempDir
    Path dataDir;

    @Test
    void shouldWriteAssignmentsToTheNodesPartition() throws Exception {
        InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        BerthSerdes serdes = new BerthSerdes(registry);
        try (TestKafka kafka = TestKafka.start().withBerthTopics();
             SchedulerService service = new SchedulerService(BerthConfig.of(kafka.bootstrapServers(), "mem://", dataDir), registry)) {
            service.start();
            try (KafkaProducer<String, Tick> ticks = producer(kafka, serdes, Tick.class);
                 KafkaProducer<String, PlacementRequest> requests = producer(kafka, serdes, PlacementRequest.class)) {
                // The request first: it waits (no cluster known yet) and is placed on the tick that lists node-7,
                // as state-streams' ticker writes it to partition 0 of berth.ticks.
                requests.send(new ProducerRecord<>(Topics.PLACEMENT_REQUESTS.name(), Topics.SCHEDULING_KEY, request("web-abc123-it001", 100, 64 * MI))).get();
                ticks.send(new ProducerRecord<>(Topics.TICKS.name(), 0, "0", ledgerTick(List.of(node("node-7", 4000, 4096 * MI)), List.of()))).get();
            }
            ConsumerRecord<String, Assignment> a = readOneAssignment(kafka, serdes);
            assertEquals(Topics.assignmentKey("node-7", "web-abc123-it001"), a.key());
            assertEquals(Topics.assignmentPartition("node-7", Topics.ASSIGNMENTS.partitions()), a.partition());
        }
    }

    private static <V extends org.apache.avro.specific.SpecificRecord> KafkaProducer<String, V> producer(TestKafka kafka, BerthSerdes serdes, Class<V> type) {
        return new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()), new StringSerializer(), serdes.value(type).serializer());
    }

    private static ConsumerRecord<String, Assignment> readOneAssignment(TestKafka kafka, BerthSerdes serdes) {
        Map<String, Object> props = Map.of("bootstrap.servers", kafka.bootstrapServers(), "isolation.level", "read_committed");
        try (KafkaConsumer<String, Assignment> c = new KafkaConsumer<>(props, new StringDeserializer(), serdes.value(Assignment.class).deserializer())) {
            List<TopicPartition> parts = IntStream.range(0, Topics.ASSIGNMENTS.partitions()).mapToObj(p -> new TopicPartition(Topics.ASSIGNMENTS.name(), p)).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, Assignment> r : c.poll(Duration.ofMillis(200))) return r;
            }
            return fail("no assignment within 30 s");
        }
    }
}
