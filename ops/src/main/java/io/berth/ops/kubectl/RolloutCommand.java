package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.gateway.manifest.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code berth rollout status|history|undo|restart|pause|resume|promote|abort deployment/NAME}: kubectl's
 * rollout commands (and Argo Rollouts' promote/abort) over the gateway, with kubectl's messages and
 * exit codes. {@code status}, {@code history}, {@code undo} and {@code restart} also take a daemon set
 * ({@code daemonset/NAME}, {@code ds/NAME}) and a stateful set ({@code statefulset/NAME}, {@code sts/NAME}), whose
 * revisions are their ControllerRevisions.
 */
@Command(name = "rollout", mixinStandardHelpOptions = true, description = "Manage the rollout of a deployment, a daemon set or a stateful set.",
        subcommands = {RolloutCommand.Status.class, RolloutCommand.History.class, RolloutCommand.Undo.class, RolloutCommand.Restart.class,
                RolloutCommand.Pause.class, RolloutCommand.Resume.class, RolloutCommand.Promote.class, RolloutCommand.Abort.class})
public final class RolloutCommand extends KubectlCommand {
    public RolloutCommand() {}

    @Override
    public Integer call() {
        spec.commandLine().usage(out());
        out().flush();
        return 0;
    }

    /**
     * What the rollout subcommands share: the target ({@code deployment/X}, {@code deploy/X}, {@code deployment X};
     * {@code daemonset/X}, {@code ds/X} where {@link #daemonSets()} says so; {@code statefulset/X}, {@code sts/X} where
     * {@link #statefulSets()} does) and the namespace.
     */
    abstract static class OnDeployment extends KubectlCommand {
        @Parameters(arity = "1..2", paramLabel = "TYPE/NAME | TYPE NAME", description = "e.g. deployment/web, deploy/web or deployment web")
        List<String> target;

        @Option(names = {"-n", "--namespace"}, defaultValue = "default", description = "namespace (default: ${DEFAULT-VALUE})")
        String namespace;

        String name;
        /** The target's resource: deployments, or daemonsets / statefulsets for the subcommands that take them. */
        ResourceTypes.Resource resource = ResourceTypes.DEPLOYMENTS;

        /** Whether the subcommand takes a daemon set too (status, history, undo, restart, as kubectl's). */
        boolean daemonSets() {
            return false;
        }

        boolean isDaemonSet() {
            return resource == ResourceTypes.DAEMONSETS;
        }

        /** Whether the target keeps its revisions as ControllerRevisions (a daemon set or a stateful set). */
        boolean hasControllerRevisions() {
            return resource == ResourceTypes.DAEMONSETS || resource == ResourceTypes.STATEFULSETS;
        }

        /** Whether the subcommand takes a stateful set too (status, history, undo, restart, as kubectl's). */
        boolean statefulSets() {
            return false;
        }

        /** The deployment's name, or null after printing kubectl's error. */
        String resolve() {
            String[] typeAndName = target.size() == 2 ? new String[]{target.get(0), target.get(1)} : ResourceTypes.typeAndName(target.get(0));
            if (typeAndName == null) {
                fail("you must provide one or more resources by argument or filename (e.g. deployment/NAME)");
                return null;
            }
            ResourceTypes.Resource r = ResourceTypes.resource(typeAndName[0]);
            if (r == null) {
                fail("the server doesn't have a resource type \"" + typeAndName[0] + "\"");
                return null;
            }
            if (r != ResourceTypes.DEPLOYMENTS && !(r == ResourceTypes.DAEMONSETS && daemonSets())
                    && !(r == ResourceTypes.STATEFULSETS && statefulSets())) {
                fail("no rollout support for \"" + r.printed() + "\": only deployments"
                        + (statefulSets() ? ", daemonsets and statefulsets have rollouts"
                        : daemonSets() ? " and daemonsets have rollouts" : " have this rollout action"));
                return null;
            }
            resource = r;
            if (typeAndName[1].isEmpty()) {
                fail("resource name may not be empty");
                return null;
            }
            return name = typeAndName[1];
        }

        String path() {
            return Gateway.item(resource.plural(), namespace, name);
        }

        /** {@code deployment.apps/NAME <what>} (or {@code daemonset.apps/NAME …}) on stdout, exit 0. */
        int done(String what) {
            out().println(resource.printed() + "/" + name + " " + what);
            out().flush();
            return 0;
        }

        @Override
        public final Integer call() {
            if (resolve() == null) return 1;
            try {
                return run(gateway());
            } catch (Gateway.ApiException e) {
                return fail(e);
            }
        }

        abstract int run(Gateway gw);

        /** POSTs to a rollout subresource; a 409 (nothing to promote, paused …) is printed as kubectl prints its own refusals. */
        void post(Gateway gw, String subresource, String body) {
            try {
                gw.call("POST", path() + "/" + subresource, body, "application/json");
            } catch (Gateway.ApiException e) {
                if (e.code != 409) throw e;
                String m = e.getMessage();
                throw new Gateway.ApiException(409, e.reason, "error: " + m.substring(m.indexOf("): ") + 3));
            }
        }
    }

    /** A subcommand that takes a deployment, a daemon set or a stateful set (status, history, undo, restart, as kubectl's). */
    abstract static class OnAnyWorkload extends OnDeployment {
        @Override
        boolean daemonSets() {
            return true;
        }

        @Override
        boolean statefulSets() {
            return true;
        }
    }

    // ---------------------------------------------------------------- status

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Watch the rollout of a deployment until it finishes.")
    public static final class Status extends OnAnyWorkload {
        @Option(names = {"-w", "--watch"}, arity = "0..1", defaultValue = "true", fallbackValue = "true",
                description = "watch the rollout until it finishes (default: true)")
        boolean watch = true;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "0s",
                description = "how long to wait before giving up, e.g. 30s, 5m; 0 waits forever (default: ${DEFAULT-VALUE})")
        String timeoutText;

        @Option(names = "--revision", defaultValue = "0", description = "pin to a specific revision; fails when the deployment runs another")
        long revision;

        public Status() {}

        /**
         * kubectl's StatefulSetStatusViewer: only a RollingUpdate stateful set has a rollout status; once its
         * generation is observed, every replica ready, then (with a partition) the ordinals from the partition up
         * updated, else every pod at the update revision.
         */
        static Verdict evaluateStatefulSet(JsonNode sts) {
            JsonNode spec = sts.path("spec"), status = sts.path("status");
            if (!spec.path("updateStrategy").path("type").asText("RollingUpdate").equals("RollingUpdate")) {
                return new Verdict(null, false, "rollout status is only available for RollingUpdate strategy type");
            }
            if (status.path("observedGeneration").asLong(0) == 0
                    || sts.path("metadata").path("generation").asLong(0) > status.path("observedGeneration").asLong(0)) {
                return new Verdict("Waiting for statefulset spec update to be observed...", false, null);
            }
            int replicas = spec.path("replicas").asInt(1);
            int ready = status.path("readyReplicas").asInt(0), updated = status.path("updatedReplicas").asInt(0);
            if (ready < replicas) return new Verdict("Waiting for " + (replicas - ready) + " pods to be ready...", false, null);
            int partition = spec.path("updateStrategy").path("rollingUpdate").path("partition").asInt(0);
            if (partition > 0) {
                if (updated < replicas - partition) {
                    return new Verdict("Waiting for partitioned roll out to finish: " + updated + " out of " + (replicas - partition)
                            + " new pods have been updated...", false, null);
                }
                return new Verdict("partitioned roll out complete: " + updated + " new pods have been updated...", true, null);
            }
            String update = status.path("updateRevision").asText(""), current = status.path("currentRevision").asText("");
            if (!update.equals(current)) {
                return new Verdict("waiting for statefulset rolling update to complete " + updated + " pods at revision " + update + "...", false, null);
            }
            return new Verdict("statefulset rolling update complete " + status.path("currentReplicas").asInt(0) + " pods at revision "
                    + current + "...", true, null);
        }

        /**
         * kubectl's DaemonSetStatusViewer: only a RollingUpdate daemon set has a rollout status; once its generation
         * is observed, every desired node's pod updated and then available.
         */
        static Verdict evaluateDaemonSet(JsonNode ds) {
            String name = ds.path("metadata").path("name").asText();
            if (!ds.path("spec").path("updateStrategy").path("type").asText("RollingUpdate").equals("RollingUpdate")) {
                return new Verdict(null, false, "rollout status is only available for RollingUpdate strategy type");
            }
            JsonNode status = ds.path("status");
            if (ds.path("metadata").path("generation").asLong(0) <= status.path("observedGeneration").asLong(0)) {
                int desired = status.path("desiredNumberScheduled").asInt(0);
                int updated = status.path("updatedNumberScheduled").asInt(0), available = status.path("numberAvailable").asInt(0);
                String waiting = "Waiting for daemon set \"" + name + "\" rollout to finish: ";
                if (updated < desired) return new Verdict(waiting + updated + " out of " + desired + " new pods have been updated...", false, null);
                if (available < desired) return new Verdict(waiting + available + " of " + desired + " updated pods are available...", false, null);
                return new Verdict("daemon set \"" + name + "\" successfully rolled out", true, null);
            }
            return new Verdict("Waiting for daemon set spec update to be observed...", false, null);
        }

        private Verdict verdict(JsonNode o, long followed) {
            return isDaemonSet() ? evaluateDaemonSet(o) : resource == ResourceTypes.STATEFULSETS ? evaluateStatefulSet(o) : evaluate(o, followed, revision);
        }

        /** What one state of the deployment means for {@code rollout status}: a message, done, or an error. */
        record Verdict(String message, boolean done, String error) {}

        /**
         * kubectl's DeploymentStatusViewer, plus Berth's failures: a rollout of the followed revision that
         * failed (also after an automatic rollback) or was aborted is an error.
         */
        static Verdict evaluate(JsonNode d, long followed, long pinned) {
            String name = d.path("metadata").path("name").asText();
            JsonNode berth = d.path("status").path("berth");
            long current = revisionOf(d);
            long failed = berth.path("failedRevision").asLong(0);
            if (followed > 0 && failed == followed) {
                if (current == followed && berth.path("failedReason").asText().equals("ProgressDeadlineExceeded")) {
                    return new Verdict(null, false, "deployment \"" + name + "\" exceeded its progress deadline");
                }
                String why = berth.path("failedMessage").asText("");
                if (why.isEmpty()) why = berth.path("failedReason").asText("the new pods did not become available");
                return new Verdict(null, false, "deployment \"" + name + "\" rollout failed: " + why + rolledBack(d, current, followed));
            }
            if (followed > 0 && berth.path("phase").asText().equals("Aborted") && berth.path("rolledBackFrom").asLong(0) == followed) {
                return new Verdict(null, false, "deployment \"" + name + "\" rollout aborted"
                        + (berth.path("message").asText("").isEmpty() ? "" : ": " + berth.path("message").asText()));
            }
            if (pinned > 0 && current != pinned) {
                return new Verdict(null, false, "desired revision (" + pinned + ") is different from the running revision (" + current + ")");
            }
            long generation = d.path("metadata").path("generation").asLong(0);
            JsonNode status = d.path("status");
            if (generation <= status.path("observedGeneration").asLong(0)) {
                for (JsonNode c : status.path("conditions")) {
                    if (!c.path("type").asText().equals("Progressing")) continue;
                    if (c.path("reason").asText().equals("ProgressDeadlineExceeded")) {
                        return new Verdict(null, false, "deployment \"" + name + "\" exceeded its progress deadline");
                    }
                    if (c.path("reason").asText().equals("RolloutFailed") && c.path("status").asText().equals("False") && current == followed) {
                        return new Verdict(null, false, "deployment \"" + name + "\" rollout failed: " + c.path("message").asText("RolloutFailed"));
                    }
                }
                int replicas = d.path("spec").path("replicas").asInt(1);
                int updated = status.path("updatedReplicas").asInt(0), total = status.path("replicas").asInt(0);
                int available = status.path("availableReplicas").asInt(0);
                String waiting = "Waiting for deployment \"" + name + "\" rollout to finish: ";
                if (updated < replicas) return new Verdict(waiting + updated + " out of " + replicas + " new replicas have been updated...", false, null);
                if (total > updated) return new Verdict(waiting + (total - updated) + " old replicas are pending termination...", false, null);
                if (available < updated) return new Verdict(waiting + available + " of " + updated + " updated replicas are available...", false, null);
                return new Verdict("deployment \"" + name + "\" successfully rolled out", true, null);
            }
            return new Verdict("Waiting for deployment spec update to be observed...", false, null);
        }

        @Override
        int run(Gateway gw) {
            long timeoutMs;
            try {
                timeoutMs = Durations.millis(timeoutText);
            } catch (IllegalArgumentException | ArithmeticException e) {
                return fail("invalid argument \"" + timeoutText + "\" for \"--timeout\" flag: time: invalid duration \"" + timeoutText + "\"");
            }
            JsonNode first = gw.get(path());
            long followed = revision > 0 ? revision : revisionOf(first);
            if (!watch) return report(verdict(first, followed), new String[1]);
            long deadline = timeoutMs <= 0 ? Long.MAX_VALUE : System.currentTimeMillis() + timeoutMs;
            CompletableFuture<Integer> result = new CompletableFuture<>();
            String[] last = new String[1];
            Thread follower = new Thread(() -> {
                try {
                    result.complete(follow(gw, followed, deadline, last));
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            }, "rollout-status");
            follower.setDaemon(true);
            follower.start();
            try {
                return timeoutMs <= 0 ? result.get() : result.get(timeoutMs, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                follower.interrupt();
                return fail("timed out waiting for the condition");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Gateway.ApiException a) return fail(a);
                return fail(String.valueOf(e.getCause()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }

        /** Follows the deployment over a watch (resuming after a dropped stream) until a verdict is final. */
        private int follow(Gateway gw, long followed, long deadline, String[] last) {
            String fields = "metadata.name=" + name;
            String resourceVersion = null;
            int[] exit = {-1};
            String[] rv = {null};
            while (exit[0] < 0 && !Thread.currentThread().isInterrupted()) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) return exit[0] < 0 ? 1 : exit[0];
                String timeout = deadline == Long.MAX_VALUE ? null : Long.toString(Math.max(1, (left + 999) / 1000));
                try {
                    gw.watch(Gateway.collection(resource.plural(), namespace) + Gateway.query(Gateway.params("watch", "true",
                            "fieldSelector", fields, "resourceVersion", resourceVersion, "timeoutSeconds", timeout)), event -> {
                        String type = event.path("type").asText();
                        JsonNode o = event.path("object");
                        if (!o.path("metadata").path("resourceVersion").asText("").isEmpty()) rv[0] = o.path("metadata").path("resourceVersion").asText();
                        if (type.equals("DELETED")) {
                            exit[0] = fail("object has been deleted");
                            return false;
                        }
                        if (!type.equals("ADDED") && !type.equals("MODIFIED")) return true;
                        int r = report(verdict(o, followed), last);
                        if (r >= 0) {
                            exit[0] = r;
                            return false;
                        }
                        return true;
                    });
                } catch (Gateway.ApiException e) {
                    if (e.code != 0) return fail(e);
                }
                resourceVersion = rv[0];
                if (exit[0] < 0) {
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            return exit[0] < 0 ? 1 : exit[0];
        }

        /** Prints a verdict (a message only when it changed); the exit code when final, -1 to keep watching. */
        private int report(Verdict v, String[] last) {
            if (v.error != null) return fail(v.error);
            if (!v.message.equals(last[0])) {
                out().println(v.message);
                out().flush();
                last[0] = v.message;
            }
            return v.done || !watch ? 0 : -1;
        }
    }

    private static final java.util.regex.Pattern ROLLED_BACK = java.util.regex.Pattern.compile("rolled back from revision (\\d+) to revision (\\d+)");

    /**
     * After an automatic rollback, which revision it went back to: {@code (rolled back from revision 2 to
     * revision 1, now revision 3)}, from the RolledBack condition or rollout message; empty when none happened.
     */
    static String rolledBack(JsonNode d, long current, long followed) {
        if (current == followed) return "";
        JsonNode berth = d.path("status").path("berth");
        List<String> texts = new ArrayList<>();
        for (JsonNode c : d.path("status").path("conditions")) {
            if (c.path("type").asText().equals("RolledBack") || c.path("reason").asText().equals("RolledBack")) texts.add(c.path("message").asText(""));
        }
        boolean rolledBack = !texts.isEmpty() || berth.path("phase").asText().equals("RolledBack");
        texts.add(berth.path("message").asText(""));
        for (String t : texts) {
            java.util.regex.Matcher m = ROLLED_BACK.matcher(t);
            if (m.find()) return " (" + m.group() + ", now revision " + current + ")";
        }
        return rolledBack ? " (rolled back: now revision " + current + ")" : "";
    }

    static long revisionOf(JsonNode deployment) {
        try {
            return Long.parseLong(deployment.path("metadata").path("annotations").path("deployment.kubernetes.io/revision").asText("0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The deployment's ReplicaSets (its revisions), oldest revision first. */
    static List<JsonNode> revisions(Gateway gw, String namespace, String name) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode rs : gw.get(Gateway.collection("replicasets", namespace)).path("items")) {
            for (JsonNode owner : rs.path("metadata").path("ownerReferences")) {
                if (owner.path("kind").asText().equals("Deployment") && owner.path("name").asText().equals(name)) out.add(rs);
            }
        }
        out.sort(Comparator.comparingLong(RolloutCommand::revisionOf));
        return out;
    }

    /**
     * A daemon set's ControllerRevisions, oldest revision first, as kubectl's daemonSetHistory finds them: listed by
     * the daemon set's selector, kept when the daemon set (its uid) is their controller.
     */
    static List<JsonNode> controllerRevisions(Gateway gw, String namespace, JsonNode ds) {
        String selector = JsonTables.selector(ds.path("spec").path("selector").path("matchLabels"));
        String uid = ds.path("metadata").path("uid").asText("");
        String query = selector.equals("<none>") ? "" : Gateway.query(Gateway.params("labelSelector", selector));
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode cr : gw.get(Gateway.collection("controllerrevisions", namespace) + query).path("items")) {
            for (JsonNode owner : cr.path("metadata").path("ownerReferences")) {
                if (owner.path("controller").asBoolean(false) && owner.path("uid").asText("").equals(uid)) out.add(cr);
            }
        }
        out.sort(Comparator.comparingLong(cr -> cr.path("revision").asLong(0)));
        return out;
    }

    /** The pod template a ControllerRevision restores: its {@code data.spec.template}, without the {@code $patch} directive. */
    static ObjectNode revisionTemplate(JsonNode controllerRevision) {
        ObjectNode template = controllerRevision.path("data").path("spec").path("template").deepCopy();
        template.remove("$patch");
        return template;
    }

    /** kubectl's history table (its own tabwriter: min width 0, padding 2), "No rollout history found." when empty. */
    static String historyTable(List<Long> revisions, List<String> changeCauses) {
        if (revisions.isEmpty()) return "No rollout history found.";
        List<String> numbers = new ArrayList<>(List.of("REVISION")), causes = new ArrayList<>(List.of("CHANGE-CAUSE"));
        for (int i = 0; i < revisions.size(); i++) {
            numbers.add(Long.toString(revisions.get(i)));
            causes.add(changeCauses.get(i).isEmpty() ? "<none>" : changeCauses.get(i));
        }
        int width = numbers.stream().mapToInt(String::length).max().orElse(0) + 2;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < numbers.size(); i++) {
            b.append(numbers.get(i)).append(" ".repeat(width - numbers.get(i).length())).append(causes.get(i)).append('\n');
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- history

    @Command(name = "history", mixinStandardHelpOptions = true, description = "View the revisions of a deployment.")
    public static final class History extends OnAnyWorkload {
        @Option(names = "--revision", defaultValue = "0", description = "see the details, including the pod template, of this revision")
        long revision;

        public History() {}

        /** A daemon set's or a stateful set's: its ControllerRevisions' revisions and change causes, or one's pod template. */
        private int fromControllerRevisions(Gateway gw) {
            List<JsonNode> revisions = controllerRevisions(gw, namespace, gw.get(path()));
            if (revision > 0) {
                JsonNode cr = revisions.stream().filter(r -> r.path("revision").asLong() == revision).findFirst().orElse(null);
                if (cr == null) return fail("unable to find the specified revision");
                out().print(resource.printed() + "/" + name + " with revision #" + revision + "\n" + DescribeCommand.podTemplate(revisionTemplate(cr)) + "\n");
                out().flush();
                return 0;
            }
            String table = historyTable(revisions.stream().map(r -> r.path("revision").asLong()).toList(),
                    revisions.stream().map(r -> r.path("metadata").path("annotations").path("kubernetes.io/change-cause").asText("")).toList());
            out().print(resource.printed() + "/" + name + "\n" + table + "\n");
            out().flush();
            return 0;
        }

        @Override
        int run(Gateway gw) {
            if (hasControllerRevisions()) return fromControllerRevisions(gw);
            gw.get(path()); // NotFound as kubectl words it
            List<JsonNode> revisions = revisions(gw, namespace, name);
            if (revision > 0) {
                JsonNode rs = revisions.stream().filter(r -> revisionOf(r) == revision).findFirst().orElse(null);
                if (rs == null) return fail("unable to find the specified revision");
                ObjectNode template = rs.path("spec").path("template").deepCopy();
                out().print("deployment.apps/" + name + " with revision #" + revision + "\n" + DescribeCommand.podTemplate(template) + "\n");
                out().flush();
                return 0;
            }
            String table = historyTable(revisions.stream().map(RolloutCommand::revisionOf).toList(),
                    revisions.stream().map(rs -> rs.path("metadata").path("annotations").path("kubernetes.io/change-cause").asText("")).toList());
            out().print("deployment.apps/" + name + "\n" + table + "\n");
            out().flush();
            return 0;
        }
    }

    // ---------------------------------------------------------------- undo

    @Command(name = "undo", mixinStandardHelpOptions = true, description = "Roll back to a previous revision.")
    public static final class Undo extends OnAnyWorkload {
        @Option(names = "--to-revision", defaultValue = "0", description = "the revision to roll back to; 0 (default) is the previous one")
        long toRevision;

        public Undo() {}

        /**
         * A daemon set's or a stateful set's, with kubectl's daemonSetRollbacker's (statefulSetRollbacker's) client-side checks (a previous revision exists, the asked one
         * is in the history, the current template is not already it), then rolled back through the gateway's rollback
         * subresource (a ROLLBACK intent, as for deployments; kubectl itself patches the template back instead).
         */
        private int fromControllerRevisions(Gateway gw) {
            JsonNode ds = gw.get(path());
            List<JsonNode> history = controllerRevisions(gw, namespace, ds);
            if (toRevision == 0 && history.size() <= 1) return fail("no last revision to roll back to");
            JsonNode target = toRevision == 0 ? history.get(history.size() - 2)
                    : history.stream().filter(r -> r.path("revision").asLong() == toRevision).findFirst().orElse(null);
            if (target == null) return fail("unable to find specified revision " + toRevision + " in history");
            if (revisionTemplate(target).equals(ds.path("spec").path("template"))) {
                return done("skipped rollback (current template already matches revision " + toRevision + ")");
            }
            String body = "{\"kind\":\"" + (isDaemonSet() ? "DaemonSet" : "StatefulSet") + "Rollback\",\"apiVersion\":\"apps/v1\",\"name\":\"" + name
                    + "\",\"rollbackTo\":{\"revision\":" + target.path("revision").asLong() + "}}";
            try {
                gw.call("POST", path() + "/rollback", body, "application/json");
            } catch (Gateway.ApiException e) {
                if (e.code != 422) throw e;
                String m = e.getMessage();
                int at = m.lastIndexOf(": ");
                return fail(at >= 0 ? m.substring(at + 2) : m);
            }
            return done("rolled back");
        }

        @Override
        int run(Gateway gw) {
            if (toRevision < 0) return fail("--to-revision: Invalid value: " + toRevision + ": must be greater than or equal to 0");
            if (hasControllerRevisions()) return fromControllerRevisions(gw);
            JsonNode d = gw.get(path());
            if (d.path("spec").path("paused").asBoolean(false)) {
                return fail("you cannot rollback a paused deployment; resume it first with 'berth rollout resume deployment/" + name
                        + "' and try again");
            }
            // kubectl's client-side checks: the revision exists; rolling back to the running template is skipped
            List<JsonNode> revisions = revisions(gw, namespace, name);
            long current = revisionOf(d);
            JsonNode target = null;
            if (toRevision > 0) {
                target = revisions.stream().filter(r -> revisionOf(r) == toRevision).findFirst().orElse(null);
                if (target == null && !revisions.isEmpty()) return fail("unable to find specified revision " + toRevision + " in history");
            } else {
                List<JsonNode> older = revisions.stream().filter(r -> revisionOf(r) != current).toList();
                if (!revisions.isEmpty() && older.isEmpty()) return fail("no rollout history found for deployment \"" + name + "\"");
                target = older.isEmpty() ? null : older.get(older.size() - 1);
            }
            if (target != null && revisionOf(target) == current) {
                return done("skipped rollback (current template already matches revision " + toRevision + ")");
            }
            String body = "{\"kind\":\"DeploymentRollback\",\"apiVersion\":\"apps/v1\",\"name\":\"" + name
                    + "\",\"rollbackTo\":{\"revision\":" + toRevision + "}}";
            try {
                gw.call("POST", path() + "/rollback", body, "application/json");
            } catch (Gateway.ApiException e) {
                if (e.code == 422 || e.code == 409) {
                    // the gateway's cause ("unable to find specified revision 7 in history") is kubectl's client-side error
                    String m = e.getMessage();
                    int at = m.lastIndexOf(": ");
                    return fail(e.code == 409 ? m.substring(m.indexOf("): ") + 3) : at >= 0 ? m.substring(at + 2) : m);
                }
                throw e;
            }
            return done("rolled back");
        }
    }

    // ---------------------------------------------------------------- restart

    /** The template annotation {@code kubectl rollout restart} sets: a changed template, so every pod is replaced. */
    static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

    @Command(name = "restart", mixinStandardHelpOptions = true,
            description = "Restart a deployment's, daemon set's or stateful set's pods (a rollout of the template annotated kubectl.kubernetes.io/restartedAt).")
    public static final class Restart extends OnAnyWorkload {
        public Restart() {}

        /** kubectl's patch: the template's restartedAt annotation, now (RFC 3339). */
        static String patch(java.time.Instant now) {
            return "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"" + RESTARTED_AT + "\":\""
                    + now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + "\"}}}}}";
        }

        @Override
        int run(Gateway gw) {
            JsonNode o = gw.get(path());
            if (!hasControllerRevisions() && o.path("spec").path("paused").asBoolean(false)) {
                return fail("deployments \"" + name + "\" can't restart paused deployment (run rollout resume first)");
            }
            gw.call("PATCH", path(), patch(clock.instant()), "application/strategic-merge-patch+json");
            return done("restarted");
        }
    }

    // ---------------------------------------------------------------- pause / resume

    @Command(name = "pause", mixinStandardHelpOptions = true, description = "Pause a deployment's rollout (spec.paused=true).")
    public static final class Pause extends OnDeployment {
        public Pause() {}

        @Override
        int run(Gateway gw) {
            JsonNode d = gw.get(path());
            if (d.path("spec").path("paused").asBoolean(false)) return fail("deployments.apps \"" + name + "\" is already paused");
            gw.call("PATCH", path(), "{\"spec\":{\"paused\":true}}", "application/merge-patch+json");
            return done("paused");
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume a paused deployment's rollout (spec.paused=false).")
    public static final class Resume extends OnDeployment {
        public Resume() {}

        @Override
        int run(Gateway gw) {
            JsonNode d = gw.get(path());
            if (!d.path("spec").path("paused").asBoolean(false)) return fail("deployments.apps \"" + name + "\" is not paused");
            gw.call("PATCH", path(), "{\"spec\":{\"paused\":false}}", "application/merge-patch+json");
            return done("resumed");
        }
    }

    // ---------------------------------------------------------------- promote / abort (Argo Rollouts)

    @Command(name = "promote", mixinStandardHelpOptions = true, description = "Promote a paused canary to its next step (--full: past every remaining step).")
    public static final class Promote extends OnDeployment {
        @Option(names = "--full", description = "skip every remaining step and pause")
        boolean full;

        public Promote() {}

        @Override
        int run(Gateway gw) {
            post(gw, "promote", full ? "{\"full\":true}" : "{}");
            return done(full ? "fully promoted" : "promoted");
        }
    }

    @Command(name = "abort", mixinStandardHelpOptions = true, description = "Abort a rollout: back to the previous revision's template.")
    public static final class Abort extends OnDeployment {
        public Abort() {}

        @Override
        int run(Gateway gw) {
            post(gw, "abort", "{}");
            return done("aborted");
        }
    }
}
