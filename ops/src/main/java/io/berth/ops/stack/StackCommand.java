package io.berth.ops.stack;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.ops.kubectl.ApplyCommand;
import io.berth.ops.kubectl.ConnectionOptions;
import io.berth.ops.kubectl.Gateway;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code berth stack deploy|ls|ps|services|rm}: Docker Swarm's stacks on Berth. A compose file becomes Deployments
 * (DaemonSets), Services, Secrets and ConfigMaps ({@link ComposeStack}), applied exactly as {@code berth apply -f}
 * applies a file; the others select the stack's objects by the {@code berth.io/stack} label, through the gateway only.
 */
@Command(name = "stack", mixinStandardHelpOptions = true,
        description = "Manage stacks: deploy a compose file (docker stack deploy) and list, inspect or remove it.",
        subcommands = {StackCommand.Deploy.class, StackCommand.Ls.class, StackCommand.Ps.class, StackCommand.Services.class,
                StackCommand.Rm.class})
public final class StackCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** The kinds of a stack, in the order {@code rm} deletes them (workloads first: their pods go before their Services). */
    record Kind(String printed, String collection) {}

    static final List<Kind> KINDS = List.of(
            new Kind("deployment.apps", "/apis/apps/v1/namespaces/%s/deployments"),
            new Kind("daemonset.apps", "/apis/apps/v1/namespaces/%s/daemonsets"),
            new Kind("service", "/api/v1/namespaces/%s/services"),
            new Kind("secret", "/api/v1/namespaces/%s/secrets"),
            new Kind("configmap", "/api/v1/namespaces/%s/configmaps"));

    /** What every stack subcommand shares: the gateway connection, the namespace, the output streams. */
    abstract static class Base implements Callable<Integer> {
        static {
            io.berth.schemas.AvroTrust.ensure();
        }

        @Mixin
        ConnectionOptions connection = new ConnectionOptions();

        @Option(names = {"-n", "--namespace"}, defaultValue = "default", description = "the namespace of the stack (default: default)")
        String namespace;

        @Spec
        CommandLine.Model.CommandSpec spec;

        Clock clock = Clock.systemUTC();

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }

        Gateway gateway() {
            return new Gateway(connection.servers(), Duration.ofSeconds(30), connection.token(), connection.sslContext());
        }

        int fail(String message) {
            err().println(message.startsWith("error: ") || message.startsWith("Error ") || message.startsWith("The connection") ? message : "error: " + message);
            err().flush();
            return 1;
        }

        /** The items of one kind carrying {@code berth.io/stack} (= {@code stack} unless null), selected on the server and checked here. */
        List<JsonNode> items(Gateway gw, Kind kind, String stack) {
            String selector = stack == null ? ComposeStack.STACK_LABEL : ComposeStack.STACK_LABEL + "=" + stack;
            JsonNode list;
            try {
                list = gw.get(String.format(kind.collection(), namespace) + "?labelSelector=" + URLEncoder.encode(selector, StandardCharsets.UTF_8));
            } catch (Gateway.ApiException e) {
                if (e.code() == 404 && kind.printed().startsWith("daemonset")) return List.of(); // a gateway without DaemonSets
                throw e;
            }
            List<JsonNode> out = new ArrayList<>();
            for (JsonNode i : list.path("items")) {
                JsonNode v = i.path("metadata").path("labels").path(ComposeStack.STACK_LABEL);
                if (v.isTextual() && (stack == null || v.asText().equals(stack))) out.add(i);
            }
            return out;
        }
    }

    @Command(name = "deploy", mixinStandardHelpOptions = true, description = "Deploy a new stack or update an existing one from a compose file.")
    static final class Deploy extends Base {
        @Option(names = {"-c", "--compose-file"}, required = true, paramLabel = "FILE", description = "the compose file (version 3 keys)")
        Path file;

        @Option(names = "--prune", description = "remove the stack's objects the compose file no longer defines")
        boolean prune;

        @Option(names = "--dry-run", description = "print the objects the stack becomes, as YAML, and apply nothing")
        boolean dryRun;

        @Parameters(index = "0", paramLabel = "STACK")
        String stack;

        Map<String, String> environment = System.getenv();

        @Override
        public Integer call() {
            ComposeStack.Conversion c = ComposeStack.convert(stack, file, environment);
            for (String w : c.warnings()) err().println("warning: " + w);
            if (!c.ok()) {
                for (String e : c.errors()) err().println("error: " + e);
                err().println("error: nothing was applied");
                err().flush();
                return 1;
            }
            err().flush();
            if (dryRun) {
                out().print(c.yaml());
                out().flush();
                return 0;
            }
            try {
                Gateway gw = gateway();
                String taken = takenNames(gw, c);
                if (taken != null) return fail(taken + "; nothing was applied");
                int exit = apply(c.yaml());
                if (exit == 0 && prune) exit = prune(gw, c);
                return exit;
            } catch (Gateway.ApiException e) {
                return fail(e.getMessage());
            }
        }

        /** An object of the file that exists but belongs to another stack (or to none): the Service name of a compose service is global. */
        private String takenNames(Gateway gw, ComposeStack.Conversion c) {
            for (JsonNode o : c.objects()) {
                Kind kind = kindOf(o.path("kind").asText());
                String name = o.path("metadata").path("name").asText();
                JsonNode existing;
                try {
                    existing = gw.get(String.format(kind.collection(), namespace) + "/" + name);
                } catch (Gateway.ApiException e) {
                    if (e.code() == 404) continue;
                    throw e;
                }
                if (existing.path("metadata").path("deletionTimestamp").isTextual()) continue;
                String owner = existing.path("metadata").path("labels").path(ComposeStack.STACK_LABEL).asText(null);
                if (!stack.equals(owner)) {
                    return "error: " + kind.printed() + "/" + name + " already exists and belongs to "
                            + (owner == null ? "no stack" : "stack \"" + owner + "\"");
                }
            }
            return null;
        }

        /** Through {@code berth apply -f -}: the same client-side validation, request and output. */
        private int apply(String yaml) {
            List<String> args = new ArrayList<>(List.of("-f", "-", "--server", String.join(",", connection.servers())));
            String token = connection.token();
            if (token != null) args.addAll(List.of("--token", token));
            Object ca = spec.findOption("--certificate-authority") == null ? null : spec.findOption("--certificate-authority").getValue();
            if (ca != null) args.addAll(List.of("--certificate-authority", ca.toString()));
            if (!"default".equals(namespace)) args.addAll(List.of("-n", namespace));
            ApplyCommand apply = new ApplyCommand().withStdin(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
            CommandLine cl = new CommandLine(apply);
            cl.setOut(out());
            cl.setErr(err());
            return cl.execute(args.toArray(String[]::new));
        }

        private int prune(Gateway gw, ComposeStack.Conversion c) {
            java.util.Set<String> keep = new java.util.HashSet<>();
            for (JsonNode o : c.objects()) keep.add(kindOf(o.path("kind").asText()).printed() + "/" + o.path("metadata").path("name").asText());
            for (Kind k : KINDS) {
                for (JsonNode i : items(gw, k, stack)) {
                    String name = i.path("metadata").path("name").asText();
                    if (keep.contains(k.printed() + "/" + name)) continue;
                    gw.call("DELETE", String.format(k.collection(), namespace) + "/" + name, null, null);
                    out().println(k.printed() + "/" + name + " pruned");
                }
            }
            out().flush();
            return 0;
        }

        private static Kind kindOf(String kind) {
            return switch (kind) {
                case "Deployment" -> KINDS.get(0);
                case "DaemonSet" -> KINDS.get(1);
                case "Service" -> KINDS.get(2);
                case "Secret" -> KINDS.get(3);
                default -> KINDS.get(4);
            };
        }
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List stacks: NAME SERVICES.")
    static final class Ls extends Base {
        @Override
        public Integer call() {
            try {
                Gateway gw = gateway();
                Map<String, Integer> stacks = new TreeMap<>();
                for (Kind k : KINDS.subList(0, 2)) {
                    for (JsonNode i : items(gw, k, null)) stacks.merge(i.path("metadata").path("labels").path(ComposeStack.STACK_LABEL).asText(), 1, Integer::sum);
                }
                List<List<String>> rows = new ArrayList<>();
                stacks.forEach((name, n) -> rows.add(List.of(name, Integer.toString(n))));
                out().print(StackTables.table(List.of("NAME", "SERVICES"), rows));
                out().flush();
                return 0;
            } catch (Gateway.ApiException e) {
                return fail(e.getMessage());
            }
        }
    }

    @Command(name = "services", mixinStandardHelpOptions = true, description = "List the services of a stack: ID NAME MODE REPLICAS IMAGE PORTS.")
    static final class Services extends Base {
        @Parameters(index = "0", paramLabel = "STACK")
        String stack;

        @Override
        public Integer call() {
            try {
                Gateway gw = gateway();
                List<JsonNode> workloads = new ArrayList<>(items(gw, KINDS.get(0), stack));
                workloads.addAll(items(gw, KINDS.get(1), stack));
                if (workloads.isEmpty()) {
                    err().println("Nothing found in stack: " + stack);
                    err().flush();
                    return 0;
                }
                out().print(StackTables.services(workloads, items(gw, KINDS.get(2), stack)));
                out().flush();
                return 0;
            } catch (Gateway.ApiException e) {
                return fail(e.getMessage());
            }
        }
    }

    @Command(name = "ps", mixinStandardHelpOptions = true,
            description = "List the tasks (pods) of a stack: ID NAME IMAGE NODE DESIRED STATE CURRENT STATE ERROR PORTS.")
    static final class Ps extends Base {
        @Parameters(index = "0", paramLabel = "STACK")
        String stack;

        @Option(names = "--no-trunc", description = "do not truncate the output")
        boolean noTrunc;

        @Override
        public Integer call() {
            try {
                Gateway gw = gateway();
                List<JsonNode> pods = items(gw, new Kind("pod", "/api/v1/namespaces/%s/pods"), stack);
                if (pods.isEmpty()) {
                    err().println("nothing found in stack: " + stack);
                    err().flush();
                    return 1;
                }
                out().print(StackTables.tasks(pods, clock.instant(), noTrunc));
                out().flush();
                return 0;
            } catch (Gateway.ApiException e) {
                return fail(e.getMessage());
            }
        }
    }

    @Command(name = "rm", aliases = {"remove", "down"}, mixinStandardHelpOptions = true, description = "Remove one or more stacks: every object labelled with it.")
    static final class Rm extends Base {
        @Parameters(arity = "1..*", paramLabel = "STACK")
        List<String> stacks;

        @Override
        public Integer call() {
            int exit = 0;
            try {
                Gateway gw = gateway();
                for (String stack : stacks) {
                    int removed = 0;
                    for (Kind k : KINDS) {
                        for (JsonNode i : items(gw, k, stack)) {
                            String name = i.path("metadata").path("name").asText();
                            out().println("Removing " + k.printed() + "/" + name);
                            out().flush();
                            try {
                                gw.call("DELETE", String.format(k.collection(), namespace) + "/" + name, null, null);
                            } catch (Gateway.ApiException e) {
                                if (e.code() == 404) continue;
                                err().println(e.getMessage());
                                exit = 1;
                            }
                            removed++;
                        }
                    }
                    if (removed == 0) err().println("Nothing found in stack: " + stack);
                }
            } catch (Gateway.ApiException e) {
                return fail(e.getMessage());
            }
            err().flush();
            return exit;
        }
    }
}
