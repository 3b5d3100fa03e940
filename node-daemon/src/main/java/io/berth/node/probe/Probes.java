package io.berth.node.probe;

import io.berth.node.docker.PodUnit;
import io.berth.node.reconcile.PodStatus;
import io.berth.node.reconcile.Reported;
import io.berth.schemas.ProbeMessages;
import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.Probe;

/**
 * The prober's decisions around {@link ProbeMachine}, as pure functions: which probes a container's spec
 * declares, where a check goes, and what one result means for the container (kill it, report a
 * readiness change, or nothing). The adapter owns the timers and the checks ({@link Prober}).
 */
public final class Probes {
    private Probes() {}

    /** What a probe result asks of the adapter. */
    public sealed interface Verdict permits Kill, Report, Nothing {}

    /** A liveness or startup probe failed its threshold: stop the container; {@code message} goes into its EXITED report. */
    public record Kill(String message) implements Verdict {}

    /** Readiness changed: report {@code next} (READY, or UNREADY with the probe's message). */
    public record Report(Reported next) implements Verdict {}

    /** Nothing to report. */
    public record Nothing() implements Verdict {}

    /** The unit's container spec if it is probed: an app container of a live pod; null for infra and init containers. */
    public static ContainerSpec probed(Assignment a, String unit) {
        if (a == null || a.getTemplate().getContainers().isEmpty()) return null;
        for (PodUnit u : PodUnit.of(a)) if (u.key().equals(unit)) return u.kind() == PodUnit.Kind.APP ? u.spec() : null;
        return null;
    }

    /** The machine of a run that began at {@code now}; no spec (an infra or init container) means no probes. */
    public static ProbeMachine machine(ContainerSpec c, long now) {
        if (c == null) return new ProbeMachine(null, null, null, now);
        return new ProbeMachine(ProbeSettings.of(c.getStartupProbe()), ProbeSettings.of(c.getLivenessProbe()),
                ProbeSettings.of(c.getReadinessProbe()), now);
    }

    /** The spec's probe of a kind. */
    public static Probe probe(ContainerSpec c, ProbeMachine.Kind k) {
        return switch (k) {
            case STARTUP -> c.getStartupProbe();
            case LIVENESS -> c.getLivenessProbe();
            case READINESS -> c.getReadinessProbe();
        };
    }

    /** The port an HTTP or TCP probe naming none checks: the container's first declared port, else 80. */
    public static int defaultPort(ContainerSpec c) {
        return c.getPorts().isEmpty() ? 80 : c.getPorts().get(0).getContainerPort();
    }

    /**
     * The address to probe: the container's own IP; a container joined to its pod's infra container has
     * none of its own and is reached on the infra's ({@code infraIp} null: no infra known, "").
     *
     * @param ownNetwork the container has a network of its own (a single-container pod)
     */
    public static String address(String ownIp, boolean ownNetwork, String infraIp) {
        if (!ownIp.isEmpty() || ownNetwork) return ownIp;
        return infraIp == null ? "" : infraIp;
    }

    /**
     * What one result means, the machine already fed with it ({@link ProbeMachine#onResult}).
     * Worked example, readiness threshold 1, container {@code web} reported RUNNING: a success → Report READY;
     * a failure after that → Report UNREADY ContainersNotReady "Readiness probe failed: …"; a liveness
     * failure at its threshold → Kill "Container web failed liveness probe, will be restarted".
     *
     * @param wasReady the container was ready before this result
     * @param last     the container's last report
     */
    public static Verdict verdict(ProbeMachine.Kind k, ProbeMachine.Outcome o, ProbeMachine m, boolean wasReady, Reported last, String container) {
        if (o == ProbeMachine.Outcome.KILL) {
            return new Kill(ProbeMessages.killed(container, k == ProbeMachine.Kind.STARTUP ? "startup" : "liveness"));
        }
        Reported next = PodStatus.readiness(wasReady, last, m.ready(), o == ProbeMachine.Outcome.UNREADY, m.readinessMessage());
        return next == null ? new Nothing() : new Report(next);
    }
}
