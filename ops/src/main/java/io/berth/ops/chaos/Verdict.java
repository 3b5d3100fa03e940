package io.berth.ops.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a chaos run checks, as plain functions of what the clients were told (acknowledged intents) and
 * what the API and the Docker engine show: lost intents and convergence.
 */
public final class Verdict {
    private Verdict() {}

    /** The part of a Deployment the clients change: replicas (scale), image and {@code CHAOS_REV} (rollouts). */
    public record Spec(int replicas, String image, int rev) {
        public String describe() {
            return "replicas " + replicas + ", image " + image + ", rev " + rev;
        }
    }

    /** What the API shows of one Deployment: its spec and status counts. */
    public record Seen(Spec spec, int statusReplicas, int ready, int updated) {}

    /**
     * Acknowledged intents the final state does not reflect: per workload the last acknowledged spec
     * ({@code null}: deleted) against what the API shows. Only workloads with an acknowledged intent count
     * (an intent never acknowledged may or may not be applied).
     */
    public static List<String> lost(Map<String, Spec> lastAcked, Map<String, Seen> api) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Spec> e : new TreeMap<>(lastAcked).entrySet()) {
            String name = e.getKey();
            Spec want = e.getValue();
            Seen seen = api.get(name);
            if (want == null && seen != null) out.add(name + ": deleted (acknowledged) but the API still shows it (" + seen.spec().describe() + ")");
            else if (want != null && seen == null) out.add(name + ": acknowledged " + want.describe() + ", but the API shows no such Deployment");
            else if (want != null && !want.equals(seen.spec())) out.add(name + ": acknowledged " + want.describe() + ", the API shows " + seen.spec().describe());
        }
        return out;
    }

    /**
     * Why the cluster has not converged yet (empty: converged): every acknowledged intent reflected, each
     * Deployment's pods all of the current template and ready, and the engine running exactly that many
     * containers of it — no more (a left-over copy), no fewer. Workloads without an acknowledged intent
     * are not judged.
     *
     * @param running running containers (not pod infra) per workload name, as the engine lists them
     */
    public static List<String> notConverged(Map<String, Spec> lastAcked, Map<String, Seen> api, Map<String, Integer> running) {
        List<String> out = new ArrayList<>(lost(lastAcked, api));
        for (Map.Entry<String, Spec> e : new TreeMap<>(lastAcked).entrySet()) {
            Seen s = api.get(e.getKey());
            if (e.getValue() == null || s == null) continue;
            int want = e.getValue().replicas();
            if (s.statusReplicas() != want || s.ready() != want || s.updated() != want) {
                out.add(e.getKey() + ": " + want + " wanted, pods " + s.statusReplicas() + ", ready " + s.ready() + ", updated " + s.updated());
            }
        }
        Map<String, Integer> wantRunning = new TreeMap<>();
        lastAcked.forEach((n, s) -> wantRunning.put(n, s == null ? 0 : s.replicas()));
        wantRunning.forEach((n, want) -> {
            int have = running.getOrDefault(n, 0);
            if (have != want) out.add(n + ": " + have + " containers running, " + want + " wanted");
        });
        return out;
    }
}
