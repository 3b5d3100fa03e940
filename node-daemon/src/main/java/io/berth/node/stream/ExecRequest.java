package io.berth.node.stream;

import java.util.List;
import java.util.Map;

/**
 * An exec as the Kubernetes API asks for it ({@code ?command=sh&command=-c&command=…&stdin=true&stdout=true&tty=true&container=app}),
 * read and checked as kube-apiserver does. Pure.
 */
public record ExecRequest(List<String> command, String container, boolean stdin, boolean stdout, boolean stderr, boolean tty) {
    public ExecRequest {
        command = List.copyOf(command);
    }

    /** Parses the query parameters (each with all its values); throws {@link IllegalArgumentException} with the API's message. */
    public static ExecRequest parse(Map<String, List<String>> query) {
        List<String> command = query.getOrDefault("command", List.of());
        if (command.isEmpty() || command.get(0).isEmpty()) throw new IllegalArgumentException("you must specify at least one command for the container");
        boolean stdin = flag(query, "stdin"), stdout = flag(query, "stdout"), stderr = flag(query, "stderr"), tty = flag(query, "tty");
        if (!stdin && !stdout && !stderr) throw new IllegalArgumentException("you must specify at least 1 of stdin, stdout, stderr");
        if (tty && stderr) stderr = false; // a terminal merges stderr into stdout, as the kubelet does
        List<String> c = query.getOrDefault("container", List.of());
        return new ExecRequest(command, c.isEmpty() ? "" : c.get(0), stdin, stdout, stderr, tty);
    }

    /** {@code true}/{@code 1} (any case) is true; absent is false; anything else is refused naming the parameter. */
    static boolean flag(Map<String, List<String>> query, String name) {
        List<String> v = query.getOrDefault(name, List.of());
        if (v.isEmpty()) return false;
        String s = v.get(0).strip().toLowerCase(java.util.Locale.ROOT);
        return switch (s) {
            case "true", "1" -> true;
            case "false", "0", "" -> false;
            default -> throw new IllegalArgumentException(name + ": Invalid value: \"" + v.get(0) + "\": must be true or false");
        };
    }
}
