package io.berth.gateway.rbac;

import io.berth.gateway.config.SecretRefs;
import io.berth.schemas.auth.User;
import io.berth.schemas.avro.ConfigRef;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.EnvVar;
import io.berth.schemas.avro.KeyToPath;
import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.TaskPhase;
import io.berth.schemas.avro.TaskView;
import io.berth.schemas.avro.Volume;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The Node authorizer's decision as a pure function: which keys of which Secret a node may read for one of its pods. */
class NodeAuthorizerTest {
    private static ConfigRef keyRef(String kind, String name, String key) {
        return ConfigRef.newBuilder().setKind(kind).setName(name).setKey(key).build();
    }

    private static ConfigRef fromRef(String kind, String name) {
        return ConfigRef.newBuilder().setKind(kind).setName(name).build();
    }

    private static Volume volume(String type, String source, String... itemKeys) {
        return Volume.newBuilder().setName("v-" + source).setType(type).setSource(source)
                .setItems(java.util.Arrays.stream(itemKeys).map(k -> KeyToPath.newBuilder().setKey(k).setPath("p/" + k).build()).toList()).build();
    }

    private static ContainerSpec container(List<EnvVar> env, List<ConfigRef> envFrom) {
        return ContainerSpec.newBuilder().setName("app").setImage("berth/busybox:latest").setEnv(env).setEnvFrom(envFrom).build();
    }

    private static EnvVar env(String name, ConfigRef ref) {
        return EnvVar.newBuilder().setName(name).setValueFrom(ref).build();
    }

    /** init: secretKeyRef db.init-key; app: secretKeyRef db.password, configMapKeyRef db.password (another kind), envFrom secret all-of-it; volumes: secret files (items user), configMap db */
    private static final PodTemplate POD = PodTemplate.newBuilder()
            .setInitContainers(List.of(container(List.of(env("I", keyRef("Secret", "db", "init-key"))), List.of())))
            .setContainers(List.of(container(List.of(env("PW", keyRef("Secret", "db", "password")), env("C", keyRef("ConfigMap", "db", "password")),
                    EnvVar.newBuilder().setName("PLAIN").setValue("x").build()), List.of(fromRef("Secret", "all-of-it")))))
            .setVolumes(List.of(volume("secret", "files", "user"), volume("configMap", "db"), volume("secret", "tree")))
            .build();

    private static TaskView task(String node, String ns, TaskPhase phase) {
        return TaskView.newBuilder().setTaskId("t1").setNamespace(ns).setNodeId(node).setPhase(phase).setTemplate(POD).build();
    }

    @Test
    void shouldListTheKeysAPodReferences() {
        assertEquals(new SecretRefs(false, Set.of("init-key", "password")), SecretRefs.of(POD, "Secret", "db"), "env of init and app containers; not the ConfigMap of that name");
        assertEquals(SecretRefs.ALL, SecretRefs.of(POD, "Secret", "all-of-it"), "envFrom: every key");
        assertEquals(new SecretRefs(false, Set.of("user")), SecretRefs.of(POD, "Secret", "files"), "a volume's items");
        assertEquals(SecretRefs.ALL, SecretRefs.of(POD, "Secret", "tree"), "a volume without items: every key");
        assertEquals(SecretRefs.ALL, SecretRefs.of(POD, "ConfigMap", "db"));
        assertEquals(SecretRefs.NONE, SecretRefs.of(POD, "Secret", "other"));
        assertFalse(SecretRefs.NONE.referenced());
        assertEquals(Map.of("user", "u"), new SecretRefs(false, Set.of("user", "gone")).filter(Map.of("user", "u", "password", "p")));
        assertEquals(Map.of("user", "u", "password", "p"), SecretRefs.ALL.filter(Map.of("user", "u", "password", "p")));
    }

    record Case(String why, TaskView task, String node, String ns, String secret, SecretRefs expected) {}

    @Test
    void shouldAllowOnlyAPodBoundToTheNodeThatReferencesTheSecret() {
        List<Case> cases = List.of(
                new Case("its pod, a referenced Secret", task("n1", "default", TaskPhase.RUNNING), "n1", "default", "db", new SecretRefs(false, Set.of("init-key", "password"))),
                new Case("scheduled, not running yet", task("n1", "default", TaskPhase.SCHEDULED), "n1", "default", "tree", SecretRefs.ALL),
                new Case("another node's pod", task("n2", "default", TaskPhase.RUNNING), "n1", "default", "db", SecretRefs.NONE),
                new Case("a pod bound to no node yet", task("", "default", TaskPhase.PENDING), "n1", "default", "db", SecretRefs.NONE),
                new Case("an unknown pod", null, "n1", "default", "db", SecretRefs.NONE),
                new Case("a Secret the pod does not reference", task("n1", "default", TaskPhase.RUNNING), "n1", "default", "other", SecretRefs.NONE),
                new Case("the same name in another namespace", task("n1", "default", TaskPhase.RUNNING), "n1", "prod", "db", SecretRefs.NONE),
                new Case("a pod taken away from the node (LOST)", task("n1", "default", TaskPhase.LOST), "n1", "default", "db", SecretRefs.NONE));
        for (Case c : cases) assertEquals(c.expected, NodeAuthorizer.decide(c.node, c.task, c.ns, c.secret), c.why);
    }

    @Test
    void shouldDecideOnlyANodesGetOfOneSecretAndWordTheRefusalAsKubernetes() {
        User n1 = User.node("n1");
        assertTrue(n1.isNode());
        assertEquals("n1", n1.nodeName());
        assertTrue(NodeAuthorizer.decides(Attributes.resource(n1, "get", "", "secrets", "", "default", "db")));
        assertFalse(NodeAuthorizer.decides(Attributes.resource(n1, "list", "", "secrets", "", "default", "")), "a list is RBAC's");
        assertFalse(NodeAuthorizer.decides(Attributes.resource(n1, "get", "", "configmaps", "", "default", "cfg")));
        assertFalse(NodeAuthorizer.decides(Attributes.resource(new User("system:node:n1", "", List.of()), "get", "", "secrets", "", "default", "db")),
                "the name alone does not make a node: the group does");
        assertFalse(NodeAuthorizer.decides(Attributes.resource(new User("alice", "", List.of(User.NODES)), "get", "", "secrets", "", "default", "db")));
        assertEquals("secrets \"db\" is forbidden: User \"system:node:n1\" cannot get resource \"secrets\" in API group \"\" in the namespace \"default\": "
                + "no relationship found between node 'n1' and this object", NodeAuthorizer.forbidden(n1, "default", "db").status().path("message").asText());
        assertEquals(403, NodeAuthorizer.forbidden(n1, "default", "db").status().path("code").asInt());
    }
}
