package io.berth.gateway.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.CodedOutputStream;
import io.vertx.core.http.HttpMethod;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The protobuf bodies stock kubectl sends, built here with protobuf's own writer against Kubernetes' field numbers. */
class KubeProtobufTest {

    /** One message: each pair is (field number, value); a byte[] value is a nested message or bytes. */
    private static byte[] message(Object... fields) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        for (int i = 0; i < fields.length; i += 2) {
            int n = (Integer) fields[i];
            Object v = fields[i + 1];
            if (v instanceof String s) out.writeString(n, s);
            else if (v instanceof byte[] b) out.writeByteArray(n, b);
            else if (v instanceof Long l) out.writeInt64(n, l);
            else if (v instanceof Boolean b) out.writeBool(n, b);
        }
        out.flush();
        return bytes.toByteArray();
    }

    @Test
    void decodesTheSelfSubjectAccessReviewOfAuthCanI() throws IOException {
        byte[] attributes = message(1, "default", 2, "create", 3, "apps", 5, "deployments", 99, "a field kubectl may add later");
        byte[] review = message(1, message(), 2, message(1, attributes));
        ObjectNode o = KubeProtobuf.decode(KubeProtobuf.envelope("authorization.k8s.io/v1", "SelfSubjectAccessReview", review));
        assertEquals("SelfSubjectAccessReview", o.path("kind").asText());
        assertEquals("authorization.k8s.io/v1", o.path("apiVersion").asText());
        assertEquals("{\"namespace\":\"default\",\"verb\":\"create\",\"group\":\"apps\",\"resource\":\"deployments\"}",
                o.path("spec").path("resourceAttributes").toString());
    }

    @Test
    void decodesTheAutoscalingV1HpaOfKubectlAutoscale() throws IOException {
        byte[] ref = message(1, "Deployment", 2, "web", 3, "apps/v1");
        byte[] spec = message(1, ref, 2, 1L, 3, 3L, 4, 50L);
        ObjectNode o = KubeProtobuf.decode(KubeProtobuf.envelope("autoscaling/v1", "HorizontalPodAutoscaler", message(1, message(1, "web"), 2, spec)));
        assertEquals("{\"apiVersion\":\"autoscaling/v1\",\"kind\":\"HorizontalPodAutoscaler\",\"metadata\":{\"name\":\"web\"},"
                + "\"spec\":{\"scaleTargetRef\":{\"kind\":\"Deployment\",\"name\":\"web\",\"apiVersion\":\"apps/v1\"},"
                + "\"minReplicas\":1,\"maxReplicas\":3,\"targetCPUUtilizationPercentage\":50}}", o.toString());
        assertTrue(KubeProtobuf.accepted(HttpMethod.POST, "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers"));
        assertFalse(KubeProtobuf.accepted(HttpMethod.POST, "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers"));
    }

    @Test
    void decodesASubjectAccessReviewWithUserAndGroups() throws IOException {
        byte[] spec = message(2, message(1, "/healthz", 2, "get"), 3, "alice", 4, "dev", 4, "ops");
        ObjectNode o = KubeProtobuf.decode(KubeProtobuf.envelope("authorization.k8s.io/v1", "SubjectAccessReview", message(2, spec)));
        assertEquals("alice", o.path("spec").path("user").asText());
        assertEquals("[\"dev\",\"ops\"]", o.path("spec").path("groups").toString());
        assertEquals("/healthz", o.path("spec").path("nonResourceAttributes").path("path").asText());
    }

    @Test
    void decodesTheEvictionOfDrainWithItsDeleteOptions() throws IOException {
        byte[] meta = message(1, "web-abc", 3, "default");
        byte[] options = message(1, 30L, 2, message(1, "uid-1"), 4, "Background");
        ObjectNode o = KubeProtobuf.decode(KubeProtobuf.envelope("policy/v1", "Eviction", message(1, meta, 2, options)));
        assertEquals("web-abc", o.path("metadata").path("name").asText());
        assertEquals(30, o.path("deleteOptions").path("gracePeriodSeconds").asLong());
        assertEquals("uid-1", o.path("deleteOptions").path("preconditions").path("uid").asText());
        assertEquals("Background", o.path("deleteOptions").path("propagationPolicy").asText());
    }

    @Test
    void decodesTheNamespaceOfKubectlCreateNamespace() throws IOException {
        byte[] spec = message(1, "kubernetes");
        ObjectNode o = KubeProtobuf.decode(KubeProtobuf.envelope("v1", "Namespace", message(1, message(1, "team", 2, "", 3, ""), 2, message(1, spec))));
        assertEquals("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"team\"}}", o.toString());
        assertTrue(KubeProtobuf.accepted(io.vertx.core.http.HttpMethod.POST, "/api/v1/namespaces"));
        assertTrue(KubeProtobuf.accepted(io.vertx.core.http.HttpMethod.DELETE, "/api/v1/namespaces/team"));
    }

    @Test
    void decodesLabelsAsAMap() throws IOException {
        byte[] meta = message(1, "x", 11, message(1, "app", 2, "web"), 11, message(1, "tier", 2, "front"));
        ObjectNode o = KubeProtobuf.decode(KubeProtobuf.envelope("policy/v1", "Eviction", message(1, meta)));
        assertEquals("{\"app\":\"web\",\"tier\":\"front\"}", o.path("metadata").path("labels").toString());
    }

    @Test
    void refusesWhatItCannotReadWithAStatus() throws IOException {
        ApiException noEnvelope = assertThrows(ApiException.class, () -> KubeProtobuf.decode("{\"kind\":\"Eviction\"}".getBytes()));
        assertEquals(400, noEnvelope.status().path("code").asInt());
        assertTrue(noEnvelope.getMessage().contains("envelope"), noEnvelope.getMessage());

        ApiException otherKind = assertThrows(ApiException.class,
                () -> KubeProtobuf.decode(KubeProtobuf.envelope("apps/v1", "Deployment", message(1, message(1, "web")))));
        assertEquals(415, otherKind.status().path("code").asInt());
        assertTrue(otherKind.getMessage().contains("kind Deployment"), otherKind.getMessage());

        byte[] whole = KubeProtobuf.envelope("policy/v1", "Eviction", message(1, message(1, "web-abc", 3, "default")));
        ApiException truncated = assertThrows(ApiException.class, () -> KubeProtobuf.decode(Arrays.copyOf(whole, whole.length - 3)));
        assertEquals(400, truncated.status().path("code").asInt());
    }

    @Test
    void acceptsProtobufOnlyWhereKubectlSendsIt() {
        assertTrue(KubeProtobuf.accepted(HttpMethod.POST, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"));
        assertTrue(KubeProtobuf.accepted(HttpMethod.POST, "/apis/authorization.k8s.io/v1/namespaces/dev/localsubjectaccessreviews"));
        assertTrue(KubeProtobuf.accepted(HttpMethod.POST, "/api/v1/namespaces/default/pods/web-1/eviction"));
        assertTrue(KubeProtobuf.accepted(HttpMethod.DELETE, "/api/v1/namespaces/default/pods/web-1"));
        assertFalse(KubeProtobuf.accepted(HttpMethod.POST, "/api/v1/namespaces/default/pods"));
        assertFalse(KubeProtobuf.accepted(HttpMethod.PUT, "/apis/apps/v1/namespaces/default/deployments/web"));
    }

    /** Any bytes after the envelope: an object or a 4xx Status, never another exception. */
    @Property(tries = 3000)
    void anyBodyIsAnObjectOrA4xx(@ForAll @Size(max = 200) byte[] raw, @ForAll boolean eviction) throws IOException {
        byte[] body = KubeProtobuf.envelope(eviction ? "policy/v1" : "authorization.k8s.io/v1", eviction ? "Eviction" : "SelfSubjectAccessReview", raw);
        try {
            KubeProtobuf.decode(body);
        } catch (ApiException e) {
            int code = e.status().path("code").asInt();
            assertTrue(code >= 400 && code < 500, e.getMessage());
        }
    }
}
