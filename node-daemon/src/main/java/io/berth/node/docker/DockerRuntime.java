package io.berth.node.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ContainerPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.NetworkSettings;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.berth.node.reconcile.Observed;
import io.berth.node.reconcile.PodNetwork;
import io.berth.node.runtime.ContainerRuntime;
import io.vertx.core.Deployable;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.PodSecurityContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every Docker call the daemon makes. All methods BLOCK: call them from a worker, never from an
 * event loop. Each one is scoped to this node's containers (label {@code berth.node}).
 */
public final class DockerRuntime implements ContainerRuntime {
    private static final Pattern EXITED = Pattern.compile("Exited \\((-?\\d+)\\)");

    private final DockerClient docker;
    private final String nodeId;
    private final String bindAddress;
    /** where pods' emptyDir volumes live ({@code <podsDir>/<taskId>/volumes/<name>}); null: none */
    private final Path podsDir;

    /** Container ports are published on every host address. */
    public DockerRuntime(DockerClient docker, String nodeId) {
        this(docker, nodeId, "");
    }

    /** Container ports are published on {@code bindAddress} (the node address; "" = every address). */
    public DockerRuntime(DockerClient docker, String nodeId, String bindAddress) {
        this(docker, nodeId, bindAddress, null);
    }

    /** As above, with pods' emptyDir volumes under {@code podsDir} (must be a path the engine sees: same host). */
    public DockerRuntime(DockerClient docker, String nodeId, String bindAddress, Path podsDir) {
        this.docker = docker;
        this.nodeId = nodeId;
        this.bindAddress = bindAddress == null ? "" : bindAddress;
        this.podsDir = podsDir == null ? null : podsDir.toAbsolutePath();
    }

    /** The pod's directory on the host (emptyDir volumes), null when this runtime has none. */
    public Path podDir(String taskId) {
        return podsDir == null ? null : podsDir.resolve(taskId);
    }

    /** A client over httpclient5. The API version is left unset: the engine here speaks 1.41 and refuses newer. */
    public static DockerClient connect(String dockerHost) {
        return connect(dockerHost, 32);
    }

    /** A client over httpclient5 with a pool of {@code maxConnections}. */
    public static DockerClient connect(String dockerHost, int maxConnections) {
        DefaultDockerClientConfig cfg = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(dockerHost).build();
        return DockerClientImpl.getInstance(cfg, http(cfg, maxConnections));
    }

    /**
     * The short-call client: a pool of {@code maxConnections}, each call waiting at most
     * {@code waitMs} for a connection ({@link GatedHttpClient}) and counted in {@code stats}.
     */
    public static DockerClient connectGated(String dockerHost, int maxConnections, long waitMs, DockerCallStats stats) {
        DefaultDockerClientConfig cfg = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(dockerHost).build();
        return DockerClientImpl.getInstance(cfg, new GatedHttpClient(http(cfg, maxConnections), maxConnections, waitMs, stats));
    }

    private static ApacheDockerHttpClient http(DefaultDockerClientConfig cfg, int maxConnections) {
        return new ApacheDockerHttpClient.Builder()
                .dockerHost(cfg.getDockerHost()).sslConfig(cfg.getSSLConfig())
                .maxConnections(maxConnections).connectionTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** The short-call client: lists, inspects, create, start, stop, exec. Never hold a stream on it. */
    public DockerClient client() {
        return docker;
    }

    private volatile DockerClient streams;
    private volatile DockerCallStats stats;

    /**
     * Long-lived streams (the events stream, log follows that cannot read the log file) go to their
     * own client, with a pool sized for every pod of the node, so they never take the connections
     * short calls need. Closed with this runtime.
     */
    public DockerRuntime withStreams(DockerClient streams) {
        this.streams = streams;
        return this;
    }

    /** The client for long-lived streams; the short-call client when none was given (tests). */
    public DockerClient streams() {
        DockerClient s = streams;
        return s == null ? docker : s;
    }

    /** Where the short-call client's waits and durations are counted (relists too); null when not gated. */
    public DockerRuntime withStats(DockerCallStats stats) {
        this.stats = stats;
        return this;
    }

    public DockerCallStats stats() {
        return stats;
    }

    public void ping() {
        docker.pingCmd().exec();
    }

    private volatile ContainerRequest.Infra infra = ContainerRequest.Infra.DEFAULT;

    /** The image (and command, empty = the image's) of pods' infra containers. */
    public DockerRuntime withInfra(ContainerRequest.Infra infra) {
        this.infra = infra;
        return this;
    }

    private volatile long pidsLimit = ContainerRequest.DEFAULT_PIDS_LIMIT;

    /** Every container's PIDs limit ({@code container-pids-limit}; 0: Docker's default, none). */
    public DockerRuntime withPidsLimit(long pidsLimit) {
        this.pidsLimit = pidsLimit;
        return this;
    }

    @Override
    public Deployable eventSource(String nodeId) {
        return new DockerEventsVerticle(this, nodeId);
    }

    @Override
    public ContainerRequest.Infra infra() {
        return infra;
    }

    /** This node's containers (running or not), by unit key ({@link PodUnit}; the task id for a pod's first app container). */
    public Map<String, Observed> list() {
        List<Container> cs = docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(Labels.NODE, nodeId)).exec();
        Map<String, Observed> out = new HashMap<>();
        for (Container c : cs) {
            Map<String, String> l = c.getLabels() == null ? Map.of() : c.getLabels();
            String task = l.get(Labels.TASK);
            if (task == null || !nodeId.equals(l.get(Labels.NODE))) continue;
            String unit = l.getOrDefault(Labels.UNIT, task);
            out.put(unit, new Observed(unit, l.getOrDefault(Labels.WORKLOAD, ""), c.getId(), Observed.State.ofDocker(c.getState()),
                    exitCode(c.getStatus()), parseGrace(l.get(Labels.GRACE)), network(c)));
        }
        DockerCallStats st = stats;
        if (st != null) st.relisted(System.currentTimeMillis());
        return out;
    }

    /**
     * This node's running app containers (infra containers left out, as the kubelet leaves out pause), for the
     * usage it reports ({@link io.berth.node.stats.CgroupStatsSource}): one short list call.
     */
    public List<io.berth.node.stats.StatsSource.ContainerRef> runningContainers() {
        List<Container> cs = docker.listContainersCmd().withStatusFilter(List.of("running"))
                .withLabelFilter(Map.of(Labels.NODE, nodeId)).exec();
        List<io.berth.node.stats.StatsSource.ContainerRef> out = new java.util.ArrayList<>();
        for (Container c : cs) {
            Map<String, String> l = c.getLabels() == null ? Map.of() : c.getLabels();
            String task = l.get(Labels.TASK);
            if (task == null || !nodeId.equals(l.get(Labels.NODE)) || "infra".equals(l.get(Labels.ROLE))) continue;
            out.add(new io.berth.node.stats.StatsSource.ContainerRef(c.getId(), task, l.getOrDefault(Labels.NAMESPACE, "default"),
                    l.getOrDefault(Labels.POD, task), l.getOrDefault(Labels.CONTAINER, "")));
        }
        return out;
    }

    /** A container of a pod on this node that a stream (exec, port-forward) reaches, and the pod's IP ("" when it has none). */
    public record StreamTarget(String containerId, String containerName, String podIp) {}

    /**
     * The running container {@code container} (empty: the pod's first app container) of task {@code taskId} on this node,
     * with the pod's IP (its infra container's, which holds the pod's network). Empty when the node runs no container of
     * that task; {@link IllegalArgumentException} naming the container when the pod has no such one or it is not running.
     */
    public java.util.Optional<StreamTarget> streamTarget(String taskId, String container) {
        List<Container> cs = docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(Labels.NODE, nodeId, Labels.TASK, taskId)).exec();
        if (cs.isEmpty()) return java.util.Optional.empty();
        String ip = "";
        Container chosen = null;
        for (Container c : cs) {
            Map<String, String> l = c.getLabels() == null ? Map.of() : c.getLabels();
            if (!nodeId.equals(l.get(Labels.NODE)) || !taskId.equals(l.get(Labels.TASK))) continue;
            if ("infra".equals(l.get(Labels.ROLE))) {
                ip = network(c).ip();
                continue;
            }
            boolean wanted = container == null || container.isEmpty() ? taskId.equals(l.getOrDefault(Labels.UNIT, taskId)) : container.equals(l.get(Labels.CONTAINER));
            if (wanted) chosen = c;
        }
        if (chosen == null) throw new IllegalArgumentException("container " + container + " is not valid for pod " + taskId);
        String name = chosen.getLabels().getOrDefault(Labels.CONTAINER, container);
        if (!"running".equalsIgnoreCase(chosen.getState())) throw new IllegalArgumentException("container " + name + " of pod " + taskId + " is not running (" + chosen.getState() + ")");
        if (ip.isEmpty()) ip = network(chosen).ip();
        return java.util.Optional.of(new StreamTarget(chosen.getId(), name, ip));
    }

    /** IP and published ports from a listing entry (adoption, missed events). */
    static PodNetwork network(Container c) {
        String ip = "";
        if (c.getNetworkSettings() != null && c.getNetworkSettings().getNetworks() != null) {
            ip = firstIp(c.getNetworkSettings().getNetworks());
        }
        List<PodNetwork.Binding> bindings = new ArrayList<>();
        if (c.getPorts() != null) {
            for (ContainerPort p : c.getPorts()) {
                if (p.getPrivatePort() == null || p.getPublicPort() == null) continue;
                bindings.add(new PodNetwork.Binding(p.getPrivatePort(), protocol(p.getType()), p.getIp() == null ? "" : p.getIp(), p.getPublicPort()));
            }
        }
        return new PodNetwork(ip, bindings);
    }

    /** IP and published ports of a container, read back from inspect; NONE when it is gone. */
    public PodNetwork network(String containerId) {
        try {
            return network(docker.inspectContainerCmd(containerId).exec());
        } catch (NotFoundException e) {
            return PodNetwork.NONE;
        }
    }

    static PodNetwork network(InspectContainerResponse c) {
        NetworkSettings ns = c.getNetworkSettings();
        if (ns == null) return PodNetwork.NONE;
        String ip = ns.getNetworks() == null ? "" : firstIp(ns.getNetworks());
        if (ip.isEmpty() && ns.getIpAddress() != null) ip = ns.getIpAddress();
        List<PodNetwork.Binding> bindings = new ArrayList<>();
        if (ns.getPorts() != null && ns.getPorts().getBindings() != null) {
            ns.getPorts().getBindings().forEach((exposed, bs) -> {
                if (bs == null) return;
                for (Ports.Binding b : bs) {
                    try {
                        bindings.add(new PodNetwork.Binding(exposed.getPort(), protocol(exposed.getProtocol().toString()),
                                b.getHostIp() == null ? "" : b.getHostIp(), Integer.parseInt(b.getHostPortSpec())));
                    } catch (NumberFormatException ignored) {
                        // a range or empty spec: not a published port
                    }
                }
            });
        }
        return new PodNetwork(ip, bindings);
    }

    private static String firstIp(Map<String, ContainerNetwork> networks) {
        // "bridge" first when present (the default network), else any network with an address
        ContainerNetwork bridge = networks.get("bridge");
        if (bridge != null && bridge.getIpAddress() != null && !bridge.getIpAddress().isEmpty()) return bridge.getIpAddress();
        return networks.values().stream().map(ContainerNetwork::getIpAddress)
                .filter(ip -> ip != null && !ip.isEmpty()).sorted().findFirst().orElse("");
    }

    private static String protocol(String p) {
        return p == null || p.isEmpty() ? "TCP" : p.toUpperCase(Locale.ROOT);
    }

    /** Docker's summary carries the exit code only inside its status text ("Exited (137) 3 seconds ago"). */
    static Integer exitCode(String status) {
        if (status == null) return null;
        Matcher m = EXITED.matcher(status);
        return m.find() ? Integer.valueOf(m.group(1)) : null;
    }

    private static int parseGrace(String s) {
        try {
            return s == null ? 2 : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 2;
        }
    }

    public boolean imageExists(String image) {
        try {
            docker.inspectImageCmd(image).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /** Creates (never pulls) the task's container and returns its id; an existing one of the same name is reused. */
    public String create(Assignment a) {
        return create(a, PodUnit.of(a).stream().filter(u -> u.key().equals(a.getTaskId())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("assignment " + a.getTaskId() + " has no container")), null);
    }

    /** Creates (never pulls) one container of the pod, joined to {@code infraId}'s network when not null. */
    public String create(Assignment a, PodUnit u, String infraId) {
        try {
            Path podDir = podDir(a.getTaskId());
            if (podDir != null) {
                for (String v : ContainerRequest.emptyDirs(a)) makeEmptyDir(ContainerRequest.emptyDir(podDir, v));
                for (Path claim : ContainerRequest.claimDirs(a, podDir)) makeEmptyDir(claim);
            }
            CreateContainerCmd cmd = ContainerRequest.build(docker, a, u, nodeId, bindAddress, podDir, infraId, infra, pidsLimit);
            if (u.kind() != PodUnit.Kind.INFRA) securityContext(cmd, a, u.spec());
            return cmd.exec().getId();
        } catch (ConflictException e) {
            // created by an earlier attempt we did not see finish: adopt it rather than fail
            return docker.inspectContainerCmd(Labels.unitContainerName(nodeId, u.key())).exec().getId();
        }
    }

    /** The container's securityContext (runAsNonRoot verified against the image's user, as the kubelet does): {@link SecurityContexts}. */
    private void securityContext(CreateContainerCmd cmd, Assignment a, ContainerSpec c) {
        PodSecurityContext pod = a.getTemplate().getSecurityContext();
        var image = SecurityContexts.needsImageUser(pod, c) ? docker.inspectImageCmd(c.getImage()).exec().getConfig() : null;
        String imageUser = image == null || image.getUser() == null ? "" : image.getUser();
        SecurityContexts.verifyRunAsNonRoot(a, c, imageUser);
        // Localhost seccomp profiles: <data-dir>/node-<id>/seccomp/<localhostProfile>, beside the pods' directory
        SecurityContexts.apply(cmd, a, c, imageUser, podsDir == null ? null : podsDir.resolveSibling("seccomp"));
    }

    public void start(String containerId) {
        try {
            docker.startContainerCmd(containerId).exec();
        } catch (NotModifiedException e) {
            // already running: the goal is reached
        }
    }

    /**
     * Each secret/configMap volume's files under {@code <podDir>/volumes/<name>}, readable by any user (the
     * container may run as any), each written to a temp file and moved into place; the directory is mounted
     * read-only. They go when the pod's directory does.
     */
    @Override
    public void writeConfigFiles(String taskId, Map<String, Map<String, byte[]>> files) throws IOException {
        Path podDir = podDir(taskId);
        if (podDir == null) {
            if (!files.isEmpty()) throw new IOException("secret/configMap volumes: this runtime has no data directory");
            return;
        }
        for (Map.Entry<String, Map<String, byte[]>> v : files.entrySet()) {
            Path dir = ContainerRequest.emptyDir(podDir, v.getKey()).toAbsolutePath().normalize();
            Files.createDirectories(dir);
            for (Map.Entry<String, byte[]> f : v.getValue().entrySet()) {
                Path file = dir.resolve(f.getKey()).normalize();
                if (!file.startsWith(dir)) throw new IOException("volume " + v.getKey() + ": path " + f.getKey() + " leaves the volume");
                Files.createDirectories(file.getParent());
                Path tmp = Files.createTempFile(file.getParent(), ".", ".tmp");
                Files.write(tmp, f.getValue());
                try {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("r--r--r--"));
                } catch (UnsupportedOperationException ignored) {
                    // not a POSIX file system
                }
                Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            try {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
        }
    }

    /** World-writable, as Kubernetes makes an emptyDir: the container may run as any user. */
    private static void makeEmptyDir(Path dir) {
        try {
            Files.createDirectories(dir);
            try {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create emptyDir " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Deletes a revoked pod's directory (its emptyDir volumes); what cannot be deleted is left and logged by the caller. */
    public void deletePodDir(String taskId) throws IOException {
        Path dir = podDir(taskId);
        if (dir == null || !Files.exists(dir)) return;
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** Stops with SIGTERM and SIGKILL after the grace, leaving the container for a restart (liveness failure). */
    public void stop(String containerId, int graceSeconds) {
        try {
            docker.stopContainerCmd(containerId).withTimeout(graceSeconds).exec();
        } catch (NotModifiedException | NotFoundException e) {
            // already stopped or gone
        }
    }

    /** Runs a command in a running container, waiting at most {@code timeoutMs}; output capped at 4 KiB. */
    public ExecResult exec(String containerId, List<String> command, long timeoutMs) throws InterruptedException {
        String execId = docker.execCreateCmd(containerId).withCmd(command.toArray(String[]::new))
                .withAttachStdout(true).withAttachStderr(true).exec().getId();
        StringBuilder out = new StringBuilder();
        ResultCallback.Adapter<Frame> cb = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame f) {
                synchronized (out) {
                    if (out.length() < 4096) out.append(new String(f.getPayload(), StandardCharsets.UTF_8));
                }
            }
        };
        try (var running = docker.execStartCmd(execId).exec(cb)) {
            if (!running.awaitCompletion(timeoutMs, TimeUnit.MILLISECONDS)) return new ExecResult(null, "", true);
        } catch (IOException ignored) {
            // closing a finished stream
        }
        Long code = docker.inspectExecCmd(execId).exec().getExitCodeLong();
        synchronized (out) {
            return new ExecResult(code == null ? null : code.intValue(), out.toString(), false);
        }
    }

    /** {@code docker rm -f}: SIGKILL and remove in one call (a fence: no grace, the lease ran out). */
    @Override
    public void killAndRemove(String containerId) {
        try {
            docker.removeContainerCmd(containerId).withForce(true).exec();
        } catch (NotFoundException e) {
            // gone already
        }
    }

    /** Stops with SIGTERM, waits up to the grace, then removes. A container already gone is fine. */
    public void stopAndRemove(String containerId, int graceSeconds) {
        try {
            docker.stopContainerCmd(containerId).withTimeout(graceSeconds).exec();
        } catch (NotModifiedException | NotFoundException e) {
            // already stopped or gone
        }
        try {
            docker.removeContainerCmd(containerId).withForce(true).exec();
        } catch (NotFoundException e) {
            // removed meanwhile (e.g. docker rm -f): same outcome
        }
    }

    /**
     * Where the engine writes the container's output, when its log driver is {@code json-file}
     * ({@code LogPath} of inspect); null for any other driver or a container that is gone.
     */
    /**
     * Where a container's json-file log is ({@code path} null for another log driver or a remote
     * engine) and when the container last started (epoch ms, 0 when unknown), from one inspect.
     */
    public record LogSource(Path path, long startedAtMillis) {}

    public LogSource logSource(String containerId) {
        try {
            InspectContainerResponse c = docker.inspectContainerCmd(containerId).exec();
            String driver = c.getHostConfig() == null || c.getHostConfig().getLogConfig() == null
                    || c.getHostConfig().getLogConfig().getType() == null ? "" : c.getHostConfig().getLogConfig().getType().getType();
            long started = 0;
            try {
                String at = c.getState() == null ? null : c.getState().getStartedAt();
                if (at != null && !at.startsWith("0001-")) started = Instant.parse(at).toEpochMilli();
            } catch (DateTimeParseException ignored) {
                // an engine that writes another format: the caller falls back to its own clock
            }
            boolean file = c.getLogPath() != null && !c.getLogPath().isEmpty() && "json-file".equals(driver);
            return new LogSource(file ? Path.of(c.getLogPath()) : null, started);
        } catch (NotFoundException e) {
            return new LogSource(null, 0);
        }
    }

    @Override
    public void close() {
        DockerClient s = streams;
        if (s != null) {
            try {
                s.close();
            } catch (Exception ignored) {
                // closing a client that lost its engine
            }
        }
        try {
            docker.close();
        } catch (Exception ignored) {
            // closing a client that lost its engine
        }
    }
}
