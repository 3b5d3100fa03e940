package io.berth.registry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.registry.core.*;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Confluent Schema Registry's REST API (REGISTRY.md §2) over a {@link Registry}. Reads are served
 * by any instance from its in-memory state; writes run on a worker thread on the leader, and a
 * follower forwards them. Every refusal is Confluent's body {@code {"error_code","message"}}
 * with the HTTP status taken from the code's first three digits.
 */
final class RegistryApi {
    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final Logger LOG = LoggerFactory.getLogger(RegistryApi.class);
    private static final long MAX_BODY_BYTES = 16L * 1024 * 1024;

    private final Registry registry;
    private final LeaderElection election;
    private final LeaderForwarder forwarder;
    private final io.berth.schemas.auth.TokenAuthenticator writers;

    /** @param writers who may write (register, delete, config, mode); null leaves writes open */
    RegistryApi(Registry registry, LeaderElection election, io.berth.schemas.auth.TokenAuthenticator writers, javax.net.ssl.SSLContext leaderTrust) {
        this.registry = registry;
        this.election = election;
        this.forwarder = new LeaderForwarder(election, leaderTrust);
        this.writers = writers;
    }

    Router router(Vertx vertx) {
        Router r = Router.router(vertx);
        r.route().handler(this::guardWrites);
        r.route().handler(this::refuseForms);
        r.route().handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES).setHandleFileUploads(false));
        r.get("/").handler(this::handleRoot);
        r.get("/schemas/types").handler(this::handleSchemaTypes);
        r.get("/schemas/ids/:id").handler(this::handleSchemaById);
        r.get("/schemas/ids/:id/schema").handler(this::handleRawSchemaById);
        r.get("/schemas/ids/:id/versions").handler(this::handleVersionsOfId);
        r.get("/schemas/ids/:id/subjects").handler(this::handleSubjectsOfId);
        r.get("/subjects").handler(this::handleListSubjects);
        r.post("/subjects/:subject").handler(this::handleLookup);
        r.get("/subjects/:subject/versions").handler(this::handleListVersions);
        r.post("/subjects/:subject/versions").blockingHandler(leaderOnly(this::handleRegister), false);
        r.get("/subjects/:subject/versions/:version").handler(this::handleGetVersion);
        r.get("/subjects/:subject/versions/:version/schema").handler(this::handleGetRawSchema);
        r.get("/subjects/:subject/versions/:version/referencedby").handler(this::handleReferencedBy);
        r.delete("/subjects/:subject/versions/:version").blockingHandler(leaderOnly(this::handleDeleteVersion), false);
        r.delete("/subjects/:subject").blockingHandler(leaderOnly(this::handleDeleteSubject), false);
        r.post("/compatibility/subjects/:subject/versions").handler(this::handleCompatibilityWithAll);
        r.post("/compatibility/subjects/:subject/versions/:version").handler(this::handleCompatibilityWithVersion);
        r.get("/config").handler(this::handleGetGlobalConfig);
        r.put("/config").blockingHandler(leaderOnly(this::handlePutGlobalConfig), false);
        r.get("/config/:subject").handler(this::handleGetSubjectConfig);
        r.put("/config/:subject").blockingHandler(leaderOnly(this::handlePutSubjectConfig), false);
        r.delete("/config/:subject").blockingHandler(leaderOnly(this::handleDeleteSubjectConfig), false);
        r.get("/mode").handler(this::handleGetGlobalMode);
        r.put("/mode").blockingHandler(leaderOnly(this::handlePutGlobalMode), false);
        r.get("/mode/:subject").handler(this::handleGetSubjectMode);
        r.put("/mode/:subject").blockingHandler(leaderOnly(this::handlePutSubjectMode), false);
        r.delete("/mode/:subject").blockingHandler(leaderOnly(this::handleDeleteSubjectMode), false);
        r.route().failureHandler(this::handleFailure);
        r.errorHandler(404, ctx -> send(ctx, 404, Json.error(404, "HTTP 404 Not Found: " + ctx.request().method() + " " + ctx.request().path())));
        r.errorHandler(405, ctx -> send(ctx, 405, Json.error(405, "HTTP 405 Method Not Allowed: " + ctx.request().method() + " " + ctx.request().path())));
        return r;
    }

    /**
     * Writes need a credential (reads stay open: the schemas are the bus's public interface): HTTP
     * Basic {@code user:token}, as Confluent's clients send {@code basic.auth.user.info}, or
     * {@code Authorization: Bearer TOKEN} ({@code bearer.auth.token}). A lookup
     * ({@code POST /subjects/s}) and a compatibility check change nothing and count as reads.
     */
    private void guardWrites(RoutingContext ctx) {
        if (writers == null || !isWrite(ctx.request().method().name(), ctx.request().path())) {
            ctx.next();
            return;
        }
        if (writers.authorization(ctx.request().getHeader("Authorization")).filter(u -> !u.isBootstrapper()).isPresent()) {
            ctx.next();
            return;
        }
        ctx.response().putHeader("WWW-Authenticate", "Basic realm=\"berth-registry\"");
        send(ctx, 401, Json.error(401, "Unauthorized"));
    }

    /**
     * Every body the registry takes is JSON. A form or multipart content type is refused with 415 before
     * the body handler sees it: on a GET, Vert.x's body handler throws for it (a 500, found by
     * {@code RegistryRestFuzzTest}), and on a POST it would decode form fields nobody reads.
     */
    private void refuseForms(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        String t = type == null ? "" : type.toLowerCase(java.util.Locale.ROOT).trim();
        if (t.startsWith("multipart/") || t.startsWith("application/x-www-form-urlencoded")) {
            send(ctx, 415, Json.error(415, "HTTP 415 Unsupported Media Type: the registry takes JSON bodies, not " + type));
            return;
        }
        ctx.next();
    }

    static boolean isWrite(String method, String path) {
        return switch (method) {
            case "PUT", "DELETE" -> true;
            case "POST" -> path.startsWith("/subjects/") && (path.endsWith("/versions") || path.endsWith("/versions/"));
            default -> false;
        };
    }

    /** Runs a write here if this instance leads, else forwards it to the leader. */
    private Handler<RoutingContext> leaderOnly(Handler<RoutingContext> write) {
        return ctx -> {
            try {
                if (election.isLeader()) write.handle(ctx);
                else forwarder.forward(ctx);
            } catch (RuntimeException e) {
                ctx.fail(e);
            }
        };
    }

    // ---------------------------------------------------------------- schemas

    private void handleRoot(RoutingContext ctx) {
        ok(ctx, Json.object());
    }

    private void handleSchemaTypes(RoutingContext ctx) {
        ok(ctx, List.of(SchemaEntry.AVRO));
    }

    private void handleSchemaById(RoutingContext ctx) {
        int id = schemaId(ctx);
        ObjectNode body = Json.schemaById(registry.schemaById(id));
        if (flag(ctx, "fetchMaxId")) body.put("maxId", registry.state().maxId());
        ok(ctx, body);
    }

    private void handleRawSchemaById(RoutingContext ctx) {
        okRaw(ctx, registry.schemaById(schemaId(ctx)).schema());
    }

    private void handleVersionsOfId(RoutingContext ctx) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (SchemaEntry e : registry.usagesOfId(schemaId(ctx), flag(ctx, "deleted"))) {
            out.addObject().put("subject", e.subject()).put("version", e.version());
        }
        ok(ctx, out);
    }

    private void handleSubjectsOfId(RoutingContext ctx) {
        Set<String> subjects = new LinkedHashSet<>();
        for (SchemaEntry e : registry.usagesOfId(schemaId(ctx), flag(ctx, "deleted"))) subjects.add(e.subject());
        ok(ctx, subjects);
    }

    private void handleListSubjects(RoutingContext ctx) {
        ok(ctx, registry.subjects(flag(ctx, "deleted"), flag(ctx, "deletedOnly"), ctx.queryParams().get("subjectPrefix")));
    }

    private void handleLookup(RoutingContext ctx) {
        SchemaEntry e = registry.lookup(subject(ctx), Json.registerRequest(ctx.body().asString()), flag(ctx, "deleted"));
        ok(ctx, Json.version(e));
    }

    private void handleListVersions(RoutingContext ctx) {
        ok(ctx, registry.versions(subject(ctx), flag(ctx, "deleted"), flag(ctx, "deletedOnly")));
    }

    private void handleRegister(RoutingContext ctx) {
        String subject = Subjects.validate(subject(ctx));
        SchemaEntry e = registry.register(subject, Json.registerRequest(ctx.body().asString()));
        ok(ctx, Json.object().put("id", e.id()));
    }

    private void handleGetVersion(RoutingContext ctx) {
        ok(ctx, Json.version(registry.version(subject(ctx), ctx.pathParam("version"), flag(ctx, "deleted"))));
    }

    private void handleGetRawSchema(RoutingContext ctx) {
        okRaw(ctx, registry.version(subject(ctx), ctx.pathParam("version"), flag(ctx, "deleted")).schema());
    }

    private void handleReferencedBy(RoutingContext ctx) {
        SchemaEntry target = registry.version(subject(ctx), ctx.pathParam("version"), false);
        ok(ctx, registry.state().referrers(target.subject(), target.version()).stream().map(SchemaEntry::id).distinct().sorted().toList());
    }

    private void handleDeleteVersion(RoutingContext ctx) {
        ok(ctx, registry.deleteVersion(subject(ctx), ctx.pathParam("version"), flag(ctx, "permanent")));
    }

    private void handleDeleteSubject(RoutingContext ctx) {
        ok(ctx, registry.deleteSubject(subject(ctx), flag(ctx, "permanent")));
    }

    // ---------------------------------------------------------------- compatibility

    private void handleCompatibilityWithAll(RoutingContext ctx) {
        compatibility(ctx, null);
    }

    private void handleCompatibilityWithVersion(RoutingContext ctx) {
        compatibility(ctx, ctx.pathParam("version"));
    }

    private void compatibility(RoutingContext ctx, String version) {
        List<String> problems = registry.testCompatibility(subject(ctx), version, Json.registerRequest(ctx.body().asString()));
        ObjectNode body = Json.object().put("is_compatible", problems.isEmpty());
        if (flag(ctx, "verbose")) {
            ArrayNode messages = body.putArray("messages");
            problems.forEach(messages::add);
        }
        ok(ctx, body);
    }

    // ---------------------------------------------------------------- config

    private void handleGetGlobalConfig(RoutingContext ctx) {
        ok(ctx, Json.object().put("compatibilityLevel", registry.globalConfig().name()));
    }

    private void handlePutGlobalConfig(RoutingContext ctx) {
        CompatibilityLevel level = compatibilityOf(ctx);
        registry.setConfig(null, level);
        ok(ctx, Json.object().put("compatibility", level.name()));
    }

    private void handleGetSubjectConfig(RoutingContext ctx) {
        CompatibilityLevel level = registry.subjectConfig(subject(ctx), flag(ctx, "defaultToGlobal"));
        ok(ctx, Json.object().put("compatibilityLevel", level.name()));
    }

    private void handlePutSubjectConfig(RoutingContext ctx) {
        CompatibilityLevel level = compatibilityOf(ctx);
        registry.setConfig(subject(ctx), level);
        ok(ctx, Json.object().put("compatibility", level.name()));
    }

    private void handleDeleteSubjectConfig(RoutingContext ctx) {
        ok(ctx, Json.object().put("compatibilityLevel", registry.deleteConfig(subject(ctx)).name()));
    }

    private static CompatibilityLevel compatibilityOf(RoutingContext ctx) {
        JsonNode body = Json.body(ctx.body().asString());
        String value = Json.text(body, "compatibility");
        if (value == null) value = Json.text(body, "compatibilityLevel");
        return CompatibilityLevel.parse(value);
    }

    // ---------------------------------------------------------------- mode

    private void handleGetGlobalMode(RoutingContext ctx) {
        ok(ctx, Json.object().put("mode", registry.globalMode().name()));
    }

    private void handlePutGlobalMode(RoutingContext ctx) {
        Mode mode = modeOf(ctx);
        registry.setMode(null, mode, flag(ctx, "force"));
        ok(ctx, Json.object().put("mode", mode.name()));
    }

    private void handleGetSubjectMode(RoutingContext ctx) {
        ok(ctx, Json.object().put("mode", registry.subjectMode(subject(ctx), flag(ctx, "defaultToGlobal")).name()));
    }

    private void handlePutSubjectMode(RoutingContext ctx) {
        Mode mode = modeOf(ctx);
        registry.setMode(subject(ctx), mode, flag(ctx, "force"));
        ok(ctx, Json.object().put("mode", mode.name()));
    }

    private void handleDeleteSubjectMode(RoutingContext ctx) {
        ok(ctx, Json.object().put("mode", registry.deleteMode(subject(ctx)).name()));
    }

    private static Mode modeOf(RoutingContext ctx) {
        return Mode.parse(Json.text(Json.body(ctx.body().asString()), "mode"));
    }

    // ---------------------------------------------------------------- plumbing

    private static String subject(RoutingContext ctx) {
        return ctx.pathParam("subject");
    }

    private static int schemaId(RoutingContext ctx) {
        String text = ctx.pathParam("id");
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw RegistryError.schemaNotFound("Schema " + text + " not found: an id is an integer.");
        }
    }

    /** A boolean query parameter, case-insensitive ({@code True}, {@code TRUE}, {@code true}); absent = false. */
    static boolean flag(RoutingContext ctx, String name) {
        return Boolean.parseBoolean(ctx.queryParams().get(name));
    }

    private static void ok(RoutingContext ctx, Object body) {
        send(ctx, 200, body);
    }

    private static void okRaw(RoutingContext ctx, String json) {
        ctx.response().setStatusCode(200).putHeader("Content-Type", CONTENT_TYPE).end(json);
    }

    private static void send(RoutingContext ctx, int status, Object body) {
        if (ctx.response().ended()) return;
        ctx.response().setStatusCode(status).putHeader("Content-Type", CONTENT_TYPE).end(Json.write(body));
    }

    private void handleFailure(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (failure instanceof RegistryError e) {
            send(ctx, e.httpStatus(), Json.error(e.errorCode(), e.getMessage()));
        } else if (failure != null) {
            LOG.error("registry request {} {} failed", ctx.request().method(), ctx.request().uri(), failure);
            send(ctx, 500, Json.error(RegistryError.STORE_ERROR, "Internal error in the schema registry: " + failure));
        } else {
            int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
            String message = status == 413 ? "The request body is larger than " + MAX_BODY_BYTES + " bytes" : "HTTP " + status;
            send(ctx, status, Json.error(status, message));
        }
    }
}
