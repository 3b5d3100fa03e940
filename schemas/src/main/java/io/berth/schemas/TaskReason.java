package io.berth.schemas;

import java.util.Arrays;
import java.util.Optional;

/**
 * Why a task is in its state, in the kubelet's words: the value of {@code TaskStatus.reason} and
 * {@code TaskView.reason}. Those Avro fields stay strings (old records, and reasons such as
 * {@code Init:1/2} that carry counts); producers (node daemon, scheduler) write
 * {@link #text()}, readers compare with {@link #is(String)} instead of spelling the words again.
 */
public enum TaskReason {
    /** The container exited and waits for its restart back-off. */
    CRASH_LOOP_BACK_OFF("CrashLoopBackOff"),
    /** The container exited with a non-zero code. */
    ERROR("Error"),
    /** The container exited with code 0. */
    COMPLETED("Completed"),
    /** The container was killed for exceeding its memory limit. */
    OOM_KILLED("OOMKilled"),
    /** Running, but a readiness probe fails (or has not passed yet). */
    CONTAINERS_NOT_READY("ContainersNotReady"),
    CONTAINER_CREATING("ContainerCreating"),
    /** The node created the container (state CREATED) and has not started it yet. */
    CONTAINER_CREATED("ContainerCreated"),
    POD_INITIALIZING("PodInitializing"),
    ERR_IMAGE_PULL("ErrImagePull"),
    /** The image is not on the node and the pull policy is Never. */
    ERR_IMAGE_NEVER_PULL("ErrImageNeverPull"),
    CREATE_CONTAINER_ERROR("CreateContainerError"),
    /** The container cannot be configured as its spec says: a Secret or ConfigMap (or a key of one) it needs does not exist, or runAsNonRoot with an image that runs as root (the kubelet's wording). */
    CREATE_CONTAINER_CONFIG_ERROR("CreateContainerConfigError"),
    START_ERROR("StartError"),
    /** The container disappeared from the node. */
    CONTAINER_REMOVED("ContainerRemoved"),
    SCHEDULED("Scheduled"),
    UNSCHEDULABLE("Unschedulable"),
    FAILED("Failed"),
    REJECTED("Rejected");

    /** Prefix of the reasons of a pod still running its init containers: {@code Init:0/1}, {@code Init:CrashLoopBackOff}. */
    public static final String INIT_PREFIX = "Init:";

    private final String text;

    TaskReason(String text) {
        this.text = text;
    }

    /** The reason as written on the wire and shown by kubectl. */
    public String text() {
        return text;
    }

    /** Whether {@code reason} (a TaskStatus/TaskView reason string, may be null) is this one. */
    public boolean is(String reason) {
        return text.equals(reason);
    }

    public static Optional<TaskReason> of(String reason) {
        return Arrays.stream(values()).filter(r -> r.is(reason)).findFirst();
    }

    /** {@code Init:<reason>}: an init container's reason as the pod shows it. */
    public String init() {
        return INIT_PREFIX + text;
    }

    public static boolean isInit(String reason) {
        return reason != null && reason.startsWith(INIT_PREFIX);
    }

    @Override
    public String toString() {
        return text;
    }
}
