package io.berth.node.runtime;

import io.berth.node.docker.ContainerRequest;
import io.berth.node.docker.PodUnit;
import io.berth.node.docker.SecurityContexts;
import io.berth.node.reconcile.Creation;
import io.berth.node.reconcile.Observed;
import io.berth.node.reconcile.PodNetwork;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.ConfigRef;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.EnvVar;
import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.Resources;
import io.vertx.core.Deployable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Creating one container against an in-memory engine: the image check, configs, and the kubelet's reason for each failure. */
class ContainerCreatorTest {
    static {
        io.berth.schemas.AvroTrust.ensure();
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({
            "image,    ErrImagePull,               image not found locally: web:1",
            "config,   CreateContainerConfigError, secret \"s\" not found",
            "security, CreateContainerConfigError, container has runAsNonRoot and image will run as root",
            "other,    CreateContainerError,       Conflict",
            "nothing,  CreateContainerError,       null",
    })
    void shouldNameEachFailureInTheKubeletsWords(String failure, String reason, String message) {
        RuntimeException err = switch (failure) {
            case "image" -> new ContainerCreator.ImageMissing("web:1");
            case "config" -> new ContainerCreator.ConfigMissing("secret \"s\" not found");
            case "security" -> new SecurityContexts.ConfigError("container has runAsNonRoot and image will run as root");
            case "other" -> new IllegalStateException("Conflict");
            default -> new IllegalStateException();
        };
        assertEquals(reason, ContainerCreator.reason(err));
        assertEquals(message, ContainerCreator.message(err));
    }

    @Test
    void shouldCreateFromALocalImageJoinedToTheSandbox() throws Exception {
        Engine engine = new Engine(Set.of("web:1"));
        Assignment a = assignment(List.of());
        String id = new ContainerCreator(engine, null).create(a, launch(a, "c-infra"));
        assertEquals("c-1", id);
        assertEquals(List.of("t via c-infra"), engine.created);
    }

    @Test
    void shouldNeverPullAMissingImage() {
        Engine engine = new Engine(Set.of());
        Assignment a = assignment(List.of());
        RuntimeException e = assertThrows(ContainerCreator.ImageMissing.class, () -> new ContainerCreator(engine, null).create(a, launch(a, null)));
        assertEquals("image not found locally: web:1", e.getMessage());
        assertEquals(List.of(), engine.created);
    }

    @Test
    void shouldCreateNothingForAPodUsingASecretOnANodeThatReadsNone() {
        Engine engine = new Engine(Set.of("web:1"));
        ConfigRef ref = ConfigRef.newBuilder().setKind("Secret").setName("s").setKey("k").build();
        Assignment a = assignment(List.of(EnvVar.newBuilder().setName("PASSWORD").setValueFrom(ref).build()));
        RuntimeException e = assertThrows(ContainerCreator.ConfigMissing.class, () -> new ContainerCreator(engine, null).create(a, launch(a, null)));
        assertEquals("this node reads no Secrets or ConfigMaps", e.getMessage());
        assertEquals(List.of(), engine.created);
    }

    private static Creation.Launch launch(Assignment a, String infraId) {
        return new Creation.Launch(PodUnit.of(a).get(0), "web:1", infraId);
    }

    private static Assignment assignment(List<EnvVar> env) {
        ContainerSpec c = ContainerSpec.newBuilder().setName("web").setImage("web:1").setEnv(env).build();
        return Assignment.newBuilder().setTaskId("t").setNodeId("n1").setWorkloadKey("w").setNamespace("default").setPodName("p")
                .setTemplate(PodTemplate.newBuilder().setContainers(List.of(c)).build())
                .setRequests(new Resources(10L, 1L << 20)).setAssignedAt(0).setRequestId("r").build();
    }

    /** An engine that holds images and records what it was asked to create. */
    private static final class Engine implements ContainerRuntime {
        final Set<String> images;
        final List<String> created = new ArrayList<>();

        Engine(Set<String> images) {
            this.images = images;
        }

        @Override public ContainerRequest.Infra infra() { return ContainerRequest.Infra.DEFAULT; }
        @Override public Map<String, Observed> list() { return Map.of(); }
        @Override public boolean imageExists(String image) { return images.contains(image); }
        @Override public String create(Assignment a, PodUnit u, String infraId) {
            created.add(u.key() + (infraId == null ? "" : " via " + infraId));
            return "c-" + created.size();
        }
        @Override public void start(String containerId) {}
        @Override public void stop(String containerId, int graceSeconds) {}
        @Override public void stopAndRemove(String containerId, int graceSeconds) {}
        @Override public PodNetwork network(String containerId) { return PodNetwork.NONE; }
        @Override public ExecResult exec(String containerId, List<String> command, long timeoutMs) { return new ExecResult(0, "", false); }
        @Override public void deletePodDir(String taskId) {}
        @Override public Deployable eventSource(String nodeId) { throw new UnsupportedOperationException(); }
        @Override public void close() {}
    }
}
