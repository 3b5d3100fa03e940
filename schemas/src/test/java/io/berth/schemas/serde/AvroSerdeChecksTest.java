package io.berth.schemas.serde;

import io.berth.registry.RegistryFixture;
import io.berth.registry.client.CachedSchemaRegistryClient;
import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.registry.client.SchemaRegistryClient;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What the reader refuses, and the reason it gives (the dead letter's reason): a schema id
 * registered under another topic's subject, an id the registry does not know, bytes that are not
 * an Intent, and bytes left over after the record.
 */
class AvroSerdeChecksTest {
    static final String INTENTS = Topics.INTENTS.name();

    static Intent intent() {
        return Intent.newBuilder().setIntentId("i-1").setAction(IntentAction.SCALE).setKind(ResourceKind.DEPLOYMENT)
                .setNamespace("default").setName("web").setPayload(new ScaleSpec(2)).build();
    }

    static TaskStatus status() {
        return TaskStatus.newBuilder().setTaskId("web-1").setWorkloadKey("default/deployment/web").setNodeId("n1")
                .setState(TaskState.RUNNING).build();
    }

    @Test
    void shouldReadARecordWrittenUnderTheTopicsSubject() {
        BerthSerdes serdes = new BerthSerdes(new InMemorySchemaRegistryClient());
        AvroSerde<Intent> serde = serdes.value(Intent.class);
        assertEquals(intent(), serde.deserialize(INTENTS, serde.serialize(INTENTS, intent())));
        assertEquals(intent(), serde.deserialize(INTENTS, serde.serialize(INTENTS, intent())), "checked once, then remembered");
    }

    @Test
    void shouldRefuseARecordWrittenUnderAnotherTopicsSubject() {
        BerthSerdes serdes = new BerthSerdes(new InMemorySchemaRegistryClient());
        byte[] statusBytes = serdes.value(TaskStatus.class).serialize(Topics.TASK_STATUS.name(), status());
        int id = ByteBuffer.wrap(statusBytes, 1, 4).getInt();
        SerializationException e = assertThrows(SerializationException.class,
                () -> serdes.value(Intent.class).deserialize(INTENTS, statusBytes));
        assertEquals("schema id " + id + " is registered under subject berth.task-status-value, not berth.intents-value", e.getMessage());

        // the Intent schema itself, but registered only by a producer that wrote to another topic (TopicNameStrategy of that topic);
        // on a registry where berth.intents-value holds the very same schema the id is the same and the record is accepted
        byte[] elsewhere = new AvroSerde<>(serdes.registry(), Intent.class).serialize("some.other-topic", intent());
        int otherId = ByteBuffer.wrap(elsewhere, 1, 4).getInt();
        e = assertThrows(SerializationException.class, () -> serdes.value(Intent.class).deserialize(INTENTS, elsewhere));
        assertEquals("schema id " + otherId + " is registered under subject some.other-topic-value, not berth.intents-value", e.getMessage());
    }

    @Test
    void shouldAcceptTheSameSchemaRegisteredUnderAnotherSubjectToo() {
        BerthSerdes serdes = new BerthSerdes(new InMemorySchemaRegistryClient());
        serdes.value(Intent.class).serialize(INTENTS, intent());
        byte[] elsewhere = new AvroSerde<>(serdes.registry(), Intent.class).serialize("some.other-topic", intent());
        assertEquals(intent(), serdes.value(Intent.class).deserialize(INTENTS, elsewhere), "one id for both subjects, as in Confluent's registry");
    }

    @Test
    void shouldRefuseAnUnknownSchemaId() {
        BerthSerdes serdes = new BerthSerdes(new InMemorySchemaRegistryClient());
        byte[] good = serdes.value(Intent.class).serialize(INTENTS, intent());
        byte[] bad = good.clone();
        ByteBuffer.wrap(bad).putInt(1, 4242);
        SerializationException e = assertThrows(SerializationException.class, () -> serdes.value(Intent.class).deserialize(INTENTS, bad));
        assertTrue(e.getMessage().startsWith("record on berth.intents names schema id 4242, which is unknown to the registry"), e.getMessage());
    }

    @Test
    void shouldRefuseBytesThatAreNotAnIntentOrHaveBytesLeftOver() {
        BerthSerdes serdes = new BerthSerdes(new InMemorySchemaRegistryClient());
        byte[] good = serdes.value(Intent.class).serialize(INTENTS, intent());
        byte[] truncated = Arrays.copyOf(good, 9);
        SerializationException e = assertThrows(SerializationException.class, () -> serdes.value(Intent.class).deserialize(INTENTS, truncated));
        assertTrue(e.getMessage().contains("does not decode as io.berth.schemas.avro.Intent"), e.getMessage());

        byte[] longer = Arrays.copyOf(good, good.length + 3);
        e = assertThrows(SerializationException.class, () -> serdes.value(Intent.class).deserialize(INTENTS, longer));
        assertTrue(e.getMessage().endsWith("3 bytes left after the record"), e.getMessage());

        e = assertThrows(SerializationException.class, () -> serdes.value(Intent.class).deserialize(INTENTS, "{\"kind\":\"x\"}".getBytes()));
        assertTrue(e.getMessage().contains("magic byte 123"), e.getMessage());
    }

    @Test
    void shouldCheckSubjectsOnBerthsOwnRegistryOverHttp() throws Exception {
        try (RegistryFixture fixture = new RegistryFixture()) {
            String url = fixture.startInstance().url();
            SchemaRegistryClient http = new CachedSchemaRegistryClient(url);
            BerthSerdes serdes = new BerthSerdes(http);
            byte[] intentBytes = serdes.value(Intent.class).serialize(INTENTS, intent());
            byte[] statusBytes = serdes.value(TaskStatus.class).serialize(Topics.TASK_STATUS.name(), status());
            int statusId = ByteBuffer.wrap(statusBytes, 1, 4).getInt();
            assertEquals(List.of("berth.task-status-value"), http.subjectsOf(statusId));

            BerthSerdes reader = new BerthSerdes(new CachedSchemaRegistryClient(url));
            assertEquals(intent(), reader.value(Intent.class).deserialize(INTENTS, intentBytes));
            SerializationException e = assertThrows(SerializationException.class, () -> reader.value(Intent.class).deserialize(INTENTS, statusBytes));
            assertEquals("schema id " + statusId + " is registered under subject berth.task-status-value, not berth.intents-value", e.getMessage());

            byte[] unknown = intentBytes.clone();
            ByteBuffer.wrap(unknown).putInt(1, 987654);
            e = assertThrows(SerializationException.class, () -> reader.value(Intent.class).deserialize(INTENTS, unknown));
            assertTrue(e.getMessage().startsWith("record on berth.intents names schema id 987654, which is unknown to the registry"), e.getMessage());
        }
    }
}
