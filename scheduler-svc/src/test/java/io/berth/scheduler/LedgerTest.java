package io.berth.scheduler;

import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.NodeView;
import io.berth.schemas.avro.Tick;
import io.berth.schemas.avro.TickAssignment;
import io.berth.schemas.avro.TickLedgerChange;
import io.berth.schemas.avro.TickNode;
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
    private KeyValueStore<String, TickLedgerChange> entries;
    private KeyValueStore<String, Assignment> inFlight;
    private Ledger ledger;

    @BeforeEach
    void setUp() {
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        ticks = store("t", serdes.value(Tick.class), context);
        entries = store("e", serdes.value(TickLedgerChange.class), context);
        inFlight = store("f", serdes.value(Assignment.class), context);
        ledger = new Ledger(ticks, entries, inFlight, TTL);
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
        Ledger fresh = new Ledger(store("t2", serdes.value(Tick.class), new MockProcessorContext<>()),
                store("e2", serdes.value(TickLedgerChange.class), new MockProcessorContext<>()), inFlight, TTL);
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
        Ledger restarted = new Ledger(ticks, entries, inFlight, TTL);
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

    // ---- ledgerVersion 1: the ledger as changes (what state-streams' ticker sends) ----

    private static TickLedgerChange put(String taskId, long cpu) {
        return new TickLedgerChange("node-1", taskId, TickAssignment.newBuilder().setTaskId(taskId).setCpuMillis(cpu).build());
    }

    private static TickLedgerChange released(String taskId) {
        return new TickLedgerChange("node-1", taskId, null);
    }

    private static Tick changes(boolean reset, TickLedgerChange... changes) {
        return Tick.newBuilder().setPartition(0).setLedger(true).setLedgerVersion(1).setLedgerMore(true).setLedgerReset(reset)
                .setLedgerChanges(List.of(changes)).build();
    }

    /** The tick proper that closes the ledger records of one instant; nodes null = unchanged. */
    private static Tick proper(List<TickNode> nodes) {
        return Tick.newBuilder().setPartition(0).setLedger(true).setLedgerVersion(1).setNodes(nodes).build();
    }

    private static List<TickNode> nodesOnly() {
        return List.of(TickNode.newBuilder().setId("node-1").setReady(true).setCpuMillis(1000).setMemoryBytes(1024 * MI).build());
    }

    private Ledger fresh() {
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        entries = store("e3", serdes.value(TickLedgerChange.class), context);
        ticks = store("t3", serdes.value(Tick.class), context);
        return new Ledger(ticks, entries, inFlight, TTL);
    }

    @Test
    void shouldFoldChangesAndReleases() {
        ledger = fresh();
        ledger.accept(changes(true));
        ledger.accept(proper(nodesOnly()));
        assertTrue(ledger.accept(changes(false, put("a", 100), put("b", 200))));
        ledger.accept(proper(null));
        assertEquals(300, cpuBooked(read(NOW)));
        ledger.accept(changes(false, released("a")));
        assertFalse(ledger.accept(changes(false, released("a"))), "releasing twice changes nothing");
        ledger.accept(proper(null));
        assertEquals(200, cpuBooked(read(NOW)));
        assertFalse(read(NOW).isPlaced("a"));
        assertTrue(read(NOW).isPlaced("b"));
        assertEquals(1, entries.approximateNumEntries(), "one store entry per live assignment");
    }

    @Test
    void shouldReplaceTheLedgerWithAWholeOneOnlyWhenItsTickArrives() {
        ledger = fresh();
        ledger.accept(changes(true, put("a", 100), put("b", 200)));
        ledger.accept(proper(nodesOnly()));
        ledger.accept(changes(true, put("b", 200)));        // a whole ledger in two records: b …
        ledger.accept(changes(false, put("c", 50)));        // … and c
        assertEquals(300, cpuBooked(read(NOW)), "not applied before its tick proper");
        assertTrue(ledger.accept(proper(null)));
        assertEquals(250, cpuBooked(read(NOW)), "a, not in the whole ledger, is released");
        assertNull(entries.get("node-1/a"));
    }

    @Test
    void shouldFoldTheRestOfAWholeLedgerJoinedMidwayAsPuts() {
        ledger.accept(ledgerTick(List.of(node1), List.of(placed("a", 100, NOW))));
        Ledger restarted = new Ledger(ticks, entries, inFlight, TTL);   // resumed after the reset record was committed
        restarted.accept(changes(false, put("c", 50)));
        restarted.accept(proper(null));
        assertEquals(150, cpuBooked(restarted.read(NOW).orElseThrow()), "held capacity, never less than what is booked");
    }

    @Test
    void shouldRestoreTheChangedLedgerFromItsStores() {
        ledger = fresh();
        ledger.accept(changes(true, put("a", 100)));
        ledger.accept(proper(nodesOnly()));
        ledger.accept(changes(false, put("b", 200)));
        Ledger restarted = new Ledger(ticks, entries, inFlight, TTL);
        assertEquals(300, cpuBooked(restarted.read(NOW).orElseThrow()));
    }

    @Test
    void shouldSettleAnInFlightPlacementOnceAChangeShowsIt() {
        ledger = fresh();
        ledger.accept(changes(true));
        ledger.accept(proper(nodesOnly()));
        ledger.recordPlacement(placed("t1", 300, NOW));
        ledger.accept(changes(false, put("t1", 300)));
        ledger.accept(proper(null));
        ledger.settle(NOW + 100);
        assertNull(inFlight.get("t1"));
        assertEquals(300, cpuBooked(read(NOW + 100)), "counted once");
    }
}
