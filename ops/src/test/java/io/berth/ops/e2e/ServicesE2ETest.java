package io.berth.ops.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.*;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 6's acceptance on real Docker: a guestbook-like app whose 3 frontend replicas call a backend
 * Service by name, reached through the frontend's NodePort on every node; two Services on one port
 * number; the failure window when a frontend pod is killed under load; a two-container pod sharing
 * an emptyDir and localhost. Three node daemons with their own loopback addresses (127.0.0.21-23), so
 * each serves the NodePort on its own address, as separate machines would.
 *
 * <p>The frontend is busybox httpd with a CGI script: it prints its own host name and then what
 * {@code wget http://<service>:8080/} returns, the service name coming from the query string
 * (default {@code backend}). No application code knows about Berth.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServicesE2ETest {
    static final List<String> NODES = List.of("sv1", "sv2", "sv3");
    static final Map<String, String> ADDRESS = Map.of("sv1", "127.0.0.21", "sv2", "127.0.0.22", "sv3", "127.0.0.23");
    static final int NODE_PORT = 30480;
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    E2ECluster cluster;
    Path home;

    @BeforeAll
    void startCluster() throws Exception {
        for (String n : NODES) Docker.removeContainersOfNode(n);
        cluster = E2ECluster.up("services");
        home = cluster.home;
        for (String n : NODES) cluster.startNode(n, "--address", ADDRESS.get(n), "--memory-bytes", "" + (2L << 30), "--cpu-millis", "4000");
        Await.until("3 Ready nodes", Duration.ofSeconds(60), () -> cli("get", "nodes").stdout().lines()
                .filter(l -> l.matches("sv\\d\\s+Ready\\s.*")).count() == 3, () -> cli("get", "nodes").stdout());
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (cluster != null) cluster.close();
        for (String n : NODES) Docker.removeContainersOfNode(n);
    }

    @Test
    @Order(1)
    void shouldServeTheFrontendOnEveryNodesNodePortCallingTheBackendByName() throws Exception {
        BerthProcess.Result apply = cli("apply", "-f", write("guestbook.yaml", GUESTBOOK));
        assertEquals(0, apply.exit(), apply.stdout() + apply.stderr());
        Await.until("3 frontend endpoints and 1 backend endpoint", Duration.ofSeconds(120),
                () -> endpoints("frontend") == 3 && endpoints("backend") == 1 && endpoints("other") == 1,
                () -> cli("get", "pods", "-o", "wide").stdout() + cli("get", "endpoints").stdout());
        System.out.println("e2e services: berth get services\n" + cli("get", "services").stdout());
        System.out.println("e2e services: berth get endpoints\n" + cli("get", "endpoints").stdout());

        Set<String> frontends = new TreeSet<>();
        Map<String, Integer> perNode = new TreeMap<>();
        for (int i = 0; i < 30; i++) {
            String node = NODES.get(i % NODES.size());
            String body = await200(ADDRESS.get(node), "/cgi-bin/app");
            String[] lines = body.split("\n");
            assertTrue(lines.length >= 2 && lines[0].startsWith("frontend ") && lines[1].startsWith("backend "),
                    "frontend then backend through node " + node + ": " + body);
            frontends.add(lines[0]);
            perNode.merge(node, 1, Integer::sum);
        }
        System.out.printf("e2e services: 30 requests over the NodePort of %s answered by %d distinct frontend pods: %s%n",
                perNode, frontends.size(), frontends);
        assertTrue(frontends.size() >= 3, "at least 3 distinct frontends answered: " + frontends);
    }

    @Test
    @Order(2)
    void shouldLetTwoServicesListenOnTheSamePortNumber() throws Exception {
        String viaBackend = await200(ADDRESS.get("sv2"), "/cgi-bin/app?backend");
        String viaOther = await200(ADDRESS.get("sv2"), "/cgi-bin/app?other");
        assertTrue(viaBackend.contains("\nbackend "), viaBackend);
        assertTrue(viaOther.contains("\nother "), viaOther);
        JsonNode services = JSON.readTree(cli("get", "services", "-o", "json").stdout()).path("items");
        Set<String> ips = new TreeSet<>();
        for (JsonNode s : services) {
            String name = s.path("metadata").path("name").asText();
            if (name.equals("backend") || name.equals("other")) {
                assertEquals(8080, s.path("spec").path("ports").path(0).path("port").asInt(), name);
                ips.add(s.path("spec").path("clusterIP").asText());
            }
        }
        assertEquals(2, ips.size(), "two services on port 8080, each with its own cluster IP: " + ips);
    }

    @Test
    @Order(3)
    void shouldFailRequestsOnlyWhileAKilledFrontendIsDetected() throws Exception {
        List<long[]> failures = new CopyOnWriteArrayList<>();  // {nanoTime, 0}
        List<Long> ok = new CopyOnWriteArrayList<>();
        AtomicBoolean run = new AtomicBoolean(true);
        Thread load = new Thread(() -> {
            while (run.get()) {
                long t = System.nanoTime();
                try {
                    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + ADDRESS.get("sv1") + ":" + NODE_PORT + "/cgi-bin/app"))
                            .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200 && r.body().startsWith("frontend ")) ok.add(t);
                    else failures.add(new long[]{t, r.statusCode()});
                } catch (Exception e) {
                    failures.add(new long[]{t, -1});
                }
            }
        }, "services-load");
        load.start();
        try {
            Await.until("100 good requests before the kill", Duration.ofSeconds(60), () -> ok.size() >= 100, ok::size);
            int failedBefore = failures.size();
            Docker.Container victim = Docker.running("default/deployment/frontend").get(0);
            long killedAt = System.nanoTime();
            BerthProcess.sh("docker", "kill", victim.id());
            Await.until("200 good requests after the kill", Duration.ofSeconds(60),
                    () -> ok.stream().filter(t -> t > killedAt).count() >= 200, ok::size);
            run.set(false);
            load.join(10_000);
            List<long[]> after = failures.subList(failedBefore, failures.size()).stream().filter(f -> f[0] >= killedAt).toList();
            long window = after.isEmpty() ? 0 : (after.get(after.size() - 1)[0] - killedAt) / 1_000_000;
            long good = ok.stream().filter(t -> t > killedAt).count();
            System.out.printf("e2e services: frontend %s killed under load: %d failed requests, the last %d ms after the kill; %d succeeded after it%n",
                    victim.task(), after.size(), window, good);
            assertEquals(0, failedBefore, "no failure before the kill");
            assertTrue(window < 5_000, "requests fail only while the death is detected: last failure " + window + " ms after the kill");
        } finally {
            run.set(false);
        }
    }

    @Test
    @Order(4)
    void shouldSplitTrafficOverAStableAndACanaryDeploymentBehindOneService() throws Exception {
        BerthProcess.Result apply = cli("apply", "-f", write("canary.yaml", CANARY));
        assertEquals(0, apply.exit(), apply.stdout() + apply.stderr());
        Await.until("4 shop endpoints (3 stable + 1 canary)", Duration.ofSeconds(120), () -> endpoints("shop") == 4,
                () -> cli("get", "endpoints", "shop").stdout());
        Map<String, Integer> tracks = new TreeMap<>();
        for (int i = 0; i < 40; i++) {
            String body = await200(ADDRESS.get(NODES.get(i % NODES.size())), CANARY_PORT, "/");
            tracks.merge(body.split(" ")[0], 1, Integer::sum);
        }
        System.out.println("e2e services: 40 requests to the shop Service (3 stable + 1 canary replicas): " + tracks);
        assertEquals(Set.of("stable", "canary"), tracks.keySet(), "both deployments serve behind the one Service: " + tracks);
        assertTrue(tracks.get("stable") > tracks.get("canary"), "the stable track gets most connections: " + tracks);
    }

    @Test
    @Order(5)
    void shouldRunATwoContainerPodSharingAnEmptyDirAndLocalhost() throws Exception {
        BerthProcess.Result apply = cli("apply", "-f", write("sidecar.yaml", SIDECAR));
        assertEquals(0, apply.exit(), apply.stdout() + apply.stderr());
        Await.until("pod sidecar Running 2/2", Duration.ofSeconds(90),
                () -> cli("get", "pod", "sidecar").stdout().lines().anyMatch(l -> l.matches("sidecar\\s+2/2\\s+Running\\s.*")),
                () -> cli("get", "pod", "sidecar").stdout() + cli("get", "pod", "sidecar").stderr() + cli("describe", "pod", "sidecar").stdout());
        String reader = BerthProcess.sh("docker", "ps", "-q", "--filter", "label=berth.pod=sidecar", "--filter", "label=berth.container=reader").strip();
        assertFalse(reader.isEmpty(), "the reader container runs");
        Await.until("the reader fetches over localhost what the writer wrote into the shared emptyDir", Duration.ofSeconds(30),
                () -> {
                    Process p = new ProcessBuilder("docker", "exec", reader, "wget", "-qO-", "http://127.0.0.1:8080/index.html")
                            .redirectErrorStream(true).start();
                    String out = new String(p.getInputStream().readAllBytes());
                    return p.waitFor() == 0 && out.startsWith("written by the writer at ");
                }, () -> cli("logs", "sidecar", "-c", "writer").stdout());
        BerthProcess.Result logs = cli("logs", "sidecar", "-c", "init");
        assertEquals(0, logs.exit(), logs.stderr());
        assertTrue(logs.stdout().contains("init done"), "the init container ran first: " + logs.stdout());
    }

    // ---- helpers ------------------------------------------------------------------------------

    String await200(String address, String path) throws Exception {
        return await200(address, NODE_PORT, path);
    }

    /** GET through a node's NodePort, retried until 200 (the proxy may still be binding). */
    String await200(String address, int port, String path) throws Exception {
        String[] body = new String[1];
        Await.until("200 from " + address + ":" + port + path, Duration.ofSeconds(30), () -> {
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + address + ":" + port + path))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                body[0] = r.body();
                return r.statusCode() == 200;
            } catch (Exception e) {
                body[0] = e.toString();
                return false;
            }
        }, () -> body[0]);
        return body[0];
    }

    int endpoints(String service) throws Exception {
        BerthProcess.Result r = cli("get", "endpoints", service, "-o", "json");
        if (r.exit() != 0) return -1;
        int n = 0;
        for (JsonNode s : JSON.readTree(r.stdout()).path("subsets")) n += s.path("addresses").size();
        return n;
    }

    BerthProcess.Result cli(String... args) throws Exception {
        return cluster.cli(60, args);
    }

    String write(String name, String content) throws Exception {
        Path f = home.resolve(name);
        Files.writeString(f, content);
        return f.toString();
    }

    /** A web server answering {@code <name> <hostname>} on :8080, in busybox. */
    static String namedServer(String name) {
        return "[\"sh\", \"-c\", \"echo " + name + " $(hostname) > /www/index.html && exec httpd -f -p 8080 -h /www\"]";
    }

    static final String CGI = "#!/bin/sh\\necho Content-Type: text/plain\\necho\\necho frontend $(hostname)\\n"
            + "wget -qO- http://${QUERY_STRING:-backend}:8080/index.html\\n";

    /** A Deployment of one busybox container on {@code port}, its pods labelled {@code labels} (YAML flow map body), with a readiness probe. */
    static String deployment(String name, int replicas, String labels, String command, int port, String probe) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: %s}
                spec:
                  replicas: %d
                  selector: {matchLabels: {%s}}
                  template:
                    metadata: {labels: {%s}}
                    spec:
                      containers:
                      - name: %s
                        image: berth/busybox:latest
                        command: %s
                        ports: [{containerPort: %d}]
                        readinessProbe: {%s, periodSeconds: 1}
                """.formatted(name, replicas, labels, labels, name, command, port, probe);
    }

    /** A Service selecting {@code selector} (YAML flow map body), port = targetPort; a NodePort when {@code nodePort} > 0. */
    static String service(String name, String selector, int port, int nodePort) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %s}
                spec:
                  type: %s
                  selector: {%s}
                  ports: [{port: %d, targetPort: %d%s}]
                """.formatted(name, nodePort > 0 ? "NodePort" : "ClusterIP", selector, port, port, nodePort > 0 ? ", nodePort: " + nodePort : "");
    }

    static final String TCP_8080 = "tcpSocket: {port: 8080}";

    static final String GUESTBOOK = String.join("---\n",
            deployment("backend", 1, "app: backend", namedServer("backend"), 8080, TCP_8080),
            service("backend", "app: backend", 8080, 0),
            deployment("other", 1, "app: other", namedServer("other"), 8080, TCP_8080),
            service("other", "app: other", 8080, 0),
            deployment("frontend", 3, "app: frontend", "[\"sh\", \"-c\", \"mkdir -p /www/cgi-bin && busybox printf '" + CGI
                    + "' > /www/cgi-bin/app && busybox chmod +x /www/cgi-bin/app && exec httpd -f -p 80 -h /www\"]", 80,
                    "httpGet: {path: /index.html, port: 80}"),
            service("frontend", "app: frontend", 80, NODE_PORT));

    static final int CANARY_PORT = 30481;

    /** The Kubernetes way to run a canary: two Deployments whose pods share the label a Service selects. */
    static final String CANARY = String.join("---\n",
            deployment("shop-stable", 3, "app: shop, track: stable", namedServer("stable"), 8080, TCP_8080),
            deployment("shop-canary", 1, "app: shop, track: canary", namedServer("canary"), 8080, TCP_8080),
            service("shop", "app: shop", 8080, CANARY_PORT));

    static final String SIDECAR = """
            apiVersion: v1
            kind: Pod
            metadata: {name: sidecar, labels: {app: sidecar}}
            spec:
              volumes:
              - name: shared
                emptyDir: {}
              initContainers:
              - name: init
                image: berth/busybox:latest
                command: ["sh", "-c", "echo init done; echo starting > /shared/index.html"]
                volumeMounts: [{name: shared, mountPath: /shared}]
              containers:
              - name: writer
                image: berth/busybox:latest
                command: ["sh", "-c", "while true; do echo written by the writer at $(date) > /shared/index.html; sleep 1; done"]
                volumeMounts: [{name: shared, mountPath: /shared}]
              - name: reader
                image: berth/busybox:latest
                command: ["httpd", "-f", "-p", "8080", "-h", "/shared"]
                volumeMounts: [{name: shared, mountPath: /shared}]
            """;
}
