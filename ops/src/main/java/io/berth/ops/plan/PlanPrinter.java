package io.berth.ops.plan;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.scheduler.core.Verdict;

import java.util.List;

/**
 * A {@link Plan} as text or JSON:
 * <pre>
 * deployment.apps/web configured (replicas 3 -> 5)
 *   spec.replicas: 3 -> 5
 *   + web-&lt;new&gt; -> n2 (n2 of 3 feasible — spread 1.00, leastAllocated 0.71)
 *   ! web-&lt;new&gt; -> unschedulable (none of 3 feasible; n1: Insufficient memory; ...)
 * service/db unchanged
 * Plan: 0 to create, 1 to change, 1 unchanged; 2 pods to place, 1 unschedulable. Nothing was changed.
 * </pre>
 * A placed pod shows the head of its verdict (the runner-up and rejected nodes are in {@code -o json});
 * an unplaceable one the whole line, since the reasons are the point.
 */
public final class PlanPrinter {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private PlanPrinter() {}

    public static String text(Plan plan) {
        StringBuilder b = new StringBuilder();
        for (Plan.ObjectPlan o : plan.objects()) {
            b.append(o.resource()).append(' ').append(o.action().name().toLowerCase(java.util.Locale.ROOT));
            if (!o.summary().isEmpty()) b.append(" (").append(o.summary()).append(')');
            b.append('\n');
            for (SpecDiff.Change c : o.diff()) b.append("  ").append(c.line()).append('\n');
            for (Plan.PodPlan p : o.pods()) b.append("  ").append(pod(p)).append('\n');
        }
        return b.append(summary(plan)).append('\n').toString();
    }

    static String pod(Plan.PodPlan p) {
        String message = p.verdict().message();
        if (!p.placed()) return "! " + p.name() + " -> unschedulable (" + message + ")";
        int cut = message.indexOf("; ");
        return "+ " + p.name() + " -> " + p.nodeId() + " (" + (cut < 0 ? message : message.substring(0, cut)) + ")";
    }

    public static String summary(Plan plan) {
        return "Plan: " + plan.count(Plan.Action.CREATED) + " to create, " + plan.count(Plan.Action.CONFIGURED) + " to change, "
                + plan.count(Plan.Action.UNCHANGED) + " unchanged; " + plan.pods() + " pods to place, "
                + plan.unschedulable() + " unschedulable. Nothing was changed.";
    }

    public static ObjectNode json(Plan plan) {
        ObjectNode root = JSON.objectNode().put("kind", "Plan");
        ArrayNode objects = root.putArray("objects");
        for (Plan.ObjectPlan o : plan.objects()) {
            ObjectNode j = objects.addObject().put("resource", o.resource()).put("kind", o.kind()).put("namespace", o.namespace())
                    .put("name", o.name()).put("action", o.action().name().toLowerCase(java.util.Locale.ROOT)).put("summary", o.summary());
            ArrayNode diff = j.putArray("diff");
            for (SpecDiff.Change c : o.diff()) {
                ObjectNode d = diff.addObject().put("path", c.path()).put("op", c.op());
                d.set("before", c.before() == null ? JSON.nullNode() : c.before());
                d.set("after", c.after() == null ? JSON.nullNode() : c.after());
            }
            ArrayNode pods = j.putArray("pods");
            for (Plan.PodPlan p : o.pods()) {
                ObjectNode pj = pods.addObject().put("name", p.name()).put("node", p.nodeId()).put("placed", p.placed());
                pj.set("verdict", verdict(p.verdict()));
            }
        }
        root.putObject("summary").put("create", plan.count(Plan.Action.CREATED)).put("change", plan.count(Plan.Action.CONFIGURED))
                .put("unchanged", plan.count(Plan.Action.UNCHANGED)).put("podsToPlace", plan.pods())
                .put("unschedulable", plan.unschedulable());
        return root.put("changed", false);
    }

    /** The same shape as the pod annotation {@code berth.io/placement-verdict}, without decidedAt (nothing was decided). */
    static ObjectNode verdict(Verdict v) {
        ObjectNode o = JSON.objectNode().put("nodeId", v.nodeId()).put("feasible", v.feasible()).put("total", v.total());
        o.set("scores", scores(v.scores()));
        o.put("runnerUp", v.runnerUp());
        o.set("runnerUpScores", scores(v.runnerUpScores()));
        ObjectNode rejected = o.putObject("rejected");
        v.rejected().forEach(rejected::put);
        return o.put("rejectedOmitted", v.rejectedOmitted()).put("message", v.message());
    }

    private static ArrayNode scores(List<Verdict.RankerScore> scores) {
        ArrayNode a = JSON.arrayNode();
        for (Verdict.RankerScore s : scores) a.addObject().put("ranker", s.ranker()).put("score", s.raw()).put("normalized", s.normalized());
        return a;
    }
}
