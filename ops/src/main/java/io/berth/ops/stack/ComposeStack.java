package io.berth.ops.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A compose file (version 3 keys, as {@code docker stack deploy} reads it) → the Kubernetes objects Berth's
 * gateway accepts. Pure: the file system is read only for {@code env_file}, {@code .env} and file-based
 * secrets and configs, all relative to the compose file. Every key is either converted, or named in a
 * warning (accepted but not honoured: {@code cap_add}, {@code depends_on}, …), or an error when ignoring it
 * would change what runs (a port range, an unknown {@code deploy.mode}); a conversion with errors must not
 * be applied.
 *
 * <pre>
 * service web ──► Deployment &lt;stack&gt;-web  (DaemonSet when deploy.mode: global)
 *             └─► Service web               (when it has ports or expose: others reach it as http://web:PORT/)
 * secrets.x   ──► Secret &lt;stack&gt;-x          mounted at /run/secrets/x
 * configs.y   ──► ConfigMap &lt;stack&gt;-y       mounted at its target
 * </pre>
 * Every object carries {@code com.docker.stack.namespace} and {@code berth.io/stack}: what {@code stack ls|ps|
 * services|rm} select by.
 */
public final class ComposeStack {
    public static final String STACK_LABEL = "berth.io/stack";
    public static final String SWARM_STACK_LABEL = "com.docker.stack.namespace";
    public static final String SERVICE_LABEL = "berth.io/service";
    public static final String SWARM_SERVICE_LABEL = "com.docker.swarm.service.name";
    static final String UPDATE_DELAY = "berth.io/update-delay";
    static final String ROLLBACK_ON_FAILURE = "berth.io/rollback-on-failure";
    static final int NODE_PORT_MIN = 30000, NODE_PORT_MAX = 32767;

    private static final ObjectMapper YAML_READER = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper YAML_WRITER = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));
    private static final JsonNodeFactory NF = JsonNodeFactory.instance;
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern CONSTRAINT = Pattern.compile("\\s*([A-Za-z0-9_.\\-/]+)\\s*(==|!=)\\s*(.+?)\\s*");

    /** Every key of a compose service (the compose specification); anything else is a typo, an error as in docker. */
    static final Set<String> SERVICE_KEYS = Set.of("annotations", "attach", "blkio_config", "build", "cap_add", "cap_drop", "cgroup",
            "cgroup_parent", "command", "configs", "container_name", "cpu_count", "cpu_percent", "cpu_shares", "cpu_period", "cpu_quota",
            "cpu_rt_runtime", "cpu_rt_period", "cpus", "cpuset", "credential_spec", "depends_on", "deploy", "develop",
            "device_cgroup_rules", "devices", "dns", "dns_opt", "dns_search", "domainname", "entrypoint", "env_file", "environment",
            "expose", "extends", "external_links", "extra_hosts", "gpus", "group_add", "healthcheck", "hostname", "image", "init", "ipc",
            "isolation", "labels", "label_file", "links", "logging", "mac_address", "mem_limit", "mem_reservation", "mem_swappiness",
            "memswap_limit", "models", "network_mode", "networks", "oom_kill_disable", "oom_score_adj", "pid", "pids_limit", "platform",
            "ports", "post_start", "pre_stop", "privileged", "profiles", "provider", "pull_policy", "read_only", "restart", "runtime",
            "scale", "secrets", "security_opt", "shm_size", "stdin_open", "stop_grace_period", "stop_signal", "storage_opt", "sysctls",
            "tmpfs", "tty", "ulimits", "use_api_socket", "user", "userns_mode", "uts", "volumes", "volumes_from", "working_dir");
    /** The service keys converted here (the rest of {@link #SERVICE_KEYS} are warned about). */
    private static final Set<String> CONVERTED = Set.of("image", "command", "entrypoint", "environment", "env_file", "ports", "expose",
            "volumes", "deploy", "healthcheck", "depends_on", "networks", "secrets", "configs", "restart", "labels", "working_dir",
            "stop_grace_period");
    private static final Set<String> DEPLOY_KEYS = Set.of("mode", "replicas", "labels", "update_config", "rollback_config", "resources",
            "restart_policy", "placement", "endpoint_mode");

    /** The objects to apply, in order (Secrets, ConfigMaps, Services, then workloads), and what was said about the file. */
    public record Conversion(List<ObjectNode> objects, List<String> warnings, List<String> errors) {
        public boolean ok() {
            return errors.isEmpty();
        }

        /** The objects as one multi-document YAML, what {@code berth apply -f} takes. */
        public String yaml() {
            StringBuilder b = new StringBuilder();
            for (ObjectNode o : objects) {
                if (b.length() > 0) b.append("---\n");
                try {
                    b.append(YAML_WRITER.writeValueAsString(o));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
            return b.toString();
        }
    }

    private final String stack;
    private final Path dir;
    private final Function<String, String> env;
    private final List<String> warnings = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private final List<ObjectNode> secrets = new ArrayList<>(), configMaps = new ArrayList<>(), services = new ArrayList<>(),
            workloads = new ArrayList<>();
    /** Top-level secret/config name → the object it becomes (name, and key holding the file). */
    private final Map<String, FileSource> secretSources = new HashMap<>(), configSources = new HashMap<>();

    private record FileSource(String object, String key, byte[] content) {}

    private ComposeStack(String stack, Path dir, Function<String, String> env) {
        this.stack = stack;
        this.dir = dir;
        this.env = env;
    }

    /** Reads {@code file} and the {@code .env} next to it; {@code environment} wins over {@code .env}, as in docker. */
    public static Conversion convert(String stack, Path file, Map<String, String> environment) {
        Path dir = file.toAbsolutePath().getParent();
        String text;
        Map<String, String> dotEnv = Map.of();
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
            if (Files.isRegularFile(dir.resolve(".env"))) dotEnv = Interpolation.envFile(Files.readString(dir.resolve(".env")));
        } catch (IOException e) {
            return new Conversion(List.of(), List.of(), List.of("cannot read " + file + ": " + e.getMessage()));
        }
        Map<String, String> vars = new HashMap<>(dotEnv);
        vars.values().removeIf(v -> v == null);
        vars.putAll(environment);
        return convert(stack, text, dir, vars::get);
    }

    /** @param env a variable's value or null: used for {@code ${VAR}} and for {@code environment: [NAME]} without a value */
    public static Conversion convert(String stack, String composeYaml, Path dir, Function<String, String> env) {
        return new ComposeStack(stack, dir, env).run(composeYaml);
    }

    private Conversion run(String text) {
        if (!DNS_LABEL.matcher(stack).matches() || stack.length() > 40) {
            errors.add("stack name \"" + stack + "\": must be lower case letters, digits and '-', start with a letter and be at most 40 characters "
                    + "(Berth names objects <stack>-<service>, DNS labels)");
        }
        JsonNode root;
        try {
            root = YAML_READER.readTree(text);
        } catch (IOException e) {
            errors.add("the compose file is not valid YAML: " + e.getMessage());
            return done();
        }
        if (root == null || !root.isObject()) {
            errors.add("the compose file is not a mapping of top-level keys");
            return done();
        }
        Interpolation interpolation = new Interpolation(env);
        interpolation.apply(root, "");
        warnings.addAll(interpolation.warnings);
        errors.addAll(interpolation.errors);
        if (!interpolation.errors.isEmpty()) return done(); // docker stops at the first unresolved ${VAR:?…}
        topLevelKeys(root);
        fileObjects(root.path("secrets"), "secrets", secretSources, true);
        fileObjects(root.path("configs"), "configs", configSources, false);
        JsonNode svcs = root.path("services");
        if (!svcs.isObject() || svcs.isEmpty()) errors.add("key \"services\": the compose file defines no services");
        for (Iterator<Map.Entry<String, JsonNode>> it = svcs.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            new Service(e.getKey(), e.getValue(), root).convert();
        }
        return done();
    }

    private Conversion done() {
        List<ObjectNode> all = new ArrayList<>();
        all.addAll(secrets);
        all.addAll(configMaps);
        all.addAll(services);
        all.addAll(workloads);
        return new Conversion(errors.isEmpty() ? all : List.of(), List.copyOf(warnings), List.copyOf(errors));
    }

    private void topLevelKeys(JsonNode root) {
        root.fieldNames().forEachRemaining(k -> {
            if (k.startsWith("x-") || Set.of("services", "secrets", "configs", "volumes", "networks").contains(k)) return;
            if (k.equals("version") || k.equals("name")) return; // informative only, docker ignores them too
            warnings.add("key \"" + k + "\" is not supported and was ignored");
        });
        root.path("networks").fieldNames().forEachRemaining(n -> {
            if (!n.equals("default")) {
                warnings.add("key \"networks." + n + "\": Berth has one flat network where every service reaches every other by name; "
                        + "network \"" + n + "\" was ignored");
            }
        });
        root.path("volumes").fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            if (v != null && v.isObject()) {
                v.fieldNames().forEachRemaining(k -> warnings.add("key \"volumes." + e.getKey() + "." + k + "\" is not supported and was ignored "
                        + "(named volumes become emptyDir volumes)"));
            }
        });
    }

    /** Top-level {@code secrets:} / {@code configs:}: file-based ones become a Secret / ConfigMap {@code <stack>-<name>}. */
    private void fileObjects(JsonNode section, String kind, Map<String, FileSource> into, boolean secret) {
        for (Iterator<Map.Entry<String, JsonNode>> it = section.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode def = e.getValue() == null ? NF.objectNode() : e.getValue();
            String key = kind + "." + name;
            String object = objectName(name);
            if (object == null) {
                errors.add("key \"" + key + "\": \"" + name + "\" cannot become a Berth object name (lower case letters, digits, '-', '.')");
                continue;
            }
            String fileKey = dataKey(name);
            byte[] content;
            if (def.path("external").asBoolean(false)) {
                String external = def.path("name").asText(name);
                warnings.add("key \"" + key + "\": external " + (secret ? "secret" : "config") + " \"" + external + "\" must exist in Berth as a "
                        + (secret ? "Secret" : "ConfigMap") + " named \"" + external + "\" with the key \"" + fileKey + "\"");
                into.put(name, new FileSource(external, fileKey, null));
                continue;
            } else if (def.has("file")) {
                Path f = dir.resolve(def.path("file").asText()).normalize();
                try {
                    content = Files.readAllBytes(f);
                } catch (IOException ex) {
                    errors.add("key \"" + key + ".file\": cannot read " + f + ": " + ex.getMessage());
                    continue;
                }
            } else if (def.has("environment")) {
                String v = env.apply(def.path("environment").asText());
                if (v == null) {
                    errors.add("key \"" + key + ".environment\": variable " + def.path("environment").asText() + " is not set");
                    continue;
                }
                content = v.getBytes(StandardCharsets.UTF_8);
            } else if (!secret && def.has("content")) {
                content = def.path("content").asText().getBytes(StandardCharsets.UTF_8);
            } else {
                errors.add("key \"" + key + "\": give file" + (secret ? "" : ", content") + ", environment or external: true");
                continue;
            }
            def.fieldNames().forEachRemaining(k -> {
                if (!Set.of("file", "environment", "content", "external", "name").contains(k)) {
                    warnings.add("key \"" + key + "." + k + "\" is not supported and was ignored");
                }
            });
            String full = stack + "-" + object;
            into.put(name, new FileSource(full, fileKey, content));
            ObjectNode o = object(secret ? "v1" : "v1", secret ? "Secret" : "ConfigMap", full, stackLabels());
            if (secret) {
                o.put("type", "Opaque");
                o.putObject("data").put(fileKey, Base64.getEncoder().encodeToString(content));
                secrets.add(o);
            } else {
                putConfigData(o, fileKey, content);
                configMaps.add(o);
            }
        }
    }

    private static void putConfigData(ObjectNode o, String key, byte[] content) {
        String s = new String(content, StandardCharsets.UTF_8);
        if (java.util.Arrays.equals(s.getBytes(StandardCharsets.UTF_8), content)) o.with("data").put(key, s);
        else o.with("binaryData").put(key, Base64.getEncoder().encodeToString(content));
    }

    /** One compose service and the objects it becomes. */
    private final class Service {
        final String name;
        final JsonNode s;
        final JsonNode root;
        final ObjectNode container = NF.objectNode();
        final ObjectNode pod = NF.objectNode();
        final ArrayNode volumes = NF.arrayNode();
        final ArrayNode mounts = NF.arrayNode();
        /** target port/protocol → nodePort (0: any node port, -1: cluster only), in the order declared. */
        final Map<String, Integer> servicePorts = new LinkedHashMap<>();
        final Set<String> containerPorts = new LinkedHashSet<>();

        Service(String name, JsonNode s, JsonNode root) {
            this.name = name;
            this.s = s == null ? NF.objectNode() : s;
            this.root = root;
        }

        void warn(String key, String message) {
            warnings.add("service \"" + name + "\": key \"" + key + "\" " + message);
        }

        void error(String key, String message) {
            errors.add("service \"" + name + "\": key \"" + key + "\": " + message);
        }

        void convert() {
            if (!DNS_LABEL.matcher(name).matches() || name.length() > 63) {
                errors.add("service \"" + name + "\": the name must be a DNS label (lower case letters, digits and '-', starting with a letter): "
                        + "Berth gives it a Service of that name so the stack's other services reach it by name");
                return;
            }
            if (!s.isObject()) {
                errors.add("service \"" + name + "\": must be a mapping of keys");
                return;
            }
            s.fieldNames().forEachRemaining(k -> {
                if (!SERVICE_KEYS.contains(k) && !k.startsWith("x-")) error(k, "is not a compose service key");
                else if (!CONVERTED.contains(k) && !k.startsWith("x-")) {
                    warn(k, k.equals("build") || k.equals("container_name") ? "is ignored by stacks (as docker stack deploy does)"
                            : "is not supported and was ignored");
                }
            });
            container.put("name", name);
            String image = s.path("image").asText("");
            if (image.isBlank()) error("image", "is required (stacks do not build images)");
            container.put("image", image);
            words("entrypoint").ifPresent(w -> container.set("command", w));
            words("command").ifPresent(w -> container.set("args", w));
            if (s.hasNonNull("working_dir")) container.put("workingDir", s.path("working_dir").asText());
            environment();
            ports();
            volumes();
            files("secrets", secretSources, true);
            files("configs", configSources, false);
            healthcheck();
            if (s.hasNonNull("stop_grace_period")) {
                Long g = duration("stop_grace_period", s.path("stop_grace_period"));
                if (g != null) pod.put("terminationGracePeriodSeconds", g);
            }
            if (s.has("depends_on")) warn("depends_on", "is ignored by stacks (as docker stack deploy does): services start in any order");
            networks();
            restart();
            JsonNode deploy = s.path("deploy");
            deploy.fieldNames().forEachRemaining(k -> {
                if (!DEPLOY_KEYS.contains(k)) warn("deploy." + k, "is not supported and was ignored");
            });
            ObjectNode workload = workload(deploy);
            if (!containerPorts.isEmpty()) {
                ArrayNode cp = container.putArray("ports");
                for (String p : containerPorts) {
                    String[] tp = p.split("/");
                    ObjectNode port = cp.addObject().put("containerPort", Integer.parseInt(tp[0]));
                    if (!tp[1].equals("tcp")) port.put("protocol", tp[1].toUpperCase(Locale.ROOT));
                }
            }
            if (!mounts.isEmpty()) container.set("volumeMounts", mounts);
            pod.putArray("containers").add(container);
            if (!volumes.isEmpty()) pod.set("volumes", volumes);
            if (workload != null) workloads.add(workload);
            if (!servicePorts.isEmpty()) services.add(service());
        }

        /** {@code command} / {@code entrypoint}: a list as it is, a string split as a shell would (Swarm does the same). */
        java.util.Optional<ArrayNode> words(String key) {
            JsonNode n = s.get(key);
            if (n == null || n.isNull()) return java.util.Optional.empty();
            ArrayNode out = NF.arrayNode();
            if (n.isArray()) n.forEach(w -> out.add(w.asText()));
            else if (n.isValueNode()) {
                try {
                    ShellWords.split(n.asText()).forEach(out::add);
                } catch (IllegalArgumentException e) {
                    error(key, e.getMessage());
                }
            } else error(key, "must be a string or a list of strings");
            return java.util.Optional.of(out);
        }

        void environment() {
            Map<String, String> vars = new LinkedHashMap<>();
            JsonNode files = s.path("env_file");
            List<JsonNode> list = new ArrayList<>();
            if (files.isArray()) files.forEach(list::add);
            else if (!files.isMissingNode() && !files.isNull()) list.add(files);
            for (int i = 0; i < list.size(); i++) {
                JsonNode f = list.get(i);
                String path = f.isObject() ? f.path("path").asText() : f.asText();
                boolean required = !f.isObject() || f.path("required").asBoolean(true);
                Path p = dir.resolve(path).normalize();
                try {
                    Interpolation.envFile(Files.readString(p)).forEach((k, v) -> {
                        String value = v == null ? env.apply(k) : v;
                        if (value != null) vars.put(k, value);
                    });
                } catch (IOException e) {
                    if (required) error(files.isArray() ? "env_file[" + i + "]" : "env_file", "cannot read " + p + ": " + e.getMessage());
                }
            }
            JsonNode e = s.path("environment");
            if (e.isArray()) {
                for (JsonNode item : e) {
                    String t = item.asText();
                    int eq = t.indexOf('=');
                    if (eq < 0) {
                        String v = env.apply(t); // a name alone takes the deploying shell's value, unset: left out
                        if (v != null) vars.put(t, v);
                    } else vars.put(t.substring(0, eq), t.substring(eq + 1));
                }
            } else if (e.isObject()) {
                e.fields().forEachRemaining(kv -> {
                    if (kv.getValue() == null || kv.getValue().isNull()) {
                        String v = env.apply(kv.getKey());
                        if (v != null) vars.put(kv.getKey(), v);
                    } else vars.put(kv.getKey(), kv.getValue().asText());
                });
            } else if (!e.isMissingNode() && !e.isNull()) error("environment", "must be a list of NAME=VALUE or a mapping");
            if (vars.isEmpty()) return;
            ArrayNode out = container.putArray("env");
            vars.forEach((k, v) -> out.addObject().put("name", k).put("value", v));
        }

        void ports() {
            JsonNode ports = s.path("ports");
            for (int i = 0; i < ports.size(); i++) port(ports.get(i), "ports[" + i + "]");
            JsonNode expose = s.path("expose");
            for (int i = 0; i < expose.size(); i++) {
                String key = "expose[" + i + "]";
                String t = expose.get(i).asText();
                String[] pp = t.split("/", 2);
                Integer target = portNumber(pp[0], key);
                String proto = protocol(pp.length > 1 ? pp[1] : "tcp", key);
                if (target == null || proto == null) continue;
                containerPorts.add(target + "/" + proto);
                servicePorts.putIfAbsent(target + "/" + proto, -1);
            }
        }

        /** Short {@code [[IP:]PUBLISHED:]TARGET[/PROTO]} or long {@code {target, published, protocol, mode}}. */
        void port(JsonNode p, String key) {
            String published = null, hostIp = null, targetText, proto = "tcp", mode = "ingress";
            if (p.isObject()) {
                targetText = p.path("target").asText("");
                if (p.hasNonNull("published")) published = p.path("published").asText();
                proto = p.path("protocol").asText("tcp");
                mode = p.path("mode").asText("ingress");
                hostIp = p.path("host_ip").asText(null);
                p.fieldNames().forEachRemaining(k -> {
                    if (!Set.of("target", "published", "protocol", "mode", "host_ip", "name", "app_protocol").contains(k)) {
                        warn(key + "." + k, "is not supported and was ignored");
                    }
                });
            } else {
                String t = p.asText();
                String[] pp = t.split("/", 2);
                if (pp.length > 1) proto = pp[1];
                String[] parts = pp[0].split(":");
                targetText = parts[parts.length - 1];
                if (parts.length >= 2) published = parts[parts.length - 2];
                if (parts.length >= 3) hostIp = String.join(":", java.util.Arrays.copyOf(parts, parts.length - 2));
                if (published != null && published.isEmpty()) published = null;
            }
            if (targetText.contains("-") || (published != null && published.contains("-"))) {
                error(key, "port ranges are not supported by Berth (each port is its own Service port): " + p);
                return;
            }
            Integer target = portNumber(targetText, key);
            proto = protocol(proto, key);
            if (target == null || proto == null) return;
            if (hostIp != null && !hostIp.isEmpty() && !hostIp.equals("0.0.0.0")) {
                warn(key, "binds host address " + hostIp + ": Berth serves node ports on every node's address; the address was ignored");
            }
            if (mode.equals("host")) warn(key, "asks for mode host: Berth publishes ports through every node's routing mesh (mode ingress)");
            else if (!mode.equals("ingress")) error(key + ".mode", "\"" + mode + "\" is not supported (ingress or host)");
            containerPorts.add(target + "/" + proto);
            String id = target + "/" + proto;
            if (published == null) {
                servicePorts.put(id, 0); // as Swarm: published on a port of 30000-32767 the cluster picks
                return;
            }
            Integer pub = portNumber(published, key);
            if (pub == null) return;
            if (pub >= NODE_PORT_MIN && pub <= NODE_PORT_MAX) {
                servicePorts.put(id, pub);
            } else {
                warn(key, "publishes host port " + pub + ", which is not published: Berth's node ports are " + NODE_PORT_MIN + "-" + NODE_PORT_MAX
                        + " (publish one of those to reach it from outside); inside the cluster it is " + name + ":" + target);
                servicePorts.putIfAbsent(id, -1);
            }
        }

        Integer portNumber(String text, String key) {
            try {
                int n = Integer.parseInt(text.strip());
                if (n >= 1 && n <= 65535) return n;
            } catch (NumberFormatException e) {
                // reported below
            }
            error(key, "\"" + text + "\" is not a port number (1-65535)");
            return null;
        }

        String protocol(String p, String key) {
            String l = p.toLowerCase(Locale.ROOT);
            if (l.equals("tcp") || l.equals("udp") || l.equals("sctp")) return l;
            error(key, "protocol \"" + p + "\" is not supported (tcp, udp, sctp)");
            return null;
        }

        void volumes() {
            JsonNode vs = s.path("volumes");
            Map<String, String> named = new HashMap<>(); // named volume → pod volume name
            for (int i = 0; i < vs.size(); i++) {
                JsonNode v = vs.get(i);
                String key = "volumes[" + i + "]";
                String type, source, target;
                boolean ro = false;
                String medium = null;
                if (v.isObject()) {
                    type = v.path("type").asText("volume");
                    source = v.path("source").asText("");
                    target = v.path("target").asText("");
                    ro = v.path("read_only").asBoolean(false);
                    v.fieldNames().forEachRemaining(k -> {
                        if (!Set.of("type", "source", "target", "read_only").contains(k)) warn(key + "." + k, "is not supported and was ignored");
                    });
                    if (type.equals("tmpfs")) medium = "Memory";
                } else {
                    String[] parts = v.asText().split(":");
                    if (parts.length == 1) {
                        type = "volume";
                        source = "";
                        target = parts[0];
                    } else {
                        source = parts[0];
                        target = parts[1];
                        type = source.startsWith("/") || source.startsWith(".") || source.startsWith("~") ? "bind" : "volume";
                        if (parts.length > 2) ro = List.of(parts[2].split(",")).contains("ro");
                    }
                }
                if (!target.startsWith("/")) {
                    error(key, "the target \"" + target + "\" must be an absolute path");
                    continue;
                }
                String volName;
                ObjectNode vol = NF.objectNode();
                switch (type) {
                    case "bind" -> {
                        String src = source.startsWith("~") ? System.getProperty("user.home") + source.substring(1) : source;
                        volName = "bind-" + i;
                        vol.putObject("hostPath").put("path", dir.resolve(src).normalize().toString());
                    }
                    case "volume" -> {
                        if (source.isEmpty()) {
                            volName = "anon-" + i; // an anonymous volume lives with its container anyway
                            vol.putObject("emptyDir");
                        } else {
                            if (!root.path("volumes").has(source)) {
                                error(key, "uses the undefined volume \"" + source + "\" (declare it under the top-level key \"volumes\")");
                                continue;
                            }
                            if (named.containsKey(source)) {
                                mounts.add(mount(named.get(source), target, ro));
                                continue;
                            }
                            volName = objectName(source) != null && DNS_LABEL.matcher(objectName(source)).matches() ? objectName(source) : "vol-" + i;
                            named.put(source, volName);
                            warn(key, "mounts the named volume \"" + source + "\" as an emptyDir: its data is per pod, lost when the pod is replaced "
                                    + "and not shared between replicas");
                            vol.putObject("emptyDir");
                        }
                    }
                    case "tmpfs" -> {
                        volName = "tmpfs-" + i;
                        vol.putObject("emptyDir").put("medium", medium);
                    }
                    default -> {
                        error(key + ".type", "\"" + type + "\" is not supported (volume, bind, tmpfs)");
                        continue;
                    }
                }
                vol.put("name", volName);
                volumes.add(reorder(vol));
                mounts.add(mount(volName, target, ro));
            }
        }

        ObjectNode mount(String volume, String path, boolean ro) {
            ObjectNode m = NF.objectNode().put("name", volume).put("mountPath", path);
            if (ro) m.put("readOnly", true);
            return m;
        }

        /**
         * The service's {@code secrets:} (at {@code /run/secrets/<target>}) or {@code configs:} (at their target, default
         * {@code /<name>}). Berth mounts Secrets and ConfigMaps as directories: files of one directory from one object share a
         * volume; from several objects, a per-service object holding them all is made ({@code <stack>-<service>-secrets}).
         */
        void files(String key, Map<String, FileSource> sources, boolean secret) {
            JsonNode list = s.path(key);
            Map<String, Map<String, FileSource>> byDir = new TreeMap<>(); // dir → file name → source
            for (int i = 0; i < list.size(); i++) {
                JsonNode item = list.get(i);
                String k = key + "[" + i + "]";
                String source = item.isObject() ? item.path("source").asText("") : item.asText();
                FileSource src = sources.get(source);
                if (src == null) {
                    error(k, (secret ? "secret" : "config") + " \"" + source + "\" is not declared under the top-level key \"" + key + "\"");
                    continue;
                }
                if (item.isObject()) {
                    item.fieldNames().forEachRemaining(f -> {
                        if (!Set.of("source", "target").contains(f)) warn(k + "." + f, "is not supported and was ignored (mounted read-only, 0444 by the image's user)");
                    });
                }
                String target = item.isObject() && item.hasNonNull("target") ? item.path("target").asText() : (secret ? source : "/" + source);
                if (!target.startsWith("/")) target = (secret ? "/run/secrets/" : "/") + target;
                int slash = target.lastIndexOf('/');
                String d = slash == 0 ? "/" : target.substring(0, slash);
                String file = target.substring(slash + 1);
                if (d.equals("/")) {
                    error(k, "target \"" + target + "\" is in \"/\": Berth mounts " + key + " as directories; give a target in a directory "
                            + "(e.g. /etc/" + file + ")");
                    continue;
                }
                if (!secret && !d.startsWith("/run/") && !d.startsWith("/tmp")) {
                    warn(k, "is mounted as the directory " + d + " (Berth mounts ConfigMaps as directories): other files the image has there are hidden");
                }
                byDir.computeIfAbsent(d, x -> new TreeMap<>()).put(file, src);
            }
            int n = 0;
            for (Map.Entry<String, Map<String, FileSource>> e : byDir.entrySet()) {
                Set<String> objects = new LinkedHashSet<>();
                e.getValue().values().forEach(f -> objects.add(f.object()));
                String object;
                if (objects.size() == 1) {
                    object = objects.iterator().next();
                } else {
                    object = stack + "-" + name + "-" + key + (n == 0 ? "" : "-" + n);
                    ObjectNode combined = object("v1", secret ? "Secret" : "ConfigMap", object, serviceLabels());
                    if (secret) combined.put("type", "Opaque");
                    for (Map.Entry<String, FileSource> f : e.getValue().entrySet()) {
                        if (f.getValue().content() == null) {
                            error(key, "external " + (secret ? "secret" : "config") + " \"" + f.getValue().object() + "\" shares the directory " + e.getKey()
                                    + " with another: Berth mounts one object per directory");
                            continue;
                        }
                        if (secret) combined.with("data").put(f.getKey(), Base64.getEncoder().encodeToString(f.getValue().content()));
                        else putConfigData(combined, f.getKey(), f.getValue().content());
                    }
                    (secret ? secrets : configMaps).add(combined);
                }
                String volName = key + (n == 0 ? "" : "-" + n);
                n++;
                ObjectNode vol = volumes.addObject().put("name", volName);
                ObjectNode ref = vol.putObject(secret ? "secret" : "configMap").put(secret ? "secretName" : "name", object);
                ArrayNode items = ref.putArray("items");
                e.getValue().forEach((file, src) -> items.addObject().put("key", objects.size() == 1 ? src.key() : file).put("path", file));
                mounts.add(mount(volName, e.getKey(), true));
            }
        }

        /** Swarm restarts an unhealthy task and routes only to healthy ones: a livenessProbe and a readinessProbe. */
        void healthcheck() {
            JsonNode h = s.path("healthcheck");
            if (!h.isObject()) return;
            if (h.path("disable").asBoolean(false)) return;
            JsonNode test = h.path("test");
            ArrayNode cmd = NF.arrayNode();
            if (test.isArray() && test.size() > 0) {
                String kind = test.get(0).asText();
                if (kind.equals("NONE")) return;
                if (kind.equals("CMD")) for (int i = 1; i < test.size(); i++) cmd.add(test.get(i).asText());
                else if (kind.equals("CMD-SHELL")) cmd.add("sh").add("-c").add(joinRest(test));
                else {
                    error("healthcheck.test", "must start with CMD, CMD-SHELL or NONE");
                    return;
                }
            } else if (test.isTextual()) {
                cmd.add("sh").add("-c").add(test.asText());
            } else {
                if (!h.isEmpty()) error("healthcheck.test", "is required");
                return;
            }
            h.fieldNames().forEachRemaining(k -> {
                if (!Set.of("test", "interval", "timeout", "retries", "start_period", "disable").contains(k)) {
                    warn("healthcheck." + k, "is not supported and was ignored");
                }
            });
            Long interval = h.has("interval") ? duration("healthcheck.interval", h.get("interval")) : Long.valueOf(30);
            Long timeout = h.has("timeout") ? duration("healthcheck.timeout", h.get("timeout")) : Long.valueOf(30);
            Long start = h.has("start_period") ? duration("healthcheck.start_period", h.get("start_period")) : Long.valueOf(0);
            int retries = h.path("retries").asInt(3);
            if (interval == null || timeout == null || start == null) return;
            ObjectNode live = NF.objectNode();
            live.putObject("exec").set("command", cmd);
            live.put("initialDelaySeconds", start).put("periodSeconds", Math.max(1, interval)).put("timeoutSeconds", Math.max(1, timeout))
                    .put("failureThreshold", Math.max(1, retries));
            ObjectNode ready = live.deepCopy().put("initialDelaySeconds", 0);
            container.set("livenessProbe", live);
            container.set("readinessProbe", ready);
        }

        String joinRest(JsonNode test) {
            List<String> w = new ArrayList<>();
            for (int i = 1; i < test.size(); i++) w.add(test.get(i).asText());
            return String.join(" ", w);
        }

        Long duration(String key, JsonNode v) {
            try {
                return ComposeUnits.seconds(v.asText());
            } catch (IllegalArgumentException e) {
                error(key, "\"" + v.asText() + "\" is not a duration (e.g. 10s, 1m30s)");
                return null;
            }
        }

        void networks() {
            JsonNode n = s.path("networks");
            Set<String> names = new LinkedHashSet<>();
            if (n.isArray()) n.forEach(x -> names.add(x.asText()));
            else if (n.isObject()) n.fieldNames().forEachRemaining(names::add);
            names.remove("default");
            if (!names.isEmpty()) {
                warn("networks", "was ignored: Berth has one flat network where every service reaches every other by its name (networks " + names + ")");
            }
        }

        void restart() {
            String r = s.path("restart").asText("always");
            if (!r.equals("always") && !r.equals("unless-stopped")) {
                warn("restart", "\"" + r + "\" is not honoured: the tasks of a stack service are restarted always (Deployments restart Always)");
            }
            JsonNode p = s.path("deploy").path("restart_policy");
            String c = p.path("condition").asText("any");
            if (!c.equals("any")) {
                warn("deploy.restart_policy.condition", "\"" + c + "\" is not honoured: Deployments restart their containers Always");
            }
            p.fieldNames().forEachRemaining(k -> {
                if (!k.equals("condition")) warn("deploy.restart_policy." + k, "is not supported and was ignored (restarts back off as Kubernetes' do)");
            });
        }

        ObjectNode workload(JsonNode deploy) {
            String mode = deploy.path("mode").asText("replicated");
            boolean global = mode.equals("global");
            if (!global && !mode.equals("replicated")) {
                error("deploy.mode", "\"" + mode + "\" is not supported (replicated or global)");
                return null;
            }
            ObjectNode o = object("apps/v1", global ? "DaemonSet" : "Deployment", stack + "-" + name, stackLabels());
            if ((stack + "-" + name).length() > 63) error("deploy", "the object name " + stack + "-" + name + " is longer than 63 characters");
            ObjectNode meta = (ObjectNode) o.get("metadata");
            deploy.path("labels").fields().forEachRemaining(e -> meta.with("annotations").put(e.getKey(), e.getValue().asText()));
            ObjectNode spec = o.putObject("spec");
            if (global) {
                if (deploy.has("replicas")) warn("deploy.replicas", "is ignored with deploy.mode global (one task per node)");
            } else {
                JsonNode r = deploy.path("replicas");
                if (!r.isMissingNode() && !r.isNull() && (!r.canConvertToInt() || r.asInt(-1) < 0) && !r.asText().matches("[0-9]+")) {
                    error("deploy.replicas", "\"" + r.asText() + "\" is not a number of replicas");
                }
                spec.put("replicas", r.isMissingNode() || r.isNull() ? 1 : Integer.parseInt(r.asText().matches("[0-9]+") ? r.asText() : "1"));
            }
            spec.putObject("selector").set("matchLabels", selector());
            updateConfig(deploy.path("update_config"), global, spec, meta);
            if (deploy.has("rollback_config")) warn("deploy.rollback_config", "is not supported and was ignored (berth rollout undo rolls back)");
            if (deploy.has("endpoint_mode") && !deploy.path("endpoint_mode").asText().equals("vip")) {
                warn("deploy.endpoint_mode", "\"" + deploy.path("endpoint_mode").asText() + "\" is not supported: the service gets a virtual IP (vip)");
            }
            resources(deploy.path("resources"));
            placement(deploy.path("placement"));
            ObjectNode template = spec.putObject("template");
            ObjectNode tmeta = template.putObject("metadata");
            tmeta.set("labels", serviceLabels().deepCopy());
            s.path("labels").fields().forEachRemaining(e -> tmeta.with("annotations").put(e.getKey(), e.getValue().asText()));
            if (s.path("labels").isArray()) {
                s.path("labels").forEach(l -> {
                    String[] kv = l.asText().split("=", 2);
                    tmeta.with("annotations").put(kv[0], kv.length > 1 ? kv[1] : "");
                });
            }
            template.set("spec", pod);
            return o;
        }

        /**
         * Swarm's rolling update: {@code parallelism} tasks at a time (0: all), {@code order} stop-first (the old task goes first:
         * maxUnavailable = parallelism, maxSurge 0) or start-first (maxSurge = parallelism, maxUnavailable 0), {@code delay}
         * between batches (Berth's {@code berth.io/update-delay}), {@code failure_action: rollback} (berth.io/rollback-on-failure).
         */
        void updateConfig(JsonNode u, boolean global, ObjectNode spec, ObjectNode meta) {
            if (u.isMissingNode() || u.isNull()) return;
            int parallelism = u.path("parallelism").asInt(1);
            String step = parallelism <= 0 ? "100%" : Integer.toString(parallelism);
            String order = u.path("order").asText("stop-first");
            if (!order.equals("stop-first") && !order.equals("start-first")) {
                error("deploy.update_config.order", "\"" + order + "\" is not supported (stop-first or start-first)");
                return;
            }
            ObjectNode ru = NF.objectNode();
            if (order.equals("start-first") && !global) ru.put("maxSurge", step).put("maxUnavailable", 0);
            else ru.put("maxSurge", 0).put("maxUnavailable", step);
            if (order.equals("start-first") && global) {
                warn("deploy.update_config.order", "start-first is not supported for global services: a DaemonSet replaces its pods stop-first");
            }
            fixInts(ru);
            spec.putObject(global ? "updateStrategy" : "strategy").put("type", "RollingUpdate").set("rollingUpdate", ru);
            if (u.has("delay")) {
                Long d = duration("deploy.update_config.delay", u.get("delay"));
                if (d != null && global) warn("deploy.update_config.delay", "is not supported for global services and was ignored");
                else if (d != null && d > 0) meta.with("annotations").put(UPDATE_DELAY, d + "s");
            }
            String action = u.path("failure_action").asText("pause");
            if (action.equals("rollback") && !global) meta.with("annotations").put(ROLLBACK_ON_FAILURE, "true");
            else if (!action.equals("pause")) {
                warn("deploy.update_config.failure_action", "\"" + action + "\" is not supported: a failed rollout stops (pause)");
            }
            u.fieldNames().forEachRemaining(k -> {
                if (!Set.of("parallelism", "order", "delay", "failure_action").contains(k)) {
                    warn("deploy.update_config." + k, "is not supported and was ignored");
                }
            });
        }

        void fixInts(ObjectNode ru) {
            for (String f : List.of("maxSurge", "maxUnavailable")) {
                String v = ru.path(f).asText();
                if (v.matches("[0-9]+")) ru.put(f, Integer.parseInt(v));
            }
        }

        void resources(JsonNode r) {
            if (!r.isObject()) return;
            ObjectNode out = NF.objectNode();
            for (String[] kind : new String[][]{{"limits", "limits"}, {"reservations", "requests"}}) {
                JsonNode q = r.path(kind[0]);
                q.fieldNames().forEachRemaining(k -> {
                    String key = "deploy.resources." + kind[0] + "." + k;
                    try {
                        switch (k) {
                            case "cpus" -> out.with(kind[1]).put("cpu", ComposeUnits.cpus(q.get(k).asText()));
                            case "memory" -> out.with(kind[1]).put("memory", ComposeUnits.quantity(ComposeUnits.bytes(q.get(k).asText())));
                            default -> warn(key, "is not supported and was ignored");
                        }
                    } catch (IllegalArgumentException e) {
                        error(key, e.getMessage());
                    }
                });
            }
            r.fieldNames().forEachRemaining(k -> {
                if (!k.equals("limits") && !k.equals("reservations")) warn("deploy.resources." + k, "is not supported and was ignored");
            });
            if (!out.isEmpty()) container.set("resources", out);
        }

        /** {@code node.labels.X == Y} → nodeSelector X: Y; {@code node.hostname == N} → kubernetes.io/hostname: N; the rest warned. */
        void placement(JsonNode p) {
            if (!p.isObject()) return;
            JsonNode cs = p.path("constraints");
            ObjectNode selector = NF.objectNode();
            for (int i = 0; i < cs.size(); i++) {
                String key = "deploy.placement.constraints[" + i + "]";
                String c = cs.get(i).asText();
                Matcher m = CONSTRAINT.matcher(c);
                if (!m.matches()) {
                    error(key, "\"" + c + "\" is not a constraint (e.g. node.labels.disk == ssd)");
                    continue;
                }
                String attr = m.group(1), op = m.group(2), value = m.group(3);
                if (op.equals("==") && attr.startsWith("node.labels.")) selector.put(attr.substring("node.labels.".length()), value);
                else if (op.equals("==") && attr.equals("node.hostname")) selector.put("kubernetes.io/hostname", value);
                else warn(key, "\"" + c + "\" is not supported and was ignored (Berth places by node.labels.X == Y and node.hostname == N)");
            }
            if (!selector.isEmpty()) pod.set("nodeSelector", selector);
            p.fieldNames().forEachRemaining(k -> {
                if (!k.equals("constraints")) warn("deploy.placement." + k, "is not supported and was ignored");
            });
        }

        ObjectNode selector() {
            ObjectNode l = NF.objectNode();
            l.put(STACK_LABEL, stack).put(SERVICE_LABEL, name);
            return l;
        }

        ObjectNode serviceLabels() {
            ObjectNode l = stackLabels();
            l.put(SERVICE_LABEL, name).put(SWARM_SERVICE_LABEL, stack + "_" + name);
            return l;
        }

        /** A Service named as the compose service, selecting its pods: NodePort when a port is published in 30000-32767 or left to pick. */
        ObjectNode service() {
            ObjectNode o = object("v1", "Service", name, serviceLabels());
            ObjectNode spec = o.putObject("spec");
            boolean nodePort = servicePorts.values().stream().anyMatch(v -> v >= 0);
            spec.put("type", nodePort ? "NodePort" : "ClusterIP");
            spec.set("selector", selector());
            ArrayNode ports = spec.putArray("ports");
            servicePorts.forEach((id, np) -> {
                String[] tp = id.split("/");
                int port = Integer.parseInt(tp[0]);
                ObjectNode p = ports.addObject();
                if (servicePorts.size() > 1) p.put("name", tp[1] + "-" + port);
                p.put("port", port).put("targetPort", port);
                if (!tp[1].equals("tcp")) p.put("protocol", tp[1].toUpperCase(Locale.ROOT));
                if (np > 0) p.put("nodePort", np);
            });
            return o;
        }
    }

    private ObjectNode stackLabels() {
        ObjectNode l = NF.objectNode();
        l.put(SWARM_STACK_LABEL, stack).put(STACK_LABEL, stack);
        return l;
    }

    private static ObjectNode object(String apiVersion, String kind, String name, ObjectNode labels) {
        ObjectNode o = NF.objectNode().put("apiVersion", apiVersion).put("kind", kind);
        o.putObject("metadata").put("name", name).set("labels", labels);
        return o;
    }

    /** name first, then the type: easier to read in the printed YAML. */
    private static ObjectNode reorder(ObjectNode vol) {
        ObjectNode o = NF.objectNode().put("name", vol.path("name").asText());
        vol.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("name")) o.set(e.getKey(), e.getValue());
        });
        return o;
    }

    /** A compose name as a Berth object name ({@code db_password} → {@code db-password}); null when nothing valid remains. */
    static String objectName(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace('_', '-');
        return n.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?") ? n : null;
    }

    /** A Secret/ConfigMap data key: the compose name when valid ({@code [-._a-zA-Z0-9]+}). */
    private static String dataKey(String name) {
        return name.matches("[-._a-zA-Z0-9]+") ? name : name.replaceAll("[^-._a-zA-Z0-9]", "_");
    }
}
