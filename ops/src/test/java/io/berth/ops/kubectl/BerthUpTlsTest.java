package io.berth.ops.kubectl;

import io.berth.ops.AllInOne;
import io.berth.ops.kafka.EmbeddedKafka;
import io.berth.schemas.tls.Tls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code berth up --tls}: the all-in-one makes a CA and a serving certificate in
 * {@code <data-dir>/tls}, serves the gateway and the registry over HTTPS, and writes a kubeconfig with the CA and
 * the admin token that the stock kubectl on this machine uses as it is; Berth's CLI trusts the
 * CA it is given and refuses a server it cannot verify.
 */
@Timeout(300)
class BerthUpTlsTest {

    @Test
    void shouldServeTheGatewayOverHttpsWithAKubeconfigTheStockKubectlUses() throws Exception {
        Path dir = Files.createTempDirectory("berth-up-tls");
        int gatewayPort = EmbeddedKafka.freePort("127.0.0.1");
        try (AllInOne up = new AllInOne(new AllInOne.Options(dir, "127.0.0.1", EmbeddedKafka.freePort("127.0.0.1"),
                EmbeddedKafka.freePort("127.0.0.1"), gatewayPort, null, false, "tls-node", Map.of("tls", "true", "replication-factor", "1")))) {
            up.start();
            String server = "https://127.0.0.1:" + gatewayPort;
            assertEquals(server, up.gatewayUrl());
            // the registry serves HTTPS with the same certificate; every service registered its schemas through it
            assertTrue(up.registryUrl().startsWith("https://127.0.0.1:"), up.registryUrl());
            for (String f : List.of(Tls.CA_CERT, Tls.CA_KEY, Tls.SERVER_CERT, Tls.SERVER_KEY)) assertTrue(Files.exists(dir.resolve("tls").resolve(f)), f);
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("tls").resolve(Tls.CA_KEY))));
            Path kubeconfig = dir.resolve(Kubeconfig.FILE_NAME);
            String text = Files.readString(kubeconfig);
            assertTrue(text.contains("server: \"" + server + "\"") || text.contains("server: " + server), text);
            assertTrue(text.contains("certificate-authority-data:"), text);

            // the stock kubectl, with nothing but the kubeconfig berth up wrote
            Process p = new ProcessBuilder("kubectl", "--kubeconfig", kubeconfig.toString(), "--request-timeout=30s",
                    "get", "--raw", "/api/v1/namespaces/default/pods").redirectErrorStream(true).start();
            String out;
            try {
                out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            } finally {
                p.destroyForcibly();
            }
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("\"kind\":\"PodList\""), out);

            // Berth's CLI: trusts the CA it is given; an unverifiable server is refused, never trusted blindly
            InProcessControlPlaneTest.Run ok = InProcessControlPlaneTest.berth("get", "pods", "--server=" + server, "--token=" + up.adminToken(),
                    "--certificate-authority=" + dir.resolve("tls").resolve(Tls.CA_CERT));
            assertEquals(0, ok.exit, ok.err);
            InProcessControlPlaneTest.Run unverified = InProcessControlPlaneTest.berth("get", "pods", "--server=" + server, "--token=" + up.adminToken());
            assertEquals(1, unverified.exit, unverified.out);
            assertTrue(unverified.err.contains("Unable to connect to the server"), unverified.err);
        }
    }
}
