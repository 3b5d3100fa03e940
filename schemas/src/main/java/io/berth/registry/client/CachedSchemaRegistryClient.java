package io.berth.registry.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link SchemaRegistryClient} over Confluent's REST API (any compatible registry: Berth's,
 * Confluent's, Karapace). Blocking, on {@link HttpClient}; safe to share between threads.
 * Registered ids (per subject and schema) and fetched schemas (per id) are cached forever: an id
 * never changes meaning. A refusal becomes a {@link RegistryException} with the registry's
 * {@code error_code} and message; an unreachable registry one with code -1.
 * <p>
 * As Confluent's client, the URL may be a comma-separated list ({@code http://a:8081,http://b:8081}):
 * a registry that refuses the connection is skipped for the next one, and the one that answered is
 * asked first from then on (the registries of {@code berth up --ha} forward writes to their leader,
 * so any of them serves any request).
 * <p>
 * A transient failure (every registry unreachable, a 5xx such as 50004 "no leader yet" while the
 * registries elect a new leader, 50003 forwarding to a leader that just died) is retried with
 * back-off (0.1 s doubling to 2 s) for up to {@code retryFor} (default {@link #DEFAULT_RETRY}, 60 s)
 * before it is thrown: every call is idempotent (registering the same schema again answers the same
 * id), and the callers (serdes inside Streams tasks and consumers) must not turn a good record into a
 * dead letter because the registry changed leaders. Refusals (4xx) are thrown at once.
 */
public final class CachedSchemaRegistryClient implements SchemaRegistryClient {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final java.util.List<String> baseUrls;
    /** The index into {@link #baseUrls} of the registry that answered last. */
    private volatile int current;
    private volatile String baseUrl;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final String authorization;
    private final Duration retryFor;
    private final Map<String, Integer> idsBySubjectAndSchema = new ConcurrentHashMap<>();
    /** How long a transient failure is retried by default. */
    public static final Duration DEFAULT_RETRY = Duration.ofSeconds(60);
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CachedSchemaRegistryClient.class);
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

    public CachedSchemaRegistryClient(String baseUrl) {
        this(baseUrl, Duration.ofSeconds(30));
    }

    public CachedSchemaRegistryClient(String baseUrl, Duration requestTimeout) {
        this(baseUrl, requestTimeout, null);
    }

    /**
     * @param authorization the {@code Authorization} header every request carries (see
     *                      {@link #basicAuth(String)}), or null for none
     */
    public CachedSchemaRegistryClient(String baseUrl, Duration requestTimeout, String authorization) {
        this(baseUrl, requestTimeout, authorization, null);
    }

    /** @param ssl the trust an {@code https} registry is checked against (e.g. {@code Tls.trusting(ca)}); null: the JVM's default */
    public CachedSchemaRegistryClient(String baseUrl, Duration requestTimeout, String authorization, javax.net.ssl.SSLContext ssl) {
        this(baseUrl, requestTimeout, authorization, ssl, DEFAULT_RETRY);
    }

    /** @param retryFor how long a transient failure is retried before it is thrown ({@link Duration#ZERO}: never retried) */
    public CachedSchemaRegistryClient(String baseUrl, Duration requestTimeout, String authorization, javax.net.ssl.SSLContext ssl, Duration retryFor) {
        this.retryFor = java.util.Objects.requireNonNull(retryFor, "retryFor");
        this.baseUrls = java.util.Arrays.stream(baseUrl.split(",")).map(String::strip).filter(u -> !u.isEmpty())
                .map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u).toList();
        if (baseUrls.isEmpty()) throw new IllegalArgumentException("registry-url: no URL in \"" + baseUrl + "\"");
        this.baseUrl = baseUrls.get(0);
        this.requestTimeout = requestTimeout;
        this.authorization = authorization;
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10));
        // HTTP/1.1, as Confluent's client: the JDK's default HTTP/2 first tries an h2c upgrade on a plain connection, and
        // when that upgrade goes wrong the server's HTTP/1.1 answer is read as HTTP/2 frames ("protocol error: Frame
        // type(102) length(6627439) exceeds MAX_FRAME_SIZE(16384)": the text of a schema), or the call hangs (CI, 2026-12-05)
        if (ssl != null) b.sslContext(ssl);
        this.http = b.build();
    }

    @Override
    public int register(String subject, Schema schema) {
        String text = schema.toString();
        Integer cached = idsBySubjectAndSchema.get(subject + '\u0000' + text);
        if (cached != null) return cached;
        ObjectNode body = JSON.createObjectNode().put("schema", text);
        JsonNode response = call("POST", "/subjects/" + encode(subject) + "/versions", body.toString());
        if (!response.has("id")) throw new RegistryException(-1, "registry at " + baseUrl + " answered a registration without an id: " + response);
        int id = response.get("id").asInt();
        idsBySubjectAndSchema.put(subject + '\u0000' + text, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public Schema getById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) return cached;
        JsonNode response = call("GET", "/schemas/ids/" + id, null);
        String type = response.path("schemaType").asText("AVRO");
        if (!"AVRO".equals(type)) throw new RegistryException(-1, "schema " + id + " is a " + type + " schema; only AVRO is supported");
        Schema schema;
        try {
            schema = new Schema.Parser().parse(response.path("schema").asText());
        } catch (RuntimeException e) {
            throw new RegistryException(-1, "schema " + id + " from " + baseUrl + " does not parse: " + e.getMessage());
        }
        Schema previous = schemasById.putIfAbsent(id, schema);
        return previous != null ? previous : schema;
    }

    /** Not cached: an id can be registered under one more subject at any time. */
    @Override
    public java.util.List<String> subjectsOf(int id) {
        JsonNode response = call("GET", "/schemas/ids/" + id + "/subjects", null);
        if (!response.isArray()) throw new RegistryException(-1, "registry at " + baseUrl + " answered the subjects of schema " + id + " with " + response);
        java.util.List<String> subjects = new java.util.ArrayList<>();
        response.forEach(n -> subjects.add(n.asText()));
        return subjects;
    }

    private HttpResponse<String> send(String url, String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url + path))
                .timeout(requestTimeout)
                .header("Accept", CONTENT_TYPE)
                .header("Content-Type", CONTENT_TYPE)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) builder.header("Authorization", authorization);
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The header value of Confluent's {@code basic.auth.user.info} ({@code user:password}). */
    public static String basicAuth(String userInfo) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    private JsonNode call(String method, String path, String body) {
        long deadline = System.nanoTime() + retryFor.toNanos();
        long backoffMs = 100;
        for (int attempt = 1; ; attempt++) {
            try {
                return callOnce(method, path, body);
            } catch (RegistryException e) {
                long leftMs = (deadline - System.nanoTime()) / 1_000_000;
                if (!e.isTransient() || leftMs <= 0) throw e;
                if (attempt == 1) log.warn("schema registry: {} {} failed ({}); retrying for up to {} s", method, path, e.getMessage(), retryFor.toSeconds());
                try {
                    Thread.sleep(Math.min(backoffMs, leftMs));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new RegistryException("interrupted while retrying " + method + " " + path + " after: " + e.getMessage(), ie, false);
                }
                backoffMs = Math.min(2000, backoffMs * 2);
            }
        }
    }

    private JsonNode callOnce(String method, String path, String body) {
        HttpResponse<String> response = null;
        int first = current;
        for (int i = 0; response == null; i++) {
            int at = (first + i) % baseUrls.size();
            try {
                response = send(baseUrls.get(at), method, path, body);
                if (at != current) {
                    current = at;
                    baseUrl = baseUrls.get(at);
                }
            } catch (IOException e) {
                // a refused connection never reached the registry: safe to try the next one, even for a write
                // (and every call here is idempotent, so a timed-out one is retried by call())
                boolean refused = e instanceof java.net.ConnectException || e.getCause() instanceof java.net.ConnectException
                        || e instanceof java.net.http.HttpConnectTimeoutException;
                if (!refused || i + 1 >= baseUrls.size()) {
                    // a TLS failure (an untrusted certificate, a protocol mismatch) is a misconfiguration: retrying
                    // cannot help; a refused, reset or timed-out connection may be a registry restarting
                    boolean tls = false;
                    for (Throwable t = e; t != null && !tls; t = t.getCause()) tls = t instanceof javax.net.ssl.SSLException;
                    throw new RegistryException("schema registry " + String.join(",", baseUrls) + (tls ? " refused TLS" : " unreachable")
                            + " for " + method + " " + path + ": " + e, e, !tls);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException("interrupted while calling schema registry " + baseUrl, e, false);
            }
        }
        JsonNode json = parse(response.body());
        if (response.statusCode() / 100 != 2) {
            int code = json != null && json.has("error_code") ? json.get("error_code").asInt() : response.statusCode();
            String message = json != null && json.has("message") ? json.get("message").asText() : "HTTP " + response.statusCode() + ": " + response.body();
            throw new RegistryException(code, message, response.statusCode() / 100 == 5 || RegistryException.transientCode(code));
        }
        if (json == null) throw new RegistryException(-1, "schema registry " + baseUrl + " answered " + method + " " + path + " with non-JSON: " + response.body());
        return json;
    }

    private static JsonNode parse(String body) {
        try {
            return body == null || body.isEmpty() ? null : JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
