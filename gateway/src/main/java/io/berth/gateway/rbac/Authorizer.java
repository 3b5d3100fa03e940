package io.berth.gateway.rbac;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.gateway.api.ApiException;
import io.berth.gateway.api.Guard;
import io.berth.gateway.api.ReadApi;
import io.berth.gateway.api.Status;
import io.berth.schemas.auth.User;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/**
 * The second handler of every gateway route, after the {@link Guard} authenticated the user:
 * <ol>
 *   <li><b>impersonation</b> ({@code Impersonate-User}, {@code Impersonate-Group}): allowed only to a user
 *       who may {@code impersonate} those {@code users} / {@code groups} (or that service account), as
 *       Kubernetes; from then on the request is authorized as the impersonated user (the audit's actor
 *       stays the authenticated one);</li>
 *   <li><b>RBAC</b>: the request as {@link RequestInfo} sees it must be allowed by the {@link Policy};
 *       else 403 {@code Forbidden} with Kubernetes' wording. Watches are {@code watch}, logs
 *       {@code get pods/log}.</li>
 * </ol>
 * {@code POST /apis/berth.io/v1/apply} carries many objects and is authorized per object by the write
 * API ({@link #check}): {@code create} when new, {@code patch} when it exists, as kubectl apply does.
 * A node's {@code get} of one Secret is the {@link NodeAuthorizer}'s (then RBAC's) decision, taken where the
 * Secret is read, since it depends on the pod the node names.
 */
public final class Authorizer {
    public static final String APPLY_PATH = "/apis/berth.io/v1/apply";
    private final RbacStore store;

    public Authorizer(RbacStore store) {
        this.store = store;
    }

    public Policy policy() {
        return store.policy();
    }

    public void handle(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        if (Guard.OPEN.contains(req.path()) && (req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD)) {
            ctx.next();
            return;
        }
        try {
            impersonation(ctx);
            if (!(req.method() == HttpMethod.POST && req.path().equals(APPLY_PATH))) {
                Attributes a = RequestInfo.of(Guard.user(ctx), req.method().name(), req.path(), req.getParam("watch"), req.getParam("fieldSelector"));
                if (!NodeAuthorizer.decides(a)) check(a); // a node's get of a Secret: decided where the Secret is read (ConfigApi)
            }
        } catch (ApiException e) {
            ReadApi.json(ctx, e.status().path("code").asInt(), e.status());
            return;
        }
        ctx.next();
    }

    /** Throws 403 Forbidden unless the policy allows {@code a}. */
    public void check(Attributes a) {
        if (!store.policy().allows(a)) throw forbidden(a);
    }

    /** Kubernetes' Forbidden Status: message, reason, and details naming the group, resource and object. */
    public static ApiException forbidden(Attributes a) {
        return forbidden(a, null);
    }

    /** As {@link #forbidden(Attributes)}, the message followed by {@code ": " + reason} (an authorizer's reason, e.g. the Node authorizer's). */
    public static ApiException forbidden(Attributes a, String reason) {
        ObjectNode s = Status.failure(403, "Forbidden", a.forbiddenMessage() + (reason == null ? "" : ": " + reason), null, null);
        if (a.resourceRequest()) {
            s.remove("code");
            ObjectNode d = s.putObject("details");
            if (!a.name().isEmpty()) d.put("name", a.name());
            if (!a.apiGroup().isEmpty()) d.put("group", a.apiGroup());
            d.put("kind", a.resource());
            s.put("code", 403);
        }
        return new ApiException(s);
    }

    private void impersonation(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        String as = req.getHeader("Impersonate-User");
        List<String> groups = req.headers().getAll("Impersonate-Group");
        if (as == null && groups.isEmpty()) return;
        if (as == null || as.isBlank()) {
            throw Status.badRequest("requested impersonation of groups without impersonating a user (Impersonate-User)");
        }
        User real = Guard.user(ctx);
        if (as.startsWith("system:serviceaccount:") && as.split(":").length == 4) {
            String[] p = as.split(":");
            check(Attributes.resource(real, "impersonate", "", "serviceaccounts", "", p[2], p[3]));
        } else {
            check(Attributes.resource(real, "impersonate", "", "users", "", "", as));
        }
        for (String g : groups) check(Attributes.resource(real, "impersonate", "", "groups", "", "", g));
        Guard.impersonate(ctx, new User(as, "", groups));
    }
}
