package io.berth.state.core;

import io.berth.schemas.avro.ContainerStatus;
import io.berth.schemas.avro.TaskPhase;
import io.berth.schemas.avro.TaskView;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** What a node's heartbeats say runs there, against what the control plane believes (issue 13, item 3). */
class RunningListingTest {

    /**
     * Heartbeats in order ({@code |} between them, {@code ,} between ids, {@code -} = an empty listing) →
     * the ids gone after the last one ({@code -} none).
     */
    @ParameterizedTest(name = "{0} → gone {1}")
    @CsvSource(delimiter = ';', value = {
            "a,b;                 -",          // first listing: nothing gone
            "a,b | a;             -",          // missed once
            "a,b | a | a;         b",          // missed twice in a row: gone
            "a,b | a | a,b | a;   -",          // listed in between: the count starts again
            "- | - | -;           -",          // a daemon that lists nothing (older, a stand-in) makes nothing gone
            "a | - | -;           a",          // a fenced node: everything it killed is gone
            "a | b | c;           a",          // a gone after two; b missed once so far
            "a | b | c | d;       b",          // each id gone once, at its second miss
            "a | - | - | -;       -",          // gone once only: forgotten afterwards
    })
    void heartbeatsMakeATaskGoneAfterTwoMissesInARow(String beats, String expected) {
        RunningListing l = RunningListing.EMPTY;
        List<String> gone = List.of();
        for (String beat : beats.split("\\|")) {
            RunningListing.Next n = RunningListing.next(l, ids(beat));
            l = RunningListing.decode(n.listing().encode()); // as the store keeps it
            gone = n.gone();
        }
        assertEquals(ids(expected), gone);
    }

    /** {@code ~} = a heartbeat that says "unchanged" (its node's newest list again): the same as repeating that list. */
    @ParameterizedTest(name = "{0} → gone {1}")
    @CsvSource(delimiter = ';', value = {
            "a,b | ~ | ~ | ~;     -",          // unchanged is the list again, never an empty one
            "a,b | a | ~;         b",          // the second miss in a row
            "a,b | a | ~ | ~;     -",          // b gone once, a still listed
            "~ | ~;               -",          // nothing listed yet: nothing to judge
            "a | - | ~;           a",          // after an empty list, unchanged is empty too
    })
    void anUnchangedHeartbeatListsWhatTheNewestListListed(String beats, String expected) {
        RunningListing l = RunningListing.EMPTY;
        List<String> gone = List.of();
        for (String beat : beats.split("\\|")) {
            List<String> listed = beat.trim().equals("~") ? l.listed() : ids(beat);
            RunningListing.Next n = RunningListing.next(l, listed);
            l = RunningListing.decode(n.listing().encode());
            gone = n.gone();
        }
        assertEquals(ids(expected), gone);
    }

    private static List<String> ids(String s) {
        String t = s.trim();
        return t.equals("-") ? List.of() : new ArrayList<>(Arrays.stream(t.split(",")).map(String::trim).toList());
    }

    /** node of the task, phase, reason, snapshot state ({@code -}: no snapshot) → believed running on n1. */
    @ParameterizedTest(name = "{0} {1} {2} {3} → {4}")
    @CsvSource({
            "n1, RUNNING,   '',                 running,    true",
            "n1, RUNNING,   ContainersNotReady, running,    true",   // UNREADY still runs
            "n1, RUNNING,   '',                 -,          true",   // an older daemon sends no snapshot
            "n1, RUNNING,   CrashLoopBackOff,   waiting,    false",  // the node keeps it and restarts it
            "n1, RUNNING,   Error,              terminated, false",
            "n1, RUNNING,   CrashLoopBackOff,   -,          false",
            "n2, RUNNING,   '',                 running,    false",  // it runs elsewhere now
            "n1, SCHEDULED, '',                 -,          false",  // not started yet
            "n1, LOST,      NodeLost,           running,    false",  // already replaced
            "n1, FAILED,    Failed,             -,          false",
    })
    void theControlPlaneActsOnlyOnATaskItBelievesRunsThere(String node, TaskPhase phase, String reason, String state, boolean believed) {
        TaskView.Builder t = TaskView.newBuilder().setTaskId("t1").setNodeId(node).setPhase(phase).setReason(reason)
                .setWorkloadKey("default/deployment/web").setTemplateHash("h").setPodName("t1").setNamespace("default")
                .setTemplate(io.berth.schemas.avro.PodTemplate.newBuilder().setContainers(List.of()).build());
        if (!state.equals("-")) {
            t.setContainerStatuses(List.of(ContainerStatus.newBuilder().setName("main").setState(state).build()));
        }
        assertEquals(believed, RunningListing.believedRunning(t.build(), "n1"));
    }

    @org.junit.jupiter.api.Test
    void survivesItsStoreEncoding() {
        RunningListing l = new RunningListing(java.util.Map.of("web-abc-1", 0, "web-abc-2", 1));
        assertEquals(l, RunningListing.decode(l.encode()));
        assertEquals(RunningListing.EMPTY, RunningListing.decode(""));
        assertEquals(RunningListing.EMPTY, RunningListing.decode(null));
    }

    /** The node controller's shortcut for an "unchanged" heartbeat agrees with {@link RunningListing#next} on what it skips. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", value = {
            "null                  | true",
            "''                    | true",
            "a=0                   | true",
            "a=0,b=0,web-7f9c-x2=0 | true",
            "a=1                   | false",
            "a=0,b=1               | false",
            "a=1,b=0               | false",
            "a=0,b=10              | false",
            "a=01                  | false",
    })
    void anUnchangedHeartbeatKeepsAListingWithNothingMissed(String encoded, boolean keeps) {
        assertEquals(keeps, RunningListing.unchangedKeeps(encoded));
        RunningListing prev = RunningListing.decode(encoded);
        RunningListing.Next next = RunningListing.next(prev, prev.listed());
        if (keeps) { // then the full path would have changed nothing either
            assertEquals(prev, next.listing());
            assertEquals(List.of(), next.gone());
        }
    }
}
