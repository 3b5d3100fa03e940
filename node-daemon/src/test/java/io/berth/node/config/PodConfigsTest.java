package io.berth.node.config;

import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.ConfigRef;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.EnvVar;
import io.berth.schemas.avro.KeyToPath;
import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.Resources;
import io.berth.schemas.avro.Volume;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class PodConfigsTest {
    private static final Map<String, Map<String, byte[]>> OBJECTS = Map.of(
            "Secret/prod/db", Map.of("password", bytes("s3cret"), "user", bytes("app")),
            "ConfigMap/prod/cfg", Map.of("MODE", bytes("fast"), "LEVEL", bytes("3"), "bad name", bytes("x"), "app.conf", bytes("a=1\n")));
    private static final PodConfigs.Lookup LOOKUP = (kind, ns, name) -> Optional.ofNullable(OBJECTS.get(kind + "/" + ns + "/" + name));

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ConfigRef keyRef(String kind, String name, String key, boolean optional) {
        return ConfigRef.newBuilder().setKind(kind).setName(name).setKey(key).setOptional(optional).build();
    }

    private static ConfigRef fromRef(String kind, String name, String prefix, boolean optional) {
        return ConfigRef.newBuilder().setKind(kind).setName(name).setPrefix(prefix).setOptional(optional).build();
    }

    private static EnvVar env(String name, String value) {
        return EnvVar.newBuilder().setName(name).setValue(value).build();
    }

    private static EnvVar env(String name, ConfigRef ref) {
        return EnvVar.newBuilder().setName(name).setValueFrom(ref).build();
    }

    private static Volume volume(String name, String type, String source, List<KeyToPath> items, boolean optional) {
        return Volume.newBuilder().setName(name).setType(type).setSource(source).setItems(items).setOptional(optional).build();
    }

    private static Assignment pod(List<EnvVar> env, List<ConfigRef> envFrom, List<Volume> volumes) {
        ContainerSpec c = ContainerSpec.newBuilder().setName("app").setImage("berth/busybox:latest").setEnv(env).setEnvFrom(envFrom).build();
        return Assignment.newBuilder().setTaskId("t1").setNodeId("n1").setNamespace("prod")
                .setTemplate(PodTemplate.newBuilder().setContainers(List.of(c)).setVolumes(volumes).build())
                .setRequests(Resources.newBuilder().build()).build();
    }

    record EnvCase(String name, List<EnvVar> env, List<ConfigRef> envFrom, Map<String, String> expected) {}

    @Test
    void shouldResolveEnvAsTheKubeletDoes() {
        for (EnvCase c : List.of(
                new EnvCase("secretKeyRef", List.of(env("PW", keyRef("Secret", "db", "password", false))), List.of(), Map.of("PW", "s3cret")),
                new EnvCase("configMapKeyRef next to a literal", List.of(env("A", "1"), env("M", keyRef("ConfigMap", "cfg", "MODE", false))),
                        List.of(), Map.of("A", "1", "M", "fast")),
                new EnvCase("optional missing object is skipped", List.of(env("X", keyRef("Secret", "nope", "k", true))), List.of(), Map.of()),
                new EnvCase("optional missing key is skipped", List.of(env("X", keyRef("Secret", "db", "nope", true))), List.of(), Map.of()),
                new EnvCase("envFrom with prefix, invalid names skipped", List.of(), List.of(fromRef("ConfigMap", "cfg", "CFG_", false)),
                        Map.of("CFG_MODE", "fast", "CFG_LEVEL", "3", "CFG_app.conf", "a=1\n")),
                new EnvCase("explicit env wins over envFrom", List.of(env("user", "override")), List.of(fromRef("Secret", "db", "", false)),
                        Map.of("password", "s3cret", "user", "override")),
                new EnvCase("optional envFrom of a missing object", List.of(), List.of(fromRef("Secret", "nope", "", true)), Map.of()))) {
            PodConfigs.Result r = PodConfigs.resolve(pod(c.env(), c.envFrom(), List.of()), LOOKUP);
            PodConfigs.Resolved ok = assertInstanceOf(PodConfigs.Resolved.class, r, c.name());
            ContainerSpec resolved = ok.assignment().getTemplate().getContainers().get(0);
            Map<String, String> got = new LinkedHashMap<>();
            for (EnvVar e : resolved.getEnv()) {
                assertNull(e.getValueFrom(), c.name());
                got.put(e.getName(), e.getValue());
            }
            assertEquals(c.expected(), got, c.name());
            assertTrue(resolved.getEnvFrom().isEmpty(), c.name());
        }
    }

    record MissingCase(String name, Assignment pod, String message) {}

    @Test
    void shouldStopAtAMissingReferenceWithTheKubeletsMessage() {
        for (MissingCase c : List.of(
                new MissingCase("secret", pod(List.of(env("PW", keyRef("Secret", "nope", "k", false))), List.of(), List.of()),
                        "secret \"nope\" not found"),
                new MissingCase("configmap key", pod(List.of(env("M", keyRef("ConfigMap", "cfg", "nope", false))), List.of(), List.of()),
                        "couldn't find key nope in ConfigMap prod/cfg"),
                new MissingCase("envFrom", pod(List.of(), List.of(fromRef("ConfigMap", "gone", "", false)), List.of()),
                        "configmap \"gone\" not found"),
                new MissingCase("volume", pod(List.of(), List.of(), List.of(volume("creds", "secret", "gone", List.of(), false))),
                        "MountVolume.SetUp failed for volume \"creds\" : secret \"gone\" not found"),
                new MissingCase("volume item", pod(List.of(), List.of(), List.of(volume("creds", "secret", "db", List.of(new KeyToPath("nope", "x")), false))),
                        "MountVolume.SetUp failed for volume \"creds\" : references non-existent secret key: nope"))) {
            PodConfigs.Missing m = assertInstanceOf(PodConfigs.Missing.class, PodConfigs.resolve(c.pod(), LOOKUP), c.name());
            assertEquals(c.message(), m.message(), c.name());
        }
    }

    @Test
    void shouldWriteEveryKeyOrOnlyTheItemsOfAVolume() {
        Assignment a = pod(List.of(), List.of(), List.of(
                volume("all", "secret", "db", List.of(), false),
                volume("some", "configMap", "cfg", List.of(new KeyToPath("app.conf", "conf/app.conf")), false),
                volume("maybe", "secret", "gone", List.of(), true),
                Volume.newBuilder().setName("scratch").setType("emptyDir").build()));
        PodConfigs.Resolved ok = assertInstanceOf(PodConfigs.Resolved.class, PodConfigs.resolve(a, LOOKUP));
        assertEquals(List.of("all", "some", "maybe"), List.copyOf(ok.files().keySet()));
        assertEquals(List.of("password", "user"), List.copyOf(ok.files().get("all").keySet()));
        assertEquals("s3cret", new String(ok.files().get("all").get("password"), StandardCharsets.UTF_8));
        assertEquals(List.of("conf/app.conf"), List.copyOf(ok.files().get("some").keySet()));
        assertTrue(ok.files().get("maybe").isEmpty());
    }

    @Test
    void shouldLeaveTheAssignmentAsReadUnchanged() {
        Assignment a = pod(List.of(env("PW", keyRef("Secret", "db", "password", false))), List.of(), List.of());
        Assignment before = Assignment.newBuilder(a).build();
        PodConfigs.resolve(a, LOOKUP);
        assertEquals(before, a);
        assertTrue(PodConfigs.uses(a));
        assertFalse(PodConfigs.uses(pod(List.of(env("A", "1")), List.of(), List.of())));
    }
}
