package io.berth.scheduler.core;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Kubernetes' FitError text: "0/3 nodes are available: 2 Insufficient memory, 1 node(s) were
 * unschedulable." Each reason is counted over nodes; the most common reason comes first (ties in
 * alphabetical order), so the message names the main obstacle first and is stable for a replay.
 */
public final class UnplaceableMessage {
    private UnplaceableMessage() {}

    public static String of(int totalNodes, Collection<List<String>> reasonsPerNode) {
        String head = "0/" + totalNodes + " nodes are available";
        Map<String, Integer> counts = countReasons(reasonsPerNode);
        if (counts.isEmpty()) return head + ".";
        String body = counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .map(e -> e.getValue() + " " + e.getKey())
                .collect(Collectors.joining(", "));
        return head + ": " + body + ".";
    }

    private static Map<String, Integer> countReasons(Collection<List<String>> reasonsPerNode) {
        Map<String, Integer> counts = new TreeMap<>();
        reasonsPerNode.forEach(reasons -> reasons.forEach(r -> counts.merge(r, 1, Integer::sum)));
        return counts;
    }
}
