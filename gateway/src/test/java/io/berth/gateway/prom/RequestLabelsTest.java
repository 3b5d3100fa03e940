package io.berth.gateway.prom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RequestLabelsTest {
    @Test
    void shouldNameVerbsAndResourcesAsKubeApiserverDoes() {
        assertEquals(new RequestLabels("LIST", "pods", ""), RequestLabels.of("GET", "/api/v1/namespaces/default/pods", false, null));
        assertEquals(new RequestLabels("LIST", "pods", ""), RequestLabels.of("GET", "/api/v1/pods", false, null));
        assertEquals(new RequestLabels("WATCH", "deployments", ""), RequestLabels.of("GET", "/apis/apps/v1/namespaces/ns/deployments", true, null));
        assertEquals(new RequestLabels("GET", "deployments", "scale"), RequestLabels.of("GET", "/apis/apps/v1/namespaces/ns/deployments/web/scale", false, null));
        assertEquals(new RequestLabels("GET", "nodes", ""), RequestLabels.of("GET", "/api/v1/nodes/n1", false, null));
        assertEquals(new RequestLabels("GET", "namespaces", ""), RequestLabels.of("GET", "/api/v1/namespaces/default", false, null));
        assertEquals(new RequestLabels("POST", "namespaces", ""), RequestLabels.of("POST", "/api/v1/namespaces", false, "application/json"));
        assertEquals(new RequestLabels("APPLY", "deployments", ""),
                RequestLabels.of("PATCH", "/apis/apps/v1/namespaces/ns/deployments/web", false, "application/apply-patch+yaml"));
        assertEquals(new RequestLabels("PATCH", "deployments", ""),
                RequestLabels.of("PATCH", "/apis/apps/v1/namespaces/ns/deployments/web", false, "application/strategic-merge-patch+json"));
        assertEquals(new RequestLabels("DELETE", "pods", ""), RequestLabels.of("DELETE", "/api/v1/namespaces/ns/pods/p", false, null));
        assertEquals(new RequestLabels("DELETECOLLECTION", "pods", ""), RequestLabels.of("DELETE", "/api/v1/namespaces/ns/pods", false, null));
    }

    @Test
    void shouldGiveNonResourcePathsAndMadeUpResourcesNoResourceLabel() {
        assertEquals(new RequestLabels("GET", "", ""), RequestLabels.of("GET", "/metrics", false, null));
        assertEquals(new RequestLabels("GET", "", ""), RequestLabels.of("GET", "/apis", false, null));
        // a client cannot mint series: an unknown resource, subresource or method is no label value
        assertEquals(new RequestLabels("GET", "", ""), RequestLabels.of("GET", "/api/v1/namespaces/ns/x-" + System.nanoTime(), false, null));
        assertEquals(new RequestLabels("GET", "pods", ""), RequestLabels.of("GET", "/api/v1/namespaces/ns/pods/p/zz" + System.nanoTime(), false, null));
        assertEquals(new RequestLabels("OTHER", "", ""), RequestLabels.of("BREW", "/coffee", false, null));
    }
}
