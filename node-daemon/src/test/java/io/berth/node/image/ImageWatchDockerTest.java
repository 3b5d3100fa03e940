package io.berth.node.image;

import com.github.dockerjava.api.DockerClient;
import io.berth.node.docker.DockerRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * On the real Docker engine: a pod container runs a test tag of berth/busybox; the tag is then moved to another image
 * (a {@code docker commit} of the container), and the watcher's check reports the drift with the new image id, once.
 * The container, the tag and the committed image are removed afterwards (by label and name), also on failure.
 */
@Timeout(120)
class ImageWatchDockerTest {
    private final String node = "imgw-" + UUID.randomUUID().toString().substring(0, 8);
    private final String tag = "berth/rollout-on-test:" + node;

    @AfterEach
    void clean() throws Exception {
        String ids = docker(false, "ps", "-aq", "--filter", "label=berth.node=" + node).strip();
        for (String id : ids.lines().toList()) if (!id.isBlank()) docker(false, "rm", "-f", id);
        docker(false, "rmi", "-f", tag);
    }

    @Test
    void shouldReportAPodWhoseTagNowResolvesToAnotherImage() throws Exception {
        docker(true, "tag", "berth/busybox:latest", tag);
        String container = docker(true, "run", "-d", "--label", "berth.node=" + node, "--label", "berth.task=t-1",
                "--label", "berth.workload=default/deployment/web", "--label", "berth.namespace=default", "--label", "berth.pod=web-1",
                tag, "sleep", "300").strip();
        DockerClient client = DockerRuntime.connect("unix:///var/run/docker.sock");
        ImageWatchVerticle watch = new ImageWatchVerticle(node, client, null, 1_000, System::currentTimeMillis);
        assertEquals(List.of(), watch.check(), "the tag still resolves to what the pod runs");

        String before = docker(true, "image", "inspect", "-f", "{{.Id}}", tag).strip();
        docker(true, "commit", "--change", "LABEL berth.test=" + node, container, tag); // the tag now names another image
        String after = docker(true, "image", "inspect", "-f", "{{.Id}}", tag).strip();
        assertNotEquals(before, after);

        List<ImageDrift.Drift> drifts = watch.check();
        assertEquals(1, drifts.size(), drifts.toString());
        ImageDrift.Drift d = drifts.get(0);
        assertEquals("default/deployment/web", d.workloadKey());
        assertEquals(tag, d.ref(), "the reference is read from the container's config once Docker lists it by id");
        assertEquals(after, d.currentId());
        assertEquals(before, d.runningId());
        assertEquals(List.of(), watch.check(), "reported once, not on every tick");
    }

    static String docker(boolean check, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " timed out");
        }
        if (check && p.exitValue() != 0) throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
        return out;
    }
}
