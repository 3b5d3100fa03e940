package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The CLI's HTTP edge: the gateway's Kubernetes-shaped REST API over {@link HttpClient}. Every call
 * returns the parsed JSON or throws {@link ApiException} carrying what kubectl prints:
 * {@code Error from server (NotFound): pods "x" not found} for a Kubernetes Status, or
 * {@code The connection to the server … was refused} when nothing answers.
 * <p>
 * Given several servers (the gateways of {@code berth up --ha}), a call whose connection is refused
 * (or cannot be made in time) goes to the next one, and the one that answered is asked first from then
 * on. Only a connection that was never made is retried: the request cannot have reached a gateway, so
 * even an apply is not sent twice.
 */
public final class Gateway {
    static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> servers;
    /** The index into {@link #servers} of the gateway that answered last. */
    private volatile int current;
    private final HttpClient http;
    private final Duration timeout;
    private final String token;

    Gateway(String server, Duration timeout) {
        this(server, timeout, null);
    }

    /** @param token the bearer token every request carries (null: none, the gateway then answers 401) */
    Gateway(String server, Duration timeout, String token) {
        this(server, timeout, token, null);
    }

    /** @param ssl what an https server's certificate is checked against (null: the JVM's default trust) */
    Gateway(String server, Duration timeout, String token, javax.net.ssl.SSLContext ssl) {
        this(List.of(server), timeout, token, ssl);
    }

    /** @param servers the gateways, tried in this order when one refuses the connection */
    public Gateway(List<String> servers, Duration timeout, String token, javax.net.ssl.SSLContext ssl) {
        if (servers.isEmpty()) throw new IllegalArgumentException("no gateway URL");
        this.servers = List.copyOf(servers);
        this.timeout = timeout;
        this.token = token;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).version(HttpClient.Version.HTTP_1_1);
        if (ssl != null) b.sslContext(ssl);
        this.http = b.build();
    }

    /** The gateway asked first: the one that answered last. */
    public String server() {
        return servers.get(current);
    }

    /** A failed call: the message is complete and printable (kubectl's wording); {@code code} is the HTTP status or 0. */
    public static final class ApiException extends RuntimeException {
        final int code;
        final String reason;

        ApiException(int code, String reason, String message) {
            super(message);
            this.code = code;
            this.reason = reason;
        }

        boolean notFound() {
            return code == 404;
        }

        /** The HTTP status, 0 when no gateway answered. */
        public int code() {
            return code;
        }
    }

    /** A response: status, body as JSON (or null) and the {@code Warning} headers' texts. */
    public record Response(int status, JsonNode body, List<String> warnings) {}

    static String query(Map<String, String> params) {
        StringBuilder q = new StringBuilder();
        params.forEach((k, v) -> {
            if (v == null) return;
            q.append(q.length() == 0 ? "?" : "&").append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
        });
        return q.toString();
    }

    static Map<String, String> params(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    public JsonNode get(String path) {
        return call("GET", path, null, null).body();
    }

    public Response call(String method, String path, String body, String contentType) {
        return call(method, path, body, contentType, List.of());
    }

    /** @param headers extra request headers as name/value pairs (e.g. {@code Impersonate-User}) */
    Response call(String method, String path, String body, String contentType, List<String[]> headers) {
        HttpResponse<String> r = failingOver(server -> {
            HttpRequest.Builder b = authorized(HttpRequest.newBuilder(uri(server, path)).timeout(timeout).header("Accept", "application/json"));
            for (String[] h : headers) b.header(h[0], h[1]);
            if (contentType != null) b.header("Content-Type", contentType);
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        });
        JsonNode json = parse(r.body());
        if (r.statusCode() >= 400) throw error(r.statusCode(), json, r.body());
        return new Response(r.statusCode(), json, warnings(r.headers().allValues("Warning")));
    }

    /** One HTTP exchange with a given gateway. */
    private interface Exchange<T> {
        HttpResponse<T> send(String server) throws IOException, InterruptedException;
    }

    /**
     * Sends to the gateway that answered last, and on a connection that could not be made to the next
     * ones in turn; an error naming the first gateway when none answers.
     */
    private <T> HttpResponse<T> failingOver(Exchange<T> exchange) {
        int first = current;
        ApiException firstError = null;
        for (int i = 0; i < servers.size(); i++) {
            int at = (first + i) % servers.size();
            try {
                HttpResponse<T> r = exchange.send(servers.get(at));
                current = at;
                return r;
            } catch (IOException e) {
                ApiException u = unreachable(servers.get(at), e);
                if (firstError == null) firstError = u;
                if (!notConnected(e)) throw u; // the request may have reached the gateway: not sent again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException(0, "", "interrupted");
            }
        }
        throw firstError;
    }

    /** True when the connection itself failed: refused, or not made within the connect timeout. */
    static boolean notConnected(IOException e) {
        return e instanceof ConnectException || e.getCause() instanceof ConnectException || e instanceof java.net.http.HttpConnectTimeoutException;
    }

    JsonNode send(String method, String path, JsonNode body) {
        return call(method, path, body == null ? null : body.toString(), "application/json").body();
    }

    /**
     * Streams a watch ({@code ?watch=true}): one JSON event per line, handed to {@code onEvent}
     * until the server ends the stream or {@code onEvent} returns false.
     */
    void watch(String path, java.util.function.Predicate<JsonNode> onEvent) {
        stream(path, "application/json", "watch", line -> {
            if (line.isBlank()) return true;
            JsonNode event = parse(line);
            return event == null || onEvent.test(event);
        });
    }

    /** Streams a plain-text body (pod logs) line by line. */
    void lines(String path, Consumer<String> onLine) {
        stream(path, "text/plain", "log", line -> {
            onLine.accept(line);
            return true;
        });
    }

    /** Reads a streamed body line by line until it ends or {@code onLine} returns false; a 4xx/5xx becomes an ApiException. */
    private void stream(String path, String accept, String what, java.util.function.Predicate<String> onLine) {
        HttpResponse<InputStream> r;
        try {
            r = failingOver(server -> http.send(
                    authorized(HttpRequest.newBuilder(uri(server, path)).header("Accept", accept)).GET().build(), HttpResponse.BodyHandlers.ofInputStream()));
        } catch (ApiException e) {
            if (Thread.currentThread().isInterrupted()) return; // a watch stopped by its caller
            throw e;
        }
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            if (r.statusCode() >= 400) {
                String text = String.join("\n", in.lines().toList());
                throw error(r.statusCode(), parse(text), text);
            }
            String line;
            while ((line = in.readLine()) != null) {
                if (!onLine.test(line)) return;
            }
        } catch (IOException e) {
            throw new ApiException(0, "", "error: the " + what + " stream ended: " + e.getMessage());
        }
    }

    /**
     * Opens a WebSocket to {@code path} (exec, port-forward) on the gateway asked first, offering {@code protocols};
     * a refused upgrade becomes the gateway's own answer to the same path ({@code Error from server (NotFound): …}).
     */
    java.net.http.WebSocket webSocket(String path, List<String> protocols, java.net.http.WebSocket.Listener listener) {
        String server = server();
        URI uri = URI.create(server.replaceFirst("^http", "ws") + path);
        java.net.http.WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .subprotocols(protocols.get(0), protocols.subList(1, protocols.size()).toArray(String[]::new));
        if (token != null) b.header("Authorization", "Bearer " + token);
        try {
            return b.buildAsync(uri, listener).get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(0, "", "interrupted");
        } catch (java.util.concurrent.TimeoutException e) {
            throw new ApiException(0, "", "Unable to connect to the server: " + server + ": the upgrade timed out");
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof java.net.http.WebSocketHandshakeException h) {
                int status = h.getResponse() == null ? 0 : h.getResponse().statusCode();
                Response plain = call("GET", path, null, null); // throws the gateway's Status, as kubectl shows it
                throw new ApiException(status, "", "error: the gateway did not upgrade the connection (HTTP " + status + ", then " + plain.status() + ")");
            }
            if (cause instanceof IOException io) throw unreachable(server, io);
            throw new ApiException(0, "", "error: " + cause);
        }
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder b) {
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    private static URI uri(String server, String path) {
        return URI.create(server + path);
    }

    private static ApiException unreachable(String server, IOException e) {
        String hostPort = server.replaceFirst("^https?://", "");
        if (e instanceof ConnectException || (e.getCause() instanceof ConnectException)) {
            return new ApiException(0, "", "The connection to the server " + hostPort + " was refused - did you specify the right host or port?");
        }
        if (e instanceof HttpTimeoutException) {
            return new ApiException(0, "", "Unable to connect to the server: " + hostPort + ": request timed out");
        }
        return new ApiException(0, "", "Unable to connect to the server: " + hostPort + ": " + e);
    }

    /** kubectl's wording for a failed request: {@code Error from server (Reason): message}. */
    static ApiException error(int code, JsonNode status, String raw) {
        String reason = status == null ? "" : status.path("reason").asText("");
        String message = status == null ? "" : status.path("message").asText("");
        if (message.isEmpty()) message = raw == null || raw.isBlank() ? "the server responded with status " + code : raw.strip();
        if (code == 401) {
            return new ApiException(code, "Unauthorized", "error: You must be logged in to the server (Unauthorized): give a token with --token or "
                    + "$BERTH_TOKEN ('berth token create'), or run where 'berth up' wrote its kubeconfig");
        }
        if (reason.isEmpty()) reason = switch (code) {
            case 400 -> "BadRequest";
            case 404 -> "NotFound";
            case 409 -> "Conflict";
            case 403 -> "Forbidden";
            case 422 -> "Invalid";
            default -> "";
        };
        return new ApiException(code, reason, "Error from server" + (reason.isEmpty() ? "" : " (" + reason + ")") + ": " + message);
    }

    static JsonNode parse(String text) {
        if (text == null || text.isBlank()) return null;
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    /** The texts of {@code Warning: 299 - "text"} headers. */
    static List<String> warnings(List<String> headers) {
        List<String> out = new ArrayList<>();
        for (String h : headers) {
            String t = h.strip();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\d{3}\\s+\\S+\\s+\"(.*)\"$").matcher(t);
            out.add(m.matches() ? m.group(1).replace("\\\"", "\"") : t);
        }
        return out;
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    // ---- paths ----

    static final String APPLY = "/apis/berth.io/v1/apply";

    /** The collection path of a kind in a namespace ({@code null} = all namespaces). */
    static String collection(String plural, String namespace) {
        return switch (plural) {
            case "nodes", "namespaces" -> "/api/v1/" + plural;
            case "deployments", "daemonsets", "statefulsets", "replicasets", "controllerrevisions" -> namespace == null ? "/apis/apps/v1/" + plural : "/apis/apps/v1/namespaces/" + namespace + "/" + plural;
            case "horizontalpodautoscalers" -> namespace == null ? "/apis/autoscaling/v2/" + plural : "/apis/autoscaling/v2/namespaces/" + namespace + "/" + plural;
            case "jobs", "cronjobs" -> namespace == null ? "/apis/batch/v1/" + plural : "/apis/batch/v1/namespaces/" + namespace + "/" + plural;
            case "clusterroles", "clusterrolebindings" -> "/apis/rbac.authorization.k8s.io/v1/" + plural;
            case "roles", "rolebindings" -> namespace == null ? "/apis/rbac.authorization.k8s.io/v1/" + plural
                    : "/apis/rbac.authorization.k8s.io/v1/namespaces/" + namespace + "/" + plural;
            default -> namespace == null ? "/api/v1/" + plural : "/api/v1/namespaces/" + namespace + "/" + plural;
        };
    }

    static String item(String plural, String namespace, String name) {
        return collection(plural, namespace) + "/" + URLEncoder.encode(name, StandardCharsets.UTF_8);
    }
}
