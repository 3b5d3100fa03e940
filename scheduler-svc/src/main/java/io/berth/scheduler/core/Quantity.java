package io.berth.scheduler.core;

/**
 * An amount of the two resources the scheduler books: CPU in millicores and memory in bytes.
 * Used for requests, capacity and allocation alike, as Kubernetes' ResourceList.
 */
public record Quantity(long cpuMillis, long memoryBytes) {
    public static final Quantity ZERO = new Quantity(0, 0);

    public Quantity plus(Quantity other) {
        return new Quantity(cpuMillis + other.cpuMillis, memoryBytes + other.memoryBytes);
    }

    public boolean isNegative() {
        return cpuMillis < 0 || memoryBytes < 0;
    }
}
