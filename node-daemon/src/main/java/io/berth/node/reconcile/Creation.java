package io.berth.node.reconcile;

import io.berth.node.docker.PodUnit;
import io.berth.schemas.avro.Assignment;

import java.util.Map;

/**
 * What a {@link Step.Create} of one unit needs, as a pure function of its assignment and the engine's
 * view: which unit of the pod, from which image, joined to which sandbox. A container of a pod with an
 * infra container joins the infra's network namespace, so it waits until the infra runs (the planner
 * only asks for it once the infra is admitted; the infra may have died since the listing).
 *
 * <p>Worked example, pod {@code t} with containers {@code web} and {@code log}: {@code t/.infra} →
 * {@code Launch(infra, <infra image>, null)}; {@code t} while the infra is CREATED → {@code AwaitSandbox};
 * {@code t} once it runs as {@code c1} → {@code Launch(web, web's image, "c1")}.
 */
public final class Creation {
    private Creation() {}

    public sealed interface Plan permits Launch, AwaitSandbox, Unusable {}

    /** Create {@code unit} from {@code image}; joined to the network of container {@code infraId} when not null. */
    public record Launch(PodUnit unit, String image, String infraId) implements Plan {}

    /** The pod's infra container is not running (yet): create nothing now, a later pass will. */
    public record AwaitSandbox() implements Plan {}

    /** The assignment has no such unit (e.g. no container in its template): the adapter reports why. */
    public record Unusable() implements Plan {}

    /**
     * @param unitKey    the unit to create ({@link PodUnit#key()})
     * @param infraImage the image of pods' infra containers
     * @param observed   the node's containers by unit key
     */
    public static Plan of(Assignment a, String unitKey, String infraImage, Map<String, Observed> observed) {
        String taskId = a.getTaskId();
        PodUnit unit = unitKey.equals(taskId) && a.getTemplate().getContainers().isEmpty() ? null
                : PodUnit.of(a).stream().filter(u -> u.key().equals(unitKey)).findFirst().orElse(null);
        if (unit == null) return new Unusable();
        boolean infra = unit.kind() == PodUnit.Kind.INFRA;
        String image = infra ? infraImage : unit.spec().getImage();
        if (infra || !PodUnit.sharedNetwork(a)) return new Launch(unit, image, null);
        Observed sandbox = observed.get(PodUnit.infraKey(taskId));
        if (sandbox == null || sandbox.state() != Observed.State.RUNNING) return new AwaitSandbox();
        return new Launch(unit, image, sandbox.containerId());
    }
}
