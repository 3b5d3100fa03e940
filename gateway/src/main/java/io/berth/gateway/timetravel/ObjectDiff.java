package io.berth.gateway.timetravel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A field-level diff of two Kubernetes objects (Jackson trees): every leaf that differs, as a dotted
 * path ({@code spec.replicas}, {@code spec.template.spec.containers[0].image}) with both values. A
 * field present on one side only is reported with {@code null} on the other; arrays are compared
 * index by index.
 *
 * <p>Noise is ignored, so a resource whose only difference is bookkeeping is not "changed":
 * {@code metadata.resourceVersion}, {@code metadata.generation}, {@code metadata.managedFields}, and
 * every {@code lastHeartbeatTime}, {@code lastProbeTime}, {@code lastUpdateTime} and
 * {@code lastTransitionTime} (node heartbeats and condition clocks move without the state moving).
 */
public final class ObjectDiff {
    /** One changed leaf. {@code from}/{@code to} are {@link NullNode} when absent on that side. */
    public record Field(String path, JsonNode from, JsonNode to) {}

    public static final Set<String> IGNORED_PATHS = Set.of("metadata.resourceVersion", "metadata.generation", "metadata.managedFields");
    public static final Set<String> IGNORED_NAMES = Set.of("lastHeartbeatTime", "lastProbeTime", "lastUpdateTime", "lastTransitionTime");

    private ObjectDiff() {}

    public static List<Field> diff(JsonNode from, JsonNode to) {
        List<Field> out = new ArrayList<>();
        walk("", from, to, out);
        return out;
    }

    private static void walk(String path, JsonNode a, JsonNode b, List<Field> out) {
        a = a == null || a.isMissingNode() ? NullNode.getInstance() : a;
        b = b == null || b.isMissingNode() ? NullNode.getInstance() : b;
        if (a.equals(b)) return;
        if (a.isObject() && b.isObject()) {
            Set<String> names = new TreeSet<>();
            a.fieldNames().forEachRemaining(names::add);
            b.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                String child = path.isEmpty() ? name : path + "." + name;
                if (IGNORED_PATHS.contains(child) || IGNORED_NAMES.contains(name)) continue;
                walk(child, a.get(name), b.get(name), out);
            }
            return;
        }
        if (a.isArray() && b.isArray()) {
            for (int i = 0; i < Math.max(a.size(), b.size()); i++) walk(path + "[" + i + "]", a.get(i), b.get(i), out);
            return;
        }
        out.add(new Field(path, a, b));
    }
}
