package io.berth.state;

import io.berth.schemas.Topics;
import io.berth.schemas.metrics.ProcessMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.Test;

import static io.berth.state.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 16: the controllers count and time every reconcile ({@code berth_reconcile_total},
 * {@code berth_reconcile_duration_seconds}) and a poison intent counts as a dead letter of berth.intents.
 * The registry is the process's: the test reads the deltas.
 */
class MetricsTopologyTest extends HarnessTest {
    static double reconciles(String kind) {
        Counter c = ProcessMetrics.meters().find("berth.reconcile").tags("kind", kind, "result", "ok").counter();
        return c == null ? 0 : c.count();
    }

    static long timed(String kind) {
        Timer t = ProcessMetrics.meters().find("berth.reconcile.duration").tags("kind", kind).timer();
        return t == null ? 0 : t.count();
    }

    static double deadLetters(String topic) {
        Counter c = ProcessMetrics.meters().find("berth.dead.letters").tags("topic", topic).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void shouldCountAndTimeEachReconcileOfADeployment() {
        double before = reconciles("deployment");
        long timedBefore = timed("deployment");
        h.node(register("n1"));
        h.intent(key("web"), deployment("web", 2));
        h.drain();
        assertTrue(reconciles("deployment") >= before + 1, "the intent was reconciled");
        assertEquals(reconciles("deployment") - before, timed("deployment") - timedBefore, 0.0, "each reconcile is timed once");
        double afterApply = reconciles("deployment");
        h.intent(key("web"), scale("web", 3));
        h.drain();
        assertTrue(reconciles("deployment") > afterApply, "the scale was reconciled");
    }

    @Test
    void shouldCountAPoisonIntentAsADeadLetterOfItsTopic() {
        double before = deadLetters(Topics.INTENTS.name());
        h.intent(key("neg"), deployment("neg", -5));
        h.drain();
        assertEquals(1, h.all(Topics.DEAD_LETTERS).size());
        assertEquals(before + 1, deadLetters(Topics.INTENTS.name()), 0.0);
    }
}
