package io.berth.node.stream;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * What goes on the error channel (3) when an exec ends, as the kubelet writes it: a {@code metav1.Status}
 * that kubectl turns into its own exit code ({@code NonZeroExitCode} with an {@code ExitCode} cause). Pure.
 */
public final class ExitStatus {
    private ExitStatus() {}

    public static JsonObject of(List<String> command, Integer exitCode) {
        if (exitCode == null) return failure("command " + command + " ended without an exit code (the container stopped?)", null);
        if (exitCode == 0) return new JsonObject().put("metadata", new JsonObject()).put("status", "Success");
        return new JsonObject().put("metadata", new JsonObject()).put("status", "Failure")
                .put("message", "command terminated with non-zero exit code: error executing command " + command + ", exit code " + exitCode)
                .put("reason", "NonZeroExitCode")
                .put("details", new JsonObject().put("causes", new JsonArray().add(new JsonObject().put("reason", "ExitCode").put("message", Integer.toString(exitCode)))));
    }

    /** A failure that is no exit code (the exec could not start, the container is gone …). */
    public static JsonObject failure(String message, String reason) {
        JsonObject s = new JsonObject().put("metadata", new JsonObject()).put("status", "Failure").put("message", message);
        if (reason != null) s.put("reason", reason);
        return s;
    }
}
