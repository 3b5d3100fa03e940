package io.berth.gateway.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.gateway.api.Guard;
import io.berth.gateway.api.ReadApi;
import io.berth.gateway.api.Status;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web dashboard: its static files under {@code /ui/} (built by Vite into the classpath folder
 * {@value #ROOT}; {@code index.html} for any path that is not a file, the page's own routes) and its login:
 * <ul>
 *   <li>{@code POST /ui/api/login} (behind the Guard and RBAC like the API): a login token for the caller, good
 *       once within 5 minutes ({@code berth dashboard} prints it in a URL's fragment, {@code /ui/#token=…}, so it
 *       never reaches a server's log);</li>
 *   <li>{@code POST /ui/api/session} {@code {"token": LOGIN}} (open: the login token is the credential): a session
 *       token the page sends as a bearer header (and WebSocket subprotocol), which the Guard accepts as the user's.</li>
 * </ul>
 * The static files hold no data and are open, as a Kubernetes dashboard's login page is; every answer carries
 * a Content-Security-Policy of {@code default-src 'self'} and sets no cookie.
 */
public final class UiRoutes {
    static final String ROOT = "berth-ui/";
    public static final String CSP = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8", "svg", "image/svg+xml", "png", "image/png", "json", "application/json", "ico", "image/x-icon");

    /**
     * The subprotocol the dashboard offers with its watch WebSockets, beside Kubernetes' bearer-token one: a browser
     * fails a handshake whose answer names none of the protocols it offered, and the token protocol is never echoed.
     */
    public static final String WATCH_PROTOCOL = "watch.berth.io";

    /** The listener's WebSocket subprotocols: {@code others} and the dashboard's watch protocol. */
    public static java.util.List<String> subprotocols(java.util.List<String> others) {
        java.util.List<String> all = new java.util.ArrayList<>(others);
        all.add(WATCH_PROTOCOL);
        return java.util.List.copyOf(all);
    }

    private final Vertx vertx;
    private final UiSessions sessions;
    private final Map<String, Optional<Buffer>> files = new ConcurrentHashMap<>();

    public UiRoutes(Vertx vertx, UiSessions sessions) {
        this.vertx = vertx;
        this.sessions = sessions;
    }

    /** Before the Guard: the static files and the exchange of a login token. */
    public void mountOpen(Router router) {
        router.get("/ui").handler(ctx -> { // Vert.x matches "/ui/" here too: only the bare path is moved
            if (ctx.request().path().equals("/ui")) ctx.response().setStatusCode(301).putHeader("Location", "/ui/").end();
            else ctx.next();
        });
        router.post("/ui/api/session").handler(this::handleSession);
        router.getWithRegex("/ui/(?!api/).*").handler(this::handleFile);
    }

    /** After the Guard and the authorizer: issuing a login token to an authenticated user. */
    public void mountGuarded(Router router) {
        router.post("/ui/api/login").handler(this::handleLogin);
    }

    private void handleLogin(RoutingContext ctx) {
        UiSessions.Session login = sessions.issueLogin(Guard.user(ctx));
        ObjectNode out = JsonNodeFactory.instance.objectNode().put("token", login.token()).put("user", login.user().name())
                .put("expiresAt", Instant.ofEpochMilli(login.expiresAt()).toString());
        secure(ctx);
        ReadApi.json(ctx, 201, out);
    }

    private void handleSession(RoutingContext ctx) {
        secure(ctx);
        ctx.request().body().onSuccess(body -> {
            String token;
            try {
                JsonNode n = JSON.readTree(body.toString());
                token = n == null ? null : n.path("token").asText(null);
            } catch (IOException e) {
                token = null;
            }
            if (token == null || token.isEmpty()) {
                ReadApi.json(ctx, 400, Status.failure(400, "BadRequest", "token: Required value: the login token from 'berth dashboard'", null, null));
                return;
            }
            Optional<UiSessions.Session> s = sessions.exchange(token);
            if (s.isEmpty()) {
                ReadApi.json(ctx, 401, Status.failure(401, "Unauthorized",
                        "the login token is unknown, used or expired (good once, for 5 minutes): run 'berth dashboard' again", null, null));
                return;
            }
            ReadApi.json(ctx, 201, JsonNodeFactory.instance.objectNode().put("token", s.get().token()).put("user", s.get().user().name())
                    .put("expiresAt", Instant.ofEpochMilli(s.get().expiresAt()).toString()));
        }).onFailure(ctx::fail);
    }

    private void handleFile(RoutingContext ctx) {
        String rest = ctx.request().path().substring("/ui/".length());
        String name = rest.isEmpty() || rest.contains("..") || rest.contains("//") || rest.endsWith("/") ? "index.html" : rest;
        vertx.<Optional<Buffer>>executeBlocking(() -> file(name).or(() -> file("index.html")), false).onSuccess(f -> {
            secure(ctx);
            if (f.isEmpty()) {
                ctx.response().setStatusCode(404).putHeader("content-type", "text/plain; charset=utf-8")
                        .end("the dashboard was not built into this gateway (mvn package builds gateway/ui)");
                return;
            }
            boolean index = file(name).isEmpty() || name.equals("index.html");
            String served = index ? "index.html" : name;
            ctx.response().putHeader("content-type", TYPES.getOrDefault(served.substring(served.lastIndexOf('.') + 1), "application/octet-stream"))
                    // Vite names assets by content hash: cache them; the page itself always fresh
                    .putHeader("Cache-Control", served.startsWith("assets/") ? "public, max-age=31536000, immutable" : "no-cache")
                    .end(f.get());
        }).onFailure(ctx::fail);
    }

    /** A built file by name; found ones are kept (a few hundred kB), missing ones never (any path may be asked). */
    private Optional<Buffer> file(String name) {
        Optional<Buffer> known = files.get(name);
        if (known != null) return known;
        try (InputStream in = UiRoutes.class.getClassLoader().getResourceAsStream(ROOT + name)) {
            if (in == null || !name.contains(".")) return Optional.empty(); // no extension: a folder or a page route
            Optional<Buffer> f = Optional.of(Buffer.buffer(in.readAllBytes()));
            files.put(name, f);
            return f;
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static void secure(RoutingContext ctx) {
        ctx.response().putHeader("Content-Security-Policy", CSP).putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer").putHeader("X-Frame-Options", "DENY");
    }
}
