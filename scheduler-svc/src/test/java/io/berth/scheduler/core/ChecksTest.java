package io.berth.scheduler.core;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static io.berth.scheduler.core.Checks.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Each feasibility check as a table: (node, what is booked on it, task) → reasons. */
class ChecksTest {
    private static final Quantity CAP = new Quantity(2000, 4096);
    private static final Node READY = Node.ready("n1", CAP);

    record Case(String should, FeasibilityCheck check, Node node, NodeUsage usage, Pending task, List<String> expected) {
        @Override
        public String toString() {
            return should;
        }
    }

    static Pending task(long cpu, long mem) {
        return Pending.of("t1", new Quantity(cpu, mem), "");
    }

    static NodeUsage booked(long cpu, long mem, Integer... ports) {
        return NodeUsage.EMPTY.plus(new Claim("other", new Quantity(cpu, mem), Set.of(ports), ""));
    }

    static Node maxPods(int max) {
        return new Node("n1", Map.of(), CAP, true, false, max);
    }

    static NodeUsage tasks(int n) {
        NodeUsage u = NodeUsage.EMPTY;
        for (int i = 0; i < n; i++) u = u.plus(new Claim("t" + i, Quantity.ZERO, Set.of(), ""));
        return u;
    }

    static Node labelled(Map<String, String> labels) {
        return new Node("n1", labels, CAP, true, false);
    }

    static Pending withSelector(Map<String, String> selector) {
        return new Pending("t1", Quantity.ZERO, selector, Set.of(), "");
    }

    static Pending withPorts(Integer... ports) {
        return new Pending("t1", Quantity.ZERO, Map.of(), Set.of(ports), "");
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("should accept a Ready node", Checks::nodeReady, READY, NodeUsage.EMPTY, task(0, 0), List.of()),
                new Case("should reject a NotReady node", Checks::nodeReady, new Node("n1", Map.of(), CAP, false, false), NodeUsage.EMPTY, task(0, 0), List.of(NOT_READY)),
                new Case("should accept an uncordoned node", Checks::nodeSchedulable, READY, NodeUsage.EMPTY, task(0, 0), List.of()),
                new Case("should reject a cordoned node", Checks::nodeSchedulable, new Node("n1", Map.of(), CAP, true, true), NodeUsage.EMPTY, task(0, 0), List.of(UNSCHEDULABLE)),
                new Case("should accept any node for an empty selector", Checks::nodeSelector, READY, NodeUsage.EMPTY, withSelector(Map.of()), List.of()),
                new Case("should accept a node carrying every selected label", Checks::nodeSelector, labelled(Map.of("disk", "ssd", "zone", "a")), NodeUsage.EMPTY, withSelector(Map.of("disk", "ssd")), List.of()),
                new Case("should reject a node with a different label value", Checks::nodeSelector, labelled(Map.of("disk", "hdd")), NodeUsage.EMPTY, withSelector(Map.of("disk", "ssd")), List.of(SELECTOR_MISMATCH)),
                new Case("should reject a node missing a selected label", Checks::nodeSelector, labelled(Map.of("zone", "a")), NodeUsage.EMPTY, withSelector(Map.of("zone", "a", "disk", "ssd")), List.of(SELECTOR_MISMATCH)),
                new Case("should match kubernetes.io/hostname to the node's id when it has no such label", Checks::nodeSelector, READY, NodeUsage.EMPTY, withSelector(Map.of("kubernetes.io/hostname", "n1")), List.of()),
                new Case("should reject another node's kubernetes.io/hostname", Checks::nodeSelector, READY, NodeUsage.EMPTY, withSelector(Map.of("kubernetes.io/hostname", "n2")), List.of(SELECTOR_MISMATCH)),
                new Case("should prefer a kubernetes.io/hostname label the node was given", Checks::nodeSelector, labelled(Map.of("kubernetes.io/hostname", "web-1")), NodeUsage.EMPTY, withSelector(Map.of("kubernetes.io/hostname", "web-1")), List.of()),
                new Case("should accept requests that fill the node exactly", Checks::resourcesFit, READY, booked(1000, 2048), task(1000, 2048), List.of()),
                new Case("should reject one millicore too many", Checks::resourcesFit, READY, booked(1000, 0), task(1001, 0), List.of(INSUFFICIENT_CPU)),
                new Case("should reject one byte too many", Checks::resourcesFit, READY, booked(0, 4000), task(0, 97), List.of(INSUFFICIENT_MEMORY)),
                new Case("should name both resources when both are short", Checks::resourcesFit, READY, booked(2000, 4096), task(1, 1), List.of(INSUFFICIENT_CPU, INSUFFICIENT_MEMORY)),
                new Case("should fit a zero request on a full node", Checks::resourcesFit, READY, booked(2000, 4096), task(0, 0), List.of()),
                new Case("should fit a zero request on a node of unknown capacity", Checks::resourcesFit, Node.ready("n1", Quantity.ZERO), NodeUsage.EMPTY, task(0, 0), List.of()),
                new Case("should reject a cpu request on a node of unknown cpu", Checks::resourcesFit, Node.ready("n1", new Quantity(0, 4096)), NodeUsage.EMPTY, task(1, 1), List.of(INSUFFICIENT_CPU)),
                new Case("should accept the last pod a node has room for", Checks::resourcesFit, maxPods(2), tasks(1), task(0, 0), List.of()),
                new Case("should reject a pod past max-pods, whatever it requests", Checks::resourcesFit, maxPods(2), tasks(2), task(0, 0), List.of(TOO_MANY_PODS)),
                new Case("should name the pod count before short resources", Checks::resourcesFit, new Node("n1", Map.of(), new Quantity(1, 1), true, false, 1), tasks(1), task(2, 2), List.of(TOO_MANY_PODS, INSUFFICIENT_CPU, INSUFFICIENT_MEMORY)),
                new Case("should not limit pods on a node that did not say (0)", Checks::resourcesFit, READY, tasks(500), task(0, 0), List.of()),
                new Case("should accept free host ports", Checks::hostPortsFree, READY, booked(0, 0, 80), withPorts(8080, 443), List.of()),
                new Case("should reject a host port in use", Checks::hostPortsFree, READY, booked(0, 0, 80, 443), withPorts(8080, 443), List.of(PORTS_IN_USE)),
                new Case("should accept a task without host ports on a node using ports", Checks::hostPortsFree, READY, booked(0, 0, 80), withPorts(), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void checks(Case c) {
        assertEquals(c.expected(), c.check().reject(c.node(), c.usage(), c.task()));
    }
}
