package io.berth.node.image;

import io.berth.schemas.ImageTagMoved;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which running pods run an image their tag no longer points at (pure: the adapter lists the containers and inspects
 * the tags). One report per (workload, reference, new image id), repeated every {@code repeatMs} while it lasts, so a
 * gateway that missed the first still rolls the workload out (the rollout's intent id is the same each time).
 *
 * <p>Example: web-1 and web-2 of {@code default/deployment/web} run {@code app:latest} as sha256:aaa…; {@code docker
 * build -t app:latest} makes the tag resolve to sha256:bbb… → one report {@code (default/deployment/web, app:latest,
 * sha256:bbb…)}; the next tick within repeatMs reports nothing; once the new pods run sha256:bbb… there is nothing to
 * report.
 */
public final class ImageDrift {
    /** A running app container of a pod on this node. */
    public record Running(String taskId, String workloadKey, String namespace, String pod, String ref, String imageId) {}

    /** A workload's pod runs {@code runningId} while {@code ref} resolves to {@code currentId}. */
    public record Drift(String workloadKey, String namespace, String pod, String ref, String currentId, String runningId) {
        String id() {
            return workloadKey + "\u0000" + ImageTagMoved.normalize(ref) + "\u0000" + currentId;
        }
    }

    private final long repeatMs;
    private final Map<String, Long> reported = new HashMap<>();

    public ImageDrift(long repeatMs) {
        this.repeatMs = repeatMs;
    }

    /** The distinct references the running containers were created from: one inspect each per tick. */
    public static Set<String> refs(List<Running> running) {
        Set<String> out = new LinkedHashSet<>();
        for (Running r : running) if (!r.ref().isEmpty() && !r.ref().startsWith("sha256:")) out.add(r.ref());
        return out;
    }

    /**
     * The drifts of this tick, given what each reference resolves to now ({@code current}; a reference missing there
     * (removed, inspect failed) is no drift: nothing to roll out to). Only pods of a workload count: a bare pod has no
     * rollout. Remembers what it returns, and forgets drifts that ended.
     */
    public List<Drift> detect(List<Running> running, Map<String, String> current, long now) {
        Map<String, Drift> found = new HashMap<>();
        for (Running r : running) {
            if (r.workloadKey().isEmpty()) continue;
            String id = Optional.ofNullable(current.get(r.ref())).orElse("");
            if (id.isEmpty() || id.equals(r.imageId())) continue;
            Drift d = new Drift(r.workloadKey(), r.namespace(), r.pod(), r.ref(), id, r.imageId());
            found.putIfAbsent(d.id(), d);
        }
        reported.keySet().retainAll(found.keySet());
        List<Drift> out = new ArrayList<>();
        for (Drift d : found.values()) {
            Long last = reported.get(d.id());
            if (last != null && now - last < repeatMs) continue;
            reported.put(d.id(), now);
            out.add(d);
        }
        out.sort(java.util.Comparator.comparing(Drift::id));
        return out;
    }
}
