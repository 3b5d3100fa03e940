package io.berth.schemas.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Bearer tokens (and HTTP Basic {@code user:token}, as Confluent's clients send
 * {@code basic.auth.user.info}) checked against a {@link TokenFile}. The file is re-read when it
 * changes (its modification time, size or inode), checked at most every {@code checkMillis}, so
 * {@code berth token create|revoke} takes effect without a restart. A file that does not exist
 * means no tokens (everything is refused); one that does not parse keeps the last good tokens and
 * logs why.
 */
public final class TokenAuthenticator {
    private static final Logger LOG = LoggerFactory.getLogger(TokenAuthenticator.class);
    private static final String WS_PROTOCOL_PREFIX = "base64url.bearer.authorization.k8s.io.";

    private final Path file;
    private final long checkMillis;
    private volatile Map<String, TokenFile.Entry> byDigest = Map.of();
    private volatile long nextCheck;
    private Object stamp;

    public TokenAuthenticator(Path file, long checkMillis) {
        this.file = Objects.requireNonNull(file, "file");
        this.checkMillis = checkMillis;
        reload();
    }

    public TokenAuthenticator(Path file) {
        this(file, 250);
    }

    public Path file() {
        return file;
    }

    /** The principal of a bearer token, if the file lists it and it has not expired. */
    public Optional<User> bearer(String token) {
        if (token == null || token.isEmpty()) return Optional.empty();
        refreshIfDue();
        TokenFile.Entry e = byDigest.get(digest(token));
        return e == null || e.expiredAt(Instant.now()) ? Optional.empty() : Optional.of(e.principal());
    }

    /** HTTP Basic: the password is a token and the user name must be that token's user. */
    public Optional<User> basic(String user, String password) {
        return bearer(password).filter(u -> u.name().equals(user));
    }

    /** An {@code Authorization} header value: {@code Bearer TOKEN} or {@code Basic base64(user:token)}. */
    public Optional<User> authorization(String header) {
        if (header == null) return Optional.empty();
        String h = header.strip();
        int space = h.indexOf(' ');
        if (space < 0) return Optional.empty();
        String scheme = h.substring(0, space), value = h.substring(space + 1).strip();
        if (scheme.equalsIgnoreCase("Bearer")) return bearer(value);
        if (scheme.equalsIgnoreCase("Basic")) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
            int colon = decoded.indexOf(':');
            return colon < 0 ? Optional.empty() : basic(decoded.substring(0, colon), decoded.substring(colon + 1));
        }
        return Optional.empty();
    }

    /**
     * The token a WebSocket client put in {@code Sec-WebSocket-Protocol}, as Kubernetes reads it:
     * {@code base64url.bearer.authorization.k8s.io.<base64url(token)>}.
     */
    public static Optional<String> webSocketToken(String protocols) {
        if (protocols == null) return Optional.empty();
        for (String p : protocols.split(",")) {
            String s = p.strip();
            if (!s.startsWith(WS_PROTOCOL_PREFIX)) continue;
            try {
                return Optional.of(new String(Base64.getUrlDecoder().decode(s.substring(WS_PROTOCOL_PREFIX.length())), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private void refreshIfDue() {
        if (System.currentTimeMillis() < nextCheck) return;
        synchronized (this) {
            if (System.currentTimeMillis() < nextCheck) return;
            reload();
        }
    }

    private synchronized void reload() {
        nextCheck = System.currentTimeMillis() + checkMillis;
        Object now = stampOf(file);
        if (Objects.equals(now, stamp)) return;
        try {
            List<TokenFile.Entry> entries = TokenFile.read(file);
            Map<String, TokenFile.Entry> m = new HashMap<>();
            for (TokenFile.Entry e : entries) m.put(digest(e.token()), e);
            byDigest = Map.copyOf(m);
            stamp = now;
            LOG.info("token file {}: {} token(s)", file, m.size());
        } catch (Exception e) {
            LOG.warn("token file {} not (re)read, keeping the previous {} token(s): {}", file, byDigest.size(), e.getMessage());
            stamp = now;
        }
    }

    private static Object stampOf(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return List.of(a.lastModifiedTime().toMillis(), a.size(), String.valueOf(a.fileKey()));
        } catch (Exception e) {
            return "absent";
        }
    }

    /** Tokens are compared by SHA-256 digest, so a lookup's timing says nothing about a token's prefix. */
    private static String digest(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
