package io.berth.gateway.manifest;

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
 */
public record ManifestOptions(boolean strict, String namespace, boolean enforceNamespace, String actor,
                              Clock clock, Supplier<String> ids) {

    public static ManifestOptions defaults() {
        return new ManifestOptions(false, "default", false, "cli:" + System.getProperty("user.name", "unknown"),
                Clock.systemUTC(), () -> UUID.randomUUID().toString());
    }

    public ManifestOptions withStrict(boolean s) {
        return new ManifestOptions(s, namespace, enforceNamespace, actor, clock, ids);
    }

    public ManifestOptions withNamespace(String ns, boolean enforce) {
        return new ManifestOptions(strict, ns, enforce, actor, clock, ids);
    }

    public ManifestOptions withActor(String a) {
        return new ManifestOptions(strict, namespace, enforceNamespace, a, clock, ids);
    }

    public ManifestOptions withClock(Clock c, Supplier<String> i) {
        return new ManifestOptions(strict, namespace, enforceNamespace, actor, c, i);
    }
}
