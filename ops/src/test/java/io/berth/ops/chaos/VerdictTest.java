package io.berth.ops.chaos;

import io.berth.ops.chaos.Verdict.Seen;
import io.berth.ops.chaos.Verdict.Spec;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class VerdictTest {
    static final Spec TWO = new Spec(2, "img:a", 3);

    static Seen settled(Spec s) {
        return new Seen(s, s.replicas(), s.replicas(), s.replicas());
    }

    static Map<String, Spec> acked(Object... kv) {
        Map<String, Spec> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], (Spec) kv[i + 1]);
        return m;
    }

    @Test
    void shouldFindNothingLostWhenTheApiShowsEveryLastAcknowledgedSpec() {
        assertEquals(List.of(), Verdict.lost(acked("a", TWO, "gone", null), Map.of("a", settled(TWO))));
    }

    @Test
    void shouldReportEachWayAnIntentCanBeLost() {
        Map<String, Spec> acked = acked("missing", TWO, "stale", TWO, "undeleted", null);
        Map<String, Seen> api = Map.of("stale", settled(new Spec(1, "img:a", 3)), "undeleted", settled(TWO), "unacked", settled(TWO));
        assertEquals(List.of(
                "missing: acknowledged replicas 2, image img:a, rev 3, but the API shows no such Deployment",
                "stale: acknowledged replicas 2, image img:a, rev 3, the API shows replicas 1, image img:a, rev 3",
                "undeleted: deleted (acknowledged) but the API still shows it (replicas 2, image img:a, rev 3)"), Verdict.lost(acked, api));
    }

    @Test
    void shouldNotCallItConvergedWhilePodsOrContainersDisagree() {
        Map<String, Spec> acked = acked("a", TWO, "b", TWO, "gone", null);
        Map<String, Seen> api = Map.of("a", new Seen(TWO, 3, 2, 1), "b", settled(TWO));
        assertEquals(List.of("a: 2 wanted, pods 3, ready 2, updated 1", "a: 3 containers running, 2 wanted", "gone: 1 containers running, 0 wanted"),
                Verdict.notConverged(acked, api, Map.of("a", 3, "b", 2, "gone", 1, "not-ours", 5)));
        assertEquals(List.of(), Verdict.notConverged(acked, Map.of("a", settled(TWO), "b", settled(TWO)), Map.of("a", 2, "b", 2)));
    }
}
