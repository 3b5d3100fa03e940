package io.berth.node.reconcile;

import io.berth.node.docker.PodUnit.Kind;
import io.berth.schemas.avro.TaskState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Pod status aggregation and a container's own transitions, as tables. A unit cell is
 * {@code <kind>.<name>=<STATE>[/<lastExit>[/<reason>]][+]}: kind {@code x} infra, {@code i} init,
 * {@code a} app; STATE {@code -} = nothing reported yet; {@code +} = ready. Every unit that reported
 * carries the message {@code m-<name>}.
 */
class PodStatusTest {

    @ParameterizedTest(name = "[{index}] {0} {2} → {3} {5}")
    @CsvSource(delimiter = '|', nullValues = "null", emptyValue = "", value = {
            // policy | wasReady | units                                                                | state     | exit | reason                 | message
            // initialising: Init:<done>/<total>, a crashed init container under each policy
            "ALWAYS     | false | x.infra=RUNNING i.a=RUNNING i.b=- a.c=-                                   | CREATED   | null | Init:0/2               | ",
            "ALWAYS     | false | x.infra=RUNNING i.a=EXITED/0/Completed i.b=RUNNING a.c=-                 | CREATED   | null | Init:1/2               | ",
            "ALWAYS     | false | x.infra=- i.a=- a.c=-                                                     | CREATED   | null | Init:0/1               | ",
            "ON_FAILURE | false | x.infra=RUNNING i.a=EXITED/0/Completed i.b=EXITED/1/Error a.c=-          | CREATED   | null | Init:Error             | m-b",
            "ALWAYS     | false | x.infra=RUNNING i.a=EXITED/0/Completed i.b=EXITED/1/CrashLoopBackOff a.c=- | CREATED | null | Init:CrashLoopBackOff  | m-b",
            "ALWAYS     | false | x.infra=RUNNING i.a=EXITED/137/OOMKilled a.c=-                             | CREATED   | null | Init:Error             | m-a",
            "NEVER      | false | x.infra=RUNNING i.a=EXITED/0/Completed i.b=EXITED/1/Error a.c=-          | FAILED    | 1    | Init:Error             | init container b exited with 1",
            "NEVER      | false | x.infra=RUNNING i.a=RUNNING a.c=-                                         | CREATED   | null | Init:0/1               | ",
            // init done, apps not yet running
            "ALWAYS     | false | x.infra=RUNNING i.a=EXITED/0/Completed i.b=EXITED/0/Completed a.c=-      | CREATED   | null | PodInitializing        | ",
            "ALWAYS     | false | x.infra=RUNNING a.c=- a.d=-                                               | CREATED   | null | ContainerCreating      | ",
            "ALWAYS     | false | x.infra=RUNNING a.c=CREATED a.d=-                                         | CREATED   | null | ContainerCreating      | ",
            // an app container already reported: the init containers are history (e.g. adopted after a crash)
            "ALWAYS     | false | x.infra=RUNNING i.a=EXITED/1/Error a.c=RUNNING+                           | READY     | null |                        | ",
            // running: ready, not ready yet, not ready any more
            "ALWAYS     | false | x.infra=RUNNING a.c=RUNNING+ a.d=READY+                                   | READY     | null |                        | ",
            "ALWAYS     | false | x.infra=RUNNING a.c=RUNNING a.d=RUNNING+                                  | RUNNING   | null |                        | ",
            "ALWAYS     | true  | x.infra=RUNNING a.c=RUNNING a.d=RUNNING+                                  | UNREADY   | null | ContainersNotReady     | containers with unready status: [c]",
            "ALWAYS     | false | x.infra=RUNNING a.c=UNREADY a.d=RUNNING+                                  | UNREADY   | null | ContainersNotReady     | m-c",
            "ALWAYS     | false | x.infra=RUNNING a.c=RUNNING+ a.d=CREATED                                  | RUNNING   | null |                        | ",
            "ALWAYS     | false | x.infra=RUNNING a.c=RUNNING+ a.d=-                                        | RUNNING   | null |                        | ",
            "ALWAYS     | false | x.infra=RUNNING a.c=RUNNING+ a.d=EXITED/137/Error                         | UNREADY   | null | ContainersNotReady     | containers with unready status: [d]",
            "ALWAYS     | false | x.infra=RUNNING a.c=RUNNING a.d=EXITED/1/CrashLoopBackOff                 | UNREADY   | null | ContainersNotReady     | containers with unready status: [c, d]",
            // every app container down: the first non-zero exit code, CrashLoopBackOff first
            "ALWAYS     | false | x.infra=RUNNING a.c=EXITED/0/Completed a.d=EXITED/1/Error                 | EXITED    | 1    | Error                  | m-d",
            "ALWAYS     | false | x.infra=RUNNING a.c=EXITED/0/Completed a.d=EXITED/2/CrashLoopBackOff      | EXITED    | 2    | CrashLoopBackOff       | m-d",
            "ALWAYS     | false | x.infra=RUNNING a.c=EXITED/1/CrashLoopBackOff a.d=EXITED/3/Error          | EXITED    | 1    | CrashLoopBackOff       | m-c",
            "NEVER      | false | x.infra=RUNNING a.c=EXITED/0/Completed a.d=EXITED/0/Completed             | EXITED    | 0    | Completed              | m-c",
            "NEVER      | false | x.infra=RUNNING a.c=EXITED/137/OOMKilled a.d=EXITED/0/Completed           | EXITED    | 137  | OOMKilled              | m-c",
            // a failed container fails the pod, the infra container's included
            "ALWAYS     | false | x.infra=FAILED//ErrImagePull i.a=- a.c=-                                  | FAILED    | null | ErrImagePull           | m-infra",
            "ALWAYS     | true  | x.infra=RUNNING a.c=RUNNING+ a.d=FAILED//CreateContainerError             | FAILED    | null | CreateContainerError   | m-d",
    })
    void shouldAggregateThePodFromItsContainers(RestartPolicy policy, boolean wasReady, String units,
                                                 TaskState state, Integer exit, String reason, String message) {
        assertEquals(new Reported(state, exit, reason, message), PodStatus.aggregate(policy, members(units), wasReady));
    }

    @ParameterizedTest(name = "exit {0}, oom {1}, kill {2} → {3}")
    @CsvSource(nullValues = "null", value = {
            "0,    false, null,                                    Completed, ''",
            "1,    false, null,                                    Error,     ''",
            "null, false, null,                                    Error,     ''",
            "137,  true,  null,                                    OOMKilled, ''",
            "0,    true,  null,                                    OOMKilled, ''",
            "143,  false, Container main failed liveness probe,    Error,     Container main failed liveness probe",
    })
    void shouldReportAnExitWithTheKubeletsTerminatedReason(Integer exit, boolean oom, String kill, String reason, String message) {
        assertEquals(new Reported(TaskState.EXITED, exit, reason, message), PodStatus.exited(exit, oom, kill));
    }

    @ParameterizedTest(name = "{0} ms to wait → {1}")
    @CsvSource({"1500, 2s", "1000, 1s", "1, 1s", "0, 1s", "-200, 1s", "60000, 60s", "59001, 60s"})
    void shouldWordTheBackoffInWholeSecondsRoundedUp(long wait, String secs) {
        assertEquals(new Reported(TaskState.EXITED, 1, "CrashLoopBackOff", "back-off " + secs + " restarting failed container"),
                PodStatus.backingOff(1, 10_000 + wait, 10_000));
    }

    @ParameterizedTest(name = "was ready {0}, last {1}, ready {2}, turned unready {3} → {4}")
    @CsvSource(nullValues = "null", value = {
            // wasReady | last    | readyNow | turnedUnready | reported
            "false      | RUNNING | true     | false         | READY",
            "true       | READY   | true     | false         | null",
            "true       | READY   | false    | true          | UNREADY",
            "true       | READY   | false    | false         | UNREADY",
            "false      | RUNNING | false    | false         | null",
            "false      | RUNNING | false    | true          | UNREADY",
            "false      | UNREADY | false    | true          | null",
            "false      | UNREADY | true     | false         | READY",
    }, delimiter = '|')
    void shouldReportReadinessTransitionsOnly(boolean wasReady, TaskState last, boolean readyNow, boolean turnedUnready, TaskState expected) {
        Reported got = PodStatus.readiness(wasReady, new Reported(last, null, "", ""), readyNow, turnedUnready, "Readiness probe failed: 500");
        if (expected == null) {
            assertNull(got);
            return;
        }
        assertEquals(expected == TaskState.READY ? new Reported(TaskState.READY, null, "", "")
                : new Reported(TaskState.UNREADY, null, "ContainersNotReady", "Readiness probe failed: 500"), got);
    }

    private static List<PodStatus.Member> members(String cells) {
        List<PodStatus.Member> out = new ArrayList<>();
        for (String cell : cells.trim().split("\\s+")) {
            Kind kind = switch (cell.charAt(0)) {
                case 'x' -> Kind.INFRA;
                case 'i' -> Kind.INIT;
                default -> Kind.APP;
            };
            String name = cell.substring(2, cell.indexOf('='));
            String value = cell.substring(cell.indexOf('=') + 1);
            boolean ready = value.endsWith("+");
            String[] parts = (ready ? value.substring(0, value.length() - 1) : value).split("/", -1);
            TaskState state = parts[0].equals("-") ? null : TaskState.valueOf(parts[0]);
            Integer exit = parts.length > 1 && !parts[1].isEmpty() ? Integer.valueOf(parts[1]) : null;
            String reason = parts.length > 2 ? parts[2] : "";
            Reported r = state == null ? Reported.NONE : new Reported(state, exit, reason, "m-" + name);
            out.add(new PodStatus.Member(kind, name, r, exit, ready));
        }
        return out;
    }
}
