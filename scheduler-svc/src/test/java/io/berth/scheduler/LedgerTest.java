package io.berth.scheduler;

import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.NodeView;
import io.berth.schemas.serde.BerthSerdes;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.berth.scheduler.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** The in-flight reconciliation: an own placement counts exactly once, from wherever it is visible. */
class LedgerTest {
    private static final Duration TTL = Duration.ofSeconds(30);
    private static final long NOW = 1_000_000;
    private final BerthSerdes serdes = new BerthSerdes(new InMemorySchemaRegistryClient());
    private KeyValueStore<String, byte[]> nodes;
    private KeyValueStore<String, byte[]> ledgerStore;
    private KeyValueStore<String, Assignment> inFlight;
    private Ledger ledger;

    @BeforeEach
    void setUp() {
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        nodes = store("n", Serdes.ByteArray(), context);
        ledgerStore = store("l", Serdes.ByteArray(), context);
        inFlight = store("f", serdes.value(Assignment.class), context);
        ledger = new Ledger(nodes, ledgerStore, inFlight, TTL, new Ledger.Decoders(
                b -> serdes.value(NodeView.class).deserialize(Topics.NODES.name(), b),
                b -> serdes.value(Assignment.class).deserialize(Topics.ASSIGNMENTS.name(), b)));
        nodes.put("node-1", serdes.value(NodeView.class).serialize(Topics.NODES.name(), node("node-1", 1000, 1024 * MI)));
    }

    private static <V> KeyValueStore<String, V> store(String name, Serde<V> values, MockProcessorContext<Object, Object> context) {
        KeyValueStore<String, V> s = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), values)
                .withLoggingDisabled().build();
        s.init(context.getStateStoreContext(), s);
        return s;
    }

    private static Assignment placed(String taskId, long cpu, long at) {
        return Decisions.assignment(request(taskId, cpu, 0), "node-1", at);
    }

    private byte[] bytes(Assignment a) {
        return serdes.value(Assignment.class).serialize(Topics.ASSIGNMENTS.name(), a);
    }

    @Test
    void shouldSkipAnUndecodableLedgerEntry() {
        ledgerStore.put("node-1/poison", new byte[]{0, 0, 0, 0, 99, 1});
        ledgerStore.put(Topics.assignmentKey("node-1", "t2"), bytes(placed("t2", 200, NOW)));
        assertEquals(200, cpuBooked(ledger.read(NOW)));
        assertEquals(200, cpuBooked(ledger.read(NOW)), "the second scan uses the cache");
    }

    private long cpuBooked(Ledger.View view) {
        return view.snapshot().usage("node-1").allocated().cpuMillis();
    }

    @Test
    void shouldCountAPlacementNotYetInTheLedger() {
        ledger.recordPlacement(placed("t1", 300, NOW));
        Ledger.View view = ledger.read(NOW + 100);
        assertEquals(300, cpuBooked(view));
        assertTrue(view.isPlaced("t1"));
    }

    @Test
    void shouldCountAPlacementOnceWhenTheLedgerShowsIt() {
        Assignment a = placed("t1", 300, NOW);
        ledger.recordPlacement(a);
        ledgerStore.put(Topics.assignmentKey("node-1", "t1"), bytes(a));
        assertEquals(300, cpuBooked(ledger.read(NOW + 100)));
        assertNull(inFlight.get("t1"), "settled once visible");
    }

    @Test
    void shouldFreeCapacityAfterTheLedgerShowedAndRevokedIt() {
        Assignment a = placed("t1", 300, NOW);
        ledger.recordPlacement(a);
        ledgerStore.put(Topics.assignmentKey("node-1", "t1"), bytes(a));
        ledger.read(NOW + 100);
        ledgerStore.delete(Topics.assignmentKey("node-1", "t1")); // the controller's tombstone
        assertEquals(0, cpuBooked(ledger.read(NOW + 200)));
    }

    /** The e2e scale test once found this: no read between "visible" and "revoked" left a phantom replica. */
    @Test
    void shouldFreeCapacityWhenTheTickSettledItBeforeItWasRevoked() {
        Assignment a = placed("t1", 300, NOW);
        ledger.recordPlacement(a);
        ledgerStore.put(Topics.assignmentKey("node-1", "t1"), bytes(a));
        ledger.settle(NOW + 100); // the scheduler's tick, with no placement in between
        ledgerStore.delete(Topics.assignmentKey("node-1", "t1")); // the controller's tombstone
        assertEquals(0, cpuBooked(ledger.read(NOW + 200)));
    }

    @Test
    void shouldStopCountingAnInFlightPlacementAfterItsTtl() {
        ledger.recordPlacement(placed("t1", 300, NOW));
        assertEquals(300, cpuBooked(ledger.read(NOW + TTL.toMillis())));
        assertEquals(0, cpuBooked(ledger.read(NOW + TTL.toMillis() + 1)));
        assertNull(inFlight.get("t1"));
    }
}
