package io.berth.schemas.deadletter;

import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.DeadLetter;
import io.berth.schemas.serde.BerthSerdes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class DeadLettersTest {

    @Test
    void shouldCarryTheRecordAndTheReasonToTheDeadLetterTopic() {
        BerthSerdes serdes = new BerthSerdes(new InMemorySchemaRegistryClient());
        ConsumerRecord<byte[], byte[]> bad = new ConsumerRecord<>(Topics.ASSIGNMENTS.name(), 3, 42L,
                "n1/t1".getBytes(StandardCharsets.UTF_8), new byte[] {9, 9});
        DeadLetter dl = DeadLetters.of(bad, new IllegalStateException("outer", new RuntimeException("inner")), "node-daemon", 7L);
        assertEquals("outer", dl.getReason());
        assertEquals(IllegalStateException.class.getName(), dl.getExceptionClass());
        assertEquals(ByteBuffer.wrap(new byte[] {9, 9}), dl.getValue());

        ProducerRecord<byte[], byte[]> out = DeadLetters.toRawRecord(dl, serdes);
        assertEquals(Topics.DEAD_LETTERS.name(), out.topic());
        assertArrayEquals("n1/t1".getBytes(StandardCharsets.UTF_8), out.key());
        DeadLetter back = serdes.value(DeadLetter.class).deserialize(out.topic(), out.value());
        assertEquals(dl, back);
        assertEquals(42L, back.getOffset());
        assertEquals(3, back.getPartition());
        assertEquals("node-daemon", back.getComponent());
    }

    @Test
    void shouldFindTheFirstMessageDownTheCauseChain() {
        assertEquals("inner", DeadLetters.reasonOf(new RuntimeException(null, new RuntimeException("inner"))));
        assertEquals("NullPointerException", DeadLetters.reasonOf(new NullPointerException()));
    }
}
