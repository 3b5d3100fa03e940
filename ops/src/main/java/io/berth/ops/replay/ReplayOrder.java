package io.berth.ops.replay;

import java.util.*;
import java.util.function.Function;

/**
 * The order in which recorded inputs are fed to the replay driver: the order the live controllers
 * processed them in, as far as the log tells it. Pure (no Kafka).
 *
 * <p><b>The rule.</b> Every input belongs to a <i>lane</i>: the input partition of the stream task
 * that decided on it, named as the controller names it in its {@code berth.seen} header
 * ({@code topic/partition}, or {@code berth.intents/P@<repartition>} for intents re-keyed to another
 * task; lanes are qualified by the deciding task's partition). Within a lane, offset order. Every
 * controller output carries {@code berth.cause} (the input it was decided on) and {@code berth.seen}
 * (the last offset the controller had read on each of its lanes at that moment), so for an input C
 * that caused anything:
 * <ol>
 *   <li>every input of a lane L of C's task with offset ≤ seen_C[L] is fed before C, and</li>
 *   <li>every input of L with offset > seen_C[L] is fed after C.</li>
 * </ol>
 * Inputs no constraint places (they caused nothing, and no later output of their task names them)
 * are fed by timestamp, then lane, then offset — Kafka Streams' own choice when every partition has
 * data. Tasks are independent (a tick of partition P checks only P's keys, see state-streams'
 * {@code NodeReadiness}), so interleaving across tasks by timestamp is as good as any. If the
 * constraints contradict each other (a header from before a restart), the earliest head is fed
 * and the conflict counted.
 */
public final class ReplayOrder {
    private ReplayOrder() {}

    /** An input and the lane (already qualified by task) it belongs to. */
    public record Item(Recorded record, String lane, long offset) {}

    public record Result(List<Recorded> order, int conflicts) {}

    /**
     * @param items   every input, each with its lane and offset in that lane
     * @param seenOf  for an input that caused outputs, its {@code berth.seen} constraints (lane → offset, lanes
     *                qualified like {@link Item#lane()}); null or empty when nothing names it
     */
    public static Result order(List<Item> items, Function<Item, Map<String, Long>> seenOf) {
        Map<String, Deque<Item>> lanes = new TreeMap<>();
        List<Item> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparing(Item::lane).thenComparingLong(Item::offset));
        for (Item i : sorted) lanes.computeIfAbsent(i.lane(), l -> new ArrayDeque<>()).add(i);
        Map<Item, Map<String, Long>> constraints = new HashMap<>();
        // per lane: the "seen" offsets of anchors not fed yet (an input beyond the smallest must wait)
        Map<String, TreeMap<Long, Integer>> waiting = new HashMap<>();
        for (Item i : items) {
            Map<String, Long> seen = seenOf.apply(i);
            if (seen == null || seen.isEmpty()) continue;
            constraints.put(i, seen);
            seen.forEach((lane, off) -> waiting.computeIfAbsent(lane, l -> new TreeMap<>()).merge(off, 1, Integer::sum));
        }
        List<Recorded> out = new ArrayList<>(items.size());
        int conflicts = 0;
        Comparator<Item> byTime = Comparator.<Item>comparingLong(i -> i.record().timestamp()).thenComparing(Item::lane).thenComparingLong(Item::offset);
        while (true) {
            Item best = null, earliest = null;
            for (Deque<Item> q : lanes.values()) {
                Item head = q.peekFirst();
                if (head == null) continue;
                if (earliest == null || byTime.compare(head, earliest) < 0) earliest = head;
                if (allowed(head, lanes, constraints, waiting) && (best == null || byTime.compare(head, best) < 0)) best = head;
            }
            if (earliest == null) break;
            if (best == null) {
                best = earliest;
                conflicts++;
            }
            lanes.get(best.lane()).pollFirst();
            out.add(best.record());
            Map<String, Long> seen = constraints.remove(best);
            if (seen != null) {
                seen.forEach((lane, off) -> {
                    TreeMap<Long, Integer> w = waiting.get(lane);
                    if (w != null && w.merge(off, -1, Integer::sum) <= 0) w.remove(off);
                });
            }
        }
        return new Result(out, conflicts);
    }

    private static boolean allowed(Item head, Map<String, Deque<Item>> lanes, Map<Item, Map<String, Long>> constraints,
                                   Map<String, TreeMap<Long, Integer>> waiting) {
        // (2) an anchor not fed yet saw this lane only up to before this input
        TreeMap<Long, Integer> w = waiting.get(head.lane());
        if (w != null && !w.isEmpty() && head.offset() > w.firstKey()) return false;
        // (1) this input was decided after these offsets of its task's other lanes
        Map<String, Long> seen = constraints.get(head);
        if (seen == null) return true;
        for (Map.Entry<String, Long> e : seen.entrySet()) {
            if (e.getKey().equals(head.lane())) continue;
            Deque<Item> q = lanes.get(e.getKey());
            Item next = q == null ? null : q.peekFirst();
            if (next != null && next.offset() <= e.getValue()) return false;
        }
        return true;
    }
}
