package io.berth.schemas.audit;

/**
 * A resource key {@code ns/kind/name} split in its parts ({@code default/deployment/web},
 * {@code /node/n1}). A key of another shape keeps the whole key as name, with empty namespace and kind.
 */
public record ResourceKey(String namespace, String kind, String name) {
    public static ResourceKey parse(String key) {
        if (key == null) return new ResourceKey("", "", "");
        int first = key.indexOf('/');
        int second = first < 0 ? -1 : key.indexOf('/', first + 1);
        if (second < 0 || second == first + 1) return new ResourceKey("", "", key);
        return new ResourceKey(key.substring(0, first), key.substring(first + 1, second), key.substring(second + 1));
    }

    public static String of(String namespace, String kind, String name) {
        return namespace + "/" + kind + "/" + name;
    }
}
