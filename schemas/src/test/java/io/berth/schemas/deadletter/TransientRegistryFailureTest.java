package io.berth.schemas.deadletter;

import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.registry.client.SchemaRegistryClient.RegistryException;
import io.berth.schemas.Topics;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A record whose processing failed because the schema registry was unreachable or between leaders is
 * not at fault: it must not become a dead letter (chaos run of 2026-12-05: a killed registry leader made
 * state-streams dead-letter an acknowledged intent). The handler fails the thread instead, so the record is
 * processed again; a record that is at fault is still dead-lettered.
 */
class TransientRegistryFailureTest {

    private static TopologyTestDriver driver(RuntimeException failure) {
        StreamsBuilder b = new StreamsBuilder();
        b.stream("in", Consumed.with(Serdes.String(), Serdes.String()))
                .mapValues(v -> {
                    if (v.equals("fail")) throw failure;
                    return v;
                })
                .to("out", Produced.with(Serdes.String(), Serdes.String()));
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "transient-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:1234");
        DeadLetterDeserializationHandler.configure(p, new InMemorySchemaRegistryClient(), "transient-test");
        DeadLetterProcessingHandler.configure(p);
        return new TopologyTestDriver(b.build(), p);
    }

    @Test
    void shouldFailTheThreadNotDeadLetterWhenTheRegistryIsBetweenLeaders() {
        RuntimeException betweenLeaders = new SerializationException("cannot register schema X under subject berth.assignments-value: "
                + "Error while forwarding the request to the leader", new RegistryException(50003, "Error while forwarding the request to the leader"));
        try (TopologyTestDriver d = driver(betweenLeaders)) {
            TestInputTopic<String, String> in = d.createInputTopic("in", Serdes.String().serializer(), Serdes.String().serializer());
            TestOutputTopic<byte[], byte[]> dead = d.createOutputTopic(Topics.DEAD_LETTERS.name(), Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer());
            Exception e = assertThrows(Exception.class, () -> in.pipeInput("k", "fail"));
            assertTrue(RegistryException.isTransient(e), "the transient failure surfaces: " + e);
            assertTrue(dead.isEmpty(), "no dead letter for a record that is not at fault");
        }
    }

    @Test
    void shouldFailTheThreadWhenTheRegistryIsUnreachable() {
        RuntimeException unreachable = new SerializationException("cannot register", new RegistryException("schema registry unreachable",
                new java.net.ConnectException("Connection refused")));
        try (TopologyTestDriver d = driver(unreachable)) {
            TestInputTopic<String, String> in = d.createInputTopic("in", Serdes.String().serializer(), Serdes.String().serializer());
            TestOutputTopic<byte[], byte[]> dead = d.createOutputTopic(Topics.DEAD_LETTERS.name(), Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer());
            assertThrows(Exception.class, () -> in.pipeInput("k", "fail"));
            assertTrue(dead.isEmpty());
        }
    }

    @Test
    void shouldStillDeadLetterARecordThatIsAtFault() {
        RuntimeException refused = new SerializationException("cannot register", new RegistryException(409, "incompatible schema"));
        try (TopologyTestDriver d = driver(refused)) {
            TestInputTopic<String, String> in = d.createInputTopic("in", Serdes.String().serializer(), Serdes.String().serializer());
            TestOutputTopic<byte[], byte[]> dead = d.createOutputTopic(Topics.DEAD_LETTERS.name(), Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer());
            TestOutputTopic<String, String> out = d.createOutputTopic("out", Serdes.String().deserializer(), Serdes.String().deserializer());
            in.pipeInput("k", "fail");
            in.pipeInput("k", "fine");
            assertEquals(1, dead.readRecordsToList().size(), "the refused record is a dead letter");
            assertEquals("fine", out.readValue(), "and the stream goes on");
        }
    }
}
