package io.berth.ops.kubectl;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** The CLI's failover between the gateways of {@code berth up --ha}, and the kubeconfig that lists them. */
class GatewayFailoverTest {

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort(); // nothing listens there once closed: connections are refused
        }
    }

    @Test
    void shouldSendToTheNextGatewayWhenTheFirstRefusesTheConnection() throws Exception {
        HttpServer live = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger posts = new AtomicInteger();
        live.createContext("/", ex -> {
            if (ex.getRequestMethod().equals("POST")) posts.incrementAndGet();
            byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        live.start();
        try {
            String dead = "http://127.0.0.1:" + closedPort(), up = "http://127.0.0.1:" + live.getAddress().getPort();
            Gateway gw = new Gateway(List.of(dead, up), Duration.ofSeconds(5), "t", null);
            assertEquals(dead, gw.server(), "asks the first one first");
            Gateway.Response r = gw.call("POST", "/apis/berth.io/v1/apply", "{}", "application/yaml");
            assertEquals(200, r.status());
            assertEquals(1, posts.get(), "the apply reached the second gateway exactly once");
            assertEquals(up, gw.server(), "the gateway that answered is asked first from then on");

            Gateway none = new Gateway(List.of(dead, "http://127.0.0.1:" + closedPort()), Duration.ofSeconds(5), "t", null);
            Gateway.ApiException e = assertThrows(Gateway.ApiException.class, () -> none.get("/api/v1/pods"));
            assertEquals(0, e.code());
            assertTrue(e.getMessage().contains("The connection to the server " + dead.substring(7) + " was refused"), e.getMessage());
        } finally {
            live.stop(0);
        }
    }

    @Test
    void shouldListEveryGatewayInTheKubeconfigAndFindTheTokenForEach(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = dir.resolve("kubeconfig");
        Kubeconfig.write(file, List.of("http://127.0.0.1:7070", "http://127.0.0.1:7071"), "admin", "tok", null);
        String text = Files.readString(file);
        assertTrue(text.contains("server: http://127.0.0.1:7070") && text.contains(Kubeconfig.SERVERS_EXTENSION), text);
        assertEquals(List.of("http://127.0.0.1:7070", "http://127.0.0.1:7071"), Kubeconfig.servers(file));
        assertEquals("tok", Kubeconfig.token(file, "http://127.0.0.1:7071").orElseThrow(), "the second gateway gets the token too");
        assertTrue(Kubeconfig.token(file, "http://127.0.0.1:9999").isEmpty(), "never to a server the kubeconfig does not name");

        Kubeconfig.write(file, "http://127.0.0.1:7070", "admin", "tok");
        assertFalse(Files.readString(file).contains("extensions"), "one gateway: a plain kubeconfig");
        assertEquals(List.of("http://127.0.0.1:7070"), Kubeconfig.servers(file));
    }
}
