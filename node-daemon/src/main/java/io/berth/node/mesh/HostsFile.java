package io.berth.node.mesh;

import io.berth.schemas.avro.EndpointsView;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Pure: the Berth block of a container's /etc/hosts. Docker's own lines are kept as they are; the
 * block between the markers is replaced on every rewrite (idempotent).
 */
public final class HostsFile {
    public static final String BEGIN = "# BEGIN berth services (managed by the berth node daemon)";
    public static final String END = "# END berth services";

    private HostsFile() {}

    /**
     * One line per service with a cluster IP: {@code IP NAME.NS.svc.cluster.local NAME.NS.svc NAME.NS},
     * plus the short {@code NAME} when the service is in the container's namespace; a headless service's pods
     * by their own names ({@link #headless}).
     */
    public static List<String> block(Collection<EndpointsView> services, String namespace) {
        List<String> lines = new ArrayList<>();
        lines.add(BEGIN);
        services.stream().sorted((a, b) -> a.getKey().compareTo(b.getKey())).forEach(v -> {
            if ("None".equals(v.getClusterIP())) {
                lines.addAll(headless(v, namespace));
                return;
            }
            if (!Routes.isVip(v.getClusterIP())) return;
            String n = v.getName(), ns = v.getNamespace();
            StringBuilder b = new StringBuilder(v.getClusterIP()).append('\t')
                    .append(n).append('.').append(ns).append(".svc.cluster.local ")
                    .append(n).append('.').append(ns).append(".svc ")
                    .append(n).append('.').append(ns);
            if (ns.equals(namespace)) b.append(' ').append(n);
            lines.add(b.toString());
        });
        lines.add(END);
        return lines;
    }

    /**
     * A headless service (clusterIP None), as cluster DNS answers for it: each ready pod by its own name
     * ({@code POD.NAME.NS.svc.cluster.local}, {@code POD.NAME.NS.svc}, {@code POD.NAME.NS}, and {@code POD.NAME} in the
     * container's namespace: a StatefulSet's stable names), and the service's name to every ready pod's address
     * (one line each, pods in name order).
     */
    static List<String> headless(EndpointsView v, String namespace) {
        String n = v.getName(), ns = v.getNamespace();
        java.util.Map<String, String> pods = new java.util.TreeMap<>();
        v.getEndpoints().forEach(e -> {
            if (e.getReady() && e.getPodIP() != null && !e.getPodIP().isEmpty()) pods.putIfAbsent(e.getPodName(), e.getPodIP());
        });
        List<String> lines = new ArrayList<>();
        pods.forEach((pod, ip) -> {
            String sub = pod + "." + n;
            StringBuilder b = new StringBuilder(ip).append('\t').append(sub).append('.').append(ns).append(".svc.cluster.local ")
                    .append(sub).append('.').append(ns).append(".svc ").append(sub).append('.').append(ns);
            if (ns.equals(namespace)) b.append(' ').append(sub);
            lines.add(b.toString());
        });
        pods.values().forEach(ip -> {
            StringBuilder b = new StringBuilder(ip).append('\t').append(n).append('.').append(ns).append(".svc.cluster.local ")
                    .append(n).append('.').append(ns).append(".svc ").append(n).append('.').append(ns);
            if (ns.equals(namespace)) b.append(' ').append(n);
            lines.add(b.toString());
        });
        return lines;
    }

    /** The file content with the Berth block replaced (or appended); everything else kept. */
    public static String merge(String original, List<String> block) {
        StringBuilder out = new StringBuilder();
        boolean inBlock = false;
        for (String line : original.split("\n", -1)) {
            if (line.equals(BEGIN)) {
                inBlock = true;
                continue;
            }
            if (inBlock) {
                if (line.equals(END)) inBlock = false;
                continue;
            }
            out.append(line).append('\n');
        }
        // split(-1) yields a trailing empty element for a final newline: drop the extra blank lines
        while (out.length() >= 2 && out.charAt(out.length() - 1) == '\n' && out.charAt(out.length() - 2) == '\n') {
            out.setLength(out.length() - 1);
        }
        if (out.length() == 1 && out.charAt(0) == '\n') out.setLength(0);
        for (String l : block) out.append(l).append('\n');
        return out.toString();
    }
}
