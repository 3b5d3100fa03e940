package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code berth diff --at T1 [--to T2] [-o json]}: what changed in the cluster between two instants
 * (T2 defaults to now), rebuilt from berth.audit by the gateway ({@code GET /apis/berth.io/v1/diff}).
 * One line per object, {@code +} created, {@code -} deleted, {@code ~} changed followed by its changed
 * fields ({@code path: before -> after}); bookkeeping (resourceVersion, generation, heartbeat and
 * condition clocks) is not a change.
 */
@Command(name = "diff", mixinStandardHelpOptions = true, description = "List what changed in the cluster between two instants (from the audit).")
public final class DiffCommand extends KubectlCommand {
    static final int MAX_VALUE = 80;

    @Option(names = "--at", required = true, paramLabel = "T1", description = "from this instant: RFC 3339 (2026-12-03T22:10:00Z) or relative (-10m)")
    String from;

    @Option(names = "--to", paramLabel = "T2", description = "to this instant (default: now)")
    String to;

    @Option(names = {"-o", "--output"}, paramLabel = "json", description = "json prints the gateway's Diff object")
    String output;

    public DiffCommand() {}

    @Override
    public Integer call() {
        if (output != null && !output.equals("json")) return fail("unable to match a printer suitable for the output format \"" + output + "\", allowed formats are: json");
        JsonNode diff;
        try {
            diff = gateway().get("/apis/berth.io/v1/diff" + Gateway.query(Gateway.params("from", from, "to", to)));
        } catch (Gateway.ApiException e) {
            return fail(e);
        }
        if ("json".equals(output)) out().println(diff.toPrettyString());
        else out().print(render(diff));
        out().flush();
        return 0;
    }

    /** The human form: a header line, then {@code + Kind ns/name}, {@code - …}, {@code ~ …} with indented fields. */
    static String render(JsonNode diff) {
        StringBuilder b = new StringBuilder();
        JsonNode changes = diff.path("changes");
        b.append("Changes from ").append(diff.path("from").asText()).append(" to ").append(diff.path("to").asText())
                .append(": ").append(changes.size()).append(changes.size() == 1 ? " object\n" : " objects\n");
        for (JsonNode c : changes) {
            String mark = switch (c.path("change").asText()) {
                case "created" -> "+";
                case "deleted" -> "-";
                default -> "~";
            };
            String ns = c.path("namespace").asText("");
            b.append(mark).append(' ').append(c.path("kind").asText()).append(' ').append(ns.isEmpty() ? "" : ns + "/")
                    .append(c.path("name").asText()).append('\n');
            for (JsonNode f : c.path("fields")) {
                b.append("    ").append(f.path("path").asText()).append(": ").append(value(f.path("from")))
                        .append(" -> ").append(value(f.path("to"))).append('\n');
            }
        }
        return b.toString();
    }

    static String value(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) return "<none>";
        String s = v.isTextual() ? v.asText() : v.toString();
        return s.length() > MAX_VALUE ? s.substring(0, MAX_VALUE - 3) + "..." : s;
    }
}
