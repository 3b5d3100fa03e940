package io.berth.schemas;

import io.berth.schemas.avro.PodTemplate;

import java.util.Map;

/**
 * What may change in a running bare pod: its metadata (labels, annotations — {@code kubectl label},
 * {@code kubectl annotate}), not its spec. Kubernetes also allows a few spec fields (a container's image,
 * activeDeadlineSeconds, added tolerations); Berth does not yet, and says so instead of ignoring the change.
 * The gateway refuses a spec change with 422; state-streams applies a metadata change without a new pod.
 */
public final class PodUpdates {
    public static final String FORBIDDEN = "Forbidden: pod updates may not change fields other than `metadata.labels` and "
            + "`metadata.annotations` (Berth: delete and create the pod again, or run it in a Deployment)";

    private PodUpdates() {}

    /** Whether {@code asked} differs from {@code running} in its labels and annotations at most. */
    public static boolean onlyMetadata(PodTemplate running, PodTemplate asked) {
        return strip(running).equals(strip(asked));
    }

    private static PodTemplate strip(PodTemplate t) {
        return PodTemplate.newBuilder(t).setLabels(Map.of()).setAnnotations(Map.of()).build();
    }
}
