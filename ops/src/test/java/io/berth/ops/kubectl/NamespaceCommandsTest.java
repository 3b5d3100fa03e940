package io.berth.ops.kubectl;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code berth create namespace}, {@code get|describe quota|limits} and {@code delete namespace} (which waits until
 * the namespace is gone) against a real gateway (real broker, state-streams and gateway in-process), through --server.
 */
class NamespaceCommandsTest extends InProcessControlPlaneTest {

    @Test
    void shouldCreateShowQuotasAndDeleteANamespaceWaitingForIt() throws Exception {
        Run created = run(new CreateCommand.Namespace(), "", "cli-team");
        assertEquals(0, created.exit, created.err);
        assertEquals("namespace/cli-team created\n", created.out);
        Run applied = run(new ApplyCommand(), """
                apiVersion: v1
                kind: ResourceQuota
                metadata: {name: compute, namespace: cli-team}
                spec: {hard: {pods: "4", limits.memory: 1Gi}}
                ---
                apiVersion: v1
                kind: LimitRange
                metadata: {name: limits, namespace: cli-team}
                spec:
                  limits:
                  - {type: Container, default: {memory: 128Mi}, max: {memory: 512Mi}}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: cli-team}
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers: [{name: main, image: berth/busybox:latest}]
                """, "-f", "-");
        assertEquals(0, applied.exit, applied.err);

        Run quota = run(new GetCommand(), "", "quota", "-n", "cli-team");
        assertEquals(0, quota.exit, quota.err);
        String[] lines = quota.out.split("\n");
        assertTrue(lines[0].matches("NAME +AGE +REQUEST +LIMIT"), quota.out);
        assertTrue(lines[1].matches("compute +\\d+s +pods: 2/4 +limits.memory: 256Mi/1Gi"), quota.out);
        Run describe = run(new DescribeCommand(), "", "resourcequota", "compute", "-n", "cli-team");
        assertEquals(0, describe.exit, describe.err);
        assertTrue(describe.out.contains("Resource       Used   Hard\n--------       ----   ----\nlimits.memory  256Mi  1Gi\npods           2      4\n"),
                describe.out);
        Run limits = run(new DescribeCommand(), "", "limits", "limits", "-n", "cli-team");
        assertEquals(0, limits.exit, limits.err);
        assertTrue(limits.out.contains("Container  memory    -    512Mi  -                128Mi          -"), limits.out);

        Run protectedNs = run(new DeleteCommand(), "", "namespace", "default");
        assertEquals(1, protectedNs.exit);
        assertTrue(protectedNs.err.contains("namespaces \"default\" is forbidden: this namespace may not be deleted"), protectedNs.err);

        Run deleted = run(new DeleteCommand(), "", "namespace", "cli-team", "--timeout", "60s");
        assertEquals(0, deleted.exit, deleted.err);
        assertEquals("namespace \"cli-team\" deleted\n", deleted.out);
        // the delete returned once the namespace was gone: nothing of it is left
        Run gone = run(new GetCommand(), "", "namespace", "cli-team");
        assertEquals(1, gone.exit);
        assertTrue(gone.err.contains("namespaces \"cli-team\" not found"), gone.err);
        Run none = run(new GetCommand(), "", "deployments", "-n", "cli-team");
        assertEquals("No resources found in cli-team namespace.\n", none.err);
    }
}
