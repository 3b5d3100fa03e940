package io.berth.node.reconcile;

import io.berth.node.docker.PodUnit;
import io.berth.node.docker.PodUnit.Kind;
import net.jqwik.api.*;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Invariants of the restart and init gates over random histories and random pods. */
class GatePropertiesTest {
    private static final List<PodUnit> POD = List.of(
            new PodUnit("t/.infra", "t", Kind.INFRA, 0, null),
            new PodUnit("t/i1", "t", Kind.INIT, 0, null),
            new PodUnit("t/i2", "t", Kind.INIT, 1, null),
            new PodUnit("t/i3", "t", Kind.INIT, 2, null),
            new PodUnit("t", "t", Kind.APP, 0, null),
            new PodUnit("t/side", "t", Kind.APP, 1, null));

    /** 0-2: launches (create, start, restart), 3: exit, 4: failure, 5: container seen; with a time step. */
    @Provide
    Arbitrary<List<int[]>> histories() {
        return Combinators.combine(Arbitraries.integers().between(0, 5), Arbitraries.integers().between(0, 120_000))
                .as((kind, dt) -> new int[]{kind, dt}).list().ofMaxSize(40);
    }

    @Property
    void restartCountOnlyGrowsAndOnlyByALaunchAndNoWaitExceedsTheCap(@ForAll("histories") List<int[]> history) {
        RestartState s = RestartState.NEW;
        long now = 1, startedAt = 0;
        for (int[] e : history) {
            now += e[1];
            RestartState next = switch (e[0]) {
                case 0, 1, 2 -> RestartGate.launched(s, RestartGate.Launch.values()[e[0]]);
                case 3 -> RestartGate.exited(s, startedAt, now);
                case 4 -> RestartGate.failed(s, now);
                default -> RestartGate.hasContainer(s);
            };
            if (e[0] == 0 || e[0] == 1) startedAt = now;
            int grew = next.restartCount() - s.restartCount();
            assertTrue(grew == 0 || grew == 1 && (e[0] == 0 || e[0] == 2), "restartCount changed by " + grew + " on event " + e[0]);
            if (e[0] == 3 || e[0] == 4) assertTrue(next.notBefore() - now <= Backoff.CAP_MS && next.notBefore() >= now);
            assertTrue(next.backoffStep() >= 0);
            s = next;
        }
    }

    @Provide
    Arbitrary<Map<String, Observed>> pods() {
        Arbitrary<Observed.State> state = Arbitraries.of(Observed.State.class).injectNull(0.35);
        Arbitrary<Integer> exit = Arbitraries.of(0, 0, 1, 137).injectNull(0.2);
        return Combinators.combine(state.list().ofSize(POD.size()), exit.list().ofSize(POD.size())).as((ss, es) -> {
            Map<String, Observed> m = new HashMap<>();
            for (int i = 0; i < POD.size(); i++) {
                if (ss.get(i) == null) continue;
                String key = POD.get(i).key();
                m.put(key, new Observed(key, "w", "c" + i, ss.get(i), ss.get(i) == Observed.State.EXITED ? es.get(i) : null, 1));
            }
            return m;
        });
    }

    @Property
    void nothingNewStartsBeforeItsTurn(@ForAll("pods") Map<String, Observed> observed, @ForAll RestartPolicy policy) {
        InitGate.Admission a = InitGate.admit(POD, policy, observed);
        Observed infra = observed.get("t/.infra");
        if (!a.recycle().isEmpty()) {
            assertTrue(infra == null || infra.state() == Observed.State.EXITED, "recycled a pod whose sandbox lives");
            assertEquals(List.of(), a.desired());
            return;
        }
        boolean before = true; // every init container before this unit completed
        int newInits = 0;
        for (PodUnit u : POD) {
            boolean admitted = a.desired().stream().anyMatch(d -> d.taskId().equals(u.key()));
            boolean isNew = admitted && !observed.containsKey(u.key());
            if (isNew && u.kind() != Kind.INFRA) {
                assertEquals(Observed.State.RUNNING, infra.state(), u.key() + " joins a network that does not run");
                assertTrue(before, u.key() + " admitted before the init containers ahead of it completed");
            }
            if (isNew && u.kind() == Kind.INIT) newInits++;
            if (observed.containsKey(u.key())) assertTrue(admitted, "an existing container is always planned: " + u.key());
            if (u.kind() == Kind.INIT) before &= InitGate.completed(observed.get(u.key()));
        }
        assertTrue(newInits <= 1, "two init containers at once");
    }
}
