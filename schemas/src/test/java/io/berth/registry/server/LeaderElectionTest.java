package io.berth.registry.server;

import io.berth.registry.RegistryFixture;
import io.berth.registry.Rest;
import io.berth.registry.TestSchemas;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.berth.registry.Rest.assertJson;
import static org.junit.jupiter.api.Assertions.*;

/** Two instances of one registry: one writer, followers forward, leadership moves when the leader leaves. */
class LeaderElectionTest {

    @Test
    void shouldAgreeOnOneWriterAndForwardWritesFromTheFollower() throws Exception {
        List<String> schemas = TestSchemas.distinct(3);
        try (RegistryFixture fixture = new RegistryFixture()) {
            RegistryServer a = fixture.startInstance();
            RegistryServer b = fixture.startInstance();
            assertTrue(a.isLeader() ^ b.isLeader(), "exactly one leader: a=" + a.isLeader() + " b=" + b.isLeader());
            RegistryServer leader = a.isLeader() ? a : b;
            RegistryServer follower = a.isLeader() ? b : a;
            Rest viaLeader = new Rest(leader.url());
            Rest viaFollower = new Rest(follower.url());
            viaFollower.setCompatibility(null, "NONE");

            int id = viaFollower.registerOk("s", schemas.get(0));
            assertEquals(id, viaLeader.registerOk("s", schemas.get(0)), "both instances give the same id");
            assertEquals(id, viaLeader.get("/subjects/s/versions/1").ok().json().get("id").asInt());
            assertEquals(id, viaFollower.get("/subjects/s/versions/1").ok().json().get("id").asInt(), "the follower reads its own forwarded write");
            assertEquals(id + 1, viaLeader.registerOk("s", schemas.get(1)));
            assertEquals(id + 1, viaFollower.registerOk("other", schemas.get(1)));
            viaFollower.register("\rbad", schemas.get(0)).error(422, 42208);

            leader.close();
            long deadline = System.currentTimeMillis() + 20_000;
            while (!follower.isLeader() && System.currentTimeMillis() < deadline) Thread.sleep(100);
            assertTrue(follower.isLeader(), "the remaining instance takes over when the leader leaves");
            assertEquals(id + 2, viaFollower.registerOk("s", schemas.get(2)), "the new leader continues the ids");
            assertJson("[1,2,3]", viaFollower.get("/subjects/s/versions").ok().json());
        }
    }
}
