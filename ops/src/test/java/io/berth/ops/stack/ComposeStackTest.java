package io.berth.ops.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.gateway.manifest.ManifestOptions;
import io.berth.gateway.manifest.ManifestParser;
import io.berth.gateway.manifest.ManifestResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Compose YAML in, Kubernetes manifests out: each key, its warnings and errors. */
class ComposeStackTest {
    static {
        io.berth.schemas.AvroTrust.ensure();
    }

    @TempDir
    Path dir;
    Map<String, String> env = new HashMap<>();

    ComposeStack.Conversion convert(String yaml) {
        return ComposeStack.convert("demo", yaml, dir, env::get);
    }

    ComposeStack.Conversion ok(String yaml) {
        ComposeStack.Conversion c = convert(yaml);
        assertEquals(List.of(), c.errors(), c.warnings().toString());
        // what berth apply -f checks on the client: the manifests are valid Berth manifests
        io.berth.gateway.config.ConfigApi.Split split = io.berth.gateway.config.ConfigApi.split(c.yaml());
        ManifestResult parsed = new ManifestParser(ManifestOptions.defaults()).parse("stack", split.rest());
        assertTrue(parsed.ok(), parsed.errorMessages() + "\n" + c.yaml());
        return c;
    }

    static JsonNode find(ComposeStack.Conversion c, String kind, String name) {
        return c.objects().stream().filter(o -> o.path("kind").asText().equals(kind) && o.path("metadata").path("name").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError(kind + " " + name + " not in " + c.yaml()));
    }

    static JsonNode container(JsonNode workload) {
        return workload.path("spec").path("template").path("spec").path("containers").path(0);
    }

    @Test
    void shouldMakeADeploymentNamedStackServiceAndAServiceNamedAsTheComposeService() {
        ComposeStack.Conversion c = ok("""
                version: "3.8"
                services:
                  backend:
                    image: berth/busybox:latest
                    command: sh -c 'echo "hi there" > /www/index.html && exec httpd -f -p 8080 -h /www'
                    expose: ["8080"]
                    deploy: {replicas: 2}
                """);
        JsonNode d = find(c, "Deployment", "demo-backend");
        assertEquals("apps/v1", d.path("apiVersion").asText());
        assertEquals(2, d.path("spec").path("replicas").asInt());
        assertEquals("demo", d.path("metadata").path("labels").path("com.docker.stack.namespace").asText());
        assertEquals("demo", d.path("metadata").path("labels").path("berth.io/stack").asText());
        assertEquals("{\"berth.io/stack\":\"demo\",\"berth.io/service\":\"backend\"}", d.path("spec").path("selector").path("matchLabels").toString());
        assertEquals("demo_backend", d.path("spec").path("template").path("metadata").path("labels").path("com.docker.swarm.service.name").asText());
        assertEquals("[\"sh\",\"-c\",\"echo \\\"hi there\\\" > /www/index.html && exec httpd -f -p 8080 -h /www\"]", container(d).path("args").toString(),
                "a string command is split as a shell would, not wrapped in sh -c");
        assertFalse(container(d).has("command"));
        JsonNode s = find(c, "Service", "backend");
        assertEquals("ClusterIP", s.path("spec").path("type").asText());
        assertEquals("[{\"port\":8080,\"targetPort\":8080}]", s.path("spec").path("ports").toString());
        assertEquals("demo", s.path("metadata").path("labels").path("berth.io/stack").asText());
        assertEquals(List.of(), c.warnings());
    }

    @Test
    void shouldMapEntrypointToCommandAndListCommandToArgs() {
        JsonNode ctr = container(find(ok("""
                services:
                  a: {image: x, entrypoint: ["/bin/sh", "-c"], command: ["echo", "a b"]}
                """), "Deployment", "demo-a"));
        assertEquals("[\"/bin/sh\",\"-c\"]", ctr.path("command").toString());
        assertEquals("[\"echo\",\"a b\"]", ctr.path("args").toString());
    }

    @Test
    void shouldReadEnvironmentAsListOrMapAndEnvFilesRelativeToTheComposeFile() throws Exception {
        Files.writeString(dir.resolve("app.env"), "# comment\nA=from-file\nB=\"quoted\"\nexport C=c\n");
        env.put("FROM_SHELL", "shell");
        JsonNode list = container(find(ok("""
                services:
                  a:
                    image: x
                    env_file: app.env
                    environment: ["A=override", "FROM_SHELL", "UNSET_ONE"]
                """), "Deployment", "demo-a"));
        assertEquals("[{\"name\":\"A\",\"value\":\"override\"},{\"name\":\"B\",\"value\":\"quoted\"},{\"name\":\"C\",\"value\":\"c\"},"
                + "{\"name\":\"FROM_SHELL\",\"value\":\"shell\"}]", list.path("env").toString());
        JsonNode map = container(find(ok("""
                services:
                  a: {image: x, environment: {X: 1, Y: "two", FROM_SHELL: null}}
                """), "Deployment", "demo-a"));
        assertEquals("[{\"name\":\"X\",\"value\":\"1\"},{\"name\":\"Y\",\"value\":\"two\"},{\"name\":\"FROM_SHELL\",\"value\":\"shell\"}]",
                map.path("env").toString());
        ComposeStack.Conversion missing = convert("services:\n  a: {image: x, env_file: nope.env}\n");
        assertTrue(missing.errors().get(0).startsWith("service \"a\": key \"env_file\": cannot read "), missing.errors().toString());
    }

    @Test
    void shouldInterpolateFromTheEnvironmentAndTheDotEnvFileNextToTheComposeFile() throws Exception {
        Files.writeString(dir.resolve(".env"), "TAG=1.2\nREPLICAS=3\n");
        Path compose = dir.resolve("docker-compose.yml");
        Files.writeString(compose, """
                services:
                  a:
                    image: "nginx:${TAG}"
                    environment: ["PRICE=$$5", "MODE=${MODE:-dev}", "EMPTY=${NOPE}"]
                    deploy: {replicas: "${REPLICAS}"}
                """);
        ComposeStack.Conversion c = ComposeStack.convert("demo", compose, Map.of("TAG", "1.3"));
        assertTrue(c.ok(), c.errors().toString());
        JsonNode d = find(c, "Deployment", "demo-a");
        assertEquals("nginx:1.3", container(d).path("image").asText(), "the shell's environment wins over .env");
        assertEquals(3, d.path("spec").path("replicas").asInt());
        assertEquals("[{\"name\":\"PRICE\",\"value\":\"$5\"},{\"name\":\"MODE\",\"value\":\"dev\"},{\"name\":\"EMPTY\",\"value\":\"\"}]",
                container(d).path("env").toString());
        assertEquals(List.of("The \"NOPE\" variable is not set. Defaulting to a blank string."), c.warnings());
        ComposeStack.Conversion required = convert("services:\n  a: {image: \"${IMAGE:?give an image}\"}\n");
        assertEquals(List.of("key \"services.a.image\": required variable IMAGE is missing a value: give an image"), required.errors());
    }

    @Test
    void shouldPublishPortsInTheNodePortRangeAndWarnAboutOthers() {
        ComposeStack.Conversion c = ok("""
                services:
                  web:
                    image: x
                    ports:
                      - "30080:80"
                      - "8443:443"
                      - "9000"
                      - {target: 53, published: 30053, protocol: udp}
                """);
        JsonNode s = find(c, "Service", "web");
        assertEquals("NodePort", s.path("spec").path("type").asText());
        assertEquals("[{\"name\":\"tcp-80\",\"port\":80,\"targetPort\":80,\"nodePort\":30080},{\"name\":\"tcp-443\",\"port\":443,\"targetPort\":443},"
                + "{\"name\":\"tcp-9000\",\"port\":9000,\"targetPort\":9000},{\"name\":\"udp-53\",\"port\":53,\"targetPort\":53,\"protocol\":\"UDP\",\"nodePort\":30053}]",
                s.path("spec").path("ports").toString());
        assertEquals("[{\"containerPort\":80},{\"containerPort\":443},{\"containerPort\":9000},{\"containerPort\":53,\"protocol\":\"UDP\"}]",
                container(find(c, "Deployment", "demo-web")).path("ports").toString());
        assertEquals(List.of("service \"web\": key \"ports[1]\" publishes host port 8443, which is not published: Berth's node ports are 30000-32767 "
                + "(publish one of those to reach it from outside); inside the cluster it is web:443"), c.warnings());
    }

    @Test
    void shouldRefusePortRangesAndApplyNothing() {
        ComposeStack.Conversion c = convert("services:\n  web: {image: x, ports: [\"8000-8005:80-85\"]}\n  ok: {image: y}\n");
        assertEquals(List.of("service \"web\": key \"ports[0]\": port ranges are not supported by Berth (each port is its own Service port): \"8000-8005:80-85\""),
                c.errors());
        assertEquals(List.of(), c.objects(), "nothing to apply when anything is wrong");
    }

    @Test
    void shouldMakeAGlobalServiceADaemonSetAndRefuseAnUnknownMode() {
        ComposeStack.Conversion c = ok("""
                services:
                  agent:
                    image: x
                    deploy:
                      mode: global
                      update_config: {parallelism: 2, order: stop-first}
                """);
        JsonNode ds = find(c, "DaemonSet", "demo-agent");
        assertEquals("apps/v1", ds.path("apiVersion").asText());
        assertFalse(ds.path("spec").has("replicas"));
        assertEquals("{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":0,\"maxUnavailable\":2}}", ds.path("spec").path("updateStrategy").toString());
        ComposeStack.Conversion bad = convert("services:\n  agent: {image: x, deploy: {mode: something-else}}\n");
        assertEquals(List.of("service \"agent\": key \"deploy.mode\": \"something-else\" is not supported (replicated or global)"), bad.errors());
    }

    @Test
    void shouldTurnUpdateConfigIntoTheRollingUpdateAndBerthsAnnotations() {
        JsonNode start = find(ok("""
                services:
                  a:
                    image: x
                    deploy:
                      replicas: 4
                      update_config: {parallelism: 2, delay: 10s, order: start-first, failure_action: rollback}
                """), "Deployment", "demo-a");
        assertEquals("{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":2,\"maxUnavailable\":0}}", start.path("spec").path("strategy").toString());
        assertEquals("10s", start.path("metadata").path("annotations").path("berth.io/update-delay").asText());
        assertEquals("true", start.path("metadata").path("annotations").path("berth.io/rollback-on-failure").asText());
        JsonNode stop = find(ok("services:\n  a: {image: x, deploy: {update_config: {parallelism: 0}}}\n"), "Deployment", "demo-a");
        assertEquals("{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":0,\"maxUnavailable\":\"100%\"}}", stop.path("spec").path("strategy").toString());
    }

    @Test
    void shouldMapResourcesAndPlacementConstraints() {
        ComposeStack.Conversion c = ok("""
                services:
                  a:
                    image: x
                    deploy:
                      resources:
                        limits: {cpus: "0.5", memory: 512M, pids: 100}
                        reservations: {cpus: '0.25', memory: 128m}
                      placement:
                        constraints: ["node.labels.disk == ssd", "node.hostname==n1", "node.role == manager"]
                """);
        JsonNode d = find(c, "Deployment", "demo-a");
        assertEquals("{\"limits\":{\"cpu\":\"500m\",\"memory\":\"512Mi\"},\"requests\":{\"cpu\":\"250m\",\"memory\":\"128Mi\"}}",
                container(d).path("resources").toString());
        assertEquals("{\"disk\":\"ssd\",\"kubernetes.io/hostname\":\"n1\"}", d.path("spec").path("template").path("spec").path("nodeSelector").toString());
        assertEquals(List.of("service \"a\": key \"deploy.resources.limits.pids\" is not supported and was ignored",
                "service \"a\": key \"deploy.placement.constraints[2]\" \"node.role == manager\" is not supported and was ignored "
                        + "(Berth places by node.labels.X == Y and node.hostname == N)"), c.warnings());
    }

    @Test
    void shouldMakeAHealthcheckALivenessAndReadinessProbe() {
        JsonNode ctr = container(find(ok("""
                services:
                  a:
                    image: x
                    healthcheck:
                      test: ["CMD-SHELL", "wget -q -O - http://localhost/ || exit 1"]
                      interval: 5s
                      timeout: 2s
                      retries: 4
                      start_period: 1m
                """), "Deployment", "demo-a"));
        assertEquals("{\"exec\":{\"command\":[\"sh\",\"-c\",\"wget -q -O - http://localhost/ || exit 1\"]},\"initialDelaySeconds\":60,"
                + "\"periodSeconds\":5,\"timeoutSeconds\":2,\"failureThreshold\":4}", ctr.path("livenessProbe").toString());
        assertEquals(0, ctr.path("readinessProbe").path("initialDelaySeconds").asInt());
        JsonNode cmd = container(find(ok("services:\n  a: {image: x, healthcheck: {test: [CMD, /bin/check, \"-v\"]}}\n"), "Deployment", "demo-a"));
        assertEquals("[\"/bin/check\",\"-v\"]", cmd.path("livenessProbe").path("exec").path("command").toString());
        assertEquals(30, cmd.path("livenessProbe").path("periodSeconds").asInt(), "docker's default interval");
        assertFalse(container(find(ok("services:\n  a: {image: x, healthcheck: {disable: true}}\n"), "Deployment", "demo-a")).has("livenessProbe"));
    }

    @Test
    void shouldMountNamedVolumesAsEmptyDirWithAWarningAndBindMountsAsHostPath() {
        ComposeStack.Conversion c = ok("""
                services:
                  db:
                    image: x
                    volumes:
                      - data:/var/lib/db
                      - ./conf:/etc/db:ro
                      - /scratch
                      - {type: tmpfs, target: /run/cache}
                volumes:
                  data: {}
                """);
        JsonNode pod = find(c, "Deployment", "demo-db").path("spec").path("template").path("spec");
        assertEquals("[{\"name\":\"data\",\"emptyDir\":{}},{\"name\":\"bind-1\",\"hostPath\":{\"path\":\"" + dir.resolve("conf") + "\"}},"
                + "{\"name\":\"anon-2\",\"emptyDir\":{}},{\"name\":\"tmpfs-3\",\"emptyDir\":{\"medium\":\"Memory\"}}]", pod.path("volumes").toString());
        assertEquals("[{\"name\":\"data\",\"mountPath\":\"/var/lib/db\"},{\"name\":\"bind-1\",\"mountPath\":\"/etc/db\",\"readOnly\":true},"
                + "{\"name\":\"anon-2\",\"mountPath\":\"/scratch\"},{\"name\":\"tmpfs-3\",\"mountPath\":\"/run/cache\"}]",
                pod.path("containers").path(0).path("volumeMounts").toString());
        assertEquals(List.of("service \"db\": key \"volumes[0]\" mounts the named volume \"data\" as an emptyDir: its data is per pod, "
                + "lost when the pod is replaced and not shared between replicas"), c.warnings());
        assertEquals(List.of("service \"db\": key \"volumes[0]\": uses the undefined volume \"nope\" (declare it under the top-level key \"volumes\")"),
                convert("services:\n  db: {image: x, volumes: [\"nope:/x\"]}\n").errors());
    }

    @Test
    void shouldMakeFileSecretsAndConfigsIntoSecretsAndConfigMapsMountedWhereSwarmPutsThem() throws Exception {
        Files.writeString(dir.resolve("pw.txt"), "s3cret");
        Files.writeString(dir.resolve("api.txt"), "key");
        Files.writeString(dir.resolve("app.conf"), "level=debug\n");
        ComposeStack.Conversion c = ok("""
                services:
                  a:
                    image: x
                    secrets: [db_password]
                    configs: [{source: app_conf, target: /etc/app/app.conf}]
                  b:
                    image: x
                    secrets: [db_password, {source: api_key, target: api}]
                secrets:
                  db_password: {file: ./pw.txt}
                  api_key: {file: api.txt}
                configs:
                  app_conf: {file: app.conf}
                """);
        JsonNode secret = find(c, "Secret", "demo-db-password");
        assertEquals("s3cret", new String(Base64.getDecoder().decode(secret.path("data").path("db_password").asText())));
        assertEquals("demo", secret.path("metadata").path("labels").path("berth.io/stack").asText());
        assertEquals("level=debug\n", find(c, "ConfigMap", "demo-app-conf").path("data").path("app_conf").asText());
        JsonNode a = find(c, "Deployment", "demo-a").path("spec").path("template").path("spec");
        assertEquals("[{\"name\":\"secrets\",\"secret\":{\"secretName\":\"demo-db-password\",\"items\":[{\"key\":\"db_password\",\"path\":\"db_password\"}]}},"
                + "{\"name\":\"configs\",\"configMap\":{\"name\":\"demo-app-conf\",\"items\":[{\"key\":\"app_conf\",\"path\":\"app.conf\"}]}}]",
                a.path("volumes").toString());
        assertEquals("[{\"name\":\"secrets\",\"mountPath\":\"/run/secrets\",\"readOnly\":true},{\"name\":\"configs\",\"mountPath\":\"/etc/app\",\"readOnly\":true}]",
                a.path("containers").path(0).path("volumeMounts").toString());
        // two secrets in /run/secrets: one volume per directory, so a Secret of the service holds both
        JsonNode both = find(c, "Secret", "demo-b-secrets");
        assertEquals("[\"api\",\"db_password\"]", List.copyOf(iter(both.path("data").fieldNames())).toString().replace(" ", "").replace("[", "[\"").replace(",", "\",\"").replace("]", "\"]"));
        assertTrue(c.warnings().contains("service \"a\": key \"configs[0]\" is mounted as the directory /etc/app (Berth mounts ConfigMaps as directories): "
                + "other files the image has there are hidden"), c.warnings().toString());
        assertEquals(List.of("service \"a\": key \"secrets[0]\": secret \"nope\" is not declared under the top-level key \"secrets\""),
                convert("services:\n  a: {image: x, secrets: [nope]}\n").errors());
    }

    static <T> List<T> iter(java.util.Iterator<T> it) {
        List<T> l = new java.util.ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }

    @Test
    void shouldNameEveryIgnoredKeyInAWarning() {
        ComposeStack.Conversion c = ok("""
                version: "3.9"
                services:
                  a:
                    image: x
                    cap_add: [NET_ADMIN]
                    depends_on: [b]
                    networks: [front]
                    restart: on-failure
                    build: .
                    deploy: {restart_policy: {condition: on-failure, max_attempts: 3}}
                  b: {image: y, networks: [default]}
                networks:
                  front: {}
                """);
        assertEquals(List.of(
                "key \"networks.front\": Berth has one flat network where every service reaches every other by name; network \"front\" was ignored",
                "service \"a\": key \"cap_add\" is not supported and was ignored",
                "service \"a\": key \"build\" is ignored by stacks (as docker stack deploy does)",
                "service \"a\": key \"depends_on\" is ignored by stacks (as docker stack deploy does): services start in any order",
                "service \"a\": key \"networks\" was ignored: Berth has one flat network where every service reaches every other by its name (networks [front])",
                "service \"a\": key \"restart\" \"on-failure\" is not honoured: the tasks of a stack service are restarted always (Deployments restart Always)",
                "service \"a\": key \"deploy.restart_policy.condition\" \"on-failure\" is not honoured: Deployments restart their containers Always",
                "service \"a\": key \"deploy.restart_policy.max_attempts\" is not supported and was ignored (restarts back off as Kubernetes' do)"),
                c.warnings());
    }

    @Test
    void shouldRefuseWhatCannotBeHonouredNamingTheKey() {
        assertEquals(List.of("service \"a\": key \"imag\": is not a compose service key", "service \"a\": key \"image\": is required (stacks do not build images)"),
                convert("services:\n  a: {imag: x}\n").errors());
        assertEquals(List.of("service \"my_db\": the name must be a DNS label (lower case letters, digits and '-', starting with a letter): "
                + "Berth gives it a Service of that name so the stack's other services reach it by name"), convert("services:\n  my_db: {image: x}\n").errors());
        assertEquals(List.of("service \"a\": key \"healthcheck.interval\": \"often\" is not a duration (e.g. 10s, 1m30s)"),
                convert("services:\n  a: {image: x, healthcheck: {test: [CMD, x], interval: often}}\n").errors());
        assertEquals(List.of("service \"a\": key \"deploy.resources.limits.memory\": invalid size \"lots\" (e.g. 512m, 1g, 1048576)"),
                convert("services:\n  a: {image: x, deploy: {resources: {limits: {memory: lots}}}}\n").errors());
        assertTrue(ComposeStack.convert("Bad_Name", "services:\n  a: {image: x}\n", dir, env::get).errors().get(0).startsWith("stack name \"Bad_Name\""));
    }

    @Test
    void shouldSplitCommandsAsAShellDoes() {
        assertEquals(List.of("sh", "-c", "echo a  b; exit 1"), ShellWords.split("sh -c 'echo a  b; exit 1'"));
        assertEquals(List.of("a b", "c\"d", "e"), ShellWords.split("\"a b\" c\\\"d e"));
        assertThrows(IllegalArgumentException.class, () -> ShellWords.split("echo 'unterminated"));
    }

    @Test
    void shouldPrintDockersTables() {
        assertEquals("NAME      SERVICES\ndemo      2\n", StackTables.table(List.of("NAME", "SERVICES"), List.of(List.of("demo", "2"))));
        assertEquals("3 seconds ago", StackTables.ago("2026-01-01T00:00:00Z", java.time.Instant.parse("2026-01-01T00:00:03Z")));
        assertEquals("About a minute ago", StackTables.ago("2026-01-01T00:00:00Z", java.time.Instant.parse("2026-01-01T00:01:30Z")));
    }

    @SuppressWarnings("unused")
    private static ObjectNode unused() {
        return null;
    }
}
