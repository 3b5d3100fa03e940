package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;

/** {@code berth create job …}: kubectl's imperative create, for what Berth serves of it. */
@Command(name = "create", mixinStandardHelpOptions = true, description = "Create a resource from the command line (job, namespace).",
        subcommands = {CreateCommand.Job.class, CreateCommand.Namespace.class})
public final class CreateCommand extends KubectlCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    public CreateCommand() {}

    @Override
    public Integer call() {
        spec.commandLine().usage(out());
        out().flush();
        return 0;
    }

    /** {@code berth create namespace NAME}, as kubectl's: POSTs a v1 Namespace and prints {@code namespace/NAME created}. */
    @Command(name = "namespace", aliases = "ns", mixinStandardHelpOptions = true, description = "Create a namespace with the specified name.")
    public static final class Namespace extends KubectlCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        public Namespace() {}

        @Override
        public Integer call() {
            ObjectNode ns = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Namespace");
            ns.putObject("metadata").put("name", name);
            try {
                gateway().call("POST", "/api/v1/namespaces?fieldManager=kubectl-create", ns.toString(), "application/json");
            } catch (Gateway.ApiException e) {
                return fail(e);
            }
            out().println("namespace/" + name + " created");
            out().flush();
            return 0;
        }
    }

    /** The annotation kubectl puts on a Job it makes of a CronJob by hand. */
    static final String INSTANTIATE = "cronjob.kubernetes.io/instantiate";

    /**
     * {@code berth create job NAME --image=IMG [-- COMMAND [ARGS…]]} or {@code berth create job NAME --from=cronjob/CJ},
     * as kubectl's: the Job is POSTed; made of a CronJob, it is the CronJob's jobTemplate with an owner reference to it
     * and the annotation {@code cronjob.kubernetes.io/instantiate: manual}. Prints {@code job.batch/NAME created}.
     */
    @Command(name = "job", mixinStandardHelpOptions = true, description = "Create a job with the specified name (--image, or --from=cronjob/NAME).")
    public static final class Job extends KubectlCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1..*", paramLabel = "COMMAND", description = "after --: the container's command and its arguments")
        List<String> command = new ArrayList<>();

        @Option(names = "--image", description = "image name to run")
        String image;

        @Option(names = "--from", description = "the resource to create the job from: cronjob/NAME")
        String from;

        @Option(names = {"-n", "--namespace"}, defaultValue = "default", description = "namespace (default: ${DEFAULT-VALUE})")
        String namespace;

        public Job() {}

        @Override
        public Integer call() {
            if ((image == null || image.isEmpty()) && (from == null || from.isEmpty())) return fail("either --image or --from must be specified");
            if (image != null && from != null) return fail("--image and --from are mutually exclusive");
            if (from != null && !command.isEmpty()) return fail("cannot specify --from and command");
            ObjectNode job;
            try {
                Gateway gw = gateway();
                if (from != null) {
                    String[] tn = ResourceTypes.typeAndName(from);
                    if (tn == null || tn[1].isEmpty()) return fail("--from must be TYPE/NAME, e.g. cronjob/nightly: \"" + from + "\"");
                    if (ResourceTypes.resource(tn[0]) != ResourceTypes.CRONJOBS) {
                        return fail("unknown object type " + tn[0] + ": a job can only be created from a cronjob");
                    }
                    job = fromCronJob(name, gw.get(Gateway.item("cronjobs", namespace, tn[1])));
                } else {
                    job = withImage(name, image, command);
                }
                gw.call("POST", Gateway.collection("jobs", namespace) + "?fieldManager=kubectl-create", job.toString(), "application/json");
            } catch (Gateway.ApiException e) {
                return fail(e);
            }
            out().println("job.batch/" + name + " created");
            out().flush();
            return 0;
        }
    }

    /** kubectl's createJobFromCronJob: the jobTemplate's labels, annotations (and the instantiate one) and spec, owned by the CronJob. */
    static ObjectNode fromCronJob(String name, JsonNode cronJob) {
        JsonNode template = cronJob.path("spec").path("jobTemplate");
        ObjectNode job = JSON.createObjectNode().put("apiVersion", "batch/v1").put("kind", "Job");
        ObjectNode meta = job.putObject("metadata").put("name", name);
        ObjectNode annotations = meta.putObject("annotations").put(INSTANTIATE, "manual");
        template.path("metadata").path("annotations").fields().forEachRemaining(e -> annotations.set(e.getKey(), e.getValue()));
        if (template.path("metadata").path("labels").isObject()) meta.set("labels", template.path("metadata").path("labels").deepCopy());
        // as kubectl: controller, but not blockOwnerDeletion (that would need the cronjobs/finalizers permission)
        meta.putArray("ownerReferences").addObject().put("apiVersion", "batch/v1").put("kind", "CronJob")
                .put("name", cronJob.path("metadata").path("name").asText()).put("uid", cronJob.path("metadata").path("uid").asText())
                .put("controller", true);
        job.set("spec", template.path("spec").isObject() ? template.path("spec").deepCopy() : JSON.createObjectNode());
        return job;
    }

    /** kubectl's createJob: one container named as the Job, the image and command given, restartPolicy Never. */
    static ObjectNode withImage(String name, String image, List<String> command) {
        ObjectNode job = JSON.createObjectNode().put("apiVersion", "batch/v1").put("kind", "Job");
        job.putObject("metadata").put("name", name);
        ObjectNode podSpec = job.putObject("spec").putObject("template").putObject("spec");
        ObjectNode container = podSpec.putArray("containers").addObject().put("name", name).put("image", image);
        if (!command.isEmpty()) {
            ArrayNode cmd = container.putArray("command");
            command.forEach(cmd::add);
        }
        podSpec.put("restartPolicy", "Never");
        return job;
    }
}
