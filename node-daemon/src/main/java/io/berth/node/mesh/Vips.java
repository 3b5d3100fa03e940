package io.berth.node.mesh;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The host side of cluster IPs: an interface {@code berth0} that holds every cluster IP as a /32, so
 * the kernel delivers {@code clusterIP:port} to whoever listens there (kube-proxy's IPVS-mode trick,
 * without IPVS). Every method BLOCKS (runs {@code ip}): call from a worker, never an event loop.
 * <p>
 * The interface is a {@code dummy}; kernels built without the dummy driver (this test VM's) get an
 * empty {@code bridge} instead, which holds local addresses the same way. Adding an address that is
 * already there counts as success: several daemons may share one host and one {@code berth0}.
 */
public final class Vips {
    private static final Logger log = LoggerFactory.getLogger(Vips.class);
    public static final String DEFAULT_INTERFACE = "berth0";

    private final String dev;
    private final String ipCommand;

    public Vips(String dev) {
        this(dev, "ip");
    }

    /** {@code ipCommand}: the iproute2 binary (name on the PATH or a path). */
    public Vips(String dev, String ipCommand) {
        this.dev = dev;
        this.ipCommand = ipCommand;
    }

    public String device() {
        return dev;
    }

    /** Result of one {@code ip} run. */
    record Run(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }
    }

    /**
     * Creates (if missing) and raises the interface. Returns null when VIPs work on this host, else the
     * reason they do not (not root, no {@code ip}, …): the daemon then serves node ports only.
     */
    public String ensureInterface() {
        Run show;
        try {
            show = ip("link", "show", dev);
        } catch (IOException e) {
            return "cannot run 'ip' (" + e.getMessage() + ")";
        }
        if (!show.ok()) {
            Run add = run("link", "add", dev, "type", "dummy");
            if (!add.ok() && !exists(add)) {
                Run bridge = run("link", "add", dev, "type", "bridge"); // no dummy driver in this kernel
                if (!bridge.ok() && !exists(bridge)) return "'ip link add " + dev + "' failed: " + add.output().trim()
                        + " / " + bridge.output().trim();
                log.info("no dummy interface driver here; {} is an empty bridge instead", dev);
            }
        }
        Run up = run("link", "set", dev, "up");
        if (!up.ok()) return "'ip link set " + dev + " up' failed: " + up.output().trim();
        return null;
    }

    /** Adds {@code ip/32}; already present (another daemon on this host added it) is success. */
    public boolean add(String ip) {
        Run r = run("addr", "add", ip + "/32", "dev", dev);
        if (r.ok() || exists(r)) return true;
        log.warn("cannot add VIP {} to {}: {}", ip, dev, r.output().trim());
        return false;
    }

    /** Removes {@code ip/32}; already absent is success. */
    public boolean remove(String ip) {
        Run r = run("addr", "del", ip + "/32", "dev", dev);
        if (r.ok() || r.output().contains("Cannot assign requested address") || r.output().contains("not found")) return true;
        log.warn("cannot remove VIP {} from {}: {}", ip, dev, r.output().trim());
        return false;
    }

    /** The IPv4 addresses on the interface now. */
    public Set<String> list() {
        Set<String> out = new TreeSet<>();
        Run r = run("-4", "-o", "addr", "show", "dev", dev);
        if (!r.ok()) return out;
        for (String line : r.output().split("\n")) {
            String[] f = line.trim().split("\\s+");
            for (int i = 0; i + 1 < f.length; i++) {
                if (f[i].equals("inet")) out.add(f[i + 1].replaceFirst("/\\d+$", ""));
            }
        }
        return out;
    }

    private static boolean exists(Run r) {
        return r.output().contains("File exists") || r.output().contains("already assigned") || r.output().contains("already exists");
    }

    private Run run(String... args) {
        try {
            return ip(args);
        } catch (IOException e) {
            return new Run(-1, e.toString());
        }
    }

    private Run ip(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ipCommand);
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Run(-1, "timed out: " + cmd);
            }
            return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return new Run(-1, "interrupted: " + cmd);
        }
    }
}
