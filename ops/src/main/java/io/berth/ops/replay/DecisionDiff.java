package io.berth.ops.replay;

import java.time.Instant;
import java.util.*;

/**
 * Compares recorded decisions with replayed ones. Pure (no Kafka).
 *
 * <p>Decisions are compared per (topic, key), in the order they were written (one key is one
 * partition, so that order is the log's); where a key has several writers (placement requests:
 * one namespace, many workloads' tasks) per (topic, key, writer), see {@link Decision#writer}. A run of equal fingerprints counts once (a heartbeat that
 * only moves lastHeartbeat is no decision). Only decisions with a timestamp in the window count. On
 * delete-policy topics (audit, events, placement requests, dead letters) the two sequences must be
 * equal; on compacted topics (views, assignments) the recorded sequence may have lost older values
 * to compaction, so it must be a subsequence of the replayed one ending with the same last value.
 * The first difference is the one with the earliest timestamp.
 */
public final class DecisionDiff {
    private DecisionDiff() {}

    public record Difference(String topic, String key, Decision recorded, Decision replayed) {
        public String describe() {
            return "first difference on " + topic + " key " + key + ":\n"
                    + "  recorded: " + side(recorded) + "\n"
                    + "  replayed: " + side(replayed);
        }

        private static String side(Decision d) {
            return d == null ? "(nothing)" : Instant.ofEpochMilli(d.timestamp()) + "  " + d.what();
        }

        long at() {
            return Math.min(recorded == null ? Long.MAX_VALUE : recorded.timestamp(), replayed == null ? Long.MAX_VALUE : replayed.timestamp());
        }
    }

    public record Report(int decisions, int differing, Optional<Difference> first) {
        public String summary() {
            return decisions + " decisions replayed, " + differing + " differ";
        }
    }

    public static Report compare(List<Decision> recorded, List<Decision> replayed, long since, long until) {
        Map<String, List<Decision>> rec = group(recorded, since, until), rep = group(replayed, since, until);
        Set<String> keys = new TreeSet<>(rec.keySet());
        keys.addAll(rep.keySet());
        int decisions = 0, differing = 0;
        Difference first = null;
        for (String k : keys) {
            List<Decision> r = rec.getOrDefault(k, List.of()), p = rep.getOrDefault(k, List.of());
            decisions += r.size();
            Difference d = Decision.compacted(k.substring(0, k.indexOf('\u0000'))) ? subsequence(r, p) : exact(r, p);
            if (d == null) continue;
            differing++;
            if (first == null || d.at() < first.at()) first = d;
        }
        return new Report(decisions, differing, Optional.ofNullable(first));
    }

    private static Map<String, List<Decision>> group(List<Decision> ds, long since, long until) {
        Map<String, List<Decision>> out = new HashMap<>();
        for (Decision d : ds) {
            if (d.timestamp() < since || d.timestamp() > until) continue;
            List<Decision> l = out.computeIfAbsent(d.topic() + '\u0000' + d.key() + '\u0000' + d.writer(), x -> new ArrayList<>());
            if (l.isEmpty() || !l.get(l.size() - 1).what().equals(d.what())) l.add(d);
        }
        return out;
    }

    private static Difference exact(List<Decision> r, List<Decision> p) {
        for (int i = 0; i < Math.max(r.size(), p.size()); i++) {
            Decision a = i < r.size() ? r.get(i) : null, b = i < p.size() ? p.get(i) : null;
            if (a == null || b == null || !a.what().equals(b.what()) || a.timestamp() != b.timestamp()) return diff(a, b);
        }
        return null;
    }

    private static Difference subsequence(List<Decision> r, List<Decision> p) {
        int j = 0;
        for (Decision a : r) {
            int start = j;
            while (j < p.size() && !(p.get(j).what().equals(a.what()) && p.get(j).timestamp() == a.timestamp())) j++;
            if (j == p.size()) return diff(a, start < p.size() ? p.get(start) : null);
            j++;
        }
        if (!r.isEmpty() && j != p.size()) return diff(r.get(r.size() - 1), p.get(p.size() - 1));
        if (r.isEmpty() && !p.isEmpty()) return diff(null, p.get(0));
        return null;
    }

    private static Difference diff(Decision a, Decision b) {
        Decision any = a != null ? a : b;
        return new Difference(any.topic(), any.key(), a, b);
    }
}
