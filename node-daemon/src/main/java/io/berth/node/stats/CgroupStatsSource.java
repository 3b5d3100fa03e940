package io.berth.node.stats;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Usage of a Docker node: the running containers come from {@code containers} (one short container list),
 * their counters from their cgroup files ({@link Cgroups}), the node's from {@code /proc}. A container whose
 * cgroup is found in no known layout is left out (said once in the log); nothing here fails the daemon.
 */
public final class CgroupStatsSource implements StatsSource {
    private static final Logger log = LoggerFactory.getLogger(CgroupStatsSource.class);

    private final Supplier<List<ContainerRef>> containers;
    private final Path cgroupRoot, procRoot;
    private final LongSupplier monotonic, wall;
    private volatile boolean missingSaid;

    public CgroupStatsSource(Supplier<List<ContainerRef>> containers, Path cgroupRoot, Path procRoot, LongSupplier monotonic, LongSupplier wall) {
        this.containers = containers;
        this.cgroupRoot = cgroupRoot;
        this.procRoot = procRoot;
        this.monotonic = monotonic;
        this.wall = wall;
    }

    @Override
    public Sample sample() throws Exception {
        List<ContainerRef> refs = containers.get();
        long now = monotonic.getAsLong(), epoch = wall.getAsLong();
        long nodeCpu = HostStats.cpuNanos(Files.readString(procRoot.resolve("stat"), StandardCharsets.US_ASCII));
        long nodeMemory = HostStats.memoryWorkingSetBytes(Files.readString(procRoot.resolve("meminfo"), StandardCharsets.US_ASCII));
        List<ContainerUsage> out = new ArrayList<>(refs.size());
        for (ContainerRef r : refs) {
            Optional<Cgroups.Usage> u;
            try {
                u = Cgroups.read(cgroupRoot, r.containerId());
            } catch (Exception e) {
                log.debug("container {} of pod {}/{}: cgroup not read: {}", r.containerId(), r.namespace(), r.pod(), e.toString());
                continue;
            }
            if (u.isEmpty()) {
                if (!missingSaid) {
                    missingSaid = true;
                    log.warn("container {} of pod {}/{}: no cgroup found under {} (tried cgroup v1 and v2, cgroupfs and systemd layouts); "
                            + "containers without one are left out of the usage this node reports (said once)",
                            r.containerId(), r.namespace(), r.pod(), cgroupRoot);
                }
                continue;
            }
            out.add(new ContainerUsage(r, u.get().cpuNanos(), u.get().memoryWorkingSetBytes()));
        }
        return new Sample(now, epoch, nodeCpu, nodeMemory, out);
    }
}
