package io.berth.gateway.rbac;

import io.berth.gateway.api.ApiException;
import io.berth.gateway.api.Status;
import io.berth.gateway.api.ViewCache;
import io.berth.gateway.config.SecretRefs;
import io.berth.schemas.Topics;
import io.berth.schemas.auth.User;
import io.berth.schemas.avro.TaskPhase;
import io.berth.schemas.avro.TaskView;
import io.vertx.core.Context;
import io.vertx.core.Future;

/**
 * Kubernetes' Node authorizer for Secrets: a node ({@code system:node:<name>}, group {@code system:nodes},
 * authenticated by a request signed with its node key) may {@code get} a Secret only for a pod assigned to
 * it that references that Secret, and gets only the keys that pod references. The pod is named by the
 * request ({@code ?pod=<task id>}); "assigned to it" is the task view's {@code nodeId} (set once, from the
 * scheduler's ASSIGNED status), read from the gateway's {@link ViewCache}. A node sees its assignment
 * before the view shows it bound, so a task the view does not know yet, or knows unbound, is waited for
 * (at most {@code node-authorizer-wait-ms}) before the answer is no.
 *
 * <p>Anything else: 403 with the Node authorizer's words, {@code secrets "db" is forbidden: User
 * "system:node:n1" cannot get resource "secrets" in API group "" in the namespace "default": no
 * relationship found between node 'n1' and this object}.
 */
public final class NodeAuthorizer {
    private final ViewCache cache;
    private final long waitMs;

    public NodeAuthorizer(ViewCache cache, long waitMs) {
        this.cache = cache;
        this.waitMs = waitMs;
    }

    /** Whether this authorizer, not RBAC's handler, decides {@code a}: a node's get of one Secret (decided where the Secret is read). */
    public static boolean decides(Attributes a) {
        return a.user().isNode() && a.resourceRequest() && a.verb().equals("get") && a.apiGroup().isEmpty()
                && a.resource().equals("secrets") && a.subresource().isEmpty() && !a.name().isEmpty();
    }

    /** The keys of Secret {@code ns/name} node {@code node} may read for pod {@code taskId}; a failed future ({@link ApiException} 403) when none. */
    public Future<SecretRefs> authorize(User node, String ns, String name, String taskId, Context context) {
        Future<TaskView> task = cache.byKey(Topics.TASKS, taskId).map(e -> (TaskView) e.value())
                .filter(t -> !t.getNodeId().isEmpty()).map(Future::succeededFuture)
                .orElseGet(() -> cache.await(Topics.TASKS, taskId, e -> e != null && !((TaskView) e.value()).getNodeId().isEmpty(), context, waitMs)
                        .map(e -> (TaskView) e.value()).otherwise((TaskView) null));
        return task.compose(t -> {
            SecretRefs refs = decide(node.nodeName(), t, ns, name);
            return refs.referenced() ? Future.succeededFuture(refs) : Future.failedFuture(forbidden(node, ns, name));
        });
    }

    /**
     * The decision, pure: the keys of Secret {@code ns/secret} that {@code task} (null: unknown) lets node
     * {@code node} read; {@link SecretRefs#NONE} unless the task is bound to that node (and not LOST: taken
     * away from it), lives in that namespace and references the Secret.
     */
    public static SecretRefs decide(String node, TaskView task, String ns, String secret) {
        if (task == null || !node.equals(task.getNodeId()) || task.getPhase() == TaskPhase.LOST || !ns.equals(task.getNamespace())) return SecretRefs.NONE;
        return SecretRefs.of(task.getTemplate(), "Secret", secret);
    }

    /** 403 as the Node authorizer words it. */
    public static ApiException forbidden(User node, String ns, String name) {
        Attributes a = Attributes.resource(node, "get", "", "secrets", "", ns, name);
        return Authorizer.forbidden(a, "no relationship found between node '" + node.nodeName() + "' and this object");
    }

    /** 400 for a node's get of a Secret that names no pod. */
    public static ApiException noPod() {
        return Status.badRequest("pod: a node reads a Secret for one of its pods: ?pod=<task id>");
    }
}
