package io.berth.gateway.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.berth.schemas.avro.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class ManifestParserTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ManifestOptions OPTIONS = ManifestOptions.defaults().withActor("cli:test")
            .withClock(Clock.fixed(Instant.parse("2026-11-22T05:00:00Z"), ZoneOffset.UTC), () -> "id-1");

    static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default, labels: {app: web}}
            spec:
              replicas: 2
              selector: {matchLabels: {app: web}}
              strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: "25%"}}
              template:
                metadata: {labels: {app: web, tier: front}}
                spec:
                  volumes: [{name: data, emptyDir: {}}]
                  containers:
                  - name: web
                    image: berth/busybox:latest
                    command: [httpd, -f, -p, "8080"]
                    env: [{name: MODE, value: prod}]
                    ports: [{containerPort: 8080, protocol: TCP, name: http}]
                    resources: {requests: {cpu: 250m, memory: 64Mi}, limits: {cpu: "1", memory: 128Mi}}
                    readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 2}
                    livenessProbe: {tcpSocket: {port: 8080}}
                    volumeMounts: [{name: data, mountPath: /data}]
            """;
    static final String POD = """
            apiVersion: v1
            kind: Pod
            metadata: {name: once}
            spec:
              restartPolicy: Never
              containers: [{name: main, image: berth/busybox:latest, command: [echo, hi]}]
            """;
    static final String SERVICE = """
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec:
              type: NodePort
              selector: {app: web}
              ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30080}]
            """;

    static final String CANARY = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              replicas: 10
              selector: {matchLabels: {app: web}}
              strategy:
                type: Canary
                canary:
                  steps: [{setWeight: 10}, {pause: {}}, {setWeight: 50}, {pause: {duration: 30}}, {setWeight: 80}, {pause: {duration: "1m30s"}}]
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers:
                  - name: web
                    image: berth/busybox:latest
                    ports: [{containerPort: 8080, name: http}]
            """;

    private static ManifestResult parse(String text) {
        return new ManifestParser(OPTIONS).parse("", text);
    }

    // ---- the table of invalid manifests: one mutation of a valid one, one clear error ----

    /** base, field path to change, new value as YAML (null removes the field), the expected error. */
    record Bad(String base, String path, String value, String error) {
        @Override
        public String toString() {
            return error;
        }
    }

    static Stream<Bad> invalidManifests() {
        String c0 = "spec.template.spec.containers[0]";
        return Stream.of(
                new Bad(DEPLOYMENT, "apiVersion", null, "apiVersion: Required value"),
                new Bad(DEPLOYMENT, "kind", null, "kind: Required value"),
                new Bad(DEPLOYMENT, "kind", "ReplicationController", "kind: Unsupported value: \"ReplicationController\": supported values: \"Deployment\", \"DaemonSet\", \"StatefulSet\", \"Job\", \"CronJob\", \"Pod\", \"Service\", \"Namespace\", \"HorizontalPodAutoscaler\""),
                new Bad(DEPLOYMENT, "apiVersion", "v1", "apiVersion: Unsupported value: \"v1\": supported values: \"apps/v1\""),
                new Bad(DEPLOYMENT, "metadata.name", null, "metadata.name: Required value"),
                new Bad(DEPLOYMENT, "metadata.name", "Web_1", "metadata.name: Invalid value: \"Web_1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character…"),
                new Bad(DEPLOYMENT, "metadata.name", "a".repeat(254), "metadata.name: Invalid value: \"" + "a".repeat(254) + "\": must be no more than 253 characters"),
                new Bad(DEPLOYMENT, "metadata.namespace", "Prod", "metadata.namespace: Invalid value: \"Prod\": a lowercase RFC 1123 label must consist of…"),
                new Bad(DEPLOYMENT, "metadata.labels", "{app: 'bad value!'}", "metadata.labels: Invalid value: \"bad value!\": a valid label must be an empty string or consist of alphanumeric characters…"),
                new Bad(DEPLOYMENT, "spec.replicas", "-1", "spec.replicas: Invalid value: -1: must be greater than or equal to 0"),
                new Bad(DEPLOYMENT, "spec.replicas", "three", "spec.replicas: Invalid value: \"three\": must be an integer"),
                new Bad(DEPLOYMENT, "spec.selector", null, "spec.selector: Required value"),
                new Bad(DEPLOYMENT, "spec.selector.matchLabels", "{app: other}", "spec.template.metadata.labels: Invalid value: {\"app\":\"web\",\"tier\":\"front\"}: `selector` does not match template `labels`"),
                new Bad(DEPLOYMENT, "spec.template.spec.containers", "[]", "spec.template.spec.containers: Required value"),
                new Bad(DEPLOYMENT, c0 + ".image", null, c0 + ".image: Required value"),
                new Bad(DEPLOYMENT, c0 + ".name", null, c0 + ".name: Required value"),
                new Bad(DEPLOYMENT, c0 + ".name", "Web", c0 + ".name: Invalid value: \"Web\": a lowercase RFC 1123 label must consist of…"),
                new Bad(DEPLOYMENT, "spec.template.spec.initContainers", "[{name: web, image: berth/busybox:latest}]", "spec.template.spec.initContainers[0].name: Duplicate value: \"web\""),
                new Bad(DEPLOYMENT, c0 + ".ports[0].containerPort", "70000", c0 + ".ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"),
                new Bad(DEPLOYMENT, c0 + ".ports[0].containerPort", null, c0 + ".ports[0].containerPort: Required value"),
                new Bad(DEPLOYMENT, c0 + ".ports[0].hostPort", "0x", c0 + ".ports[0].hostPort: Invalid value: \"0x\": must be an integer"),
                new Bad(DEPLOYMENT, c0 + ".ports[0].protocol", "HTTP", c0 + ".ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\""),
                new Bad(DEPLOYMENT, c0 + ".resources.requests.cpu", "abc", c0 + ".resources.requests.cpu: Invalid value: \"abc\": must be a quantity such as 500m or 0.5"),
                new Bad(DEPLOYMENT, c0 + ".resources.limits.memory", "12Qi", c0 + ".resources.limits.memory: Invalid value: \"12Qi\": must be a quantity such as 64Mi or 1Gi"),
                new Bad(DEPLOYMENT, c0 + ".resources.requests.cpu", "2", c0 + ".resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1"),
                new Bad(DEPLOYMENT, c0 + ".resources.requests.memory", "-64Mi", c0 + ".resources.requests.memory: Invalid value: \"-64Mi\": must be greater than or equal to 0"),
                new Bad(DEPLOYMENT, "spec.strategy.type", "BlueGreen", "spec.strategy.type: Unsupported value: \"BlueGreen\": supported values: \"Canary\", \"Recreate\", \"RollingUpdate\""),
                new Bad(DEPLOYMENT, "spec.strategy.type", "Recreate", "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"),
                new Bad(DEPLOYMENT, "spec.strategy.rollingUpdate.maxSurge", "abc", "spec.strategy.rollingUpdate.maxSurge: Invalid value: \"abc\": must be an integer or percentage (e.g. '5%')"),
                new Bad(DEPLOYMENT, "spec.strategy.rollingUpdate", "{maxSurge: 0, maxUnavailable: 0}", "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"),
                new Bad(DEPLOYMENT, "spec.strategy.rollingUpdate.maxUnavailable", "150%", "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"150%\": must not be greater than 100%"),
                new Bad(DEPLOYMENT, "spec.minReadySeconds", "700", "spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds"),
                new Bad(DEPLOYMENT, "spec.template.spec.restartPolicy", "Never", "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""),
                new Bad(DEPLOYMENT, "spec.template.spec.terminationGracePeriodSeconds", "-5", "spec.template.spec.terminationGracePeriodSeconds: Invalid value: -5: must be greater than or equal to 0"),
                new Bad(DEPLOYMENT, c0 + ".readinessProbe", "{periodSeconds: 5}", c0 + ".readinessProbe: Required value: must specify a handler type"),
                new Bad(DEPLOYMENT, c0 + ".livenessProbe.exec", "{command: [true]}", c0 + ".livenessProbe: Forbidden: may not specify more than 1 handler type"),
                new Bad(DEPLOYMENT, c0 + ".readinessProbe.httpGet.port", "metrics", c0 + ".readinessProbe.httpGet.port: Invalid value: \"metrics\": must be the name of one of the container's ports"),
                new Bad(DEPLOYMENT, c0 + ".readinessProbe.httpGet.port", "Http_1", c0 + ".readinessProbe.httpGet.port: Invalid value: \"Http_1\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"),
                new Bad(DEPLOYMENT, c0 + ".livenessProbe.tcpSocket.port", "0", c0 + ".livenessProbe.tcpSocket.port: Invalid value: 0: must be between 1 and 65535, inclusive"),
                new Bad(DEPLOYMENT, c0 + ".readinessProbe.httpGet.scheme", "HTTPS", c0 + ".readinessProbe.httpGet.scheme: Unsupported value: \"HTTPS\": supported values: \"HTTP\""),
                new Bad(DEPLOYMENT, c0 + ".readinessProbe.timeoutSeconds", "0", c0 + ".readinessProbe.timeoutSeconds: Invalid value: 0: must be greater than or equal to 1"),
                new Bad(DEPLOYMENT, c0 + ".livenessProbe.successThreshold", "2", c0 + ".livenessProbe.successThreshold: Invalid value: 2: must be 1"),
                new Bad(DEPLOYMENT, "spec.template.spec.initContainers", "[{name: init, image: berth/busybox:latest, readinessProbe: {exec: {command: [cat]}}}]", "spec.template.spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always"),
                new Bad(CANARY, "spec.strategy.canary.steps[2].setWeight", "150", "spec.strategy.canary.steps[2].setWeight: Invalid value: 150: must be between 0 and 100"),
                new Bad(CANARY, "spec.strategy.canary.steps[0].setWeight", "-1", "spec.strategy.canary.steps[0].setWeight: Invalid value: -1: must be between 0 and 100"),
                new Bad(CANARY, "spec.strategy.canary.steps[0].setWeight", "ten", "spec.strategy.canary.steps[0].setWeight: Invalid value: \"ten\": must be an integer"),
                new Bad(CANARY, "spec.strategy.canary.steps[1]", "{}", "spec.strategy.canary.steps[1]: Required value: must specify a step type: setWeight or pause"),
                new Bad(CANARY, "spec.strategy.canary.steps[1]", "{setWeight: 5, pause: {}}", "spec.strategy.canary.steps[1]: Forbidden: may not specify more than 1 step type"),
                new Bad(CANARY, "spec.strategy.canary.steps[3].pause.duration", "soon", "spec.strategy.canary.steps[3].pause.duration: Invalid value: \"soon\": must be a number of seconds or a duration such as 30s or 1m"),
                new Bad(CANARY, "spec.strategy.canary.steps[3].pause.duration", "-5", "spec.strategy.canary.steps[3].pause.duration: Invalid value: -5: must be greater than 0 (omit it to pause until promoted)"),
                new Bad(CANARY, "spec.strategy.canary.steps", "{setWeight: 10}", "spec.strategy.canary.steps: Invalid value: {\"setWeight\":10}: must be a list"),
                new Bad(CANARY, "spec.strategy.type", "RollingUpdate", "spec.strategy.canary: Forbidden: may not be specified when strategy `type` is 'RollingUpdate'"),
                new Bad(CANARY, "spec.strategy.updateDelaySeconds", "-1", "spec.strategy.updateDelaySeconds: Invalid value: -1: must be greater than or equal to 0"),
                new Bad(CANARY, "spec.strategy.rollbackOnFailure", "\"yes\"", "spec.strategy.rollbackOnFailure: Invalid value: \"yes\": must be a boolean"),
                new Bad(CANARY, "metadata.annotations", "{berth.io/update-delay: soon}", "metadata.annotations.berth.io/update-delay: Invalid value: \"soon\": must be a number of seconds or a duration such as 10s or 1m30s"),
                new Bad(CANARY, "metadata.annotations", "{berth.io/rollback-on-failure: \"yes\"}", "metadata.annotations.berth.io/rollback-on-failure: Invalid value: \"yes\": must be \"true\" or \"false\""),
                new Bad(DEPLOYMENT, c0 + ".readinessProbe.periodSeconds", "0", c0 + ".readinessProbe.periodSeconds: Invalid value: 0: must be greater than or equal to 1"),
                new Bad(DEPLOYMENT, c0 + ".volumeMounts[0].name", "cache", c0 + ".volumeMounts[0].name: Not found: \"cache\""),
                new Bad(DEPLOYMENT, c0 + ".volumeMounts[0].mountPath", "data", c0 + ".volumeMounts[0].mountPath: Invalid value: \"data\": must be an absolute path"),
                new Bad(DEPLOYMENT, "spec.template.spec.volumes[0]", "{name: data}", "spec.template.spec.volumes[0]: Required value: must specify a volume type"),
                new Bad(DEPLOYMENT, "spec.template.spec.volumes[0]", "{name: data, hostPath: {}}", "spec.template.spec.volumes[0].hostPath.path: Required value"),
                new Bad(DEPLOYMENT, c0 + ".env[0].value", "80", c0 + ".env[0].value: Invalid value: 80: must be a string"),
                new Bad(DEPLOYMENT, c0 + ".env[0].name", "1BAD", c0 + ".env[0].name: Invalid value: \"1BAD\": a valid environment variable name must consist of…"),
                new Bad(POD, "spec.restartPolicy", "Sometimes", "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""),
                new Bad(POD, "spec", null, "spec: Required value"),
                new Bad(SERVICE, "metadata.name", "1web", "metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of…"),
                new Bad(SERVICE, "spec.type", "ExternalName", "spec.type: Unsupported value: \"ExternalName\": supported values: \"ClusterIP\", \"NodePort\", \"LoadBalancer\""),
                new Bad(SERVICE, "spec.ports", "[]", "spec.ports: Required value"),
                new Bad(SERVICE, "spec.ports[0].port", "0", "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"),
                new Bad(SERVICE, "spec.ports[0].targetPort", "http", "spec.ports[0].targetPort: Invalid value: \"http\": named target ports are not supported by Berth; use the port number"),
                new Bad(SERVICE, "spec.type", "ClusterIP", "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"),
                new Bad(SERVICE, "spec.ports[0].nodePort", "80", "spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767"),
                new Bad(SERVICE, "spec.ports", "[{name: a, port: 80, nodePort: 30080}, {name: b, port: 81, nodePort: 30080}]", "spec.ports[1].nodePort: Duplicate value: 30080"),
                new Bad(SERVICE, "spec.ports", "[{name: a, port: 80}, {name: b, port: 80}]", "spec.ports[1]: Duplicate value: \"80/TCP\""),
                new Bad(SERVICE, "spec.clusterIP", "10.0.0.5", "spec.clusterIP: Invalid value: \"10.0.0.5\": provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/16"),
                new Bad(SERVICE, "spec.clusterIP", "10.96.0.1", "spec.clusterIP: Invalid value: \"10.96.0.1\": provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/16"),
                new Bad(SERVICE, "spec.clusterIP", "None", "spec.clusterIP: Invalid value: \"None\": may not be set to 'None' for NodePort services"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidManifests")
    void shouldRejectAnInvalidManifestWithOneClearError(Bad bad) throws IOException {
        ObjectNode doc = (ObjectNode) YAML.readTree(bad.base);
        mutate(doc, bad.path, bad.value == null ? null : YAML.readTree(bad.value));
        ManifestResult r = parse(JSON.writeValueAsString(doc));
        assertEquals(1, r.errors().size(), () -> "expected exactly one error, got " + r.errorMessages());
        assertTrue(r.intents().isEmpty(), "an invalid manifest yields no intent");
        String message = r.errorMessages().get(0);
        if (bad.error.endsWith("…")) assertTrue(message.startsWith(bad.error.substring(0, bad.error.length() - 1)), message);
        else assertEquals(bad.error, message);
    }

    /** Sets (or removes, when value is null) the field at a path like {@code spec.template.spec.containers[0].image}. */
    private static void mutate(ObjectNode doc, String path, JsonNode value) {
        String[] parts = path.split("\\.");
        JsonNode node = doc;
        for (int i = 0; i < parts.length - 1; i++) node = step(node, parts[i]);
        String last = parts[parts.length - 1];
        if (last.endsWith("]")) {
            ArrayNode array = (ArrayNode) node.get(last.substring(0, last.indexOf('[')));
            int idx = Integer.parseInt(last.substring(last.indexOf('[') + 1, last.length() - 1));
            if (value == null) array.remove(idx);
            else array.set(idx, value);
        } else if (value == null) {
            ((ObjectNode) node).remove(last);
        } else {
            ((ObjectNode) node).set(last, value);
        }
    }

    private static JsonNode step(JsonNode node, String part) {
        if (part.endsWith("]")) {
            int b = part.indexOf('[');
            return node.get(part.substring(0, b)).get(Integer.parseInt(part.substring(b + 1, part.length() - 1)));
        }
        if (!node.has(part)) ((ObjectNode) node).putObject(part);
        return node.get(part);
    }

    // ---- whole-document errors ----

    @Test
    void shouldReportYamlSyntaxErrorsWithTheLine() {
        ManifestResult r = parse("apiVersion: v1\nkind: Pod\nmetadata: {name: x\n");
        assertEquals(1, r.errors().size());
        assertTrue(r.errorMessages().get(0).startsWith("error parsing YAML at line"), r.errorMessages().get(0));
    }

    @Test
    void shouldRejectADocumentThatIsNotAnObject() {
        ManifestResult r = parse("- a\n- b\n");
        assertEquals(1, r.errors().size());
        assertTrue(r.errorMessages().get(0).contains("must be an object with apiVersion and kind"));
    }

    @Test
    void shouldRejectAnEmptyInput() {
        assertEquals(List.of("no objects passed"), parse("").errorMessages());
    }

    @Test
    void shouldReportEveryErrorOfEveryDocumentAtOnce() {
        String text = DEPLOYMENT.replace("replicas: 2", "replicas: -1").replace("image: berth/busybox:latest", "image: \"\"")
                + "---\n" + POD.replace("name: once", "name: Once");
        ManifestResult r = new ManifestParser(OPTIONS).parse("app.yaml", text);
        assertEquals(List.of(
                "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
                "spec.template.spec.containers[0].image: Required value"), r.errorMessages().subList(0, 2));
        assertEquals(3, r.errors().size());
        assertEquals(2, r.errors().get(2).document());
        assertTrue(r.errors().get(2).describe().startsWith("app.yaml (document 2): The Pod \"Once\" is invalid: metadata.name: Invalid value"));
        assertEquals("app.yaml: The Deployment \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0",
                r.errors().get(0).describe());
        assertTrue(r.intents().isEmpty());
    }

    @Test
    void shouldRefuseAManifestOfAnotherNamespaceWhenTheNamespaceIsEnforced() {
        ManifestResult r = new ManifestParser(OPTIONS.withNamespace("prod", true)).parse("", DEPLOYMENT);
        assertEquals(List.of("metadata.namespace: Invalid value: \"default\": does not match the namespace \"prod\"; pass --namespace=default to apply it"),
                r.errorMessages());
    }

    // ---- the happy path ----

    @Test
    void shouldParseTheNginxDeploymentFromTheKubernetesDocsUnchanged() throws IOException {
        String text;
        try (InputStream in = getClass().getResourceAsStream("/manifests/nginx-deployment.yaml")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        ManifestResult r = parse(text);
        assertTrue(r.ok(), () -> r.errorMessages().toString());
        assertEquals(List.of(), r.warnings());
        Intent i = r.intents().get(0);
        assertEquals(IntentAction.APPLY, i.getAction());
        assertEquals(ResourceKind.DEPLOYMENT, i.getKind());
        assertEquals("default", i.getNamespace());
        assertEquals("nginx-deployment", i.getName());
        assertEquals("default/deployment/nginx-deployment", Intents.key(i));
        assertEquals(Map.of("app", "nginx"), i.getLabels());
        assertEquals("cli:test", i.getActor());
        assertEquals("id-1", i.getIntentId());
        assertEquals(Instant.parse("2026-11-22T05:00:00Z").toEpochMilli(), i.getTimestamp());
        DeploymentSpec d = (DeploymentSpec) i.getPayload();
        assertEquals(3, d.getReplicas());
        assertEquals(Map.of("app", "nginx"), d.getSelector());
        assertEquals(Map.of("app", "nginx"), d.getTemplate().getLabels());
        assertEquals("RollingUpdate", d.getStrategyType());
        assertEquals(new RollingUpdate("25%", "25%"), d.getRollingUpdate());
        assertEquals(600, d.getProgressDeadlineSeconds());
        assertEquals(10, d.getRevisionHistoryLimit());
        assertEquals("Always", d.getTemplate().getRestartPolicy());
        assertEquals(30, d.getTemplate().getTerminationGracePeriodSeconds());
        ContainerSpec c = d.getTemplate().getContainers().get(0);
        assertEquals("nginx", c.getName());
        assertEquals("nginx:1.14.2", c.getImage());
        assertEquals(List.of(ContainerPort.newBuilder().setContainerPort(80).build()), c.getPorts());
        assertEquals(new Resources(0L, 0L), c.getRequests());
        assertNull(c.getReadinessProbe());
    }

    @Test
    void shouldParseEveryFieldOfARichDeployment() {
        ManifestResult r = parse(DEPLOYMENT);
        assertTrue(r.ok(), () -> r.errorMessages().toString());
        assertEquals(List.of(), r.warnings());
        DeploymentSpec d = (DeploymentSpec) r.intents().get(0).getPayload();
        assertEquals(2, d.getReplicas());
        assertEquals(new RollingUpdate("1", "25%"), d.getRollingUpdate());
        ContainerSpec c = d.getTemplate().getContainers().get(0);
        assertEquals(List.of("httpd", "-f", "-p", "8080"), c.getCommand());
        assertEquals(List.of(new EnvVar("MODE", "prod", null)), c.getEnv());
        assertEquals(new ContainerPort("http", 8080, null, "TCP"), c.getPorts().get(0));
        assertEquals(new Resources(250L, 64L << 20), c.getRequests());
        assertEquals(new Resources(1000L, 128L << 20), c.getLimits());
        assertEquals(ProbeType.HTTP_GET, c.getReadinessProbe().getType());
        assertEquals(8080, c.getReadinessProbe().getPort());
        assertEquals(2, c.getReadinessProbe().getPeriodSeconds());
        assertEquals(ProbeType.TCP_SOCKET, c.getLivenessProbe().getType());
        assertEquals(List.of(new VolumeMount("data", "/data", false)), c.getVolumeMounts());
        assertEquals(List.of(new Volume("data", "emptyDir", "", "", List.of(), false)), d.getTemplate().getVolumes());
    }

    @Test
    void shouldCarrySecretAndConfigMapReferencesNeverValues() {
        ManifestResult r = parse("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  volumes:
                  - {name: creds, secret: {secretName: db, items: [{key: password, path: pw/file}]}}
                  - {name: conf, configMap: {name: cfg, optional: true}}
                  containers:
                  - name: main
                    image: berth/busybox:latest
                    env:
                    - {name: PW, valueFrom: {secretKeyRef: {name: db, key: password}}}
                    - {name: MODE, valueFrom: {configMapKeyRef: {name: cfg, key: MODE, optional: true}}}
                    envFrom:
                    - {prefix: CFG_, configMapRef: {name: cfg}}
                    - {secretRef: {name: db, optional: true}}
                    volumeMounts: [{name: creds, mountPath: /etc/creds}, {name: conf, mountPath: /etc/conf}]
                """);
        assertTrue(r.ok(), () -> r.errorMessages().toString());
        PodSpec pod = (PodSpec) r.intents().get(0).getPayload();
        ContainerSpec c = pod.getTemplate().getContainers().get(0);
        assertEquals(new EnvVar("PW", "", new ConfigRef("Secret", "db", "password", "", false)), c.getEnv().get(0));
        assertEquals(new ConfigRef("ConfigMap", "cfg", "MODE", "", true), c.getEnv().get(1).getValueFrom());
        assertEquals(List.of(new ConfigRef("ConfigMap", "cfg", "", "CFG_", false), new ConfigRef("Secret", "db", "", "", true)), c.getEnvFrom());
        assertEquals(List.of(new Volume("creds", "secret", "", "db", List.of(new KeyToPath("password", "pw/file")), false),
                new Volume("conf", "configMap", "", "cfg", List.of(), true)), pod.getTemplate().getVolumes());
    }

    @Test
    void shouldRefuseBadReferencesNamingTheField() {
        record Case(String container, String volume, String expected) {}
        for (Case k : List.of(
                new Case("env: [{name: A, value: x, valueFrom: {secretKeyRef: {name: s, key: k}}}]", "",
                        "spec.containers[0].env[0].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty"),
                new Case("env: [{name: A, valueFrom: {secretKeyRef: {name: s}}}]", "", "spec.containers[0].env[0].valueFrom.secretKeyRef.key: Required value"),
                new Case("env: [{name: A, valueFrom: {fieldRef: {fieldPath: x}}}]", "", "spec.containers[0].env[0].valueFrom: Invalid value: \"\": must specify exactly one of: `secretKeyRef` or `configMapKeyRef`"),
                new Case("envFrom: [{secretRef: {name: s}, configMapRef: {name: c}}]", "", "spec.containers[0].envFrom[0]: Invalid value"),
                new Case("", "volumes: [{name: v, secret: {}}]", "spec.volumes[0].secret.secretName: Required value"),
                new Case("", "volumes: [{name: v, configMap: {name: c, items: [{key: k, path: ../x}]}}]", "spec.volumes[0].configMap.items[0].path: Invalid value"),
                new Case("", "volumes: [{name: v, secret: {secretName: s}, emptyDir: {}}]", "may not specify more than 1 volume type"))) {
            String text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n" + (k.volume().isEmpty() ? "" : "  " + k.volume() + "\n")
                    + "  containers:\n  - name: main\n    image: berth/busybox:latest\n" + (k.container().isEmpty() ? "" : "    " + k.container() + "\n");
            ManifestResult r = parse(text);
            assertFalse(r.ok(), text);
            assertTrue(r.errorMessages().stream().anyMatch(m -> m.contains(k.expected())), k.expected() + " in " + r.errorMessages());
        }
    }

    @Test
    void shouldRequestTheLimitWhenOnlyALimitIsGiven() {
        ManifestResult r = parse(POD.replace("command: [echo, hi]", "resources: {limits: {cpu: 0.5, memory: 1Gi}}"));
        assertTrue(r.ok(), () -> r.errorMessages().toString());
        ContainerSpec c = ((PodSpec) r.intents().get(0).getPayload()).getTemplate().getContainers().get(0);
        assertEquals(new Resources(500L, 1L << 30), c.getRequests());
        assertEquals(new Resources(500L, 1L << 30), c.getLimits());
    }

    @Test
    void shouldParseMultipleDocumentsOfEveryKindIncludingJsonAndLists() {
        String text = POD + "---\n" + SERVICE + "---\n" + "apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a}\n---\n"
                + "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"team-b\"}}]}\n---\n";
        ManifestResult r = parse(text);
        assertTrue(r.ok(), () -> r.errorMessages().toString());
        assertEquals(List.of("default/pod/once", "default/service/web", "/namespace/team-a", "/namespace/team-b"),
                r.intents().stream().map(Intents::key).toList());
        PodSpec pod = (PodSpec) r.intents().get(0).getPayload();
        assertEquals("Never", pod.getTemplate().getRestartPolicy());
        ServiceSpec svc = (ServiceSpec) r.intents().get(1).getPayload();
        assertEquals("NodePort", svc.getType());
        assertEquals(List.of(new ServicePort("http", 80, 8080, 30080, "TCP")), svc.getPorts());
        assertEquals(Map.of("app", "web"), svc.getSelector());
        assertNull(r.intents().get(2).getPayload());
    }

    @Test
    void shouldParseAJsonManifest() throws IOException {
        ManifestResult r = parse(JSON.writeValueAsString(YAML.readTree(DEPLOYMENT)));
        assertTrue(r.ok(), () -> r.errorMessages().toString());
        assertEquals(parse(DEPLOYMENT).intents(), r.intents());
    }

    // ---- unknown fields ----

    @Test
    void shouldWarnAboutUnknownFieldsNamingTheirPath() {
        String text = DEPLOYMENT.replace("replicas: 2", "replica: 2").replace("image: berth/busybox:latest",
                "image: berth/busybox:latest\n        imagePullPolicy: IfNotPresent\n        securityContext: {privileged: true}");
        ManifestResult r = parse(text);
        assertTrue(r.ok(), () -> r.errorMessages().toString());
        assertEquals(List.of("unknown field \"spec.replica\"", "unknown field \"spec.template.spec.containers[0].securityContext.privileged\""),
                r.warningMessages());
        assertEquals(1, ((DeploymentSpec) r.intents().get(0).getPayload()).getReplicas(), "the default, as replicas was misspelt");
    }

    @Test
    void shouldRejectUnknownFieldsInStrictMode() {
        ManifestResult r = new ManifestParser(OPTIONS.withStrict(true)).parse("", DEPLOYMENT.replace("replicas: 2", "replica: 2"));
        assertFalse(r.ok());
        assertEquals(List.of("unknown field \"spec.replica\""), r.errorMessages());
        assertTrue(r.intents().isEmpty());
    }

    @Test
    void shouldParseCanaryStepsInArgoRolloutsSyntax() {
        ManifestResult r = parse(CANARY);
        assertTrue(r.ok(), () -> r.errorMessages().toString());
        DeploymentSpec d = (DeploymentSpec) r.intents().get(0).getPayload();
        assertEquals("Canary", d.getStrategyType());
        assertEquals(List.of(new CanaryStep(10, false, 0), new CanaryStep(0, true, 0), new CanaryStep(50, false, 0),
                new CanaryStep(0, true, 30), new CanaryStep(80, false, 0), new CanaryStep(0, true, 90)), d.getCanarySteps());
        assertEquals(new RollingUpdate("25%", "25%"), d.getRollingUpdate());
        assertEquals(0, d.getUpdateDelaySeconds());
        assertFalse(d.getRollbackOnFailure());

        String argo = CANARY.replace("canary:\n", "canary:\n      maxSurge: 2\n      maxUnavailable: 0\n").replace("{pause: {}}", "{pause: }");
        ManifestResult a = parse(argo);
        assertTrue(a.ok(), () -> a.errorMessages().toString());
        DeploymentSpec ad = (DeploymentSpec) a.intents().get(0).getPayload();
        assertEquals(new RollingUpdate("2", "0"), ad.getRollingUpdate());
        assertEquals(new CanaryStep(0, true, 0), ad.getCanarySteps().get(1));
    }

    @Test
    void shouldReadUpdateDelayAndRollbackOnFailureFromFieldsOrAnnotationsTheFieldWinning() {
        String annotated = DEPLOYMENT.replace("labels: {app: web}}", "labels: {app: web}, annotations: {berth.io/update-delay: 1m30s, berth.io/rollback-on-failure: \"true\"}}");
        DeploymentSpec a = (DeploymentSpec) parse(annotated).intents().get(0).getPayload();
        assertEquals(90, a.getUpdateDelaySeconds());
        assertTrue(a.getRollbackOnFailure());
        DeploymentSpec plain = (DeploymentSpec) parse(annotated.replace("1m30s", "\"10\"")).intents().get(0).getPayload();
        assertEquals(10, plain.getUpdateDelaySeconds());
        assertEquals(10, ((DeploymentSpec) parse(annotated.replace("1m30s", "10s")).intents().get(0).getPayload()).getUpdateDelaySeconds());

        String both = annotated.replace("strategy: {type: RollingUpdate,", "strategy: {type: RollingUpdate, updateDelaySeconds: 5, rollbackOnFailure: false,");
        ManifestResult r = parse(both);
        assertTrue(r.ok(), () -> r.errorMessages().toString());
        DeploymentSpec d = (DeploymentSpec) r.intents().get(0).getPayload();
        assertEquals(5, d.getUpdateDelaySeconds());
        assertFalse(d.getRollbackOnFailure());
        assertEquals("1m30s", r.intents().get(0).getAnnotations().get("berth.io/update-delay"), "the annotation itself is kept");
    }

    @Test
    void shouldResolveANamedProbePortToTheContainerPort() {
        String named = DEPLOYMENT.replace("readinessProbe: {httpGet: {path: /, port: 8080}", "readinessProbe: {httpGet: {path: /, port: http, scheme: HTTP}");
        ManifestResult r = parse(named);
        assertTrue(r.ok(), () -> r.errorMessages().toString());
        Probe p = ((DeploymentSpec) r.intents().get(0).getPayload()).getTemplate().getContainers().get(0).getReadinessProbe();
        assertEquals(8080, p.getPort());
        assertEquals(ProbeType.HTTP_GET, p.getType());
    }

    @Test
    void shouldDropTheServerSetRevisionAnnotationOfAnEchoedDeployment() {
        String echoed = DEPLOYMENT.replace("labels: {app: web}}", "labels: {app: web}, annotations: {deployment.kubernetes.io/revision: \"3\", team: a}}");
        ManifestResult r = parse(echoed);
        assertTrue(r.ok(), () -> r.errorMessages().toString());
        assertEquals(Map.of("team", "a"), r.intents().get(0).getAnnotations());
    }

    @Test
    void shouldIgnoreServerSetFieldsKubectlEchoesBack() {
        String text = POD.replace("metadata: {name: once}", "metadata: {name: once, uid: abc, resourceVersion: \"5\", creationTimestamp: null}")
                + "status: {phase: Running}\n";
        ManifestResult r = new ManifestParser(OPTIONS.withStrict(true)).parse("", text);
        assertTrue(r.ok(), () -> r.errorMessages().toString());
    }

    @Test
    void shouldTurnAManifestIntoDeleteIntentsEvenWhenItNoLongerValidates() {
        String text = DEPLOYMENT.replace("replicas: 2", "replicas: -1") + "---\n" + SERVICE;
        ManifestResult r = new ManifestParser(OPTIONS).parseForDelete("", text);
        assertTrue(r.ok(), () -> r.errorMessages().toString());
        assertEquals(List.of("default/deployment/web", "default/service/web"), r.intents().stream().map(Intents::key).toList());
        assertTrue(r.intents().stream().allMatch(i -> i.getAction() == IntentAction.DELETE && i.getPayload() == null));
        assertEquals(List.of("metadata.name: Required value"),
                new ManifestParser(OPTIONS).parseForDelete("", "apiVersion: v1\nkind: Pod\nmetadata: {}\n").errorMessages());
    }
}
