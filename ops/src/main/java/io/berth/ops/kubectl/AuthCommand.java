package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code berth auth can-i}: kubectl's access check, answered by the gateway's RBAC. */
@Command(name = "auth", mixinStandardHelpOptions = true, description = "Inspect authorization.", subcommands = AuthCommand.CanI.class)
public final class AuthCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * {@code berth auth can-i VERB TYPE[/NAME] [NAME] [-n NS] [--as USER]} (or {@code VERB /PATH}): a
     * SelfSubjectAccessReview, sent as {@code --as} with Kubernetes' impersonation headers when given.
     * Prints {@code yes} and exits 0, or {@code no} and exits 1, as kubectl does.
     */
    @Command(name = "can-i", mixinStandardHelpOptions = true, description = "Check whether an action is allowed: yes (exit 0) or no (exit 1).")
    public static final class CanI extends KubectlCommand {
        @Parameters(index = "0", paramLabel = "VERB", description = "get, list, watch, create, update, patch, delete, deletecollection, impersonate, … or *")
        String verb;

        @Parameters(index = "1", paramLabel = "TYPE[/NAME] | /PATH", description = "e.g. pods, deployments.apps, deployment/web, /healthz")
        String target;

        @Parameters(index = "2", arity = "0..1", paramLabel = "NAME")
        String name;

        @Option(names = {"-n", "--namespace"}, defaultValue = "default", description = "namespace (default: ${DEFAULT-VALUE})")
        String namespace;

        @Option(names = {"-A", "--all-namespaces"}, description = "check in every namespace (the cluster scope)")
        boolean allNamespaces;

        @Option(names = "--subresource", description = "e.g. log, scale, exec")
        String subresource;

        @Option(names = "--as", paramLabel = "USER", description = "ask for another user (needs 'impersonate users')")
        String as;

        @Option(names = "--as-group", paramLabel = "GROUP", description = "groups of --as (needs 'impersonate groups')")
        List<String> asGroups = new ArrayList<>();

        @Option(names = {"-q", "--quiet"}, description = "print nothing; only the exit code answers")
        boolean quiet;

        @Override
        public Integer call() {
            ObjectNode review = Gateway.object().put("apiVersion", "authorization.k8s.io/v1").put("kind", "SelfSubjectAccessReview");
            ObjectNode spec = review.putObject("spec");
            if (target.startsWith("/")) {
                if (name != null) return fail("a NONRESOURCEURL takes no NAME");
                spec.putObject("nonResourceAttributes").put("verb", verb).put("path", target);
            } else {
                String type = target, objectName = name;
                int slash = target.indexOf('/');
                if (slash >= 0) {
                    type = target.substring(0, slash);
                    objectName = target.substring(slash + 1);
                    if (name != null) return fail("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form");
                }
                String[] groupAndResource = resolve(type);
                if (groupAndResource == null) err().println("Warning: the server doesn't have a resource type '" + type + "'");
                String group = groupAndResource == null ? "" : groupAndResource[0];
                String resource = groupAndResource == null ? type : groupAndResource[1];
                ObjectNode ra = spec.putObject("resourceAttributes");
                if (!allNamespaces && !isClusterScoped(resource)) ra.put("namespace", namespace);
                ra.put("verb", verb).put("group", group).put("resource", resource);
                if (subresource != null) ra.put("subresource", subresource);
                if (objectName != null) ra.put("name", objectName);
            }
            List<String[]> headers = new ArrayList<>();
            if (as != null) headers.add(new String[]{"Impersonate-User", as});
            for (String g : asGroups) headers.add(new String[]{"Impersonate-Group", g});
            if (as == null && !asGroups.isEmpty()) return fail("--as-group needs --as");
            JsonNode status;
            try {
                status = gateway().call("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review.toString(), "application/json", headers)
                        .body().path("status");
            } catch (Gateway.ApiException e) {
                return fail(e);
            }
            boolean allowed = status.path("allowed").asBoolean(false);
            if (!quiet) {
                if (allowed) out().println("yes");
                else out().println("no" + (status.path("reason").asText("").isEmpty() ? "" : " - " + status.path("reason").asText()));
                out().flush();
            }
            return allowed ? 0 : 1;
        }

        /** {@code deployments.apps} → (apps, deployments); {@code deploy} → (apps, deployments); {@code foo.example.com} → (example.com, foo); unknown → null. */
        static String[] resolve(String type) {
            if (type.equals("*")) return new String[]{"*", "*"};
            ResourceTypes.Resource r = ResourceTypes.known(type);
            if (r != null) return new String[]{r.group(), r.plural()};
            String t = type.toLowerCase(Locale.ROOT);
            int dot = t.indexOf('.');
            return dot > 0 ? new String[]{t.substring(dot + 1), t.substring(0, dot)} : null;
        }

        private static boolean isClusterScoped(String resource) {
            ResourceTypes.Resource r = ResourceTypes.known(resource);
            return r != null && !r.namespaced();
        }
    }
}
