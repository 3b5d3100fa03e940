package io.berth.state.core;

/**
 * What a workload asks for, as the reconciler sees it.
 *
 * @param name         workload name, the prefix of its task ids
 * @param uid          identity of this incarnation of the workload (feeds the id suffix)
 * @param bare         a bare pod: one task, never replaced
 * @param replicas     desired live tasks (ignored for bare pods)
 * @param templateHash hash of the current pod template (middle part of new task ids)
 * @param deleted      the workload was deleted: stop everything, then disappear
 * @param nextTaskSeq  sequence number of the next task to create; only ever grows
 * @param rollout      how tasks of an older template are replaced
 */
public record WorkloadDesired(String name, String uid, boolean bare, int replicas, String templateHash,
                              boolean deleted, long nextTaskSeq, RolloutPolicy rollout) {

    /** With Kubernetes' default rolling update (25% / 25%). */
    public WorkloadDesired(String name, String uid, boolean bare, int replicas, String templateHash, boolean deleted, long nextTaskSeq) {
        this(name, uid, bare, replicas, templateHash, deleted, nextTaskSeq, RolloutPolicy.rollingUpdate("25%", "25%", replicas));
    }

    public static WorkloadDesired deployment(String name, String uid, int replicas, String templateHash, long nextTaskSeq) {
        return new WorkloadDesired(name, uid, false, replicas, templateHash, false, nextTaskSeq);
    }

    public static WorkloadDesired pod(String name, String uid, String templateHash, long nextTaskSeq) {
        return new WorkloadDesired(name, uid, true, 1, templateHash, false, nextTaskSeq);
    }

    public WorkloadDesired withRollout(RolloutPolicy p) {
        return new WorkloadDesired(name, uid, bare, replicas, templateHash, deleted, nextTaskSeq, p);
    }

    public WorkloadDesired withTemplateHash(String h) {
        return new WorkloadDesired(name, uid, bare, replicas, h, deleted, nextTaskSeq, rollout);
    }

    public WorkloadDesired withDeleted(boolean d) {
        return new WorkloadDesired(name, uid, bare, replicas, templateHash, d, nextTaskSeq, rollout);
    }

    public WorkloadDesired withReplicas(int r) {
        return new WorkloadDesired(name, uid, bare, r, templateHash, deleted, nextTaskSeq, rollout);
    }

    public WorkloadDesired withNextTaskSeq(long s) {
        return new WorkloadDesired(name, uid, bare, replicas, templateHash, deleted, s, rollout);
    }
}
