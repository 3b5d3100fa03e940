package io.berth.ops.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * The fault schedule of a chaos run: a plain function of the seed, so a run is reproduced by its seed
 * (the schedule is printed at the start and kept in the results). Each fault names its action, its
 * target process, how long the target stays impaired and the pause before the next fault.
 * <pre>
 *   KILL    kill -9, then restarted (as a supervisor would) after holdMs
 *   STOP    SIGSTOP, SIGCONT after holdMs (a frozen process: GC pause, stuck disk, VM steal)
 *   NETCUT  a node daemon's network cut for holdMs (a hook: {@link Faults.NetCut}; nodes only)
 * </pre>
 */
public final class FaultPlan {
    public enum Action { KILL, STOP, NETCUT }

    /** One fault; {@code index} counts from 1. */
    public record Fault(int index, Action action, String target, long holdMs, long gapMs) {
        public String describe() {
            return String.format(Locale.ROOT, "#%d %s %s for %.1f s, then %.1f s pause", index, action.name().toLowerCase(Locale.ROOT), target,
                    holdMs / 1000.0, gapMs / 1000.0);
        }
    }

    /** Time ranges (ms, inclusive) of the schedule. */
    public record Timing(long killMinMs, long killMaxMs, long stopMinMs, long stopMaxMs, long gapMinMs, long gapMaxMs) {
        /** Down 0.5–3 s before the restart, frozen 2–6 s, 1–4 s between faults. */
        public static final Timing DEFAULT = new Timing(500, 3000, 2000, 6000, 1000, 4000);
    }

    private FaultPlan() {}

    /**
     * {@code n} faults drawn with {@code new Random(seed)}: the target uniformly among {@code targets},
     * the action uniformly among those of {@code actions} that apply to it ({@code NETCUT} to nodes only).
     *
     * @throws IllegalArgumentException naming the argument when a target or action is missing
     */
    public static List<Fault> plan(long seed, int n, List<String> targets, Set<Action> actions, Timing t) {
        if (n < 0) throw new IllegalArgumentException("faults: must be 0 or more, was " + n);
        if (targets.isEmpty()) throw new IllegalArgumentException("targets: none");
        if (actions.isEmpty()) throw new IllegalArgumentException("actions: none");
        Random r = new Random(seed);
        List<Fault> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            String target = targets.get(r.nextInt(targets.size()));
            List<Action> possible = actions.stream().filter(a -> a != Action.NETCUT || isNode(target)).sorted().toList();
            if (possible.isEmpty()) possible = List.of(Action.KILL);
            Action a = possible.get(r.nextInt(possible.size()));
            long hold = a == Action.KILL ? between(r, t.killMinMs(), t.killMaxMs()) : between(r, t.stopMinMs(), t.stopMaxMs());
            out.add(new Fault(i, a, target, hold, between(r, t.gapMinMs(), t.gapMaxMs())));
        }
        return out;
    }

    /** The redundancy group of a process: {@code state-streams} for {@code state-streams-2}. */
    public static String group(String process) {
        int dash = process.lastIndexOf('-');
        return dash > 0 && process.substring(dash + 1).chars().allMatch(Character::isDigit) ? process.substring(0, dash) : process;
    }

    public static boolean isNode(String process) {
        return group(process).equals("node");
    }

    private static long between(Random r, long min, long max) {
        return min + (max > min ? (long) (r.nextDouble() * (max - min + 1)) : 0);
    }
}
