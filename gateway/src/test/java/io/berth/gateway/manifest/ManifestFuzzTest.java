package io.berth.gateway.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.*;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.berth.gateway.config.ConfigApi;
import io.berth.gateway.config.ConfigObjects;
import io.berth.gateway.rbac.RbacApi;
import io.berth.gateway.rbac.RbacObjects;
import io.berth.registry.client.InMemorySchemaRegistryClient;
import io.berth.schemas.Topics;
import io.berth.schemas.avro.Intent;
import io.berth.schemas.limits.Limits;
import io.berth.schemas.secrets.SecretBox;
import io.berth.schemas.serde.AvroSerde;
import io.berth.schemas.serde.BerthSerdes;
import io.berth.testing.Fuzz;
import net.jqwik.api.*;
import net.jqwik.api.lifecycle.AddLifecycleHook;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The apply path's pure part (what {@code POST /apis/berth.io/v1/apply} runs before anything is
 * written: {@link RbacApi#split}, {@link ConfigApi#split}, {@link RbacObjects#parse},
 * {@link ConfigObjects#parse}, {@link ManifestParser#parse} and {@code parseForDelete}) on generated
 * manifests: valid ones of every kind with 1–4 random mutations (a value replaced by an extreme
 * number, a string of the wrong shape, a container, null; a field removed; an unknown field added;
 * an array item repeated), written as YAML or JSON, and plain random text. Each must come back as
 * intents or as validation errors, within 2 s, never as an exception; an accepted intent must also
 * pass {@link Limits} and encode to Avro (what the gateway produces next).
 */
@AddLifecycleHook(Fuzz.class)
class ManifestFuzzTest {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();
    static final ManifestOptions OPTIONS = ManifestOptions.defaults().withActor("cli:fuzz")
            .withClock(Clock.fixed(Instant.parse("2026-12-04T00:00:00Z"), ZoneOffset.UTC), () -> "id-1");
    static final AvroSerde<Intent> INTENTS = new BerthSerdes(new InMemorySchemaRegistryClient()).value(Intent.class);
    static final SecretBox BOX = SecretBox.of("k1", new byte[32]);

    static final List<String> SEEDS = List.of(
            ManifestParserTest.DEPLOYMENT, ManifestParserTest.POD, ManifestParserTest.SERVICE, ManifestParserTest.CANARY,
            """
            apiVersion: v1
            kind: Namespace
            metadata: {name: team-a, labels: {pod-security.kubernetes.io/enforce: baseline}}
            """,
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: full
              annotations: {berth.io/update-delay: 1m30s, berth.io/rollback-on-failure: "true"}
            spec:
              replicas: 3
              minReadySeconds: 2
              progressDeadlineSeconds: 60
              revisionHistoryLimit: 5
              paused: false
              selector: {matchLabels: {app: full}}
              strategy: {type: Recreate, updateDelaySeconds: 5, rollbackOnFailure: true}
              template:
                metadata: {labels: {app: full}, annotations: {a: b}}
                spec:
                  nodeSelector: {disk: ssd}
                  terminationGracePeriodSeconds: 10
                  securityContext: {runAsUser: 1000, runAsNonRoot: true, fsGroup: 2000, seccompProfile: {type: RuntimeDefault}}
                  volumes: [{name: host, hostPath: {path: /tmp, type: Directory}}, {name: cfg, configMap: {name: cfg}}]
                  initContainers: [{name: init, image: berth/busybox:latest, command: [true]}]
                  containers:
                  - name: app
                    image: berth/busybox:latest
                    args: [a, b]
                    workingDir: /tmp
                    env: [{name: A, value: "1"}, {name: S, valueFrom: {secretKeyRef: {name: s, key: k}}}]
                    envFrom: [{configMapRef: {name: cfg}}]
                    ports: [{containerPort: 80, hostPort: 8080, name: web, protocol: UDP}]
                    resources: {limits: {cpu: 500m, memory: 1Gi}}
                    securityContext: {readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}}
                    startupProbe: {exec: {command: [true]}, failureThreshold: 30, periodSeconds: 1}
                    readinessProbe: {httpGet: {path: /ready, port: web, scheme: HTTP}, initialDelaySeconds: 1, timeoutSeconds: 2}
                    volumeMounts: [{name: host, mountPath: /host, readOnly: true}, {name: cfg, mountPath: /etc/cfg}]
            """,
            """
            apiVersion: v1
            kind: Service
            metadata: {name: lb}
            spec:
              type: LoadBalancer
              clusterIP: 10.96.3.4
              selector: {app: web}
              ports: [{name: a, port: 80, targetPort: 8080, protocol: TCP}, {name: b, port: 53, protocol: UDP, nodePort: 30053}]
            """,
            """
            apiVersion: v1
            kind: List
            items:
            - {apiVersion: v1, kind: Pod, metadata: {name: p1}, spec: {containers: [{name: c, image: i}]}}
            - {apiVersion: v1, kind: Service, metadata: {name: s1}, spec: {clusterIP: None, ports: [{port: 80}]}}
            """,
            """
            apiVersion: v1
            kind: Secret
            metadata: {name: s}
            type: Opaque
            data: {k: aGVsbG8=}
            stringData: {t: text}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: cfg}
            data: {app.conf: "x=1"}
            binaryData: {bin: AAEC}
            """,
            """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: reader, namespace: default}
            rules: [{apiGroups: [""], resources: [pods, pods/log], verbs: [get, list, watch], resourceNames: [web]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: read, namespace: default}
            subjects: [{kind: User, name: alice}, {kind: Group, name: devs}, {kind: ServiceAccount, name: sa, namespace: default}]
            roleRef: {kind: Role, name: reader, apiGroup: rbac.authorization.k8s.io}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: all}
            rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}, {nonResourceURLs: [/healthz], verbs: [get]}]
            """);

    /** Values a mutation puts in place of any node: the edges of every type Jackson can read from YAML or JSON. */
    static final List<JsonNode> VALUES;

    static {
        JsonNodeFactory f = JsonNodeFactory.instance;
        List<JsonNode> v = new ArrayList<>();
        for (long n : new long[] {0, 1, -1, 2, 15, 63, 64, 65535, 65536, 30000, 32767, 10_000, 10_001, Integer.MAX_VALUE,
                Integer.MIN_VALUE, Integer.MAX_VALUE + 1L, Long.MAX_VALUE, Long.MIN_VALUE}) v.add(f.numberNode(n));
        v.add(f.numberNode(new BigInteger("123456789012345678901234567890")));
        v.add(f.numberNode(new BigDecimal("1e400")));
        v.add(f.numberNode(0.5));
        v.add(f.numberNode(-0.0));
        v.add(f.numberNode(1e308));
        for (String s : new String[] {"", " ", "-", "a", "A_B", "web", "8080", "-1", "0", "25%", "101%", "-5%", "2147483648%",
                "1e999", "1e-999", "9223372036854775808", "0x10", "1.5", "NaN", "Infinity", "500m", "64Mi", "1Ei", "99999999999Ei",
                "1e30", "-1m", ".5", "5.", "1m30s", "99999999999999999999h", "1.5h", "µs", "/", "/tmp", "../etc", "a/b/c", "a b",
                "a".repeat(64), "a".repeat(254), "x".repeat(9000), "null", "~", "true", "yes", "10.96.0.0", "10.96.255.255", "10.0.0.1",
                "None", "TCP", "SCTP", "HTTP", "Always", "Never", "RollingUpdate", "Canary", "Recreate", "ClusterIP", "NodePort",
                "Role", "ClusterRole", "User", "Group", "ServiceAccount", "*", "aGVsbG8", "!!", "\u0000", "\t", "é", "😀",
                "{", "[", "&a", "*a", "app=web", "Deployment", "List", "v1", "apps/v1", "rbac.authorization.k8s.io/v1"}) {
            v.add(f.textNode(s));
        }
        v.add(f.booleanNode(true));
        v.add(f.booleanNode(false));
        v.add(f.nullNode());
        v.add(f.objectNode());
        v.add(f.arrayNode());
        v.add(f.arrayNode().add(f.nullNode()));
        v.add(f.arrayNode().add(f.objectNode()));
        v.add(f.objectNode().set("", f.textNode("")));
        v.add(f.objectNode().put("name", "x").put("port", 80));
        ArrayNode many = f.arrayNode();
        for (int i = 0; i < 300; i++) many.add(f.objectNode().put("name", "n" + i).put("value", "v"));
        v.add(many);
        VALUES = List.copyOf(v);
    }

    static final List<String> NAMES = List.of("name", "namespace", "kind", "apiVersion", "metadata", "spec", "items", "replicas",
            "selector", "matchLabels", "matchExpressions", "template", "containers", "image", "ports", "port", "type", "data",
            "rules", "subjects", "roleRef", "unknownField", "x", "");

    @Property(tries = 800)
    void aMutatedManifestIsAnsweredWithIntentsOrValidationErrors(@ForAll("seeds") int seed, @ForAll long random,
                                                                 @ForAll("mutations") int mutations, @ForAll boolean asJson) throws Exception {
        Random r = new Random(random);
        JsonNode doc = null;
        List<JsonNode> docs = YAML.readerFor(JsonNode.class).<JsonNode>readValues(SEEDS.get(seed)).readAll();
        List<String> texts = new ArrayList<>();
        for (JsonNode d : docs) {
            JsonNode m = d.deepCopy();
            for (int i = 0; i < mutations; i++) m = mutate(m, r);
            texts.add(asJson ? JSON.writeValueAsString(m) : YAML.writeValueAsString(m));
        }
        String text = String.join(asJson ? "\n---\n" : "\n", texts);
        assertAnswered(text);
    }

    @Property(tries = 500)
    void randomTextIsAnsweredWithValidationErrors(@ForAll("yamlish") String text) {
        assertAnswered(text);
    }

    // ---- inputs the properties found, pinned ----

    @org.junit.jupiter.api.Test
    void shouldAnswerAnRbacObjectWhoseMetadataIsNotAnObjectWithAFieldError() {
        // found by aMutatedManifestIsAnsweredWithIntentsOrValidationErrors: RbacObjects.parse threw
        // UnsupportedOperationException ("Property 'metadata' has value that is not of type ObjectNode")
        for (String metadata : List.of("[a]", "5", "x")) {
            RbacObjects.Parsed p = RbacObjects.parse(yaml("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: " + metadata
                    + "\nrules: [{apiGroups: [\"\"], resources: [pods], verbs: [get]}]\n"), "default");
            assertEquals(List.of("metadata: Invalid value: must be an object"), p.problems().stream().map(ManifestProblem::message).toList());
        }
        RbacObjects.Parsed p = RbacObjects.parse(yaml("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: null\n"), "default");
        assertEquals(List.of("metadata.name: Required value: name or generateName is required"), p.problems().stream().map(ManifestProblem::message).toList());
        assertAnswered("apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: [read]\nroleRef: {kind: Role, name: r, apiGroup: rbac.authorization.k8s.io}\n");
    }

    @org.junit.jupiter.api.Test
    void shouldRefuseAnInfiniteOrNaNQuantityNamingTheField() {
        // found by aMutatedManifestIsAnsweredWithIntentsOrValidationErrors: `cpu: 1e400` (a double, Infinity) threw NumberFormatException
        // from JsonNode.decimalValue(), which the apply handler answered with a 500
        String pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: i\n"
                + "    resources: {requests: {cpu: 1e400, memory: -1e400}, limits: {cpu: 1e400}}\n";
        ManifestResult r = new ManifestParser(OPTIONS).parse("", pod);
        assertEquals(List.of(
                "spec.containers[0].resources.requests.cpu: Invalid value: \"Infinity\": must be a quantity such as 500m or 0.5",
                "spec.containers[0].resources.requests.memory: Invalid value: \"-Infinity\": must be a quantity such as 64Mi or 1Gi",
                "spec.containers[0].resources.limits.cpu: Invalid value: \"Infinity\": must be a quantity such as 500m or 0.5"),
                r.errors().stream().map(ManifestProblem::message).toList());
    }

    static JsonNode yaml(String text) {
        try {
            return YAML.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Provide
    Arbitrary<Integer> seeds() {
        return Arbitraries.integers().between(0, SEEDS.size() - 1);
    }

    @Provide
    Arbitrary<Integer> mutations() {
        return Arbitraries.integers().between(1, 4);
    }

    @Provide
    Arbitrary<String> yamlish() {
        Arbitrary<String> tokens = Arbitraries.of("apiVersion: v1\n", "kind: Pod\n", "kind: List\n", "kind: Deployment\n",
                "metadata:\n  name: x\n", "spec:\n", "  containers:\n", "  - name: c\n    image: i\n", "items: [", "]", "{", "}", "---\n",
                "...\n", "&a ", "*a ", "!!binary ", "!!int ", "? ", ": ", "- ", "\"", "'", "#", "\n", "  ", "\t", "%YAML 1.2\n", "|\n", ">\n",
                "<<: *a\n", "null", "~", "1e400", "\u0000", "\uFEFF", "😀", "a", "0");
        return Arbitraries.frequencyOf(Tuple.of(50, tokens.list().ofMaxSize(40).map(l -> String.join("", l))),
                Tuple.of(1, Arbitraries.just("a: &a [x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n")));
    }

    /** One random change somewhere in the tree; returns the new root. */
    static JsonNode mutate(JsonNode root, Random r) {
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        if (containers.isEmpty()) return VALUES.get(r.nextInt(VALUES.size()));
        JsonNode parent = containers.get(r.nextInt(containers.size()));
        JsonNode value = VALUES.get(r.nextInt(VALUES.size())).deepCopy();
        if (parent instanceof ObjectNode o) {
            List<String> fields = new ArrayList<>();
            o.fieldNames().forEachRemaining(fields::add);
            int op = r.nextInt(10);
            if (fields.isEmpty() || op == 0) o.set(NAMES.get(r.nextInt(NAMES.size())), value);
            else if (op == 1) o.remove(fields.get(r.nextInt(fields.size())));
            else o.set(fields.get(r.nextInt(fields.size())), value);
        } else if (parent instanceof ArrayNode a) {
            int op = r.nextInt(4);
            if (a.isEmpty() || op == 0) a.add(value);
            else if (op == 1) a.add(a.get(r.nextInt(a.size())).deepCopy());
            else if (op == 2) a.remove(r.nextInt(a.size()));
            else a.set(r.nextInt(a.size()), value);
        }
        return root;
    }

    private static void collect(JsonNode n, List<JsonNode> out) {
        if (!n.isContainerNode()) return;
        out.add(n);
        n.elements().forEachRemaining(c -> collect(c, out));
    }

    /** What the apply handler does with a body before it writes anything. */
    static void assertAnswered(String text) {
        Fuzz.within(Duration.ofSeconds(2), text, () -> {
            RbacApi.Split rbac = RbacApi.split(text);
            for (JsonNode d : rbac.rbac()) {
                RbacObjects.Parsed p = RbacObjects.parse(d, "default");
                if (!p.valid()) assertProblems(p.problems());
            }
            ConfigApi.Split configs = ConfigApi.split(rbac.rest());
            for (JsonNode d : configs.configs()) {
                ConfigObjects.Parsed p = ConfigObjects.parse(d, "default", BOX, "cli:fuzz", 0L);
                if (!p.valid()) assertProblems(p.problems());
            }
            ManifestParser parser = new ManifestParser(OPTIONS);
            ManifestResult result = parser.parse("", configs.rest() == null ? "" : configs.rest());
            if (result.ok()) {
                for (Intent i : result.intents()) {
                    assertEquals(List.of(), Limits.DEFAULT.checkAll(i), "an accepted intent passes the bus limits");
                    assertNotNull(INTENTS.serialize(Topics.INTENTS.name(), i));
                }
            } else {
                assertProblems(result.errors());
            }
            ManifestResult delete = parser.parseForDelete("", text);
            if (!delete.ok()) assertProblems(delete.errors());
        });
    }

    static void assertProblems(List<ManifestProblem> problems) {
        assertFalse(problems.isEmpty());
        for (ManifestProblem p : problems) assertFalse(p.message().isBlank(), "a problem names its field and reason");
    }
}
