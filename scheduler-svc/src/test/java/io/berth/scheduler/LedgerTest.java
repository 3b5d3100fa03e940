package io.berth.scheduler;

import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.NodeView;
import io.berth.schemas.avro.Tick;
import io.berth.schemas.serde.BerthSerdes;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.berth.scheduler.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** The in-flight reconciliation: an own placement counts exactly once, from wherever it is visible (a tick, or in flight). */
class LedgerTest {
    private static final Duration TTL = Duration.ofSeconds(30);
    private static final long NOW = 1_000_000;
    private final BerthSerdes serdes = new BerthSerdes(new InMemorySchemaRegistryClient());
    private final NodeView node1 = node("node-1", 1000, 1024 * MI);
    private KeyValueStore<String, Tick> ticks;
    private KeyValueStore<String, Assignment> inFlight;
    private Ledger ledger;

    @BeforeEach
    void setUp() {
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        ticks = store("t", serdes.value(Tick.class), context);
        inFlight = store("f", serdes.value(Assignment.class), context);
        ledger = new Ledger(ticks, inFlight, TTL);
        ledger.accept(ledgerTick(List.of(node1), List.of()));
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

    private long cpuBooked(Ledger.View view) {
        return view.snapshot().usage("node-1").allocated().cpuMillis();
    }

    private Ledger.View read(long now) {
        return ledger.read(now).orElseThrow();
    }

    @Test
    void shouldKnowNoClusterBeforeATickCarriedOne() {
        Ledger fresh = new Ledger(store("t2", serdes.value(Tick.class), new MockProcessorContext<>()), inFlight, TTL);
        assertTrue(fresh.read(NOW).isEmpty());
        assertFalse(fresh.accept(Tick.newBuilder().setPartition(0).setNodes(List.of()).build()), "a tick without the ledger flag is not a cluster");
        assertTrue(fresh.read(NOW).isEmpty());
    }

    @Test
    void shouldKeepTheLastClusterOnATickThatSaysUnchanged() {
        ledger.accept(ledgerTick(List.of(node1), List.of(placed("t2", 200, NOW))));
        assertFalse(ledger.accept(Tick.newBuilder().setPartition(0).setNodes(null).setLedger(true).build()));
        assertEquals(200, cpuBooked(read(NOW)));
    }

    @Test
    void shouldRestoreTheClusterFromItsStore() {
        ledger.accept(ledgerTick(List.of(node1), List.of(placed("t2", 200, NOW))));
        Ledger restarted = new Ledger(ticks, inFlight, TTL);
        assertEquals(200, cpuBooked(restarted.read(NOW).orElseThrow()));
        assertTrue(restarted.read(NOW).orElseThrow().isPlaced("t2"));
    }

    @Test
    void shouldCountAPlacementNotYetInATick() {
        ledger.recordPlacement(placed("t1", 300, NOW));
        Ledger.View view = read(NOW + 100);
        assertEquals(300, cpuBooked(view));
        assertTrue(view.isPlaced("t1"));
    }

    @Test
    void shouldCountAPlacementOnceWhenATickShowsIt() {
        Assignment a = placed("t1", 300, NOW);
        ledger.recordPlacement(a);
        ledger.accept(ledgerTick(List.of(node1), List.of(a)));
        assertEquals(300, cpuBooked(read(NOW + 100)));
        assertNull(inFlight.get("t1"), "settled once visible");
    }

    /** The e2e scale test once found this: no read between "visible" and "revoked" left a phantom replica. */
    @Test
    void shouldFreeCapacityWhenATickShowedItAndALaterOneNoLonger() {
        Assignment a = placed("t1", 300, NOW);
        ledger.recordPlacement(a);
        ledger.accept(ledgerTick(List.of(node1), List.of(a)));
        ledger.settle(NOW + 100); // the scheduler's tick, with no placement in between
        ledger.accept(ledgerTick(List.of(node1), List.of())); // the controller's tombstone, as the ticker saw it
        assertEquals(0, cpuBooked(read(NOW + 200)));
    }

    @Test
    void shouldStopCountingAnInFlightPlacementAfterItsTtl() {
        ledger.recordPlacement(placed("t1", 300, NOW));
        assertEquals(300, cpuBooked(read(NOW + TTL.toMillis())));
        assertEquals(0, cpuBooked(read(NOW + TTL.toMillis() + 1)));
        assertNull(inFlight.get("t1"));
    }

    @Test
    void shouldTakeLabelsCordonAndHostPortsFromTheTick() {
        NodeView labelled = NodeView.newBuilder(cordoned(node("node-2", 500, 64 * MI))).setLabels(java.util.Map.of("disk", "ssd")).build();
        ledger.accept(ledgerTick(List.of(node1, labelled), List.of()));
        var n2 = read(NOW).snapshot().nodes().stream().filter(n -> n.id().equals("node-2")).findFirst().orElseThrow();
        assertTrue(n2.cordoned());
        assertEquals(java.util.Map.of("disk", "ssd"), n2.labels());
        assertEquals(500, n2.capacity().cpuMillis());
    }
}
