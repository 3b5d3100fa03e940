package io.berth.schemas.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The certificates of {@code berth up --tls}, as kubeadm makes them: a cluster CA
 * ({@code ca.crt}, {@code ca.key}) and a serving certificate for the gateway and the registry
 * ({@code server.crt}, {@code server.key}) signed by it, valid for the loopback names and every
 * host asked for; client certificates signed by the same CA authenticate their subject (CN = the
 * user, O = its groups, as Kubernetes reads them). ECDSA P-256, PEM files, keys readable by the
 * owner only. An existing CA is reused, so certificates issued earlier stay valid.
 */
public final class Tls {
    public static final String CA_CERT = "ca.crt", CA_KEY = "ca.key", SERVER_CERT = "server.crt", SERVER_KEY = "server.key";
    private static final Duration CA_VALIDITY = Duration.ofDays(3650), CERT_VALIDITY = Duration.ofDays(365);
    private static final SecureRandom RANDOM = new SecureRandom();

    private Tls() {}

    /** Where the gateway/registry find their certificate, key and the CA that signs client certificates. */
    public record Files3(Path cert, Path key, Path ca) {}

    /**
     * The CA and a serving certificate under {@code dir}, made when missing; the serving
     * certificate is made again when it does not cover {@code hosts}.
     */
    public static Files3 ensure(Path dir, Collection<String> hosts) throws IOException {
        try {
            Files.createDirectories(dir);
            Path caCert = dir.resolve(CA_CERT), caKey = dir.resolve(CA_KEY);
            if (!Files.exists(caCert) || !Files.exists(caKey)) {
                KeyPair ca = keyPair();
                X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, "berth-ca").build();
                JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), from(), until(CA_VALIDITY), name, ca.getPublic());
                JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
                b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(ca.getPublic()));
                X509Certificate cert = sign(b, ca.getPrivate());
                writeSecret(caKey, pem(ca.getPrivate()));
                write(caCert, pem(cert));
            }
            Path cert = dir.resolve(SERVER_CERT), key = dir.resolve(SERVER_KEY);
            Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
            names.addAll(hosts);
            if (!Files.exists(cert) || !Files.exists(key) || !covers(readCert(cert), names)) {
                KeyPair kp = keyPair();
                X509Certificate c = issue(caCert, caKey, kp, "berth-server", List.of(), names, true);
                writeSecret(key, pem(kp.getPrivate()));
                write(cert, pem(c));
            }
            return new Files3(cert, key, caCert);
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IOException("cannot make the TLS certificates in " + dir + ": " + e, e);
        }
    }

    /** A client certificate for {@code user} in {@code groups}, signed by the CA in {@code dir}: {cert PEM, key PEM}. */
    public static String[] clientCertificate(Path dir, String user, List<String> groups) throws IOException {
        try {
            KeyPair kp = keyPair();
            X509Certificate c = issue(dir.resolve(CA_CERT), dir.resolve(CA_KEY), kp, user, groups, Set.of(), false);
            return new String[]{pem(c), pem(kp.getPrivate())};
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IOException("cannot issue a client certificate for " + user + ": " + e, e);
        }
    }

    /** The user and groups a client certificate names: CN and every O, as Kubernetes' x509 authenticator. */
    public static java.util.Optional<io.berth.schemas.auth.User> user(X509Certificate cert) {
        X500Name subject = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
        var cn = subject.getRDNs(BCStyle.CN);
        if (cn.length == 0) return java.util.Optional.empty();
        String name = cn[0].getFirst().getValue().toString();
        List<String> groups = new ArrayList<>();
        for (var o : subject.getRDNs(BCStyle.O)) groups.add(o.getFirst().getValue().toString());
        return java.util.Optional.of(new io.berth.schemas.auth.User(name, "", groups));
    }

    /** An SSL context that trusts exactly the CA certificates in {@code caPem} (PEM text). */
    public static SSLContext trusting(String caPem) throws IOException {
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(new java.io.ByteArrayInputStream(caPem.getBytes(StandardCharsets.UTF_8)))) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), RANDOM);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("not a CA certificate (PEM): " + e.getMessage(), e);
        }
    }

    /**
     * The HTTP server options of a Berth endpoint (the gateway, the registry): HTTPS when
     * {@code tls-cert-file} and {@code tls-private-key-file} are set (kube-apiserver's
     * {@code --tls-cert-file}/{@code --tls-private-key-file}); client certificates signed by
     * {@code client-ca-file} (default: none) are requested, for the caller to authenticate. Plain
     * HTTP only on a loopback address: an endpoint reachable from other hosts without TLS would
     * carry its bearer tokens and Basic credentials in the clear, so it refuses to start.
     *
     * @param hostSetting the setting that named {@code host}, for the refusal's message
     */
    public static io.vertx.core.http.HttpServerOptions serverOptions(io.berth.schemas.service.BerthConfig config, String hostSetting, String host) {
        io.vertx.core.http.HttpServerOptions o = new io.vertx.core.http.HttpServerOptions();
        String cert = config.get("tls-cert-file", null), key = config.get("tls-private-key-file", null);
        if (cert == null || cert.isBlank() || key == null || key.isBlank()) {
            if (!isLoopback(host)) {
                throw new IllegalStateException(hostSetting + " " + host + " is not a loopback address: TLS is required "
                        + "(set tls-cert-file and tls-private-key-file, or start with berth up --tls)");
            }
            return o;
        }
        o.setSsl(true).setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions().setCertPath(cert).setKeyPath(key));
        String clientCa = config.get("client-ca-file", null);
        if (clientCa != null && !clientCa.isBlank()) {
            o.setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(clientCa)).setClientAuth(io.vertx.core.http.ClientAuth.REQUEST);
        }
        return o;
    }

    /**
     * The SSL context a client of an HTTPS registry uses: trusting exactly the CA of
     * {@code registry-ca-file} (PEM) when that is set, else the {@code gateway-ca-file} a joining
     * node was given ({@code berth up --tls} signs both endpoints with one CA), else null (the JVM's
     * default trust).
     */
    public static SSLContext registryTrust(io.berth.schemas.service.BerthConfig config) {
        String file = config.get(REGISTRY_CA_FILE, config.get("gateway-ca-file", null));
        if (file == null || file.isBlank()) return null;
        try {
            return trusting(Files.readString(Path.of(file)));
        } catch (IOException e) {
            throw new IllegalStateException(REGISTRY_CA_FILE + " " + file + ": " + e.getMessage(), e);
        }
    }

    /** The setting naming the CA (PEM) that clients of an HTTPS schema registry trust. */
    public static final String REGISTRY_CA_FILE = "registry-ca-file";

    /** Base64 of a file, for kubeconfig's {@code certificate-authority-data}. */
    public static String base64(Path file) throws IOException {
        return Base64.getEncoder().encodeToString(Files.readAllBytes(file));
    }

    /** Whether {@code host} (a name or an address) is a loopback address, without a DNS lookup for names other than localhost. */
    public static boolean isLoopback(String host) {
        if (host == null) return false;
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) return true;
        if (!h.matches("[0-9.]+") && !h.contains(":")) return false;
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static X509Certificate issue(Path caCert, Path caKey, KeyPair kp, String cn, List<String> groups, Set<String> sans, boolean server)
            throws IOException, GeneralSecurityException, org.bouncycastle.operator.OperatorCreationException {
        X509Certificate ca = readCert(caCert);
        PrivateKey caPrivate = readKey(caKey);
        X500NameBuilder nb = new X500NameBuilder(BCStyle.INSTANCE);
        for (String g : groups) nb.addRDN(BCStyle.O, g);
        nb.addRDN(BCStyle.CN, cn);
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, serial(), from(), until(CERT_VALIDITY), nb.build(), kp.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(server ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth));
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
        if (!sans.isEmpty()) {
            List<GeneralName> names = new ArrayList<>();
            for (String s : sans) {
                boolean ip = s.matches("[0-9.]+") || s.contains(":");
                names.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, s));
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])));
        }
        return sign(b, caPrivate);
    }

    private static boolean covers(X509Certificate cert, Set<String> names) throws GeneralSecurityException {
        Set<String> have = new java.util.HashSet<>();
        if (cert.getSubjectAlternativeNames() != null) {
            for (List<?> san : cert.getSubjectAlternativeNames()) have.add(normal(String.valueOf(san.get(1))));
        }
        for (String n : names) if (!have.contains(normal(n))) return false;
        return cert.getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(30)));
    }

    private static String normal(String name) {
        try {
            return name.contains(":") ? InetAddress.getByName(name).getHostAddress() : name.toLowerCase(java.util.Locale.ROOT);
        } catch (IOException e) {
            return name;
        }
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder b, PrivateKey key)
            throws GeneralSecurityException, org.bouncycastle.operator.OperatorCreationException {
        X509CertificateHolder h = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key));
        return new JcaX509CertificateConverter().getCertificate(h);
    }

    private static BigInteger serial() {
        return new BigInteger(64, RANDOM).abs().add(BigInteger.ONE);
    }

    private static Date from() {
        return Date.from(Instant.now().minus(Duration.ofMinutes(5)));
    }

    private static Date until(Duration d) {
        return Date.from(Instant.now().plus(d));
    }

    static X509Certificate readCert(Path file) throws IOException, GeneralSecurityException {
        try (var in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    static PrivateKey readKey(Path file) throws IOException {
        try (PEMParser p = new PEMParser(new StringReader(Files.readString(file)))) {
            Object o = p.readObject();
            JcaPEMKeyConverter c = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair kp) return c.getPrivateKey(kp.getPrivateKeyInfo());
            if (o instanceof PrivateKeyInfo pk) return c.getPrivateKey(pk);
            throw new IOException(file + " holds no private key");
        }
    }

    /** PEM: a certificate, or a private key as PKCS#8 ({@code PRIVATE KEY}, what Vert.x, Go and OpenSSL all read). */
    static String pem(Object o) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            if (o instanceof PrivateKey k) pw.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null));
            else pw.writeObject(o);
        }
        return w.toString();
    }

    private static void write(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writeSecret(Path file, String text) throws IOException {
        io.berth.schemas.auth.SecretFiles.replace(file, text);
    }
}
