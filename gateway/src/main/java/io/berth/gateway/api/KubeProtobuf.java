package io.berth.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The few request bodies stock kubectl sends in Kubernetes' protobuf encoding
 * ({@code application/vnd.kubernetes.protobuf}) rather than JSON, decoded to the JSON the handlers
 * read: its typed clients (kubectl ≥ 1.30) post a {@code SelfSubjectAccessReview} for {@code auth can-i},
 * an {@code Eviction} for {@code drain}, {@code DeleteOptions} with a pod delete, and an {@code autoscaling/v1
 * HorizontalPodAutoscaler} for {@code autoscale}. A body is the
 * envelope {@code k8s\0} followed by a {@code runtime.Unknown} (type meta, raw object bytes); the object is
 * read field by field with protobuf's own {@link CodedInputStream} against the field numbers of
 * Kubernetes' {@code generated.proto} files, declared below for just these kinds. Unknown fields are
 * skipped, as protobuf does; a truncated or malformed body, or a kind not listed, is a 400/415 with
 * the reason. Answers stay JSON (kubectl's protobuf clients accept it: they send
 * {@code Accept: application/vnd.kubernetes.protobuf, application/json}).
 *
 * <p>Why not the generated classes ({@code io.kubernetes:client-java-proto}): a 10 MB jar of every
 * Kubernetes type for five messages, and its protobuf runtime pinned to an old major.
 */
public final class KubeProtobuf {
    public static final String MEDIA_TYPE = "application/vnd.kubernetes.protobuf";
    private static final byte[] MAGIC = {'k', '8', 's', 0};
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The routes whose bodies may come as protobuf (method, path): the Guard lets only these through. */
    private static final Pattern REVIEWS = Pattern.compile("/apis/authorization\\.k8s\\.io/v1/(namespaces/[^/]+/localsubjectaccessreviews|selfsubjectaccessreviews|subjectaccessreviews)");
    private static final Pattern EVICTION = Pattern.compile("/api/v1/namespaces/[^/]+/pods/[^/]+/eviction");
    private static final Pattern POD = Pattern.compile("/api/v1/namespaces/[^/]+/pods/[^/]+");
    /** kubectl create namespace posts the Namespace, kubectl delete namespace its DeleteOptions, as protobuf. */
    private static final Pattern NAMESPACE = Pattern.compile("/api/v1/namespaces/[^/]+");
    /** kubectl autoscale (before 1.33) posts an autoscaling/v1 HorizontalPodAutoscaler as protobuf. */
    private static final Pattern HPAS_V1 = Pattern.compile("/apis/autoscaling/v1/namespaces/[^/]+/horizontalpodautoscalers");

    private KubeProtobuf() {}

    /** Whether a protobuf body is understood on this route. */
    public static boolean accepted(HttpMethod method, String path) {
        if (method == HttpMethod.POST) {
            return REVIEWS.matcher(path).matches() || EVICTION.matcher(path).matches() || path.equals("/api/v1/namespaces")
                    || HPAS_V1.matcher(path).matches();
        }
        return method == HttpMethod.DELETE && (POD.matcher(path).matches() || NAMESPACE.matcher(path).matches());
    }

    /** The request's body as JSON text: decoded when it is protobuf, as sent otherwise ("" when none). */
    public static String bodyText(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        boolean proto = type != null && type.toLowerCase(Locale.ROOT).startsWith(MEDIA_TYPE);
        if (ctx.body() == null || ctx.body().buffer() == null) return "";
        if (!proto) return ctx.body().asString();
        return decode(ctx.body().buffer().getBytes()).toString();
    }

    /**
     * The object of a protobuf body as Kubernetes' JSON ({@code apiVersion}, {@code kind} and the
     * fields), or a 400 {@link ApiException} naming what is wrong.
     */
    public static ObjectNode decode(byte[] body) {
        if (body.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(body, MAGIC.length), MAGIC)) {
            throw Status.badRequest("the protobuf body does not start with Kubernetes' envelope (k8s\\0)");
        }
        try {
            ObjectNode unknown = read(CodedInputStream.newInstance(body, MAGIC.length, body.length - MAGIC.length), UNKNOWN);
            String apiVersion = unknown.path("typeMeta").path("apiVersion").asText("");
            String kind = unknown.path("typeMeta").path("kind").asText("");
            if (unknown.has("contentEncoding") && !unknown.path("contentEncoding").asText().isEmpty()) {
                throw Status.badRequest("protobuf body with contentEncoding " + unknown.path("contentEncoding").asText() + " is not supported");
            }
            Msg schema = KINDS.get(kind);
            if (schema == null) {
                throw new ApiException(Status.failure(415, "UnsupportedMediaType", "kind " + (kind.isEmpty() ? "(none)" : kind)
                        + " is not accepted as " + MEDIA_TYPE + " here; send it as application/json", null, null));
            }
            byte[] raw = unknown.has("raw") ? unknown.get("raw").binaryValue() : new byte[0];
            ObjectNode object = JSON.createObjectNode().put("apiVersion", apiVersion).put("kind", kind);
            object.setAll(read(CodedInputStream.newInstance(raw), schema));
            // Kubernetes' generated marshalling writes every string, empty ones too: an empty one is an absent one
            if (object.get("metadata") instanceof ObjectNode md) {
                md.properties().removeIf(e -> e.getValue().isTextual() && e.getValue().asText().isEmpty());
            }
            return object;
        } catch (IOException | IllegalArgumentException e) {
            throw Status.badRequest("the protobuf body cannot be decoded: " + e.getMessage());
        }
    }

    // ---- the schema: field number -> (json name, type), from Kubernetes' generated.proto ----

    enum Type { STRING, BYTES, INT64, BOOL, MESSAGE, STRING_MAP }

    record Field(String name, Type type, boolean repeated, Msg message) {}

    static final class Msg {
        final Map<Integer, Field> fields = new LinkedHashMap<>();

        Msg put(int number, String name, Type type) {
            fields.put(number, new Field(name, type, false, null));
            return this;
        }

        Msg repeated(int number, String name, Type type) {
            fields.put(number, new Field(name, type, true, null));
            return this;
        }

        Msg message(int number, String name, Msg m) {
            fields.put(number, new Field(name, Type.MESSAGE, false, m));
            return this;
        }

        Msg messages(int number, String name, Msg m) {
            fields.put(number, new Field(name, Type.MESSAGE, true, m));
            return this;
        }
    }

    /** k8s.io/apimachinery/pkg/runtime: Unknown {TypeMeta typeMeta = 1; bytes raw = 2; string contentEncoding = 3; string contentType = 4}. */
    static final Msg UNKNOWN = new Msg()
            .message(1, "typeMeta", new Msg().put(1, "apiVersion", Type.STRING).put(2, "kind", Type.STRING))
            .put(2, "raw", Type.BYTES).put(3, "contentEncoding", Type.STRING).put(4, "contentType", Type.STRING);
    /** meta/v1 ObjectMeta: the identifying fields (a request body carries no more that matters). */
    static final Msg OBJECT_META = new Msg().put(1, "name", Type.STRING).put(2, "generateName", Type.STRING)
            .put(3, "namespace", Type.STRING).put(5, "uid", Type.STRING).put(6, "resourceVersion", Type.STRING)
            .put(11, "labels", Type.STRING_MAP).put(12, "annotations", Type.STRING_MAP);
    static final Msg PRECONDITIONS = new Msg().put(1, "uid", Type.STRING).put(2, "resourceVersion", Type.STRING);
    /** meta/v1 DeleteOptions. */
    static final Msg DELETE_OPTIONS = new Msg().put(1, "gracePeriodSeconds", Type.INT64).message(2, "preconditions", PRECONDITIONS)
            .put(3, "orphanDependents", Type.BOOL).put(4, "propagationPolicy", Type.STRING).repeated(5, "dryRun", Type.STRING);
    static final Msg SELECTOR_REQUIREMENT = new Msg().put(1, "key", Type.STRING).put(2, "operator", Type.STRING).repeated(3, "values", Type.STRING);
    static final Msg RESOURCE_ATTRIBUTES = new Msg().put(1, "namespace", Type.STRING).put(2, "verb", Type.STRING)
            .put(3, "group", Type.STRING).put(4, "version", Type.STRING).put(5, "resource", Type.STRING)
            .put(6, "subresource", Type.STRING).put(7, "name", Type.STRING)
            .message(8, "fieldSelector", new Msg().put(1, "rawSelector", Type.STRING).messages(2, "requirements", SELECTOR_REQUIREMENT))
            .message(9, "labelSelector", new Msg().put(1, "rawSelector", Type.STRING).messages(2, "requirements", SELECTOR_REQUIREMENT));
    static final Msg NON_RESOURCE_ATTRIBUTES = new Msg().put(1, "path", Type.STRING).put(2, "verb", Type.STRING);
    static final Msg SELF_REVIEW_SPEC = new Msg().message(1, "resourceAttributes", RESOURCE_ATTRIBUTES)
            .message(2, "nonResourceAttributes", NON_RESOURCE_ATTRIBUTES);
    static final Msg REVIEW_SPEC = new Msg().message(1, "resourceAttributes", RESOURCE_ATTRIBUTES)
            .message(2, "nonResourceAttributes", NON_RESOURCE_ATTRIBUTES).put(3, "user", Type.STRING)
            .repeated(4, "groups", Type.STRING).put(6, "uid", Type.STRING);
    /** autoscaling/v1: HorizontalPodAutoscalerSpec {scaleTargetRef = 1 {kind = 1, name = 2, apiVersion = 3}; minReplicas = 2; maxReplicas = 3; targetCPUUtilizationPercentage = 4}. */
    static final Msg HPA_V1_SPEC = new Msg()
            .message(1, "scaleTargetRef", new Msg().put(1, "kind", Type.STRING).put(2, "name", Type.STRING).put(3, "apiVersion", Type.STRING))
            .put(2, "minReplicas", Type.INT64).put(3, "maxReplicas", Type.INT64).put(4, "targetCPUUtilizationPercentage", Type.INT64);
    static final Map<String, Msg> KINDS = Map.of(
            "HorizontalPodAutoscaler", new Msg().message(1, "metadata", OBJECT_META).message(2, "spec", HPA_V1_SPEC),
            "SelfSubjectAccessReview", new Msg().message(1, "metadata", OBJECT_META).message(2, "spec", SELF_REVIEW_SPEC),
            "SubjectAccessReview", new Msg().message(1, "metadata", OBJECT_META).message(2, "spec", REVIEW_SPEC),
            "LocalSubjectAccessReview", new Msg().message(1, "metadata", OBJECT_META).message(2, "spec", REVIEW_SPEC),
            "Eviction", new Msg().message(1, "metadata", OBJECT_META).message(2, "deleteOptions", DELETE_OPTIONS),
            "DeleteOptions", DELETE_OPTIONS,
            "Namespace", new Msg().message(1, "metadata", OBJECT_META));

    /** Reads one message to its end (the stream's limit), skipping fields the schema does not name. */
    private static ObjectNode read(CodedInputStream in, Msg schema) throws IOException {
        ObjectNode out = JSON.createObjectNode();
        int tag;
        while ((tag = in.readTag()) != 0) {
            Field f = schema.fields.get(WireFormat.getTagFieldNumber(tag));
            int wire = WireFormat.getTagWireType(tag);
            if (f == null || wire != expectedWire(f.type())) {
                if (!in.skipField(tag)) break;
                continue;
            }
            switch (f.type()) {
                case STRING -> add(out, f, JSON.getNodeFactory().textNode(in.readStringRequireUtf8()));
                case BYTES -> add(out, f, JSON.getNodeFactory().binaryNode(in.readByteArray()));
                case INT64 -> add(out, f, JSON.getNodeFactory().numberNode(in.readInt64()));
                case BOOL -> add(out, f, JSON.getNodeFactory().booleanNode(in.readBool()));
                case MESSAGE -> add(out, f, nested(in, f.message()));
                case STRING_MAP -> {
                    ObjectNode entry = nested(in, new Msg().put(1, "key", Type.STRING).put(2, "value", Type.STRING));
                    ObjectNode map = out.has(f.name()) ? (ObjectNode) out.get(f.name()) : out.putObject(f.name());
                    map.put(entry.path("key").asText(""), entry.path("value").asText(""));
                }
            }
        }
        return out;
    }

    private static ObjectNode nested(CodedInputStream in, Msg schema) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        ObjectNode m = read(in, schema);
        in.popLimit(limit);
        return m;
    }

    private static void add(ObjectNode out, Field f, JsonNode value) {
        if (!f.repeated()) {
            out.set(f.name(), value);
            return;
        }
        ArrayNode a = out.has(f.name()) ? (ArrayNode) out.get(f.name()) : out.putArray(f.name());
        a.add(value);
    }

    private static int expectedWire(Type t) {
        return switch (t) {
            case INT64, BOOL -> WireFormat.WIRETYPE_VARINT;
            default -> WireFormat.WIRETYPE_LENGTH_DELIMITED;
        };
    }

    /** For tests and tools: Kubernetes' envelope around {@code raw} of {@code apiVersion}/{@code kind}. */
    static byte[] envelope(String apiVersion, String kind, byte[] raw) throws IOException {
        java.io.ByteArrayOutputStream typeMeta = new java.io.ByteArrayOutputStream();
        com.google.protobuf.CodedOutputStream t = com.google.protobuf.CodedOutputStream.newInstance(typeMeta);
        t.writeString(1, apiVersion);
        t.writeString(2, kind);
        t.flush();
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.write(MAGIC);
        com.google.protobuf.CodedOutputStream b = com.google.protobuf.CodedOutputStream.newInstance(body);
        b.writeByteArray(1, typeMeta.toByteArray());
        b.writeByteArray(2, raw);
        b.writeString(4, "application/vnd.kubernetes.protobuf");
        b.flush();
        return body.toByteArray();
    }
}
