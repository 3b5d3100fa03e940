package io.berth.gateway.api;

import com.google.protobuf.CodedOutputStream;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * {@code /openapi/v2}: a Swagger 2.0 document with no definitions, for kubectl before 1.27, which will not
 * apply or create without it. Such a kubectl downloads it as protobuf (gnostic's {@code openapi.v2.Document},
 * {@code application/com.github.proto-openapi.spec.v2@v1.0+protobuf}; the old {@code /swagger-2.0.0.pb-v1}
 * is its fallback) and:
 * <ul>
 *   <li>validates a manifest against the kind's definition, skipping kinds the document does not define, so
 *   the server validates (every write route refuses unknown fields itself);</li>
 *   <li>computes apply's strategic merge patch from the definition, else from its compiled-in Go types, which
 *   know every built-in kind Berth serves.</li>
 * </ul>
 * Defining the kinds shallowly would be worse than not at all: kubectl would refuse every nested field.
 * kubectl 1.27 and later read {@link OpenApi} (v3) instead.
 */
public final class OpenApiV2 {
    private static final String TITLE = "Berth", VERSION = "v0.1.0-berth";

    public void mount(Router router) {
        router.get("/openapi/v2").handler(this::document);
    }

    private void document(RoutingContext ctx) {
        String accept = ctx.request().getHeader("Accept");
        ctx.response().putHeader("Cache-Control", "no-cache, private");
        if (accept != null && accept.contains("protobuf")) {
            // kube-openapi answers protobuf as octet-stream: Go's mime parser refuses the '@' of the asked type
            ctx.response().putHeader("content-type", "application/octet-stream").end(io.vertx.core.buffer.Buffer.buffer(protobuf()));
        } else {
            ctx.response().putHeader("content-type", "application/json").end(json().encode());
        }
    }

    static JsonObject json() {
        return new JsonObject().put("swagger", "2.0")
                .put("info", new JsonObject().put("title", TITLE).put("version", VERSION))
                .put("paths", new JsonObject()).put("definitions", new JsonObject());
    }

    /**
     * The document in gnostic's {@code OpenAPIv2.proto} field numbers: Document{swagger = 1, info = 2
     * {title = 1, version = 2}, paths = 8}, with a PATCH operation per patchable kind that carries its
     * {@code x-kubernetes-group-version-kind} and the {@code dryRun} query parameter: kubectl 1.20's
     * {@code diff} and {@code --dry-run=server} look for exactly these before they send a dry run.
     */
    static byte[] protobuf() {
        Proto doc = new Proto().str(1, "2.0").msg(2, new Proto().str(1, TITLE).str(2, VERSION));
        Proto paths = new Proto();
        for (Discovery.GroupVersion gv : Discovery.GROUPS) {
            for (Discovery.ApiResource r : gv.resources()) {
                if (!r.verbs().contains("patch")) continue;
                String path = gv.path() + (r.namespaced() ? "/namespaces/{namespace}/" : "/") + r.name() + "/{name}";
                String gvk = "group: \"" + gv.group() + "\"\nkind: " + r.kind() + "\nversion: " + gv.version() + "\n";
                Proto dryRun = new Proto().str(2, "query").str(4, "dryRun").str(6, "string").str(3,
                        "When present, indicates that modifications should not be persisted.");
                Proto operation = new Proto().str(5, "patch" + r.kind())
                        .msg(8, new Proto().msg(1, new Proto().msg(2, new Proto().msg(3, dryRun))))
                        .msg(13, new Proto().str(1, "x-kubernetes-group-version-kind").msg(2, new Proto().str(2, gvk)));
                paths.msg(2, new Proto().str(1, path).msg(2, new Proto().msg(8, operation)));
            }
        }
        return doc.msg(8, paths).bytes();
    }

    /** Just enough of the protobuf wire format to write nested messages of strings. */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final CodedOutputStream coded = CodedOutputStream.newInstance(out);

        Proto str(int field, String value) {
            try {
                coded.writeString(field, value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Proto msg(int field, Proto value) {
            try {
                coded.writeByteArray(field, value.bytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        byte[] bytes() {
            try {
                coded.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toByteArray();
        }
    }
}
