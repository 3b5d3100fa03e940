package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code <data-dir>/kubeconfig}: what {@code berth up} writes so kubectl and other Kubernetes clients
 * reach the gateway as the admin (cluster {@code berth} = the gateway URL, a user with a bearer
 * token, context {@code berth} current), and where the Berth CLI finds its token when none is given.
 */
public final class Kubeconfig {
    public static final String FILE_NAME = "kubeconfig";
    public static final String NAME = "berth";
    /** The context of a loopback gateway's plain-HTTP URL (the berth CLI's), next to the HTTPS one kubectl uses. */
    public static final String LOOPBACK = "berth-loopback";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private Kubeconfig() {}

    /**
     * Where the list of every gateway of an HA control plane lives: an extension of the cluster entry
     * ({@code clusters[].cluster.extensions[]}, name {@value}), which kubectl keeps and ignores; the
     * Berth CLI fails over along it.
     */
    public static final String SERVERS_EXTENSION = "berth.io/servers";

    /** The kubeconfig text for {@code server}, user {@code user} with {@code token}. */
    public static String render(String server, String user, String token) {
        return render(server, user, token, null);
    }

    /** The same, with the cluster CA ({@code certificate-authority-data}, base64 PEM) when the server is HTTPS. */
    public static String render(String server, String user, String token, String caData) {
        return render(java.util.List.of(server), user, token, caData, null);
    }

    /**
     * The same for several gateways and a loopback context: {@code servers.get(0)} is the cluster's
     * server (what kubectl uses), and with more than one all of them are listed in the
     * {@value #SERVERS_EXTENSION} extension of the cluster. {@code loopbackServer} (null: none) adds a
     * second cluster and context {@value #LOOPBACK} for the gateway's plain-HTTP loopback URL, where the
     * berth CLI finds the same user's token; kubectl and client-go send credentials only over TLS, so
     * the current context is always the first.
     */
    public static String render(java.util.List<String> servers, String user, String token, String caData, String loopbackServer) {
        ObjectNode c = YAML.createObjectNode().put("apiVersion", "v1").put("kind", "Config");
        var clusters = c.putArray("clusters");
        ObjectNode cluster = clusters.addObject().put("name", NAME).putObject("cluster").put("server", servers.get(0));
        if (caData != null) cluster.put("certificate-authority-data", caData);
        if (servers.size() > 1) {
            var list = cluster.putArray("extensions").addObject().put("name", SERVERS_EXTENSION).putObject("extension").putArray("servers");
            servers.forEach(list::add);
        }
        if (loopbackServer != null) clusters.addObject().put("name", LOOPBACK).putObject("cluster").put("server", loopbackServer);
        c.putArray("users").addObject().put("name", user).putObject("user").put("token", token);
        var contexts = c.putArray("contexts");
        contexts.addObject().put("name", NAME).putObject("context").put("cluster", NAME).put("user", user).put("namespace", "default");
        if (loopbackServer != null) {
            contexts.addObject().put("name", LOOPBACK).putObject("context").put("cluster", LOOPBACK).put("user", user).put("namespace", "default");
        }
        c.put("current-context", NAME);
        c.putObject("preferences");
        try {
            return YAML.writeValueAsString(c);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the kubeconfig (mode 600: it holds a credential), replacing any old one at once. */
    public static void write(Path file, String server, String user, String token) throws IOException {
        write(file, server, user, token, null);
    }

    /** Writes the kubeconfig with the cluster CA (base64 PEM, null: none). */
    public static void write(Path file, String server, String user, String token, String caData) throws IOException {
        write(file, server, user, token, caData, null);
    }

    /** Writes the kubeconfig with the cluster CA and a loopback plain-HTTP context (null: none). */
    public static void write(Path file, String server, String user, String token, String caData, String loopbackServer) throws IOException {
        io.berth.schemas.auth.SecretFiles.replace(file, render(java.util.List.of(server), user, token, caData, loopbackServer));
    }

    /** Writes the kubeconfig of several gateways ({@link #render(java.util.List, String, String, String, String)}). */
    public static void write(Path file, java.util.List<String> servers, String user, String token, String caData) throws IOException {
        io.berth.schemas.auth.SecretFiles.replace(file, render(servers, user, token, caData, null));
    }

    /**
     * The gateways of the current context's cluster in {@code file}: the {@value #SERVERS_EXTENSION} list
     * when there is one, else its {@code server}; empty when the file is absent or unreadable.
     */
    public static java.util.List<String> servers(Path file) {
        if (!Files.isReadable(file)) return java.util.List.of();
        try {
            JsonNode c = YAML.readTree(file.toFile());
            String context = c.path("current-context").asText("");
            String name = "";
            for (JsonNode x : c.path("contexts")) {
                if (x.path("name").asText().equals(context)) name = x.path("context").path("cluster").asText("");
            }
            for (JsonNode k : c.path("clusters")) {
                if (k.path("name").asText().equals(name)) return servers(k.path("cluster"));
            }
        } catch (IOException | RuntimeException e) {
            // unreadable: none
        }
        return java.util.List.of();
    }

    private static java.util.List<String> servers(JsonNode cluster) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (JsonNode e : cluster.path("extensions")) {
            if (SERVERS_EXTENSION.equals(e.path("name").asText())) e.path("extension").path("servers").forEach(u -> out.add(u.asText()));
        }
        if (out.isEmpty() && !cluster.path("server").asText("").isEmpty()) out.add(cluster.path("server").asText());
        return out;
    }

    /** The PEM of the CA ({@code certificate-authority-data}) of the cluster named {@code server} in {@code file}; empty when none. */
    public static Optional<String> caPem(Path file, String server) {
        try {
            if (!Files.isReadable(file)) return Optional.empty();
            JsonNode c = YAML.readTree(file.toFile());
            for (JsonNode k : c.path("clusters")) {
                JsonNode cl = k.path("cluster");
                if (trim(cl.path("server").asText("")).equals(trim(server)) && cl.hasNonNull("certificate-authority-data")) {
                    return Optional.of(new String(java.util.Base64.getDecoder().decode(cl.get("certificate-authority-data").asText()), StandardCharsets.UTF_8));
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            // unreadable: no CA
        }
        return Optional.empty();
    }

    /** The server of the current context's cluster in {@code file}; empty when absent or unreadable. */
    public static Optional<String> server(Path file) {
        if (!Files.isReadable(file)) return Optional.empty();
        try {
            JsonNode c = YAML.readTree(file.toFile());
            String current = c.path("current-context").asText(""), cluster = null;
            for (JsonNode x : c.path("contexts")) {
                if (x.path("name").asText().equals(current)) cluster = x.path("context").path("cluster").asText("");
            }
            for (JsonNode k : c.path("clusters")) {
                if (k.path("name").asText().equals(cluster)) return Optional.of(k.path("cluster").path("server").asText()).filter(x -> !x.isEmpty());
            }
        } catch (IOException | RuntimeException e) {
            // unreadable: none
        }
        return Optional.empty();
    }

    /** The bearer token of the current context's user in {@code file}; empty when absent or unreadable. */
    public static Optional<String> token(Path file) {
        return token(file, null);
    }

    /**
     * The token of the current context's user, or, when {@code server} is given, of the user of the
     * context whose cluster is {@code server} (the current one first), so a token is never sent to a
     * server it was not issued for.
     */
    public static Optional<String> token(Path file, String server) {
        if (!Files.isReadable(file)) return Optional.empty();
        try {
            JsonNode c = YAML.readTree(file.toFile());
            String current = c.path("current-context").asText("");
            java.util.List<JsonNode> contexts = new java.util.ArrayList<>();
            for (JsonNode x : c.path("contexts")) {
                if (x.path("name").asText().equals(current)) contexts.add(0, x);
                else if (server != null) contexts.add(x);
            }
            for (JsonNode x : contexts) {
                String user = x.path("context").path("user").asText(""), cluster = x.path("context").path("cluster").asText("");
                if (server != null) {
                    boolean same = false;
                    for (JsonNode k : c.path("clusters")) {
                        if (k.path("name").asText().equals(cluster)
                                && servers(k.path("cluster")).stream().map(Kubeconfig::trim).anyMatch(trim(server)::equals)) same = true;
                    }
                    if (!same) continue;
                }
                for (JsonNode u : c.path("users")) {
                    if (u.path("name").asText().equals(user) && !u.path("user").path("token").asText("").isEmpty()) {
                        return Optional.of(u.path("user").path("token").asText());
                    }
                }
                return Optional.empty();
            }
        } catch (IOException | RuntimeException e) {
            // unreadable: no token
        }
        return Optional.empty();
    }

    private static String trim(String url) {
        String u = url.strip();
        return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
    }
}
