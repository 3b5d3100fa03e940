package io.berth.ops.kubectl;

import org.junit.jupiter.api.*;


import static org.junit.jupiter.api.Assertions.*;

/**
 * The rollout commands against the real control loop's bookkeeping (broker, state-streams and gateway
 * in-process, no node): revisions, ReplicaSets, undo renumbering, pause refusing undo, promote refused
 * on a deployment that is not a canary.
 */
class RolloutWithStateStreamsTest extends InProcessControlPlaneTest {
    Run rollout(String... args) {
        return run(new RolloutCommand(), "", args);
    }

    @Test
    void shouldKeepRevisionsUndoPauseAndRefuseAPromoteThroughTheRealControlLoop() throws Exception {
        String nginx = io.berth.ops.Examples.NGINX.replace("replicas: 3", "replicas: 2");
        assertEquals(0, run(new ApplyCommand(), nginx, "-f", "-").exit);
        Run h1 = rollout("history", "deployment/nginx-deployment");
        assertEquals(0, h1.exit, h1.err);
        assertEquals("deployment.apps/nginx-deployment\nREVISION  CHANGE-CAUSE\n1         <none>\n\n", h1.out);

        Run set = run(new SetCommand(), "", "image", "deployment/nginx-deployment", "nginx=nginx:1.16.1");
        assertEquals(0, set.exit, set.err);
        assertEquals("deployment.apps/nginx-deployment image updated\n", set.out);
        Run h2 = rollout("history", "deploy/nginx-deployment");
        assertTrue(h2.out.contains("\n1         <none>\n2         <none>\n"), h2.out);
        Run rs = run(new GetCommand(), "", "rs");
        assertEquals(3, rs.out.lines().count(), rs.out);
        assertTrue(rs.out.startsWith("NAME                          DESIRED   CURRENT   READY   AGE\n"), rs.out);
        Run one = rollout("history", "deployment/nginx-deployment", "--revision", "2");
        assertTrue(one.out.contains("nginx:1.16.1"), one.out);

        Run status = rollout("status", "deployment/nginx-deployment", "--watch=false");
        assertEquals(0, status.exit, status.err);
        assertTrue(status.out.startsWith("Waiting for deployment \"nginx-deployment\" rollout to finish: "), "no node runs the pods: " + status.out);

        Run undo = rollout("undo", "deployment/nginx-deployment");
        assertEquals(0, undo.exit, undo.err);
        assertEquals("deployment.apps/nginx-deployment rolled back\n", undo.out);
        eventually("revision 1 renumbered 3", () -> rollout("history", "deployment/nginx-deployment").out.contains("\n2         <none>\n3         <none>\n"));
        assertTrue(run(new GetCommand(), "", "deployment", "nginx-deployment", "-o", "json").out.contains("nginx:1.14.2"));

        assertEquals("deployment.apps/nginx-deployment paused\n", rollout("pause", "deployment/nginx-deployment").out);
        Run again = rollout("pause", "deployment/nginx-deployment");
        assertEquals("error: deployments.apps \"nginx-deployment\" is already paused\n", again.err);
        Run refused = rollout("undo", "deployment/nginx-deployment");
        assertEquals(1, refused.exit);
        assertTrue(refused.err.startsWith("error: you cannot rollback a paused deployment"), refused.err);
        assertEquals("deployment.apps/nginx-deployment resumed\n", rollout("resume", "deployment/nginx-deployment").out);

        Run promote = rollout("promote", "deployment/nginx-deployment");
        assertEquals(1, promote.exit);
        assertEquals("error: deployment \"nginx-deployment\" has no canary step to promote\n", promote.err);
        Run bad = rollout("undo", "deployment/nginx-deployment", "--to-revision", "9");
        assertEquals("error: unable to find specified revision 9 in history\n", bad.err);
    }
}
