package io.berth.ops.kubectl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code berth logs POD [-f] [--tail N] [-c CONTAINER]}: the pod's container output as the logs topic
 * holds it, served by the gateway (so the logs of a pod whose node died stay readable).
 */
@Command(name = "logs", mixinStandardHelpOptions = true, description = "Print the logs of a container in a pod.")
public final class LogsCommand extends KubectlCommand {

    @Parameters(index = "0", paramLabel = "POD", description = "pod name, or pod/NAME")
    String pod;

    @Option(names = {"-f", "--follow"}, description = "stream the logs as they come")
    boolean follow;

    @Option(names = "--tail", defaultValue = "-1", description = "lines of recent log to show; -1 shows all (default: ${DEFAULT-VALUE})")
    int tail;

    @Option(names = {"-c", "--container"}, description = "the container (default: the pod's only or first container)")
    String container;

    @Option(names = {"-n", "--namespace"}, defaultValue = "default", description = "namespace (default: ${DEFAULT-VALUE})")
    String namespace;

    public LogsCommand() {}

    @Override
    public Integer call() {
        String name = pod.startsWith("pod/") ? pod.substring(4) : pod.startsWith("pods/") ? pod.substring(5) : pod;
        String path = Gateway.item("pods", namespace, name) + "/log" + Gateway.query(Gateway.params(
                "follow", follow ? "true" : null, "tailLines", tail >= 0 ? Integer.toString(tail) : null, "container", container));
        try {
            gateway().lines(path, line -> {
                out().println(line);
                if (follow) out().flush();
            });
        } catch (Gateway.ApiException e) {
            out().flush();
            return fail(e);
        }
        out().flush();
        return 0;
    }
}
