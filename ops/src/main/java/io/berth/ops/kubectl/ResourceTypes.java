package io.berth.ops.kubectl;

import io.berth.schemas.avro.ResourceKind;

import java.util.Locale;
import java.util.Map;

/** kubectl's resource type names and aliases ({@code po}, {@code deploy}, {@code svc}, {@code no}, {@code ns}). */
final class ResourceTypes {
    private ResourceTypes() {}

    private static final Map<String, ResourceKind> ALIASES = Map.ofEntries(
            Map.entry("pod", ResourceKind.POD), Map.entry("pods", ResourceKind.POD), Map.entry("po", ResourceKind.POD),
            Map.entry("deployment", ResourceKind.DEPLOYMENT), Map.entry("deployments", ResourceKind.DEPLOYMENT),
            Map.entry("deploy", ResourceKind.DEPLOYMENT), Map.entry("deployment.apps", ResourceKind.DEPLOYMENT),
            Map.entry("deployments.apps", ResourceKind.DEPLOYMENT),
            Map.entry("service", ResourceKind.SERVICE), Map.entry("services", ResourceKind.SERVICE), Map.entry("svc", ResourceKind.SERVICE),
            Map.entry("node", ResourceKind.NODE), Map.entry("nodes", ResourceKind.NODE), Map.entry("no", ResourceKind.NODE),
            Map.entry("namespace", ResourceKind.NAMESPACE), Map.entry("namespaces", ResourceKind.NAMESPACE), Map.entry("ns", ResourceKind.NAMESPACE));

    /** The kind a type name means, or null. */
    static ResourceKind kind(String type) {
        return ALIASES.get(type.toLowerCase(Locale.ROOT));
    }

    /** {@code deployment.apps}, {@code pod}, … as kubectl prints {@code TYPE/NAME}. */
    static String singular(ResourceKind kind) {
        return kind == ResourceKind.DEPLOYMENT ? "deployment.apps" : kind.name().toLowerCase(Locale.ROOT);
    }

    /** {@code deployments.apps}, {@code pods}, … as kubectl names them in NotFound errors. */
    static String plural(ResourceKind kind) {
        return kind == ResourceKind.DEPLOYMENT ? "deployments.apps" : kind.name().toLowerCase(Locale.ROOT) + "s";
    }

    /** Splits {@code TYPE/NAME}; null when there is no slash. */
    static String[] typeAndName(String arg) {
        int slash = arg.indexOf('/');
        return slash < 0 ? null : new String[]{arg.substring(0, slash), arg.substring(slash + 1)};
    }
}
