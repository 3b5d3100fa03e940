package io.berth.schemas;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The event a node daemon reports when the local image behind a tag one of its pods runs changed ({@code docker build
 * -t app:latest .} again, {@code docker tag}): a {@code berth.events} ClusterEvent with reason {@link #REASON} and a
 * message in one fixed form, which the gateway reads back ({@link #parse}) to roll out the workloads annotated
 * {@code berth.io/rollout-on: image}. Written and read here, so the node and the gateway cannot disagree on it.
 */
public final class ImageTagMoved {
    public static final String REASON = "ImageTagMoved";
    private static final Pattern MESSAGE = Pattern.compile("image \"([^\"]+)\" now resolves to (sha256:[0-9a-f]{64}) \\(the pod runs (\\S+)\\)");

    private ImageTagMoved() {}

    /** What moved: the reference (as the pod spec names it) and the image id it resolves to now. */
    public record Moved(String ref, String imageId) {}

    /** {@code image "app:latest" now resolves to sha256:… (the pod runs sha256:…)}. */
    public static String message(String ref, String newImageId, String runningImageId) {
        return "image \"" + ref + "\" now resolves to " + newImageId + " (the pod runs " + runningImageId + ")";
    }

    public static Optional<Moved> parse(String reason, String message) {
        if (!REASON.equals(reason) || message == null) return Optional.empty();
        Matcher m = MESSAGE.matcher(message);
        return m.matches() ? Optional.of(new Moved(m.group(1), m.group(2))) : Optional.empty();
    }

    /** {@code app} and {@code app:latest} name the same image, as Docker reads them (a digest reference stays as it is). */
    public static String normalize(String ref) {
        if (ref == null) return "";
        if (ref.contains("@")) return ref;
        int slash = ref.lastIndexOf('/');
        return ref.indexOf(':', slash + 1) < 0 ? ref + ":latest" : ref;
    }
}
