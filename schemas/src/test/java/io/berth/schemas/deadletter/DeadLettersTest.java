package io.berth.schemas.deadletter;

import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.AuditRecord;
import io.berth.schemas.avro.DeadLetter;
import io.berth.schemas.serde.BerthSerdes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

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
    void shouldAuditADeadLetterUnderItsKeyWithItsSourceAsCause() {
        BerthSerdes serdes = new BerthSerdes(new InMemorySchemaRegistryClient());
        DeadLetter dl = DeadLetters.of(Topics.INTENTS.name(), 2, 17L, "default/deployment/web".getBytes(StandardCharsets.UTF_8),
                new byte[] {1}, "cannot deserialize: unknown magic byte", null, "berth-state-streams", 99L);
        List<ProducerRecord<byte[], byte[]>> out = DeadLetters.toRawRecords(dl, new RecordHeaders(), serdes);
        assertEquals(List.of(Topics.DEAD_LETTERS.name(), Topics.AUDIT.name()), out.stream().map(ProducerRecord::topic).toList());
        ProducerRecord<byte[], byte[]> raw = out.get(1);
        assertArrayEquals("default/deployment/web".getBytes(StandardCharsets.UTF_8), raw.key());
        assertEquals(99L, raw.timestamp());
        AuditRecord a = serdes.value(AuditRecord.class).deserialize(raw.topic(), raw.value());
        assertEquals("DeadLettered", a.getChange());
        assertEquals(List.of("default", "deployment", "web"), List.of(a.getNamespace(), a.getKind(), a.getName()));
        assertEquals("controller/berth-state-streams", a.getActor());
        assertEquals(List.of(Topics.INTENTS.name(), "2", "17"), List.of(a.getCauseTopic(), "" + a.getCausePartition(), "" + a.getCauseOffset()));
        assertEquals(Topics.INTENTS.name() + "/2/17", a.getCause());
        assertEquals("cannot deserialize: unknown magic byte", a.getMessage());
        assertEquals("", a.getViewType());
        assertTrue(a.getSeq() > 0);

        RecordHeaders fromOutside = new RecordHeaders();
        fromOutside.add("berth.client-id", "kafkajs-demo".getBytes(StandardCharsets.UTF_8));
        assertEquals("external:kafkajs-demo", DeadLetters.audit(dl, fromOutside).getActor());
    }

    @Test
    void shouldKeyTheAuditOfAnUnreadableKeyByTheEmptyString() {
        DeadLetter binary = DeadLetters.of("t", 0, 0L, new byte[] {(byte) 0xff, 0x00, 0x12}, null, "bad", null, "c", 1L);
        assertEquals("", DeadLetters.audit(binary, new RecordHeaders()).getKey());
        DeadLetter none = DeadLetters.of("t", 0, 0L, null, null, "bad", null, "c", 1L);
        assertEquals("", DeadLetters.audit(none, new RecordHeaders()).getKey());
        assertEquals("tick/1", DeadLetters.audit(DeadLetters.of("", -1, -1L, null, null, "bad", null, "c", 1L), new RecordHeaders()).getCause());
    }

    @Test
    void shouldFindTheFirstMessageDownTheCauseChain() {
        assertEquals("inner", DeadLetters.reasonOf(new RuntimeException(null, new RuntimeException("inner"))));
        assertEquals("NullPointerException", DeadLetters.reasonOf(new NullPointerException()));
    }

    @Test
    void shouldKeepOnlyTheHeadOfARecordTooLargeToBeADeadLetter() {
        BerthSerdes serdes = new BerthSerdes(new InMemorySchemaRegistryClient());
        byte[] huge = new byte[5 << 20];
        DeadLetter dl = DeadLetters.of(Topics.INTENTS.name(), 0, 1L, new byte[10_000], huge, "too big", null, "berth-state-streams", 1L);
        assertEquals(DeadLetters.MAX_VALUE_BYTES, dl.getValue().remaining());
        assertEquals(DeadLetters.MAX_KEY_BYTES, dl.getKey().remaining());
        assertEquals("too big (key truncated from 10000 bytes) (value truncated from 5242880 bytes)", dl.getReason());
        assertTrue(DeadLetters.toRawRecord(dl, serdes).value().length < 1024 * 1024);
    }
}
