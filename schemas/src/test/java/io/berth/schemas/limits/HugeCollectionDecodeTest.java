package io.berth.schemas.limits;

import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.serde.AvroSerde;
import io.berth.schemas.serde.BerthSerdes;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A record of a few bytes that declares an array of a billion containers: Avro would allocate the
 * array up front (gigabytes) before noticing the bytes are missing. Decoding it must fail with an
 * exception (a dead letter: {@code DeadLetterDeserializationHandler}), not exhaust the heap. Pins
 * the Avro behaviour Berth relies on (1.12 compares a collection's claimed size with the bytes left).
 */
class HugeCollectionDecodeTest {

    @Test
    void shouldRefuseARecordDeclaringAHugeArrayWithoutAllocatingIt() throws Exception {
        BerthSerdes serdes = new BerthSerdes(new InMemorySchemaRegistryClient());
        AvroSerde<Intent> serde = serdes.value(Intent.class);
        byte[] valid = serde.serialize(Topics.INTENTS.name(), Intent.newBuilder().setName("x").build());
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(body, null);
        e.writeString("id");          // intentId
        e.writeEnum(0);               // action APPLY
        e.writeEnum(0);               // kind DEPLOYMENT
        e.writeString("default");     // namespace
        e.writeString("web");         // name
        e.writeLong(0);               // labels: empty map
        e.writeLong(0);               // annotations: empty map
        e.writeString("");            // actor
        e.writeLong(0);               // timestamp
        e.writeIndex(0);              // expectedResourceVersion: null
        e.writeIndex(1);              // payload: DeploymentSpec
        e.writeInt(1);                // replicas
        e.writeLong(0);               // selector: empty map
        e.writeLong(0);               // template.labels
        e.writeLong(0);               // template.annotations
        e.writeLong(1_000_000_000L);  // template.containers: "a billion items follow"
        e.flush();
        byte[] poison = Arrays.copyOf(valid, 5 + body.size());
        System.arraycopy(body.toByteArray(), 0, poison, 5, body.size());
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> serde.deserialize(Topics.INTENTS.name(), poison));
        // Avro 1.12 checks a collection's claimed size against the bytes left before allocating it
        assertTrue(thrown.getMessage().contains("Collection claims 1000000000 elements"), thrown.getMessage());
    }
}
