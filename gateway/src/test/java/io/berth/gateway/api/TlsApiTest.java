package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.gateway.GatewayService;
import io.berth.schemas.service.BerthConfig;
import io.berth.schemas.tls.Tls;
import org.junit.jupiter.api.Test;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 12, TLS: the gateway serves HTTPS with the certificates {@code berth up --tls} makes
 * ({@link Tls}); a bearer token or a client certificate signed by the cluster CA (CN = user,
 * O = groups) authenticates; plain HTTP on a non-loopback address is refused at start; and the
 * stock kubectl on this machine talks to it with a kubeconfig carrying the CA and a token or a
 * client certificate — which it would not do over plain HTTP for a token.
 */
class TlsApiTest extends GatewayApiFixture {
    private static final Path TLS_DIR;

    static {
        try {
            TLS_DIR = Files.createTempDirectory("berth-tls-test");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    boolean withStateStreams() {
        return false;
    }

    @Override
    BerthConfig configure(BerthConfig config) {
        try {
            Tls.Files3 f = Tls.ensure(TLS_DIR, List.of());
            return config.with("tls-cert-file", f.cert().toString()).with("tls-private-key-file", f.key().toString())
                    .with("client-ca-file", f.ca().toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    String https() {
        return "https://127.0.0.1:" + gateway.port();
    }

    static SSLContext context(String caPem, String certPem, String keyPem) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", cert(caPem));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (certPem != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            java.security.PrivateKey key;
            try (var p = new org.bouncycastle.openssl.PEMParser(new java.io.StringReader(keyPem))) {
                key = new org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter().getPrivateKey((org.bouncycastle.asn1.pkcs.PrivateKeyInfo) p.readObject());
            }
            keys.setKeyEntry("me", key, new char[0], new Certificate[]{cert(certPem)});
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    static Certificate cert(String pem) throws Exception {
        return CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8)));
    }

    HttpResponse<String> get(HttpClient client, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(https() + path)).timeout(Duration.ofSeconds(30));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return client.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    String caPem() throws IOException {
        return Files.readString(TLS_DIR.resolve(Tls.CA_CERT));
    }

    @Test
    void shouldServeHttpsToATokenAndRefuseTheAnonymous() throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(context(caPem(), null, null)).build();
        HttpResponse<String> ok = get(client, "/api/v1/namespaces/default/pods", TOKEN);
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("PodList", JSON.readTree(ok.body()).path("kind").asText());
        HttpResponse<String> none = get(client, "/api/v1/namespaces/default/pods", null);
        assertEquals(401, none.statusCode(), none.body());
        assertEquals(200, get(client, "/healthz", null).statusCode(), "health stays open");
        // the TLS port does not speak plain HTTP
        assertThrows(IOException.class, () -> http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/healthz"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void shouldAuthenticateAClientCertificateOfTheClusterCaAsItsCommonName() throws Exception {
        String[] carol = Tls.clientCertificate(TLS_DIR, "carol", List.of("system:masters"));
        HttpClient client = HttpClient.newBuilder().sslContext(context(caPem(), carol[0], carol[1])).build();
        HttpResponse<String> ok = get(client, "/api/v1/namespaces/default/pods", null);
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(java.util.Optional.of(new io.berth.schemas.auth.User("carol", "", List.of("system:masters"))),
                Tls.user((java.security.cert.X509Certificate) cert(carol[0])));
    }

    @Test
    void shouldRefusePlainHttpOnANonLoopbackAddress() {
        GatewayService plain = new GatewayService(BerthConfig.of(kafka.bootstrapServers(), "in-memory", TLS_DIR), registry);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> plain.serverOptions("0.0.0.0"));
        assertTrue(e.getMessage().contains("gateway-host 0.0.0.0 is not a loopback address: TLS is required"), e.getMessage());
        assertFalse(plain.serverOptions("127.0.0.1").isSsl(), "loopback may stay plain");
        assertTrue(Tls.isLoopback("::1") && Tls.isLoopback("localhost") && !Tls.isLoopback("10.1.2.3") && !Tls.isLoopback("example.com"));
    }

    @Test
    void shouldBeDrivenByTheStockKubectlWithATokenOrAClientCertificate() throws Exception {
        String ca = Base64.getEncoder().encodeToString(caPem().getBytes(StandardCharsets.UTF_8));
        Path withToken = TLS_DIR.resolve("kubeconfig-token");
        Files.writeString(withToken, kubeconfig(ca, "token: " + TOKEN));
        String[] dave = Tls.clientCertificate(TLS_DIR, "dave", List.of("system:masters"));
        Path withCert = TLS_DIR.resolve("kubeconfig-cert");
        Files.writeString(withCert, kubeconfig(ca, "client-certificate-data: " + b64(dave[0]) + "\n    client-key-data: " + b64(dave[1])));
        for (Path kubeconfig : List.of(withToken, withCert)) {
            String out = kubectl(kubeconfig, "get", "--raw", "/api/v1/namespaces/default/pods");
            JsonNode list = JSON.readTree(out);
            assertEquals("PodList", list.path("kind").asText(), kubeconfig + ": " + out);
        }
        Path noCredential = TLS_DIR.resolve("kubeconfig-none");
        Files.writeString(noCredential, kubeconfig(ca, "username: nobody"));
        String refused = kubectlFails(noCredential, "get", "--raw", "/api/v1/namespaces/default/pods");
        assertTrue(refused.contains("Unauthorized"), refused);
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    String kubeconfig(String caData, String user) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: berth
                  cluster:
                    server: %s
                    certificate-authority-data: %s
                users:
                - name: me
                  user:
                    %s
                contexts:
                - name: berth
                  context: {cluster: berth, user: me}
                current-context: berth
                """.formatted(https(), caData, user);
    }

    static String kubectl(Path kubeconfig, String... args) throws Exception {
        Result r = run(kubeconfig, args);
        assertEquals(0, r.code, "kubectl " + String.join(" ", args) + ": " + r.out);
        return r.out;
    }

    static String kubectlFails(Path kubeconfig, String... args) throws Exception {
        Result r = run(kubeconfig, args);
        assertNotEquals(0, r.code, "kubectl " + String.join(" ", args) + " should fail: " + r.out);
        return r.out;
    }

    record Result(int code, String out) {}

    static Result run(Path kubeconfig, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString(), "--request-timeout=30s"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kubectl did not finish");
            return new Result(p.exitValue(), out);
        } finally {
            p.destroyForcibly();
        }
    }
}
