package io.berth.node.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.InternetProtocol;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.RestartPolicy;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.ContainerPort;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.EnvVar;
import io.berth.schemas.avro.Resources;
import io.berth.schemas.avro.Volume;
import io.berth.schemas.avro.VolumeMount;

import java.nio.file.Path;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Translates an assignment into Docker create commands, one per {@link PodUnit}. A pod of one
 * container and no init containers is one container with its own network; any other pod gets an
 * infra container owning the network namespace (hostname, published ports) that every other
 * container joins ({@code NetworkMode container:<infra>}), so they talk over localhost.
 */
public final class ContainerRequest {
    private ContainerRequest() {}

    public static ContainerSpec mainContainer(Assignment a) {
        List<ContainerSpec> cs = a.getTemplate().getContainers();
        if (cs.isEmpty()) throw new IllegalArgumentException("assignment " + a.getTaskId() + " has no container");
        return cs.get(0);
    }

    public static int graceSeconds(Assignment a) {
        return Math.max(0, a.getTemplate().getTerminationGracePeriodSeconds());
    }

    public static Map<String, String> labels(Assignment a, String nodeId) {
        return labels(a, nodeId, PodUnit.of(a).stream().filter(u -> u.key().equals(a.getTaskId())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("assignment " + a.getTaskId() + " has no container")));
    }

    public static Map<String, String> labels(Assignment a, String nodeId, PodUnit u) {
        Map<String, String> l = new LinkedHashMap<>();
        l.put(Labels.TASK, a.getTaskId());
        l.put(Labels.WORKLOAD, a.getWorkloadKey());
        l.put(Labels.NODE, nodeId);
        l.put(Labels.NAMESPACE, a.getNamespace());
        l.put(Labels.POD, a.getPodName().isEmpty() ? a.getTaskId() : a.getPodName());
        if (u.kind() == PodUnit.Kind.INFRA) l.put(Labels.ROLE, "infra");
        else l.put(Labels.CONTAINER, u.spec().getName());
        l.put(Labels.UNIT, u.key());
        l.put(Labels.GRACE, Integer.toString(graceSeconds(a)));
        return l;
    }

    public static CreateContainerCmd build(DockerClient docker, Assignment a, String nodeId) {
        return build(docker, a, nodeId, "");
    }

    /**
     * @param bindAddress host address every declared container port is published on (Docker picks a
     *                    free host port unless the port declares one); "" = every address
     */
    public static CreateContainerCmd build(DockerClient docker, Assignment a, String nodeId, String bindAddress) {
        return build(docker, a, nodeId, bindAddress, null);
    }

    /**
     * @param podDir the pod's directory on the host; its emptyDir volumes are {@code <podDir>/volumes/<name>}
     *               (null: a pod with emptyDir volumes is refused)
     */
    public static CreateContainerCmd build(DockerClient docker, Assignment a, String nodeId, String bindAddress, Path podDir) {
        PodUnit main = PodUnit.of(a).stream().filter(u -> u.key().equals(a.getTaskId())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("assignment " + a.getTaskId() + " has no container"));
        return build(docker, a, main, nodeId, bindAddress, podDir, null, Infra.DEFAULT);
    }

    /** The infra container's image and command (empty: the image's own). */
    public record Infra(String image, List<String> command) {
        public static final Infra DEFAULT = new Infra("berth/busybox:latest", List.of("sleep", "2147483647"));
    }

    /** The pod's name: the container (or infra) hostname, as Kubernetes sets it. */
    static String podName(Assignment a) {
        return hostname(a.getPodName().isEmpty() ? a.getTaskId() : a.getPodName());
    }

    /** A host name is at most 63 characters (the kubelet truncates the pod name the same way), not ending in '-' or '.'. */
    static String hostname(String podName) {
        String h = podName.length() > 63 ? podName.substring(0, 63) : podName;
        while (h.endsWith("-") || h.endsWith(".")) h = h.substring(0, h.length() - 1);
        return h;
    }

    /** Every app container's declared ports: the infra container publishes them for the pod. */
    public static List<ContainerPort> podPorts(Assignment a) {
        List<ContainerPort> out = new ArrayList<>();
        for (ContainerSpec c : a.getTemplate().getContainers()) out.addAll(c.getPorts());
        return out;
    }

    /**
     * @param infraId the pod's infra container (joined for its network namespace); null for a pod without one
     */
    public static CreateContainerCmd build(DockerClient docker, Assignment a, PodUnit u, String nodeId, String bindAddress,
                                           Path podDir, String infraId, Infra infra) {
        return build(docker, a, u, nodeId, bindAddress, podDir, infraId, infra, DEFAULT_PIDS_LIMIT);
    }

    /**
     * Every container's PIDs limit unless configured ({@code container-pids-limit}): a fork bomb in a
     * pod stops there instead of exhausting the host's process table.
     */
    public static final long DEFAULT_PIDS_LIMIT = 4096;

    /** @param pidsLimit the most processes a container may run (Docker's {@code --pids-limit}); 0 or less: Docker's default (none) */
    public static CreateContainerCmd build(DockerClient docker, Assignment a, PodUnit u, String nodeId, String bindAddress,
                                           Path podDir, String infraId, Infra infra, long pidsLimit) {
        String name = Labels.unitContainerName(nodeId, u.key());
        if (u.kind() == PodUnit.Kind.INFRA) {
            List<ContainerPort> ports = podPorts(a);
            CreateContainerCmd cmd = docker.createContainerCmd(infra.image()).withName(name)
                    .withLabels(labels(a, nodeId, u))
                    .withHostName(podName(a))
                    .withStopTimeout(0)
                    .withHostConfig(hostConfig(Resources.newBuilder().build(), ports, bindAddress, pidsLimit));
            if (!infra.command().isEmpty()) cmd.withEntrypoint(infra.command());
            List<ExposedPort> exposed = ports.stream().map(ContainerRequest::exposed).toList();
            if (!exposed.isEmpty()) cmd.withExposedPorts(exposed);
            return cmd;
        }
        ContainerSpec c = u.spec();
        boolean joined = infraId != null;
        HostConfig h = joined ? hostConfig(c.getLimits(), List.of(), bindAddress, pidsLimit).withNetworkMode("container:" + infraId)
                : hostConfig(c.getLimits(), c.getPorts(), bindAddress, pidsLimit);
        CreateContainerCmd cmd = docker.createContainerCmd(c.getImage())
                .withName(name)
                .withLabels(labels(a, nodeId, u))
                .withEnv(env(c))
                .withStopTimeout(graceSeconds(a))
                .withHostConfig(h.withBinds(binds(a, c, podDir)));
        if (!joined) cmd.withHostName(podName(a)); // a joined container shares the infra's UTS name
        if (!c.getCommand().isEmpty()) cmd.withEntrypoint(c.getCommand());
        if (!c.getArgs().isEmpty()) cmd.withCmd(c.getArgs());
        if (!c.getWorkingDir().isEmpty()) cmd.withWorkingDir(c.getWorkingDir());
        List<ExposedPort> exposed = joined ? List.of() : c.getPorts().stream().map(ContainerRequest::exposed).toList();
        if (!exposed.isEmpty()) cmd.withExposedPorts(exposed);
        return cmd;
    }

    /** The host directory of an emptyDir volume: it lives as long as the pod (container restarts keep it). */
    public static Path emptyDir(Path podDir, String volume) {
        return podDir.resolve("volumes").resolve(volume);
    }

    /** Names of the pod's emptyDir volumes, to create before the container. */
    public static List<String> emptyDirs(Assignment a) {
        return a.getTemplate().getVolumes().stream().filter(v -> !HOST_PATH.equalsIgnoreCase(v.getType()) && !isConfig(v) && !isClaim(v))
                .map(Volume::getName).toList();
    }

    /** The type of a volume backed by a PersistentVolumeClaim of a StatefulSet (its source is the claim's name). */
    public static final String CLAIM = "persistentVolumeClaim";

    public static boolean isClaim(Volume v) {
        return CLAIM.equals(v.getType());
    }

    /**
     * The node-local persistent volume of claim {@code claim}: {@code <node dir>/volumes/<ns>/<claim>}, beside the
     * pods' directories ({@code <node dir>/pods/<task>}), so it outlives every pod that mounts it.
     */
    public static Path claimDir(Path podDir, String namespace, String claim) {
        if (!Names.safe(namespace) || !Names.safe(claim)) throw new IllegalArgumentException("claim " + namespace + "/" + claim + ": not a DNS name");
        return podDir.toAbsolutePath().getParent().resolveSibling("volumes").resolve(namespace).resolve(claim);
    }

    /** The claim directories the pod mounts, to create before the container (never deleted with the pod). */
    public static List<Path> claimDirs(Assignment a, Path podDir) {
        return a.getTemplate().getVolumes().stream().filter(ContainerRequest::isClaim)
                .map(v -> claimDir(podDir, a.getNamespace(), v.getSource())).toList();
    }

    /** Names the node puts in a path: DNS labels and subdomains only (no separators, no "..") */
    private static final class Names {
        static boolean safe(String s) {
            return s != null && s.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?") && !s.contains("..");
        }
    }

    /** A secret or configMap volume: its files are written by the node under the pod's directory and mounted read-only. */
    public static boolean isConfig(Volume v) {
        return "secret".equals(v.getType()) || "configMap".equals(v.getType());
    }

    private static final String HOST_PATH = "hostPath";

    /** Each volumeMount as a bind: an emptyDir from the pod's directory, a hostPath as it is. */
    static List<Bind> binds(Assignment a, ContainerSpec c, Path podDir) {
        List<Bind> binds = new ArrayList<>();
        for (VolumeMount m : c.getVolumeMounts()) {
            Volume v = a.getTemplate().getVolumes().stream().filter(x -> x.getName().equals(m.getName())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("volumeMount " + m.getName() + ": no volume of that name in the pod"));
            String host;
            if (HOST_PATH.equalsIgnoreCase(v.getType())) {
                host = v.getHostPath();
            } else if (isClaim(v)) {
                if (podDir == null) throw new IllegalArgumentException("persistentVolumeClaim " + v.getSource() + ": this runtime has no data directory");
                host = claimDir(podDir, a.getNamespace(), v.getSource()).toString();
            } else {
                if (podDir == null) throw new IllegalArgumentException("emptyDir " + v.getName() + ": this runtime has no data directory");
                host = emptyDir(podDir, v.getName()).toAbsolutePath().toString();
            }
            boolean ro = m.getReadOnly() || isConfig(v); // the kubelet mounts secret and configMap volumes read-only too
            binds.add(new Bind(host, new com.github.dockerjava.api.model.Volume(m.getMountPath()), ro ? AccessMode.ro : AccessMode.rw));
        }
        return binds;
    }

    private static List<String> env(ContainerSpec c) {
        List<String> env = new ArrayList<>();
        for (EnvVar e : c.getEnv()) env.add(e.getName() + "=" + e.getValue());
        return env;
    }

    /** What every container runs with: no process may gain privileges (setuid binaries, file capabilities), at most {@code pidsLimit} processes. */
    static final String NO_NEW_PRIVILEGES = "no-new-privileges";

    private static HostConfig hostConfig(Resources limits, List<ContainerPort> declared, String bindAddress, long pidsLimit) {
        HostConfig h = HostConfig.newHostConfig()
                .withSecurityOpts(List.of(NO_NEW_PRIVILEGES))
                // tini as PID 1: busybox httpd/sleep as PID 1 ignore SIGTERM and every stop would take the full grace
                .withInit(true)
                // the daemon restarts containers itself (back-off, policy, status); Docker must not race it
                .withRestartPolicy(RestartPolicy.noRestart());
        if (pidsLimit > 0) h.withPidsLimit(pidsLimit);
        long cpu = limits.getCpuMillis();
        if (cpu > 0) h.withNanoCPUs(cpu * 1_000_000L);
        long mem = limits.getMemoryBytes();
        // swap limit = memory limit, as Kubernetes does: past the limit the container is OOM-killed, not swapped
        if (mem > 0) h.withMemory(mem).withMemorySwap(mem);
        // every declared port is published on <nodeAddress>::<containerPort> (a declared hostPort is kept):
        // services reach pods through <node address>:<host port>
        Ports ports = new Ports();
        String ip = bindIp(bindAddress);
        for (ContainerPort p : declared) {
            Integer host = p.getHostPort() != null && p.getHostPort() > 0 ? p.getHostPort() : null;
            Ports.Binding b = ip.isEmpty()
                    ? (host != null ? Ports.Binding.bindPort(host) : Ports.Binding.empty())
                    : (host != null ? Ports.Binding.bindIpAndPort(ip, host) : Ports.Binding.bindIp(ip));
            ports.bind(exposed(p), b);
        }
        if (!declared.isEmpty()) h.withPortBindings(ports);
        return h;
    }

    /** Docker binds IP literals only: a host name (or nothing) publishes on every address. */
    static String bindIp(String address) {
        if (address == null) return "";
        String a = address.trim();
        if (a.matches("\\d{1,3}(\\.\\d{1,3}){3}") || (a.contains(":") && a.matches("[0-9a-fA-F:.]+"))) return a;
        return "";
    }

    private static ExposedPort exposed(ContainerPort p) {
        InternetProtocol proto = "UDP".equalsIgnoreCase(p.getProtocol()) ? InternetProtocol.UDP : InternetProtocol.TCP;
        return new ExposedPort(p.getContainerPort(), proto);
    }
}
