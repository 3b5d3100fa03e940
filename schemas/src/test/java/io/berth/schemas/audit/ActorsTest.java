package io.berth.schemas.audit;

import io.berth.schemas.avro.Intent;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ActorsTest {
    private static Intent intent(String actor) {
        return Intent.newBuilder().setIntentId("i1").setNamespace("default").setName("web").setActor(actor).setTimestamp(1L).build();
    }

    private static RecordHeaders clientId(String id) {
        RecordHeaders h = new RecordHeaders();
        h.add(Actors.CLIENT_ID_HEADER, id.getBytes(StandardCharsets.UTF_8));
        return h;
    }

    @Test
    void shouldKeepTheIntentsActorAndNameAnExternalProducerOtherwise() {
        assertEquals("user:alice", Actors.of(intent("user:alice"), clientId("ci")));
        assertEquals("external:ci-bot", Actors.of(intent(" "), clientId("ci-bot")));
        assertEquals("external:unknown", Actors.of(intent(""), new RecordHeaders()));
        assertEquals("external:unknown", Actors.of(intent(""), null));
    }

    @Test
    void shouldCreditADeadLetterToItsProducerOrTheRefusingComponent() {
        assertEquals("external:kafkajs", Actors.ofDeadLetter(clientId("kafkajs"), "state-streams"));
        assertEquals("controller/state-streams", Actors.ofDeadLetter(new RecordHeaders(), "state-streams"));
    }

    @Test
    void shouldSplitResourceKeys() {
        assertEquals(new ResourceKey("default", "deployment", "web"), ResourceKey.parse("default/deployment/web"));
        assertEquals(new ResourceKey("", "node", "n1"), ResourceKey.parse("/node/n1"));
        assertEquals(new ResourceKey("", "", "web-abc"), ResourceKey.parse("web-abc"));
        assertEquals(new ResourceKey("", "", ""), ResourceKey.parse(null));
    }
}
