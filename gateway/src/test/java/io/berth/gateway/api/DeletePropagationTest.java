package io.berth.gateway.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** DeleteOptions' propagationPolicy as the write routes read it (body or query, orphanDependents too). */
class DeletePropagationTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static ApiException refused(Resource r, String body, String policy, String orphan) throws Exception {
        return assertThrows(ApiException.class, () -> WriteApi.propagation(r, body == null ? null : JSON.readTree(body), policy, orphan));
    }

    @Test
    void shouldAcceptBackgroundAndForegroundAndNothing() throws Exception {
        for (String body : new String[]{null, "{}", "{\"propagationPolicy\":\"Background\"}", "{\"propagationPolicy\":\"Foreground\"}"}) {
            WriteApi.propagation(Resource.DEPLOYMENTS, body == null ? null : JSON.readTree(body), null, null);
        }
        WriteApi.propagation(Resource.DEPLOYMENTS, null, "Foreground", null);
    }

    @Test
    void shouldRefuseOrphaningADeploymentsPodsInEveryForm() throws Exception {
        for (ApiException e : new ApiException[]{
                refused(Resource.DEPLOYMENTS, "{\"propagationPolicy\":\"Orphan\"}", null, null),
                refused(Resource.DEPLOYMENTS, "{\"orphanDependents\":true}", null, null),
                refused(Resource.DEPLOYMENTS, null, "Orphan", null),
                refused(Resource.DEPLOYMENTS, null, null, "true")}) {
            assertEquals(400, e.status().path("code").asInt(), e.getMessage());
            assertTrue(e.getMessage().contains("propagationPolicy Orphan is not supported by Berth"), e.getMessage());
        }
        WriteApi.propagation(Resource.PODS, JSON.readTree("{\"propagationPolicy\":\"Orphan\"}"), null, null); // no dependents
    }

    @Test
    void shouldAnswerAnUnknownPolicyAsInvalidNamingTheField() throws Exception {
        ApiException e = refused(Resource.PODS, "{\"propagationPolicy\":\"Sideways\"}", null, null);
        assertEquals(422, e.status().path("code").asInt());
        assertTrue(e.getMessage().contains("propagationPolicy: Unsupported value: \"Sideways\""), e.getMessage());
    }
}
