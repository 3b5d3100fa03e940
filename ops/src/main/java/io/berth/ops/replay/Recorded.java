package io.berth.ops.replay;

import java.util.Map;

/**
 * One record as it was read from the log (or captured from a driver): where it sits, its time, key,
 * raw value ({@code null} = tombstone) and its headers as text.
 */
public record Recorded(String topic, int partition, long offset, long timestamp, String key, byte[] value,
                       Map<String, String> headers) {
    /** The controller output headers (see state-streams' {@code Causes}). */
    public static final String CAUSE = "berth.cause";
    public static final String SEEN = "berth.seen";
    public static final String ORIGIN = "berth.origin";

    public String header(String name) {
        return headers == null ? null : headers.get(name);
    }

    /** {@code topic/partition/offset}, as a cause names it. */
    public String position() {
        return topic + "/" + partition + "/" + offset;
    }
}
