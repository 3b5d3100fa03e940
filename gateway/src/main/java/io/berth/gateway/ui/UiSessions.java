package io.berth.gateway.ui;

import io.berth.schemas.auth.TokenFile;
import io.berth.schemas.auth.User;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The dashboard's credentials, as Jupyter's login: {@code berth dashboard} asks (with its own token) for a
 * <b>login token</b> that is good once and for {@link #LOGIN_TTL_MS} (5 minutes); the page exchanges it for a
 * <b>session token</b> of the same user, good for {@link #SESSION_TTL_MS} (8 hours), that it keeps in memory and
 * sends as a bearer header. Neither is ever a cookie, so no other page can make the browser send it (CSRF).
 * Sessions live in this gateway's memory: a restart ends them (run {@code berth dashboard} again).
 * Tokens are kept by SHA-256 digest, as {@link io.berth.schemas.auth.TokenAuthenticator} keeps the file's.
 */
public final class UiSessions {
    public static final long LOGIN_TTL_MS = 5 * 60_000L;
    public static final long SESSION_TTL_MS = 8 * 3600_000L;
    /** More live sessions than this is an attack or a leak: the oldest are not kept (prune first). */
    static final int MAX_ENTRIES = 10_000;

    private record Grant(User user, long expiresAt) {}

    /** A session handed to the page: its token, whose it is, and when it ends (epoch millis). */
    public record Session(String token, User user, long expiresAt) {}

    private final LongSupplier clock;
    private final Map<String, Grant> logins = new ConcurrentHashMap<>();
    private final Map<String, Grant> sessions = new ConcurrentHashMap<>();

    public UiSessions(LongSupplier clock) {
        this.clock = clock;
    }

    /** A new login token for {@code user}: good for one exchange within 5 minutes. */
    public Session issueLogin(User user) {
        prune();
        if (logins.size() >= MAX_ENTRIES) throw new IllegalStateException("too many unused dashboard login tokens; try again in 5 minutes");
        String token = TokenFile.newToken();
        long expires = clock.getAsLong() + LOGIN_TTL_MS;
        logins.put(digest(token), new Grant(user, expires));
        return new Session(token, user, expires);
    }

    /** Spends {@code loginToken} (it never works again, whatever the outcome) for a session of its user; empty if unknown or expired. */
    public Optional<Session> exchange(String loginToken) {
        if (loginToken == null || loginToken.isEmpty()) return Optional.empty();
        Grant g = logins.remove(digest(loginToken));
        long now = clock.getAsLong();
        if (g == null || now >= g.expiresAt()) return Optional.empty();
        prune();
        if (sessions.size() >= MAX_ENTRIES) return Optional.empty();
        String token = TokenFile.newToken();
        long expires = now + SESSION_TTL_MS;
        sessions.put(digest(token), new Grant(g.user(), expires));
        return Optional.of(new Session(token, g.user(), expires));
    }

    /** The user of a live session token. A login token is not one: it only buys a session. */
    public Optional<User> bearer(String token) {
        if (token == null || token.isEmpty()) return Optional.empty();
        Grant g = sessions.get(digest(token));
        return g == null || clock.getAsLong() >= g.expiresAt() ? Optional.empty() : Optional.of(g.user());
    }

    /** Ends a session (the page's "sign out"). */
    public void end(String token) {
        if (token != null) sessions.remove(digest(token));
    }

    private void prune() {
        long now = clock.getAsLong();
        logins.values().removeIf(g -> now >= g.expiresAt());
        sessions.values().removeIf(g -> now >= g.expiresAt());
    }

    private static String digest(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
