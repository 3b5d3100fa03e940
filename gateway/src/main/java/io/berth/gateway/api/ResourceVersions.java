package io.berth.gateway.api;

import java.util.Arrays;

/**
 * resourceVersion ↔ Kafka positions. A version is the consumed position vector of one view topic
 * ("next offset" per partition, joined with dots: {@code 12.0.5.33.0.7}). An object's version is the
 * vector right after its record, so the version of the last event a watcher saw is exactly where it
 * resumes: replaying every record at or past the vector delivers what it missed, once.
 */
public final class ResourceVersions {
    private ResourceVersions() {}

    public static String encode(long[] position) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < position.length; i++) {
            if (i > 0) b.append('.');
            b.append(position[i]);
        }
        return b.toString();
    }

    /** Null for "any" ({@code ""} or {@code "0"}, Kubernetes' "most recent"); 400 when malformed or of another topic. */
    public static long[] decode(String rv, int partitions) {
        if (rv == null || rv.isEmpty() || rv.equals("0")) return null;
        String[] parts = rv.split("\\.");
        if (parts.length != partitions) throw Status.badRequest("invalid resourceVersion \"" + rv + "\": expected " + partitions + " offsets");
        long[] out = new long[partitions];
        try {
            for (int i = 0; i < partitions; i++) out[i] = Long.parseLong(parts[i]);
        } catch (NumberFormatException e) {
            throw Status.badRequest("invalid resourceVersion \"" + rv + "\"");
        }
        if (Arrays.stream(out).anyMatch(o -> o < 0)) throw Status.badRequest("invalid resourceVersion \"" + rv + "\"");
        return out;
    }
}
