package io.berth.state.core;

import io.berth.state.core.Autoscaler.Decision;
import io.berth.state.core.Autoscaler.Past;
import io.berth.state.core.Autoscaler.Pod;
import io.berth.state.core.Autoscaler.Recommendation;
import io.berth.state.core.Autoscaler.Scaling;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.berth.state.core.Autoscaler.DEFAULT_SCALE_DOWN;
import static io.berth.state.core.Autoscaler.DEFAULT_SCALE_UP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HPA arithmetic, worked by hand from Kubernetes' replica calculator and scaling behaviors. */
class AutoscalerTest {

    private static Pod ready(String name, long request, long usage) {
        return new Pod(name, true, request, usage);
    }

    private static Recommendation cpu(int current, int target, Pod... pods) {
        return Autoscaler.recommend(current, target, List.of(pods), "cpu");
    }

    // --- recommend ---

    @Test
    void shouldScaleUpByTheUsageRatio() {
        // 3 pods requesting 1.0 cpu using 300/500/700m, target 30 % -> 5
        Recommendation r = cpu(3, 30, ready("a", 1000, 300), ready("b", 1000, 500), ready("c", 1000, 700));
        assertEquals(5, r.replicas());
        assertEquals(50, r.utilizationPercent());
    }

    @Test
    void shouldScaleDownByTheUsageRatio() {
        // 5 pods at 100/300/500/250/250m of 1.0, target 50 % -> 3
        Recommendation r = cpu(5, 50, ready("a", 1000, 100), ready("b", 1000, 300), ready("c", 1000, 500),
                ready("d", 1000, 250), ready("e", 1000, 250));
        assertEquals(3, r.replicas());
        assertEquals(28, r.utilizationPercent());
    }

    @Test
    void shouldKeepTheCountWithinTheTolerance() {
        // 1075/1025/1050m of 1.0 at target 100 % -> 3
        assertEquals(3, cpu(3, 100, ready("a", 1000, 1075), ready("b", 1000, 1025), ready("c", 1000, 1050)).replicas());
        // just outside: 111 % -> ceil(3 * 1.11) = 4
        assertEquals(4, cpu(3, 100, ready("a", 1000, 1110), ready("b", 1000, 1110), ready("c", 1000, 1110)).replicas());
    }

    @Test
    void shouldIgnoreUnreadyPodsWhenScalingUpAndCountThemAsZero() {
        // 3 pods, one unready; 300/500/700m of 1.0, target 30 %
        // ready ratio (500+700)/2000/0.3 = 2.0 > 1 -> the unready pod counts as 0: 1200/3000/0.3 = 1.33 -> ceil(4) = 4
        Recommendation r = cpu(3, 30, new Pod("a", false, 1000, 300L), ready("b", 1000, 500), ready("c", 1000, 700));
        assertEquals(4, r.replicas());
    }

    @Test
    void shouldAssumeMissingPodsUseTheirWholeRequestWhenScalingDown() {
        // 4 pods, one without metrics, 400/95/155m of 1.0, target 30 %
        // ratio of the three: 650/3000/0.3 = 0.72 < 1 -> missing at 100 %: 1650/4000/0.3 = 1.375 > 1: flips -> keep 4
        Recommendation r = cpu(4, 30, ready("a", 1000, 400), ready("b", 1000, 95), ready("c", 1000, 155), new Pod("d", true, 1000, null));
        assertEquals(4, r.replicas());
        // far enough below the target the scale-down still happens: 100/100/100m, target 50 % -> (300+1000)/4000/0.5 = 0.65 -> 3
        Recommendation down = cpu(4, 50, ready("a", 1000, 100), ready("b", 1000, 100), ready("c", 1000, 100), new Pod("d", true, 1000, null));
        assertEquals(3, down.replicas());
        assertEquals(10, down.utilizationPercent(), "as Kubernetes reports it: measured on the pods with metrics");
    }

    @Test
    void shouldAssumeMissingPodsUseNothingWhenScalingUp() {
        // 3 with 900m of 1.0, one missing, target 50 %
        // ready ratio 1.8 -> missing at 0: 2700/4000/0.5 = 1.35 -> ceil(1.35 * 4) = 6
        Recommendation r = cpu(4, 50, ready("a", 1000, 900), ready("b", 1000, 900), ready("c", 1000, 900), new Pod("d", true, 1000, null));
        assertEquals(6, r.replicas());
    }

    @Test
    void shouldRefuseWithoutRequestsOrSamples() {
        IllegalArgumentException noRequest = assertThrows(IllegalArgumentException.class, () -> cpu(1, 50, ready("a", 0, 100)));
        assertTrue(noRequest.getMessage().contains("missing request for cpu"), noRequest.getMessage());
        assertThrows(IllegalArgumentException.class, () -> cpu(1, 50, new Pod("a", true, 1000, null)));
        assertThrows(IllegalArgumentException.class, () -> cpu(1, 50, new Pod("a", false, 1000, 500L)));
        assertThrows(IllegalArgumentException.class, () -> cpu(1, 0, ready("a", 1000, 500)));
    }

    @Test
    void shouldTakeTheLargestRecommendationOfSeveralMetrics() {
        Recommendation r = Autoscaler.largest(Map.of("cpu", new Recommendation(3, 40, "cpu"), "memory", new Recommendation(5, 90, "memory")));
        assertEquals(5, r.replicas());
    }

    // --- normalize: stabilization, rate policies, min/max ---

    private static Decision normalize(long now, int current, int recommended, int min, int max, List<Past> recs, List<Scaling> scalings) {
        return Autoscaler.normalize(now, current, recommended, min, max, DEFAULT_SCALE_UP, DEFAULT_SCALE_DOWN, recs, scalings);
    }

    @Test
    void shouldScaleDownOnlyToTheHighestRecommendationOfTheLastFiveMinutes() {
        long t = 1_000_000;
        List<Past> recs = List.of(new Past(t - 200_000, 8), new Past(t - 100_000, 6), new Past(t - 400_000, 10));
        Decision d = normalize(t, 10, 2, 1, 20, recs, List.of());
        assertEquals(8, d.replicas(), d.reason()); // 10 is outside the window, 8 inside
        assertTrue(d.reason().contains("stabilized to 8"), d.reason());
        // the window remembers the raw recommendation, and forgets what is older than the longest window
        assertEquals(List.of(new Past(t - 200_000, 8), new Past(t - 100_000, 6), new Past(t, 2)), d.recommendations());
    }

    @Test
    void shouldScaleDownOnlyOnceTheWindowHasPassed() {
        long t = 1_000_000;
        // a new autoscaler: its history starts as the current count, so a first low reading scales nothing down
        Decision first = normalize(t, 10, 2, 1, 20, List.of(), List.of());
        assertEquals(10, first.replicas(), first.reason());
        Decision minuteOn = normalize(t + 60_000, 10, 2, 1, 20, first.recommendations(), first.scalings());
        assertEquals(10, minuteOn.replicas(), minuteOn.reason());
        // five minutes on, the seeded 10 has left the window; every recommendation in it is 2
        Decision later = normalize(t + 301_000, 10, 2, 1, 20, minuteOn.recommendations(), minuteOn.scalings());
        assertEquals(2, later.replicas(), later.reason());
        assertEquals(List.of(new Scaling(t + 301_000, -8)), later.scalings());
    }

    @Test
    void shouldScaleUpAtOnceWithinTheDefaultRate() {
        // default scale-up: max(+100 %, +4 pods) per 15 s
        assertEquals(5, normalize(0, 1, 10, 1, 20, List.of(), List.of()).replicas()); // 1 + 4 pods > 1 * 2
        assertEquals(20, normalize(0, 10, 30, 1, 40, List.of(), List.of()).replicas()); // 10 * 2 > 10 + 4
        Decision capped = normalize(0, 10, 30, 1, 15, List.of(), List.of());
        assertEquals(15, capped.replicas());
        assertTrue(capped.reason().contains("maxReplicas 15"), capped.reason());
    }

    @Test
    void shouldCountRecentScalingsAgainstTheRate() {
        long t = 100_000;
        // 2 -> 6 five seconds ago: the period started at 2, so the limit is max(2 * 2, 2 + 4) = 6: no more now
        Decision d = normalize(t, 6, 12, 1, 20, List.of(), List.of(new Scaling(t - 5_000, 4)));
        assertEquals(6, d.replicas(), d.reason());
        // 16 s later the period has passed: 6 -> 12
        assertEquals(12, normalize(t + 16_000, 6, 12, 1, 20, List.of(), List.of(new Scaling(t - 5_000, 4))).replicas());
    }

    @Test
    void shouldHoldMinAndMaxReplicas() {
        Decision low = normalize(0, 3, 3, 5, 10, List.of(), List.of());
        assertEquals(5, low.replicas(), low.reason());
        Decision high = normalize(0, 12, 12, 1, 10, List.of(), List.of());
        assertEquals(10, high.replicas(), high.reason());
        Decision floor = Autoscaler.normalize(0, 4, 1, 2, 10, DEFAULT_SCALE_UP,
                new Autoscaler.Rules(0, DEFAULT_SCALE_DOWN.policies(), Autoscaler.Rules.Select.MAX), List.of(), List.of());
        assertEquals(2, floor.replicas(), floor.reason());
        assertThrows(IllegalArgumentException.class, () -> normalize(0, 1, 1, 0, 10, List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> normalize(0, 1, 1, 5, 4, List.of(), List.of()));
    }

    @Test
    void shouldLimitScaleDownByAPodsPolicyAndDisableIt() {
        Autoscaler.Rules onePodAMinute = new Autoscaler.Rules(0, List.of(new Autoscaler.Policy(Autoscaler.Policy.Kind.PODS, 1, 60)), Autoscaler.Rules.Select.MAX);
        Decision d = Autoscaler.normalize(0, 10, 2, 1, 20, DEFAULT_SCALE_UP, onePodAMinute, List.of(), List.of());
        assertEquals(9, d.replicas(), d.reason());
        assertEquals(9, Autoscaler.normalize(30_000, 9, 2, 1, 20, DEFAULT_SCALE_UP, onePodAMinute, List.of(), d.scalings()).replicas());
        Autoscaler.Rules disabled = new Autoscaler.Rules(0, List.of(), Autoscaler.Rules.Select.DISABLED);
        assertEquals(10, Autoscaler.normalize(0, 10, 2, 1, 20, DEFAULT_SCALE_UP, disabled, List.of(), List.of()).replicas());
    }

    @Test
    void shouldScaleAHundredPercentDownInOneStepWhenTheWindowAllows() {
        Autoscaler.Rules noWindow = new Autoscaler.Rules(0, DEFAULT_SCALE_DOWN.policies(), Autoscaler.Rules.Select.MAX);
        // -100 % per 15 s: (int) (10 * 0) = 0, so only minReplicas holds it
        assertEquals(1, Autoscaler.normalize(0, 10, 1, 1, 20, DEFAULT_SCALE_UP, noWindow, List.of(), List.of()).replicas());
        Autoscaler.Rules half = new Autoscaler.Rules(0, List.of(new Autoscaler.Policy(Autoscaler.Policy.Kind.PERCENT, 50, 15)), Autoscaler.Rules.Select.MAX);
        assertEquals(5, Autoscaler.normalize(0, 10, 1, 1, 20, DEFAULT_SCALE_UP, half, List.of(), List.of()).replicas());
        assertEquals(3, Autoscaler.normalize(0, 7, 1, 1, 20, DEFAULT_SCALE_UP, half, List.of(), List.of()).replicas()); // (int) 3.5
    }
}
