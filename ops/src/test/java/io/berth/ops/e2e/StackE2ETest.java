package io.berth.ops.e2e;

import io.berth.ops.AllInOne;
import io.berth.ops.kafka.EmbeddedKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 15 item 7 on real Kafka and Docker: {@code berth stack deploy -c docker-compose.yml demo} of a busybox web
 * service that answers by calling {@code backend} by name, a backend of 2 replicas reading a file secret, and a
 * global agent (a DaemonSet); {@code stack ls|services|ps} as docker prints them; web reaches the backend by its
 * compose name from inside its container; {@code stack rm} removes every object of the stack and only those.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(600)
class StackE2ETest {
    static final String COMPOSE = """
            version: "3.8"
            services:
              backend:
                image: berth/busybox:latest
                command: ["sh", "-c", "mkdir -p /www && echo backend $$(hostname) $$(cat /run/secrets/greeting) > /www/index.html && exec httpd -f -p 8080 -h /www"]
                expose: ["8080"]
                secrets: [greeting]
                deploy:
                  replicas: 2
                  update_config: {parallelism: 1, delay: 1s, order: start-first}
                healthcheck:
                  test: ["CMD-SHELL", "timeout 2 wget -q -O /dev/null http://127.0.0.1:8080/"]
                  interval: 2s
                  timeout: 3s
                  retries: 3
              web:
                image: ${WEB_IMAGE:-berth/busybox:latest}
                command:
                  - sh
                  - -c
                  - >-
                    mkdir -p /www/cgi-bin && busybox printf '#!/bin/sh\\necho Content-Type: text/plain\\necho\\necho web $$(hostname)\\ntimeout 5 wget -q -O - http://backend:8080/\\n'
                    > /www/cgi-bin/app && busybox chmod +x /www/cgi-bin/app && echo ok > /www/index.html && exec httpd -f -p 80 -h /www
                ports: ["80"]
                depends_on: [backend]
              agent:
                image: berth/busybox:latest
                command: sleep 100000
                deploy: {mode: global}
            secrets:
              greeting: {file: ./greeting.txt}
            """;

    private Path dir;
    private AllInOne up;
    private String node;
    private InProcessBerth berth;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("berth-stack");
        node = "stack-" + UUID.randomUUID().toString().substring(0, 8);
        up = new AllInOne(new AllInOne.Options(dir, "127.0.0.1", EmbeddedKafka.freePort("127.0.0.1"),
                EmbeddedKafka.freePort("127.0.0.1"), EmbeddedKafka.freePort("127.0.0.1"), null, true, node,
                Map.of("replication-factor", "1")));
        up.start();
        berth = new InProcessBerth(up.gatewayUrl(), dir.resolve("kubeconfig"));
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (up != null) up.close();
        } finally {
            if (node != null) Docker.removeContainersOfNode(node);
            if (dir != null) {
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
    }

    @Test
    void shouldDeployAComposeFileWhoseServicesReachEachOtherByNameListItAndRemoveIt() throws Exception {
        Files.writeString(dir.resolve("greeting.txt"), "hello-from-a-secret");
        Path compose = dir.resolve("docker-compose.yml");
        Files.writeString(compose, COMPOSE);
        // something that is not the stack's, and must survive its removal
        Files.writeString(dir.resolve("other.yaml"), """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: not-the-stack}
                data: {a: b}
                """);
        berth.ok("apply", "-f", dir.resolve("other.yaml").toString());

        String[] deploy = berth.run("stack", "deploy", "-c", compose.toString(), "demo");
        System.out.println("e2e stack: berth stack deploy -c docker-compose.yml demo\n" + deploy[1] + deploy[2]);
        assertEquals("0", deploy[0], deploy[1] + deploy[2]);
        assertEquals(List.of("secret/demo-greeting created", "service/backend created", "service/web created",
                "deployment.apps/demo-backend created", "deployment.apps/demo-web created", "daemonset.apps/demo-agent created"),
                deploy[1].lines().toList());
        assertTrue(deploy[2].contains("warning: service \"web\": key \"depends_on\" is ignored by stacks"), deploy[2]);

        Await.until("backend 2/2, web 1/1, agent 1/1", Duration.ofSeconds(180), () -> {
            String s = berth.ok("stack", "services", "demo");
            return s.matches("(?s).*demo-backend +replicated +2/2 .*") && s.matches("(?s).*demo-web +replicated +1/1 .*")
                    && s.matches("(?s).*demo-agent +global +1/1 .*");
        }, () -> berth.ok("stack", "services", "demo") + berth.ok("get", "pods", "-o", "wide"));

        String services = berth.ok("stack", "services", "demo");
        System.out.println("e2e stack: berth stack services demo\n" + services);
        List<String> rows = services.lines().toList();
        assertTrue(rows.get(0).matches("ID +NAME +MODE +REPLICAS +IMAGE +PORTS"), services);
        assertTrue(rows.get(1).matches("[0-9a-f]{12} +demo-agent +global +1/1 +berth/busybox:latest"), services);
        assertTrue(rows.get(2).matches("[0-9a-f]{12} +demo-backend +replicated +2/2 +berth/busybox:latest"), services);
        assertTrue(rows.get(3).matches("[0-9a-f]{12} +demo-web +replicated +1/1 +berth/busybox:latest +\\*:3\\d{4}->80/tcp"), services);

        String ls = berth.ok("stack", "ls");
        System.out.println("e2e stack: berth stack ls\n" + ls);
        assertEquals("NAME      SERVICES\ndemo      3\n", ls);

        String ps = berth.ok("stack", "ps", "demo");
        System.out.println("e2e stack: berth stack ps demo\n" + ps);
        List<String> tasks = ps.lines().toList();
        assertTrue(tasks.get(0).matches("ID +NAME +IMAGE +NODE +DESIRED STATE +CURRENT STATE +ERROR +PORTS"), ps);
        assertEquals(4, tasks.size() - 1, ps);
        for (String t : tasks.subList(1, tasks.size())) {
            assertTrue(t.matches("[0-9a-f]{12} +demo-(backend|web|agent)-\\S+ +berth/busybox:latest +" + node + " +Running +Running .* ago"), ps);
        }

        // web reaches the backend by its compose name, from inside its container, and the backend read its secret
        String web = Docker.running("default/deployment/demo-web").get(0).id();
        Await.until("web reaches http://backend:8080/", Duration.ofSeconds(60),
                () -> exec(web, "sh", "-c", "timeout 5 wget -q -O - http://backend:8080/").matches("0 backend \\S+ hello-from-a-secret\\n"),
                () -> exec(web, "sh", "-c", "timeout 5 wget -q -O - http://backend:8080/") + "\n" + exec(web, "cat", "/etc/hosts")
                        + berth.ok("get", "ep") + exec(Docker.running("default/deployment/demo-backend").get(0).id(), "ls", "-la", "/run/secrets", "/www"));
        // and its CGI, which calls the backend, answers on the web service's node port
        String cgi = BerthProcess.sh("docker", "exec", web, "sh", "-c", "timeout 5 wget -q -O - http://127.0.0.1/cgi-bin/app");
        assertTrue(cgi.matches("web \\S+\\nbackend \\S+ hello-from-a-secret\\n"), cgi);
        System.out.println("e2e stack: web's CGI answered\n" + cgi);

        // deploying again changes nothing
        String[] again = berth.run("stack", "deploy", "-c", compose.toString(), "demo");
        assertEquals("0", again[0], again[1] + again[2]);
        // (berth apply reports a Secret as "created" every time: its own wording; Services and Deployments must be unchanged)
        assertTrue(again[1].lines().filter(l -> l.startsWith("service/") || l.startsWith("deployment.apps/")).allMatch(l -> l.endsWith(" unchanged")), again[1]);
        assertEquals(6, again[1].lines().count(), again[1]);

        // a second stack may not take the first one's service names
        String[] clash = berth.run("stack", "deploy", "-c", compose.toString(), "other");
        assertEquals("1", clash[0]);
        assertTrue(clash[2].contains("error: service/backend already exists and belongs to stack \"demo\"; nothing was applied"), clash[2]);

        // --prune: the agent left the file, so it leaves the stack
        Path smaller = dir.resolve("smaller.yml");
        Files.writeString(smaller, COMPOSE.replaceAll("(?s)  agent:.*?mode: global\\}\n", ""));
        String[] pruned = berth.run("stack", "deploy", "--prune", "-c", smaller.toString(), "demo");
        assertEquals("0", pruned[0], pruned[1] + pruned[2]);
        assertTrue(pruned[1].endsWith("daemonset.apps/demo-agent pruned\n"), pruned[1]);
        assertEquals("NAME      SERVICES\ndemo      2\n", berth.ok("stack", "ls"));

        String[] rm = berth.run("stack", "rm", "demo");
        System.out.println("e2e stack: berth stack rm demo\n" + rm[1] + rm[2]);
        assertEquals("0", rm[0], rm[1] + rm[2]);
        assertEquals(List.of("Removing deployment.apps/demo-backend", "Removing deployment.apps/demo-web", "Removing service/backend", "Removing service/web", "Removing secret/demo-greeting"), rm[1].lines().toList());
        Await.until("the stack's pods and containers gone", Duration.ofSeconds(120),
                () -> berth.ok("get", "pods", "-l", "berth.io/stack=demo", "-o", "name").isBlank()
                        && BerthProcess.sh("docker", "ps", "-q", "--filter", "label=berth.node=" + node).isBlank(),
                () -> berth.ok("get", "pods") + BerthProcess.sh("docker", "ps", "--filter", "label=berth.node=" + node));
        assertEquals("NAME      SERVICES\n", berth.ok("stack", "ls"));
        assertFalse(berth.ok("get", "svc", "-o", "name").contains("backend"), berth.ok("get", "svc"));
        assertTrue(berth.ok("get", "configmaps").contains("not-the-stack"), "only the stack's objects are removed");
        assertTrue(berth.run("stack", "rm", "demo")[2].contains("Nothing found in stack: demo"));
    }

    @Test
    void shouldPrintTheAdmissionPolicysRefusalOfABindMount() throws Exception {
        Path compose = dir.resolve("binds.yml");
        Files.writeString(compose, "services:\n  files:\n    image: berth/busybox:latest\n    command: sleep 1000\n    volumes: [\"./data:/data\"]\n");
        String[] r = berth.run("stack", "deploy", "-c", compose.toString(), "binds");
        System.out.println("e2e stack: a bind mount\n" + r[1] + r[2]);
        assertEquals("1", r[0], r[1] + r[2]);
        assertTrue(r[2].contains("violates PodSecurity \"baseline:latest\": hostPath volumes"), r[2]);
        String[] rm = berth.run("stack", "rm", "binds");
        System.out.println("e2e stack: rm after the refusal\n" + rm[1] + rm[2]);
    }

    /** {@code docker exec}: the exit code, a space, then stdout and stderr. */
    private static String exec(String container, String... cmd) throws Exception {
        List<String> all = new java.util.ArrayList<>(List.of("docker", "exec", container));
        all.addAll(List.of(cmd));
        Process p = new ProcessBuilder(all).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        return p.waitFor() + " " + out;
    }
}
