package io.berth.node.stats;

import java.util.Map;

/**
 * The whole machine's CPU time and memory from {@code /proc/stat} and {@code /proc/meminfo}. Plain functions
 * over the files' contents.
 */
public final class HostStats {
    private HostStats() {}

    /** Clock ticks per second of {@code /proc/stat} ({@code USER_HZ}): 100 on every Linux ABI the JVM runs on. */
    public static final long USER_HZ = 100;

    /**
     * The CPU time spent not idle, in nanoseconds, summed over every CPU: the first ({@code cpu}) line's
     * user, nice, system, irq, softirq and steal ticks (idle and iowait are not use; guest time is already
     * counted in user).
     */
    public static long cpuNanos(String procStat) {
        for (String line : procStat.split("\n")) {
            if (!line.startsWith("cpu ")) continue;
            String[] f = line.trim().split("\\s+");
            if (f.length < 8) throw new IllegalArgumentException("/proc/stat: the cpu line has " + (f.length - 1) + " fields, expected at least 7");
            long ticks = 0;
            for (int i : new int[] {1, 2, 3, 6, 7}) ticks += Long.parseLong(f[i]);
            if (f.length > 8) ticks += Long.parseLong(f[8]); // steal
            return ticks * (1_000_000_000L / USER_HZ);
        }
        throw new IllegalArgumentException("/proc/stat: no 'cpu ' line");
    }

    /**
     * The machine's memory working set in bytes, in the kubelet's sense (memory in use less inactive file
     * pages, which the kernel reclaims first): {@code MemTotal − MemFree − Inactive(file)}.
     */
    public static long memoryWorkingSetBytes(String meminfo) {
        Map<String, Long> kb = new java.util.HashMap<>();
        for (String line : meminfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            String[] v = line.substring(colon + 1).trim().split("\\s+");
            try {
                kb.put(line.substring(0, colon).trim(), Long.parseLong(v[0]));
            } catch (NumberFormatException ignored) {
                // not a number: not one we read
            }
        }
        Long total = kb.get("MemTotal"), free = kb.get("MemFree");
        if (total == null || free == null) throw new IllegalArgumentException("/proc/meminfo: MemTotal or MemFree missing");
        return Math.max(0, total - free - kb.getOrDefault("Inactive(file)", 0L)) * 1024;
    }
}
