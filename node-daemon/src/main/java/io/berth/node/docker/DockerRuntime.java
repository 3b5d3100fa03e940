package io.berth.node.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.berth.node.reconcile.Observed;
import io.berth.schemas.avro.Assignment;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every Docker call the daemon makes. All methods BLOCK: call them from a worker, never from an
 * event loop. Each one is scoped to this node's containers (label {@code berth.node}).
 */
public final class DockerRuntime implements AutoCloseable {
    private static final Pattern EXITED = Pattern.compile("Exited \\((-?\\d+)\\)");

    private final DockerClient docker;
    private final String nodeId;

    public DockerRuntime(DockerClient docker, String nodeId) {
        this.docker = docker;
        this.nodeId = nodeId;
    }

    /** A client over httpclient5. The API version is left unset: the engine here speaks 1.41 and refuses newer. */
    public static DockerClient connect(String dockerHost) {
        DefaultDockerClientConfig cfg = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(dockerHost).build();
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(cfg.getDockerHost()).sslConfig(cfg.getSSLConfig())
                .maxConnections(32).connectionTimeout(Duration.ofSeconds(5))
                .build();
        return DockerClientImpl.getInstance(cfg, http);
    }

    public DockerClient client() {
        return docker;
    }

    public void ping() {
        docker.pingCmd().exec();
    }

    /** This node's containers (running or not), by task id. */
    public Map<String, Observed> list() {
        List<Container> cs = docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(Labels.NODE, nodeId)).exec();
        Map<String, Observed> out = new HashMap<>();
        for (Container c : cs) {
            Map<String, String> l = c.getLabels() == null ? Map.of() : c.getLabels();
            String task = l.get(Labels.TASK);
            if (task == null || !nodeId.equals(l.get(Labels.NODE))) continue;
            out.put(task, new Observed(task, l.getOrDefault(Labels.WORKLOAD, ""), c.getId(), Observed.State.ofDocker(c.getState()),
                    exitCode(c.getStatus()), parseGrace(l.get(Labels.GRACE))));
        }
        return out;
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
        try {
            return ContainerRequest.build(docker, a, nodeId).exec().getId();
        } catch (ConflictException e) {
            // created by an earlier attempt we did not see finish: adopt it rather than fail
            return docker.inspectContainerCmd(Labels.containerName(nodeId, a.getTaskId())).exec().getId();
        }
    }

    public void start(String containerId) {
        try {
            docker.startContainerCmd(containerId).exec();
        } catch (NotModifiedException e) {
            // already running: the goal is reached
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

    @Override
    public void close() {
        try {
            docker.close();
        } catch (Exception ignored) {
            // closing a client that lost its engine
        }
    }
}
