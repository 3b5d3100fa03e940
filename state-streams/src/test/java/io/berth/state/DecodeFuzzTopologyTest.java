package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.avro.*;
import io.berth.schemas.limits.Limits;
import io.berth.testing.Fuzz;
import net.jqwik.api.*;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.kafka.streams.TestInputTopic;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static io.berth.state.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The state-streams topology (TopologyTestDriver, the service's dead-letter handlers) fed generated
 * poison on each topic it consumes (berth.intents, berth.task-status, berth.node-events): random
 * bytes, a wrong magic byte or schema id, and valid records truncated, bit-flipped or extended.
 * Each poison record must be dead-lettered (or, when it still decodes, handled like any record),
 * never stop the stream; and the next good deployment must still be placed. Bounded per input.
 */
@AddLifecycleHook(Fuzz.class)
class DecodeFuzzTopologyTest {
    static Harness h;
    static int good;

    @BeforeContainer
    static void start() throws Exception {
        // a low replica cap: a flipped bit in replicas must not make the driver place ten thousand tasks
        h = new Harness(new StateStreamsTopology.Settings(Harness.GRACE_MS, Duration.ofMillis(250)).withLimits(new Limits(20)),
                List.of(), null, true);
        h.node(register("n1"));
    }

    @AfterContainer
    static void stop() {
        if (h != null) h.close();
    }

    enum Source { INTENTS, TASK_STATUS, NODE_EVENTS }

    enum Mutation { RANDOM, TRUNCATE, FLIP, INSERT, APPEND, MAGIC, UNKNOWN_ID }

    @Property(tries = 300)
    void aPoisonRecordIsDeadLetteredAndTheNextGoodOneProcessed(@ForAll Source source, @ForAll Mutation mutation,
                                                               @ForAll int position, @ForAll byte value,
                                                               @ForAll @Size(max = 64) byte[] random) {
        byte[] valid = valid(source);
        byte[] poison = mutation == Mutation.RANDOM ? random : mutate(valid, mutation, position, value);
        int deadBefore = h.all(Topics.DEAD_LETTERS).size();
        Fuzz.within(Duration.ofSeconds(5), source + " " + Fuzz.abbreviate(poison), () -> {
            TestInputTopic<String, byte[]> in = switch (source) {
                case INTENTS -> h.rawIntents;
                case TASK_STATUS -> h.rawStatuses;
                case NODE_EVENTS -> h.rawNodeEvents;
            };
            in.pipeInput(source == Source.NODE_EVENTS ? "n1" : key("poison"), poison, h.now());
            h.drain();
        });
        List<DeadLetter> dls = h.all(Topics.DEAD_LETTERS).stream().skip(deadBefore).map(kv -> kv.value).toList();
        for (DeadLetter dl : dls) {
            assertFalse(dl.getReason().startsWith("processing failed"), "a decodable record made a processor throw: " + dl.getReason()
                    + "\n input " + Fuzz.abbreviate(poison));
        }
        String name = "good-" + (++good);
        Fuzz.within(Duration.ofSeconds(5), name, () -> h.intent(key(name), deployment(name, 1)));
        assertTrue(h.all(Topics.PLACEMENT_REQUESTS).stream().anyMatch(kv -> kv.value.toString().contains(name)),
                "the good deployment after the poison was placed");
    }

    static byte[] valid(Source s) {
        return switch (s) {
            case INTENTS -> h.serdes.value(Intent.class).serialize(Topics.INTENTS.name(), deployment("poison", 2));
            case TASK_STATUS -> h.serdes.value(TaskStatus.class).serialize(Topics.TASK_STATUS.name(),
                    status(key("poison"), "poison-1", "n1", TaskState.RUNNING));
            case NODE_EVENTS -> h.serdes.value(NodeEvent.class).serialize(Topics.NODE_EVENTS.name(), heartbeat("n1"));
        };
    }

    static byte[] mutate(byte[] valid, Mutation m, int position, byte value) {
        int at = Math.floorMod(position, valid.length);
        byte[] b = valid.clone();
        switch (m) {
            case TRUNCATE -> b = Arrays.copyOf(valid, at);
            case FLIP -> b[at] ^= (byte) (value == 0 ? 1 : value);
            case INSERT -> {
                b = new byte[valid.length + 1];
                System.arraycopy(valid, 0, b, 0, at);
                b[at] = value;
                System.arraycopy(valid, at, b, at + 1, valid.length - at);
            }
            case APPEND -> b = Arrays.copyOf(valid, valid.length + 1 + Math.floorMod(position, 8));
            case MAGIC -> b[0] = value == 0 ? 1 : value;
            case UNKNOWN_ID -> ByteBuffer.wrap(b).putInt(1, 1_000_000 + Math.floorMod(position, 1_000_000));
            case RANDOM -> { }
        }
        return b;
    }
}
