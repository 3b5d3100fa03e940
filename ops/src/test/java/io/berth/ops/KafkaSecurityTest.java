package io.berth.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.gateway.GatewayService;
import io.berth.node.NodeDaemonService;
import io.berth.ops.e2e.Await;
import io.berth.ops.kafka.EmbeddedKafka;
import io.berth.registry.client.SchemaRegistryClient;
import io.berth.registry.server.RegistryServer;
import io.berth.scheduler.SchedulerService;
import io.berth.schemas.TopicAdmin;
import io.berth.schemas.Topics;
import io.berth.schemas.auth.ClusterSecret;
import io.berth.schemas.auth.TokenFile;
import io.berth.schemas.service.BerthConfig;
import io.berth.schemas.service.BerthService;
import io.berth.schemas.tls.Tls;
import io.berth.state.StateStreamsService;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 12, item 5, on a real broker: Berth's own embedded KRaft broker with only SASL_SSL listeners
 * (SCRAM-SHA-512 for clients and the broker itself, PLAIN for the controller), certificates from {@link Tls},
 * the {@code StandardAuthorizer} and {@code allow.everyone.if.no.acl.found=false}. Every Berth service and a
 * node daemon (simulated runtime) runs as its own SCRAM principal with {@code kafka-config} and the ACLs of
 * {@code berth kafka acls --apply}; a Deployment applied through the gateway is placed and Running. A
 * principal without WRITE on {@code berth.intents} cannot deploy (its produce fails with
 * {@link TopicAuthorizationException}, nothing is placed), the CLI's direct path says so too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
@Timeout(300)
class KafkaSecurityTest {
    private static final int KAFKA_PORT = 22092, CONTROLLER_PORT = 22093, REGISTRY_PORT = 22081;
    private static final String TOKEN = "kafka-security-test-token-0123456789";
    private static final List<String> USERS = List.of("berth-registry", "berth-state-streams", "berth-scheduler", "berth-gateway",
            "berth-node", "intruder");
    private static final ObjectMapper JSON = new ObjectMapper();

    Path dir;
    Path tls;
    EmbeddedKafka kafka;
    String bootstrap;
    final Deque<AutoCloseable> started = new ArrayDeque<>();
    String gatewayUrl;
    String registryUrl;

    @BeforeAll
    void startSecuredBrokerAndBerth() throws Exception {
        dir = Files.createTempDirectory("kafka-sec");
        Tls.Files3 certs = Tls.ensure(dir.resolve("tls"), List.of());
        tls = dir.resolve("tls");
        Path brokerPem = tls.resolve("broker.pem"); // Kafka's PEM key store: the key (PKCS#8) and its certificate in one file
        Files.writeString(brokerPem, Files.readString(certs.key()) + Files.readString(certs.cert()));

        Map<String, String> broker = new java.util.HashMap<>();
        broker.put("listeners", "SASL_SSL://127.0.0.1:" + KAFKA_PORT + ",CONTROLLER://127.0.0.1:" + CONTROLLER_PORT);
        broker.put("advertised.listeners", "SASL_SSL://127.0.0.1:" + KAFKA_PORT);
        broker.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:SASL_SSL");
        broker.put("inter.broker.listener.name", "SASL_SSL");
        broker.put("controller.quorum.voters", "1@127.0.0.1:" + CONTROLLER_PORT);
        broker.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
        broker.put("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512");
        broker.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", scram("admin", "admin-secret"));
        broker.put("sasl.mechanism.controller.protocol", "PLAIN");
        broker.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        broker.put("listener.name.controller.plain.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                + "username=\"controller\" password=\"controller-secret\" user_controller=\"controller-secret\";");
        broker.put("ssl.keystore.type", "PEM");
        broker.put("ssl.keystore.location", brokerPem.toString());
        broker.put("ssl.truststore.type", "PEM");
        broker.put("ssl.truststore.location", certs.ca().toString());
        broker.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        broker.put("super.users", "User:admin;User:controller");
        broker.put("allow.everyone.if.no.acl.found", "false");
        broker.put("auto.create.topics.enable", "false");

        Path admin = clientConfig("admin", "admin-secret");
        kafka = EmbeddedKafka.start(dir, "127.0.0.1", KAFKA_PORT, broker, props(admin),
                List.of("--add-scram", "SCRAM-SHA-512=[name=admin,password=admin-secret]"));
        started.push(kafka);
        bootstrap = kafka.bootstrapServers();

        // Berth's principals, as an administrator would make them; then the topics and the ACLs
        try (Admin a = Admin.create(config(admin).clientProps("test-admin"))) {
            List<org.apache.kafka.clients.admin.UserScramCredentialAlteration> users = new ArrayList<>();
            for (String u : USERS) users.add(new UserScramCredentialUpsertion(u, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), u + "-secret"));
            a.alterUserScramCredentials(users).all().get(30, TimeUnit.SECONDS);
            TopicAdmin.ensureTopics(a);
            AllInOne.ensureWithRetry(a, Topics.SCHEMAS_TOPIC);
            AllInOne.ensureWithRetry(a, Topics.SCHEMAS_TOPIC + "_leader");
        }
        Run acls = berth("kafka", "acls", "--apply", "--bootstrap-servers", bootstrap, "--kafka-config", admin.toString());
        assertEquals(0, acls.exit, acls.err);
        for (String u : USERS) clientConfig(u, u + "-secret");

        TokenFile.write(dir.resolve(TokenFile.FILE_NAME), List.of(new TokenFile.Entry(TOKEN, "admin", "0", List.of("system:masters"))));
        ClusterSecret.readOrCreate(dir.resolve(ClusterSecret.FILE_NAME));

        RegistryServer registry = new RegistryServer(service("berth-registry"), "127.0.0.1", REGISTRY_PORT);
        start(registry);
        registryUrl = registry.url();
        SchemaRegistryClient client = RegistryClients.forUrl(registryUrl, service("berth-gateway").with("registry-basic-auth-user-info", "admin:" + TOKEN));
        started.push(client);
        start(new StateStreamsService(service("berth-state-streams").with("replication-factor", "1"), client));
        start(new SchedulerService(service("berth-scheduler"), client));
        GatewayService gateway = new GatewayService(service("berth-gateway").with("gateway-port", "0"), client);
        start(gateway);
        gatewayUrl = "http://127.0.0.1:" + gateway.port();
        start(new NodeDaemonService(service("berth-node").with("node-id", "sec-1").with("node-name", "sec-1")
                .with("runtime", "sim").with("mesh", "false").with("node-cpu-millis", "4000")
                .with("node-memory-bytes", String.valueOf(8L << 30)), client));
    }

    @AfterAll
    void stop() {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception ignored) {
            }
        }
        TestSupport.deleteTree(dir);
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void shouldDeployThroughTheGatewayAndRefuseAPrincipalWithoutWriteOnIntents() throws Exception {
        // the intruder authenticates (its SCRAM credential is good) but has no ACL: its produce is refused
        Properties p = config(dir.resolve("intruder.properties")).clientProps("intruder");
        p.put("max.block.ms", "20000");
        p.put("delivery.timeout.ms", "20000");
        p.put("request.timeout.ms", "10000");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>(Topics.INTENTS.name(), "default/deployment/evil", new byte[]{0})).get(30, TimeUnit.SECONDS));
            assertInstanceOf(TopicAuthorizationException.class, e.getCause(), e.toString());
            assertTrue(e.getCause().getMessage().contains(Topics.INTENTS.name()), e.getCause().getMessage());
        }
        // the gateway's principal may: applied through it, the Deployment is placed on the node and Running
        HttpResponse<String> applied = http("POST", "/apis/berth.io/v1/apply", deployment("web"));
        assertEquals(200, applied.statusCode(), applied.body());
        Await.until("2 pods of web Running on sec-1", Duration.ofSeconds(90), () -> running("web") == 2, () -> http("GET", "/api/v1/namespaces/default/pods", null).body());
        assertEquals(0, pods("evil"), "nothing of the refused deployment was placed");
        assertFalse(http("GET", "/apis/apps/v1/namespaces/default/deployments", null).body().contains("\"evil\""));
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void shouldPrintTheAclsAsKafkaAclsCommands() {
        Run r = berth("kafka", "acls", "--gateway", "User:gw", "--bootstrap-servers", "kafka:9093", "--kafka-config", "admin.properties");
        assertEquals(0, r.exit, r.err);
        System.out.println("berth kafka acls:\n" + r.out);
        assertTrue(r.out.contains("kafka-acls.sh --bootstrap-server kafka:9093 --command-config admin.properties --add --allow-principal User:gw --operation Write --topic berth.intents\n"), r.out);
        assertFalse(r.out.contains("User:berth-node --operation Write --topic berth.intents"), "a node may not write intents");
        Run bad = berth("kafka", "acls", "--gateway", "gw");
        assertNotEquals(0, bad.exit);
        assertTrue(bad.err.contains("principal \"gw\" is not TYPE:NAME"), bad.err);
    }

    @Test
    @org.junit.jupiter.api.Order(3)
    void shouldRefuseABadKafkaConfigNamingTheKey() throws Exception {
        Path bad = dir.resolve("bad.properties");
        Files.writeString(bad, "security.protocol=SASL_SSL\ntransactional.id=mine\n");
        Run r = berth("state-streams", "--bootstrap-servers", bootstrap, "--kafka-config", bad.toString(), "--data-dir", dir.resolve("x").toString());
        assertEquals(2, r.exit, r.out);
        assertTrue(r.err.contains("--kafka-config " + bad + ": transactional.id may not be set here"), r.err);
        System.out.println("berth state-streams --kafka-config bad.properties: exit " + r.exit + "\n" + r.err.lines().findFirst().orElse(""));
        Files.writeString(bad, "sasl.jass.config=x\n");
        Run typo = berth("node", "start", "--name", "n", "--bootstrap-servers", bootstrap, "--kafka-config", bad.toString(), "--data-dir", dir.resolve("x").toString());
        assertEquals(2, typo.exit, typo.out);
        assertTrue(typo.err.contains("sasl.jass.config is not a Kafka client setting"), typo.err);
        Run embedded = berth("up", "--kafka-config", dir.resolve("admin.properties").toString(), "--data-dir", dir.resolve("x").toString());
        assertEquals(2, embedded.exit, embedded.out);
        assertTrue(embedded.err.contains("--kafka-config: is for an existing Kafka cluster; give --bootstrap-servers too"), embedded.err);
    }

    /** Last: {@code berth up --bootstrap-servers … --kafka-config admin.properties} runs the whole stack (its own topic set-up too) on the secured broker. */
    @Test
    @org.junit.jupiter.api.Order(9)
    void shouldRunBerthUpAgainstTheSecuredBroker() throws Exception {
        while (started.size() > 1) started.pop().close(); // the per-principal services; the broker stays
        Path upDir = dir.resolve("up");
        AllInOne up = new AllInOne(new AllInOne.Options(upDir, "127.0.0.1", 0, REGISTRY_PORT + 1, 22071, bootstrap, true, "up-1",
                Map.of("kafka-config", dir.resolve("admin.properties").toString(), "runtime", "sim", "mesh", "false",
                        "node-cpu-millis", "4000", "node-memory-bytes", String.valueOf(8L << 30))));
        started.push(up);
        up.start();
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> applied = client.send(HttpRequest.newBuilder(URI.create(up.gatewayUrl() + "/apis/berth.io/v1/apply"))
                .header("Authorization", "Bearer " + up.adminToken()).header("Content-Type", "application/yaml")
                .POST(HttpRequest.BodyPublishers.ofString(deployment("up"))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, applied.statusCode(), applied.body());
        gatewayUrl = up.gatewayUrl();
        String token = up.adminToken();
        Await.until("2 pods of up Running on up-1", Duration.ofSeconds(120), () -> runningOn("up", "up-1", token) == 2,
                () -> client.send(HttpRequest.newBuilder(URI.create(up.gatewayUrl() + "/api/v1/namespaces/default/pods"))
                        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    // ---- helpers ----

    private int runningOn(String app, String node, String token) throws Exception {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gatewayUrl + "/api/v1/namespaces/default/pods"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).body();
        int n = 0;
        for (JsonNode pod : JSON.readTree(body).path("items")) {
            if (pod.path("metadata").path("name").asText().startsWith(app + "-") && "Running".equals(pod.path("status").path("phase").asText())
                    && node.equals(pod.path("spec").path("nodeName").asText())) {
                n++;
            }
        }
        return n;
    }

    private int running(String app) throws Exception {
        int n = 0;
        for (JsonNode pod : JSON.readTree(http("GET", "/api/v1/namespaces/default/pods", null).body()).path("items")) {
            if (pod.path("metadata").path("name").asText().startsWith(app + "-") && "Running".equals(pod.path("status").path("phase").asText())
                    && "sec-1".equals(pod.path("spec").path("nodeName").asText())) {
                n++;
            }
        }
        return n;
    }

    private int pods(String app) throws Exception {
        int n = 0;
        for (JsonNode pod : JSON.readTree(http("GET", "/api/v1/namespaces/default/pods", null).body()).path("items")) {
            if (pod.path("metadata").path("name").asText().startsWith(app + "-")) n++;
        }
        return n;
    }

    private static String deployment(String name) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: %s}
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: %s}}
                  template:
                    metadata: {labels: {app: %s}}
                    spec:
                      containers:
                      - name: main
                        image: berth/busybox:latest
                        resources: {requests: {cpu: 100m, memory: 32Mi}}
                """.formatted(name, name, name);
    }

    private HttpResponse<String> http(String method, String path, String yaml) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gatewayUrl + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TOKEN);
        if (yaml != null) b.header("Content-Type", "application/yaml").method(method, HttpRequest.BodyPublishers.ofString(yaml));
        else b.method(method, HttpRequest.BodyPublishers.noBody());
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void start(BerthService s) throws Exception {
        started.push(s);
        s.start();
    }

    /** A service's settings: the shared data dir (token file, cluster secret) and its own principal's Kafka settings. */
    private BerthConfig service(String user) {
        return new BerthConfig(bootstrap, registryUrl, dir.resolve("svc-" + user), Map.of(
                "kafka-config", dir.resolve(user + ".properties").toString(),
                "auth-token-file", dir.resolve(TokenFile.FILE_NAME).toString(),
                ClusterSecret.CONFIG_KEY, dir.resolve(ClusterSecret.FILE_NAME).toString()));
    }

    private BerthConfig config(Path kafkaConfig) {
        return new BerthConfig(bootstrap, null, dir, Map.of("kafka-config", kafkaConfig.toString()));
    }

    private static String scram(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\"" + password + "\";";
    }

    /** What an operator writes for {@code --kafka-config}: SASL_SSL, SCRAM-SHA-512, the cluster CA as the trust store (PEM). */
    private Path clientConfig(String user, String password) throws Exception {
        Path f = dir.resolve(user + ".properties");
        Files.writeString(f, String.join("\n",
                "security.protocol=SASL_SSL",
                "sasl.mechanism=SCRAM-SHA-512",
                "sasl.jaas.config=" + scram(user, password),
                "ssl.truststore.type=PEM",
                "ssl.truststore.location=" + tls.resolve(Tls.CA_CERT), ""));
        return f;
    }

    private static Properties props(Path file) {
        return io.berth.schemas.service.KafkaClientConfig.load(file);
    }

    record Run(int exit, String out, String err) {}

    /** Runs the {@code berth} CLI in this JVM, capturing its output. */
    private static synchronized Run berth(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int rc = Berth.run(args);
            return new Run(rc, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
