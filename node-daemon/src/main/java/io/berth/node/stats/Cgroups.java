package io.berth.node.stats;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A container's cumulative CPU time and its memory, read from its cgroup files on disk as cAdvisor and
 * the kubelet do: no Docker API call, so no pooled connection is held (issue 11). The layouts tried, in
 * this order, for a container id {@code ID} under the cgroup root {@code R} (normally {@code /sys/fs/cgroup}):
 * <pre>
 *   v1, cgroupfs driver : R/cpuacct/docker/ID/cpuacct.usage   R/memory/docker/ID/memory.usage_in_bytes, memory.stat
 *                         (R/cpu,cpuacct/docker/ID where the two controllers are mounted together)
 *   v1, systemd driver  : R/cpuacct/system.slice/docker-ID.scope/…  (same files)
 *   v2, cgroupfs driver : R/docker/ID/cpu.stat (usage_usec), memory.current, memory.stat
 *   v2, systemd driver  : R/system.slice/docker-ID.scope/…  (same files)
 * </pre>
 * Working set as the kubelet computes it: usage minus inactive file pages ({@code total_inactive_file} on
 * v1, {@code inactive_file} on v2), never below 0. The parsers are plain functions over file contents.
 */
public final class Cgroups {
    private Cgroups() {}

    /** Cumulative CPU time (ns) and memory (bytes) of one cgroup at one instant. */
    public record Usage(long cpuNanos, long memoryUsageBytes, long memoryWorkingSetBytes) {}

    /** One place a container's files may be: v1 (a CPU-accounting and a memory directory) or v2 (one directory). */
    public record Layout(boolean v2, Path cpuDir, Path memoryDir) {}

    /** Every layout tried for container {@code id} under {@code root}, in order. */
    public static List<Layout> layouts(Path root, String id) {
        String scope = "docker-" + id + ".scope";
        return List.of(
                new Layout(false, root.resolve("cpuacct/docker").resolve(id), root.resolve("memory/docker").resolve(id)),
                new Layout(false, root.resolve("cpu,cpuacct/docker").resolve(id), root.resolve("memory/docker").resolve(id)),
                new Layout(false, root.resolve("cpuacct/system.slice").resolve(scope), root.resolve("memory/system.slice").resolve(scope)),
                new Layout(false, root.resolve("cpu,cpuacct/system.slice").resolve(scope), root.resolve("memory/system.slice").resolve(scope)),
                new Layout(true, root.resolve("docker").resolve(id), root.resolve("docker").resolve(id)),
                new Layout(true, root.resolve("system.slice").resolve(scope), root.resolve("system.slice").resolve(scope)));
    }

    /** The container's usage from the first layout whose directories exist; empty when none does (or it vanished meanwhile). */
    public static Optional<Usage> read(Path root, String id) throws IOException {
        for (Layout l : layouts(root, id)) {
            if (!Files.isDirectory(l.cpuDir()) || !Files.isDirectory(l.memoryDir())) continue;
            try {
                return Optional.of(l.v2() ? readV2(l.cpuDir()) : readV1(l.cpuDir(), l.memoryDir()));
            } catch (NoSuchFileException gone) { // the container stopped between the check and the read
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    static Usage readV1(Path cpu, Path memory) throws IOException {
        long cpuNanos = single(text(cpu.resolve("cpuacct.usage")));
        long usage = single(text(memory.resolve("memory.usage_in_bytes")));
        long inactive = keyed(text(memory.resolve("memory.stat"))).getOrDefault("total_inactive_file", 0L);
        return new Usage(cpuNanos, usage, workingSet(usage, inactive));
    }

    static Usage readV2(Path dir) throws IOException {
        long cpuNanos = keyed(text(dir.resolve("cpu.stat"))).getOrDefault("usage_usec", 0L) * 1000;
        long usage = single(text(dir.resolve("memory.current")));
        long inactive = keyed(text(dir.resolve("memory.stat"))).getOrDefault("inactive_file", 0L);
        return new Usage(cpuNanos, usage, workingSet(usage, inactive));
    }

    /** The kubelet's working set: usage less inactive file pages, 0 when those exceed it. */
    public static long workingSet(long usage, long inactiveFile) {
        return Math.max(0, usage - inactiveFile);
    }

    /** A file holding one number ({@code cpuacct.usage}, {@code memory.current}); {@code max} reads as {@link Long#MAX_VALUE}. */
    public static long single(String text) {
        String t = text.strip();
        if (t.equals("max")) return Long.MAX_VALUE;
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number: '" + abbreviate(t) + "'");
        }
    }

    /** A flat keyed file ({@code memory.stat}, {@code cpu.stat}): {@code name value} per line; lines that are not are skipped. */
    public static Map<String, Long> keyed(String text) {
        Map<String, Long> out = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 2) continue;
            try {
                out.put(f[0], Long.parseLong(f[1]));
            } catch (NumberFormatException ignored) {
                // a value that is not a number: not one of ours
            }
        }
        return out;
    }

    static String text(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.US_ASCII);
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
