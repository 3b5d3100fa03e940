package io.berth.ops.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 15's Jobs and CronJobs on the real Docker engine through stock kubectl (v1.32): a Job of 3 completions,
 * 2 at a time, runs to Complete; kubectl shows it with its columns, its pods as Completed, its logs; a Job whose
 * pod fails with backoffLimit 0 turns Failed (BackoffLimitExceeded); an ended pod releases its node (the engine's
 * exited containers are removed while the pods stay listed); deleting the Job takes its pods with it. A CronJob
 * every minute starts its job on the next minute (up to 60 s of the test's time) and one on demand
 * ({@code kubectl create job --from=cronjob/…}); deleting it deletes its scheduled jobs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(600)
class KubectlJobE2ETest {
    private OneNodeBerth berth;
    private Path dir;
    private String node;

    @BeforeAll
    void start() throws Exception {
        berth = OneNodeBerth.start("berth-kubectl-job", "job-");
        dir = berth.dir;
        node = berth.node;
    }

    @AfterAll
    void stop() throws Exception {
        if (berth != null) berth.close();
    }

    @Test
    void aJobRunsToCompletionFailsPastItsBackoffLimitAndIsDeletedWithItsPods() throws Exception {
        Kubectl k = new Kubectl(Kubectl.MACHINE, dir.resolve("kubeconfig"));
        Path count = dir.resolve("count.yaml");
        Files.writeString(count, """
                apiVersion: batch/v1
                kind: Job
                metadata:
                  name: count
                spec:
                  completions: 3
                  parallelism: 2
                  template:
                    spec:
                      containers:
                      - name: count
                        image: berth/busybox:latest
                        command: ["sh", "-c", "echo counted by $(hostname)"]
                      restartPolicy: Never
                """);
        assertEquals("job.batch/count created\n", k.ok("apply", "-f", count.toString()));
        assertEquals("job.batch/count unchanged\n", k.ok("apply", "-f", count.toString()));
        assertEquals("job.batch/count condition met\n", k.ok("wait", "--for=condition=complete", "job/count", "--timeout=180s"));
        assertLines(k.ok("get", "jobs"), "NAME +STATUS +COMPLETIONS +DURATION +AGE", "count +Complete +3/3 +\\d+s +\\d+s");
        assertEquals("3", k.ok("get", "job", "count", "-o", "jsonpath={.status.succeeded}"));
        String pods = k.ok("get", "pods", "-l", "job-name=count");
        assertLines(pods, "NAME +READY +STATUS +RESTARTS +AGE",
                "count-\\S+ +0/1 +Completed +0 +\\d+s", "count-\\S+ +0/1 +Completed +0 +\\d+s", "count-\\S+ +0/1 +Completed +0 +\\d+s");
        Await.until("the logs of the job's pod", Duration.ofSeconds(60), () -> k.ok("logs", "job/count").startsWith("counted by "),
                () -> k.ok("logs", "job/count"));
        // an ended pod holds no capacity: its assignment is revoked and the node removes the exited container
        Await.until("the job's exited containers removed", Duration.ofSeconds(60),
                () -> BerthProcess.sh("docker", "ps", "-aq", "--filter", "label=berth.node=" + node, "--filter", "label=berth.workload=default/job/count").isBlank(),
                () -> BerthProcess.sh("docker", "ps", "-a", "--filter", "label=berth.node=" + node));
        assertEquals(3, k.ok("get", "pods", "-l", "job-name=count", "-o", "name").lines().count(), "the pods stay listed");

        Path fail = dir.resolve("fail.yaml");
        Files.writeString(fail, """
                apiVersion: batch/v1
                kind: Job
                metadata:
                  name: fail
                spec:
                  backoffLimit: 0
                  template:
                    spec:
                      containers:
                      - name: fail
                        image: berth/busybox:latest
                        command: ["sh", "-c", "echo giving up; exit 3"]
                      restartPolicy: Never
                """);
        assertEquals("job.batch/fail created\n", k.ok("apply", "-f", fail.toString()));
        assertEquals("job.batch/fail condition met\n", k.ok("wait", "--for=condition=failed", "job/fail", "--timeout=180s"));
        assertEquals("BackoffLimitExceeded", k.ok("get", "job", "fail", "-o", "jsonpath={.status.conditions[?(@.type==\"Failed\")].reason}"));
        assertEquals("1", k.ok("get", "job", "fail", "-o", "jsonpath={.status.failed}"));
        assertLines(k.ok("get", "job", "fail"), "NAME +STATUS +COMPLETIONS +DURATION +AGE", "fail +Failed +0/1 +\\d+s +\\d+s");
        assertTrue(k.ok("get", "events", "--field-selector", "involvedObject.name=fail").contains("Job has reached the specified backoff limit"),
                k.ok("get", "events"));

        // a Job's template is immutable, as in Kubernetes
        Kubectl.Run changed = k.withStdin(Files.readString(count).replace("counted by", "tallied by"), "apply", "-f", "-");
        assertNotEquals(0, changed.code());
        assertTrue(changed.err().contains("field is immutable"), changed.err());

        assertEquals("job.batch \"count\" deleted\n", k.ok("delete", "job", "count"));
        Await.until("the job's pods gone", Duration.ofSeconds(60), () -> k.ok("get", "pods", "-l", "job-name=count", "-o", "name").isBlank(),
                () -> k.ok("get", "pods"));
        assertEquals("job.batch \"fail\" deleted\n", k.ok("delete", "-f", fail.toString()));
        Await.until("no job left", Duration.ofSeconds(60), () -> k.ok("get", "jobs", "-o", "name").isBlank(), () -> k.ok("get", "jobs"));
    }

    @Test
    void aCronJobStartsAJobOnItsScheduleAndOneOnDemandAndTakesThemWhenDeleted() throws Exception {
        Kubectl k = new Kubectl(Kubectl.MACHINE, dir.resolve("kubeconfig"));
        Path tick = dir.resolve("tick.yaml");
        Files.writeString(tick, """
                apiVersion: batch/v1
                kind: CronJob
                metadata:
                  name: tick
                spec:
                  schedule: "* * * * *"
                  successfulJobsHistoryLimit: 1
                  jobTemplate:
                    spec:
                      template:
                        spec:
                          containers:
                          - name: tick
                            image: berth/busybox:latest
                            command: ["sh", "-c", "echo tick"]
                          restartPolicy: OnFailure
                """);
        assertEquals("cronjob.batch/tick created\n", k.ok("apply", "-f", tick.toString()));
        assertLines(k.ok("get", "cronjobs"), "NAME +SCHEDULE +TIMEZONE +SUSPEND +ACTIVE +LAST SCHEDULE +AGE",
                "tick +\\* \\* \\* \\* \\* +<none> +False +0 +<none> +\\d+s");

        // on demand with Berth's CLI, as kubectl does it: a Job of the jobTemplate owned by the CronJob (stock kubectl's
        // `create job` sends the Job as protobuf, which the gateway does not decode for Jobs: README, "Jobs, CronJobs and DaemonSets")
        String server = k.ok("config", "view", "-o", "jsonpath={.clusters[0].cluster.server}");
        assertEquals("job.batch/tick-now created",
                BerthProcess.runOk(dir, 60, "create", "job", "tick-now", "--from=cronjob/tick", "--server", server).lastLine());
        assertEquals("job.batch/tick-now condition met\n", k.ok("wait", "--for=condition=complete", "job/tick-now", "--timeout=120s"));
        assertEquals("CronJob", k.ok("get", "job", "tick-now", "-o", "jsonpath={.metadata.ownerReferences[0].kind}"));

        // on schedule: the next minute starts tick-<minutes>, which completes; the CronJob records it
        Await.until("a scheduled job", Duration.ofSeconds(100),
                () -> k.ok("get", "jobs", "-o", "name").lines().anyMatch(l -> l.matches("job.batch/tick-\\d+")), () -> k.ok("get", "jobs"));
        String scheduled = k.ok("get", "jobs", "-o", "name").lines().filter(l -> l.matches("job.batch/tick-\\d+")).findFirst().orElseThrow();
        assertEquals(scheduled + " condition met\n", k.ok("wait", "--for=condition=complete", scheduled, "--timeout=120s"));
        Await.until("the CronJob's last schedule and success", Duration.ofSeconds(60),
                () -> !k.ok("get", "cronjob", "tick", "-o", "jsonpath={.status.lastSuccessfulTime}").isBlank(), () -> k.ok("get", "cronjob", "tick", "-o", "yaml"));
        assertTrue(k.ok("get", "cronjob", "tick").lines().skip(1).findFirst().orElse("").matches("tick +\\* \\* \\* \\* \\* +<none> +False +\\d +\\d+s +\\d+s"),
                k.ok("get", "cronjob", "tick"));
        assertTrue(k.ok("get", "events", "--field-selector", "involvedObject.kind=CronJob").contains("Created job " + scheduled.substring("job.batch/".length())),
                k.ok("get", "events"));
        assertEquals("tick\n", k.ok("logs", scheduled));

        assertEquals("cronjob.batch \"tick\" deleted\n", k.ok("delete", "cronjob", "tick"));
        // its jobs go with it, the one started by hand too (it is owned by the CronJob, as in Kubernetes)
        Await.until("its jobs gone", Duration.ofSeconds(60),
                () -> k.ok("get", "jobs", "-o", "name").lines().noneMatch(l -> l.startsWith("job.batch/tick-")), () -> k.ok("get", "jobs"));
    }

    /** Each line of {@code out} matches its pattern, and there are as many lines as patterns. */
    private static void assertLines(String out, String... patterns) {
        List<String> lines = out.lines().toList();
        assertEquals(patterns.length, lines.size(), out);
        for (int i = 0; i < patterns.length; i++) assertTrue(lines.get(i).matches(patterns[i]), "line " + i + " /" + patterns[i] + "/:\n" + out);
    }
}
