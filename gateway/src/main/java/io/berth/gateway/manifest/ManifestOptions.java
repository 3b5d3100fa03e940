package io.berth.gateway.manifest;

import io.berth.schemas.limits.Limits;

import java.time.Clock;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * How manifests are turned into intents.
 *
 * @param strict           unknown fields are errors instead of warnings
 * @param namespace        the namespace of namespaced resources that name none
 * @param enforceNamespace the namespace was given explicitly (kubectl's {@code -n}): a manifest naming another is an error
 * @param actor            who asks, e.g. {@code cli:alice}
 * @param clock            stamps {@code Intent.timestamp}
 * @param ids              makes {@code Intent.intentId}s
 * @param limits           the sizes every intent must keep to ({@link Limits}, checked after parsing)
 */
public record ManifestOptions(boolean strict, String namespace, boolean enforceNamespace, String actor,
                              Clock clock, Supplier<String> ids, Limits limits) {

    /** The default {@link Limits}; the gateway sets its configured ones, a client {@link Limits#forClient()}. */
    public static ManifestOptions defaults() {
        return new ManifestOptions(false, "default", false, "cli:" + System.getProperty("user.name", "unknown"),
                Clock.systemUTC(), () -> UUID.randomUUID().toString(), Limits.DEFAULT);
    }

    public ManifestOptions withLimits(Limits l) {
        return new ManifestOptions(strict, namespace, enforceNamespace, actor, clock, ids, l);
    }

    public ManifestOptions withStrict(boolean s) {
        return new ManifestOptions(s, namespace, enforceNamespace, actor, clock, ids, limits);
    }

    public ManifestOptions withNamespace(String ns, boolean enforce) {
        return new ManifestOptions(strict, ns, enforce, actor, clock, ids, limits);
    }

    public ManifestOptions withActor(String a) {
        return new ManifestOptions(strict, namespace, enforceNamespace, a, clock, ids, limits);
    }

    public ManifestOptions withClock(Clock c, Supplier<String> i) {
        return new ManifestOptions(strict, namespace, enforceNamespace, actor, c, i, limits);
    }
}
