package io.berth.node.reconcile;

import net.jqwik.api.*;
import net.jqwik.api.constraints.IntRange;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Invariants of the planner over random desired/observed states. */
class PlannerPropertiesTest {
    private static final List<String> IDS = List.of("a", "b", "c", "d", "e", "f");

    record World(Map<String, Desired> desired, Map<String, Observed> observed, Map<String, Long> gates, boolean synced, long now) {}

    @Provide
    Arbitrary<World> worlds() {
        Arbitrary<RestartPolicy> policy = Arbitraries.of(RestartPolicy.class);
        Arbitrary<Observed.State> state = Arbitraries.of(Observed.State.class);
        Arbitrary<Integer> exit = Arbitraries.of(0, 1, 137).injectNull(0.2);
        Arbitrary<Map<String, Desired>> desired = Arbitraries.subsetOf(IDS).flatMap(ids ->
                policy.list().ofSize(ids.size()).map(ps -> {
                    Map<String, Desired> m = new HashMap<>();
                    int i = 0;
                    for (String id : ids) m.put(id, new Desired(id, ps.get(i++)));
                    return m;
                }));
        Arbitrary<Map<String, Observed>> observed = Arbitraries.subsetOf(IDS).flatMap(ids ->
                Combinators.combine(state.list().ofSize(ids.size()), exit.list().ofSize(ids.size())).as((ss, es) -> {
                    Map<String, Observed> m = new HashMap<>();
                    int i = 0;
                    for (String id : ids) {
                        m.put(id, new Observed(id, "w", "c-" + id, ss.get(i), es.get(i), 1));
                        i++;
                    }
                    return m;
                }));
        Arbitrary<Map<String, Long>> gates = Arbitraries.maps(Arbitraries.of(IDS), Arbitraries.longs().between(0, 2000));
        return Combinators.combine(desired, observed, gates, Arbitraries.of(true, false), Arbitraries.longs().between(0, 2000))
                .as(World::new);
    }

    private static List<Step> plan(World w) {
        return Planner.plan(w.desired(), w.observed(), w.gates(), w.synced(), w.now());
    }

    @Property
    void neverPlansASecondContainerForATask(@ForAll("worlds") World w) {
        for (Step s : plan(w)) {
            if (s instanceof Step.Create) assertFalse(w.observed().containsKey(s.taskId()), "create beside an existing container: " + s);
        }
    }

    @Property
    void removesOnlyRevokedTasksAndOnlyOnceTheLogWasRead(@ForAll("worlds") World w) {
        for (Step s : plan(w)) {
            if (s instanceof Step.Remove) {
                assertTrue(w.synced());
                assertFalse(w.desired().containsKey(s.taskId()), "removal of a live task: " + s);
            }
        }
    }

    @Property
    void doesNothingBeforeTheLogWasRead(@ForAll("worlds") World w) {
        if (!w.synced()) assertEquals(List.of(), plan(w), "a step before the assignment log was read to its end");
    }

    @Property
    void restartsOnlyWhatThePolicyAllowsAfterItsBackoff(@ForAll("worlds") World w) {
        for (Step s : plan(w)) {
            if (s instanceof Step.Restart) {
                Observed o = w.observed().get(s.taskId());
                assertEquals(Observed.State.EXITED, o.state());
                assertTrue(w.desired().get(s.taskId()).restartPolicy().restarts(o.exitCode()));
                assertTrue(w.now() >= w.gates().getOrDefault(s.taskId(), 0L));
            }
        }
    }

    @Property
    void plansAtMostOneStepPerTaskAndTheSameStepsEveryTime(@ForAll("worlds") World w) {
        List<Step> steps = plan(w);
        Set<String> seen = new HashSet<>();
        for (Step s : steps) assertTrue(seen.add(s.taskId()), "two steps for " + s.taskId());
        assertEquals(steps, plan(w));
    }

    @Property
    void backoffNeverExceedsTheCapAndNeverShrinks(@ForAll @IntRange(min = 0, max = 100) int step) {
        assertTrue(Backoff.delayMs(step) <= Backoff.CAP_MS);
        assertTrue(Backoff.delayMs(step + 1) >= Backoff.delayMs(step));
    }
}
