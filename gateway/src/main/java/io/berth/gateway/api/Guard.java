package io.berth.gateway.api;

import io.berth.schemas.auth.NodeKeys;
import io.berth.schemas.auth.TokenAuthenticator;
import io.berth.schemas.auth.User;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The first handler of every gateway route, in this order:
 * <ol>
 *   <li><b>origin</b>: a request carrying an {@code Origin} other than the gateway's own
 *       ({@code http://} + the host and port the client addressed) comes from a web page and is refused 403, so no page the
 *       operator visits can drive the API (CSRF, cross-site WebSocket hijacking);</li>
 *   <li><b>authentication</b>: a bearer token from the token file ({@code Authorization: Bearer},
 *       or for a WebSocket Kubernetes' subprotocol {@code base64url.bearer.authorization.k8s.io.<token>}),
 *       else a client certificate verified by the TLS handshake (CN = user, O = groups), or a node daemon's
 *       request signed with its node key ({@code Authorization: BerthNode <node>:<millis>:<signature>}:
 *       user {@code system:node:<node>}, group {@code system:nodes});
 *       none or a wrong one is 401 {@code Unauthorized}. Cookies are never read;</li>
 *   <li><b>content type</b>: a body only as JSON, YAML or one of Kubernetes' patch types (and protobuf
 *       on the few routes where stock kubectl sends it, {@link KubeProtobuf#accepted}); anything a
 *       browser's form or plain fetch can send without a preflight ({@code text/plain}, form,
 *       multipart, none) is 415.</li>
 * </ol>
 * A node join token (group {@code system:bootstrappers}) is good for {@link NodeJoinApi}'s route only: 403 elsewhere.
 * Health ({@code /healthz}, {@code /readyz}, {@code /livez}) and {@code /version} are open, as on a
 * Kubernetes API server. The principal is put on the context ({@link #user}) for the audit's actor.
 */
public final class Guard {
    public static final Set<String> OPEN = Set.of("/healthz", "/readyz", "/livez", "/version");
    private static final String USER = "berth.user";
    private static final String AUTHENTICATED = "berth.authenticated-user";
    private static final Set<String> BODY_TYPES = Set.of("application/json", "application/yaml", "application/x-yaml", "text/yaml",
            "application/merge-patch+json", "application/json-patch+json", "application/strategic-merge-patch+json",
            "application/apply-patch+yaml", "application/apply-patch+json");

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Guard.class);
    private final TokenAuthenticator tokens;
    private final byte[] clusterSecret;
    private final java.util.function.LongSupplier clock;
    /** Further bearer tokens (the dashboard's sessions, {@link io.berth.gateway.ui.UiSessions}); none by default. */
    private java.util.function.Function<String, Optional<User>> sessions = t -> Optional.empty();

    public Guard(TokenAuthenticator tokens) {
        this(tokens, null, System::currentTimeMillis);
    }

    /**
     * @param clusterSecret what node keys derive from: a request signed by a node ({@code Authorization: BerthNode
     *                      <node>:<millis>:<signature>}, {@link NodeKeys#verifyRequest}) is then that node's,
     *                      {@code system:node:<node>} in group {@code system:nodes}; null: no node is accepted
     */
    public Guard(TokenAuthenticator tokens, byte[] clusterSecret, java.util.function.LongSupplier clock) {
        this.tokens = tokens;
        this.clusterSecret = clusterSecret == null ? null : clusterSecret.clone();
        this.clock = clock;
    }

    /** Also accepts the bearer tokens {@code sessions} knows (the dashboard's session tokens). */
    public Guard withSessions(java.util.function.Function<String, Optional<User>> sessions) {
        this.sessions = sessions;
        return this;
    }

    public void handle(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        if (OPEN.contains(req.path()) && (req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD)) {
            ctx.next();
            return;
        }
        String origin = req.getHeader("Origin");
        if (origin != null && !origin.equalsIgnoreCase(ownOrigin(req))) {
            refuse(ctx, Status.failure(403, "Forbidden", "requests from web pages are refused: Origin " + origin
                    + " is not the API server's own (" + ownOrigin(req) + ")", null, null));
            return;
        }
        Optional<User> user = authenticate(req);
        if (user.isEmpty()) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"berth\"");
            refuse(ctx, Status.failure(401, "Unauthorized", "Unauthorized", null, null));
            return;
        }
        String type = mediaType(req.getHeader("Content-Type"));
        boolean protobuf = KubeProtobuf.MEDIA_TYPE.equals(type) && KubeProtobuf.accepted(req.method(), req.path());
        if (hasBody(req) && !BODY_TYPES.contains(type) && !protobuf) {
            refuse(ctx, Status.failure(415, "UnsupportedMediaType", "the body of the request was in an unknown format ("
                    + Optional.ofNullable(req.getHeader("Content-Type")).orElse("no Content-Type")
                    + ") - accepted media types include: " + String.join(", ", BODY_TYPES.stream().sorted().toList()), null, null));
            return;
        }
        if (user.get().isBootstrapper() && !(req.method() == HttpMethod.POST && NodeJoinApi.isJoin(req.path()))) {
            refuse(ctx, Status.failure(403, "Forbidden", "User \"" + user.get().name() + "\" holds a node join token ("
                    + User.BOOTSTRAPPERS + "): it may only join a node (POST /apis/berth.io/v1/nodes/{name}/join)", null, null));
            return;
        }
        ctx.put(USER, user.get());
        ctx.put(AUTHENTICATED, user.get());
        ctx.next();
    }

    /**
     * The principal this request acts as (set by {@link #handle}): the authenticated user, or the one it
     * impersonates once the authorizer allowed that ({@link #impersonate}). Authorization uses this one.
     */
    public static User user(RoutingContext ctx) {
        User u = ctx.get(USER);
        if (u == null) throw new IllegalStateException("no authenticated user on " + ctx.request().path() + ": the Guard did not run");
        return u;
    }

    /** Acts as {@code as} from now on (the authorizer allowed the authenticated user to impersonate it). */
    public static void impersonate(RoutingContext ctx, User as) {
        user(ctx);
        ctx.put(USER, as);
    }

    /**
     * The audit's actor: the channel and the authenticated user name, e.g. {@code api:alice}. Never a header;
     * a request impersonating another user is still the authenticated user's.
     */
    public static String actor(RoutingContext ctx) {
        User u = ctx.get(AUTHENTICATED);
        return "api:" + (u != null ? u : user(ctx)).name();
    }

    private Optional<User> authenticate(HttpServerRequest req) {
        String authorization = req.getHeader("Authorization");
        if (NodeKeys.isNodeRequest(authorization)) return node(req, authorization);
        if (authorization != null) return tokens.authorization(authorization).or(() -> sessionBearer(authorization));
        if ("websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
            Optional<User> u = TokenAuthenticator.webSocketToken(req.getHeader("Sec-WebSocket-Protocol"))
                    .flatMap(t -> tokens.bearer(t).or(() -> sessions.apply(t)));
            if (u.isPresent()) return u;
        }
        return clientCertificate(req);
    }

    private Optional<User> sessionBearer(String authorization) {
        String h = authorization.strip();
        return h.regionMatches(true, 0, "Bearer ", 0, 7) ? sessions.apply(h.substring(7).strip()) : Optional.empty();
    }

    /** A node's signed request: the node, if the signature over this method and target (path and query as sent) is its own and fresh. */
    private Optional<User> node(HttpServerRequest req, String authorization) {
        if (clusterSecret == null) return Optional.empty();
        NodeKeys.Verdict v = NodeKeys.verifyRequest(n -> NodeKeys.nodeKey(clusterSecret, n), authorization, req.method().name(), req.uri(), clock.getAsLong());
        if (!v.ok()) {
            LOG.info("refused a node request {} {}: {}", req.method(), req.path(), v.reason());
            return Optional.empty();
        }
        return Optional.of(User.node(v.node()));
    }

    /**
     * A client certificate the TLS handshake verified against {@code client-ca-file}: CN is the
     * user, each O a group (Kubernetes' x509 authenticator). None, or no TLS: empty.
     */
    private static Optional<User> clientCertificate(HttpServerRequest req) {
        if (!req.isSSL()) return Optional.empty();
        try {
            java.util.List<java.security.cert.Certificate> chain = req.connection().peerCertificates();
            if (chain == null || chain.isEmpty() || !(chain.get(0) instanceof java.security.cert.X509Certificate x)) return Optional.empty();
            return io.berth.schemas.tls.Tls.user(x);
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }

    /** {@code http://} + the authority the client addressed (HTTP/1.1 {@code Host}, HTTP/2 {@code :authority}). */
    private static String ownOrigin(HttpServerRequest req) {
        io.vertx.core.net.HostAndPort a = req.authority();
        String authority = a == null ? "" : a.host() + (a.port() >= 0 ? ":" + a.port() : "");
        return (req.isSSL() ? "https://" : "http://") + authority;
    }

    private static boolean hasBody(HttpServerRequest req) {
        if (req.getHeader("Content-Type") != null) return true;
        String length = req.getHeader("Content-Length");
        if (length != null) return !length.strip().equals("0");
        return req.getHeader("Transfer-Encoding") != null;
    }

    private static String mediaType(String contentType) {
        if (contentType == null) return "";
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    }

    private static void refuse(RoutingContext ctx, com.fasterxml.jackson.databind.node.ObjectNode status) {
        ReadApi.json(ctx, status.path("code").asInt(), status);
    }
}
