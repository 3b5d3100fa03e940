package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code berth wait --for=condition=Available|--for=delete|--for=jsonpath='{.status.readyReplicas}'=3 TYPE/NAME… [--timeout=30s]}:
 * as kubectl's, reading the objects through the gateway until each meets the condition or the
 * timeout passes (exit 1 and kubectl's message: {@code timed out waiting for the condition on deployments/web}).
 */
@Command(name = "wait", mixinStandardHelpOptions = true,
        description = "Wait for a condition on one or many resources: --for=condition=NAME[=VALUE], --for=delete or --for=jsonpath='{.path}'=VALUE.")
public final class WaitCommand extends KubectlCommand {
    @Parameters(arity = "1..*", paramLabel = "TYPE/NAME | TYPE NAME…", description = "e.g. deployment/web pod/web-1, or deployments web api")
    List<String> targets;

    @Option(names = "--for", required = true, paramLabel = "CONDITION",
            description = "condition=NAME[=VALUE] (VALUE default true, case-insensitive), delete, or jsonpath='{.a.b[0].c}'=VALUE (dotted paths and indices)")
    String condition;

    @Option(names = "--timeout", defaultValue = "30s", paramLabel = "DURATION", description = "how long to wait, e.g. 30s, 5m, 1h (default: ${DEFAULT-VALUE}); 0 checks once")
    String timeoutText;

    @Option(names = {"-n", "--namespace"}, defaultValue = "default", description = "namespace (default: ${DEFAULT-VALUE})")
    String namespace;

    public WaitCommand() {}

    /** What to wait for, parsed from {@code --for}. */
    record Condition(String kind, String path, String value) {
        static Condition parse(String text) {
            if (text.equals("delete")) return new Condition("delete", "", "");
            if (text.startsWith("condition=")) {
                String rest = text.substring("condition=".length());
                int eq = rest.indexOf('=');
                String name = eq < 0 ? rest : rest.substring(0, eq);
                if (name.isEmpty()) throw new IllegalArgumentException("--for: condition name is empty");
                return new Condition("condition", name, eq < 0 ? "true" : rest.substring(eq + 1));
            }
            if (text.startsWith("jsonpath=")) {
                String rest = text.substring("jsonpath=".length());
                int close = rest.lastIndexOf('}');
                if (!rest.startsWith("{") || close < 0) throw new IllegalArgumentException("--for: jsonpath must be {.path}=VALUE, e.g. jsonpath='{.status.phase}'=Running");
                String path = rest.substring(1, close);
                String value = rest.substring(close + 1);
                if (!value.startsWith("=")) throw new IllegalArgumentException("--for: jsonpath needs a value to compare with: jsonpath='" + rest + "'=VALUE");
                pointer(path); // validates
                return new Condition("jsonpath", path, value.substring(1));
            }
            throw new IllegalArgumentException("--for: unrecognized condition: \"" + text + "\" (condition=NAME[=VALUE], delete or jsonpath='{.path}'=VALUE)");
        }

        /** Whether {@code o} (null: gone) meets it. */
        boolean met(JsonNode o) {
            if (kind.equals("delete")) return o == null;
            if (o == null) return false;
            if (kind.equals("jsonpath")) {
                JsonNode at = o.at(pointer(path));
                return !at.isMissingNode() && !at.isContainerNode() && at.asText().equals(value);
            }
            for (JsonNode c : o.path("status").path("conditions")) {
                if (c.path("type").asText().equalsIgnoreCase(path)) return c.path("status").asText().equalsIgnoreCase(value);
            }
            return false;
        }

        /** {@code .status.containerStatuses[0].ready} as a JSON pointer ({@code /status/containerStatuses/0/ready}). */
        static String pointer(String path) {
            if (!path.startsWith(".")) throw new IllegalArgumentException("--for: jsonpath must start with a dot, e.g. {.status.phase}");
            StringBuilder p = new StringBuilder();
            for (String part : path.substring(1).split("\\.", -1)) {
                if (part.isEmpty()) throw new IllegalArgumentException("--for: empty segment in jsonpath {" + path + "}");
                String field = part;
                List<String> indices = new ArrayList<>();
                int bracket = part.indexOf('[');
                if (bracket >= 0) {
                    field = part.substring(0, bracket);
                    for (String ix : part.substring(bracket + 1).split("\\[")) {
                        String n = ix.endsWith("]") ? ix.substring(0, ix.length() - 1) : ix;
                        if (!n.matches("\\d{1,6}")) throw new IllegalArgumentException("--for: only numeric indices are supported in jsonpath: [" + n + "]");
                        indices.add(n);
                    }
                }
                p.append('/').append(field.replace("~", "~0").replace("/", "~1"));
                indices.forEach(i -> p.append('/').append(i));
            }
            return p.toString();
        }
    }

    @Override
    public Integer call() {
        Condition c;
        Duration timeout;
        try {
            c = Condition.parse(condition);
            timeout = GoDuration.parse(timeoutText, "--timeout");
        } catch (IllegalArgumentException e) {
            return fail("" + e.getMessage());
        }
        List<String[]> objects = new ArrayList<>();
        if (targets.size() >= 2 && !targets.get(0).contains("/")) {
            for (String n : targets.subList(1, targets.size())) objects.add(new String[]{targets.get(0), n});
        } else {
            for (String t : targets) {
                String[] tn = ResourceTypes.typeAndName(t);
                if (tn == null) return fail("arguments in resource/name form must have a single resource and name: " + t);
                objects.add(tn);
            }
        }
        long deadline = clock.millis() + timeout.toMillis();
        int exit = 0;
        try {
            Gateway gw = gateway();
            for (String[] o : objects) {
                ResourceTypes.Resource r = ResourceTypes.resource(o[0]);
                if (r == null) return fail("the server doesn't have a resource type \"" + o[0] + "\"");
                String path = Gateway.item(r.plural(), r.namespaced() ? namespace : null, o[1]);
                Optional<JsonNode> first = read(gw, path);
                if (first.isEmpty() && !c.kind().equals("delete")) {
                    err().println("Error from server (NotFound): " + r.printedPlural() + " \"" + o[1] + "\" not found");
                    exit = 1;
                    continue;
                }
                if (waitFor(gw, path, c, deadline, first.orElse(null))) {
                    out().println(r.printed() + "/" + o[1] + (c.kind().equals("delete") ? " deleted" : " condition met"));
                } else {
                    err().println("error: timed out waiting for the condition on " + r.plural() + "/" + o[1]);
                    exit = 1;
                }
                out().flush();
                err().flush();
            }
        } catch (Gateway.ApiException e) {
            return fail(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
        out().flush();
        err().flush();
        return exit;
    }

    /** Polls every 250 ms (the gateway answers a read from memory) until met or past the deadline; checks at least once. */
    private boolean waitFor(Gateway gw, String path, Condition c, long deadline, JsonNode first) throws InterruptedException {
        JsonNode now = first;
        while (true) {
            if (c.met(now)) return true;
            if (clock.millis() >= deadline) return false;
            Thread.sleep(Math.max(1, Math.min(250, deadline - clock.millis())));
            now = read(gw, path).orElse(null);
        }
    }

    private static Optional<JsonNode> read(Gateway gw, String path) {
        try {
            return Optional.of(gw.get(path));
        } catch (Gateway.ApiException e) {
            if (e.code == 404) return Optional.empty();
            throw e;
        }
    }
}
