package io.berth.gateway.rbac;

import io.berth.schemas.auth.User;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Requests mapped to attributes as Kubernetes' RequestInfoFactory does, and the refusal's wording. */
class RequestInfoTest {
    private static final User BOB = new User("bob", "", List.of());

    @ParameterizedTest(name = "{0} {1} watch={2} -> {3}")
    @CsvSource(delimiter = ';', nullValues = "-", value = {
            "GET;    /api/v1/namespaces/default/pods;                    -;    list pods in default",
            "GET;    /api/v1/namespaces/default/pods;                    true; watch pods in default",
            "GET;    /api/v1/watch/namespaces/default/pods;              -;    watch pods in default",
            "GET;    /api/v1/pods;                                       -;    list pods in -",
            "GET;    /api/v1/namespaces/default/pods/p1;                 -;    get pods p1 in default",
            "GET;    /api/v1/namespaces/default/pods/p1/log;             -;    get pods/log p1 in default",
            "GET;    /api/v1/namespaces/default/pods/p1/exec;            -;    create pods/exec p1 in default",
            "POST;   /api/v1/namespaces/default/pods/p1/exec;            -;    create pods/exec p1 in default",
            "GET;    /api/v1/namespaces/default/pods/p1/portforward;     -;    create pods/portforward p1 in default",
            "GET;    /api/v1/namespaces/default/pods/p1/attach;          -;    create pods/attach p1 in default",
            "POST;   /apis/apps/v1/namespaces/prod/deployments;          -;    create apps:deployments in prod",
            "PUT;    /apis/apps/v1/namespaces/prod/deployments/web/scale; -;   update apps:deployments/scale web in prod",
            "PATCH;  /apis/apps/v1/namespaces/prod/deployments/web;      -;    patch apps:deployments web in prod",
            "DELETE; /apis/apps/v1/namespaces/prod/deployments/web;      -;    delete apps:deployments web in prod",
            "DELETE; /apis/apps/v1/namespaces/prod/deployments;          -;    deletecollection apps:deployments in prod",
            "POST;   /apis/apps/v1/namespaces/prod/deployments/web/rollback; -; create apps:deployments/rollback web in prod",
            "GET;    /api/v1/nodes/n1;                                   -;    get nodes n1 in -",
            "PATCH;  /api/v1/nodes/n1;                                   -;    patch nodes n1 in -",
            "GET;    /api/v1/namespaces;                                 -;    list namespaces in -",
            "GET;    /api/v1/namespaces/prod;                            -;    get namespaces prod in prod",
            "GET;    /api/v1/namespaces/prod/status;                     -;    get namespaces/status prod in prod",
            "POST;   /apis/berth.io/v1/nodes/n1/drain;                   -;    create berth.io:nodes/drain n1 in -",
            "GET;    /apis/berth.io/v1/audit;                            -;    list berth.io:audit in -",
            "GET;    /apis/rbac.authorization.k8s.io/v1/namespaces/a/rolebindings/rb; -; get rbac.authorization.k8s.io:rolebindings rb in a",
            "POST;   /apis/authorization.k8s.io/v1/selfsubjectaccessreviews; -; create authorization.k8s.io:selfsubjectaccessreviews in -",
    })
    void resourceRequests(String method, String path, String watch, String expected) {
        Attributes a = RequestInfo.of(BOB, method, path, watch, null);
        String resource = (a.apiGroup().isEmpty() ? "" : a.apiGroup() + ":") + a.resource() + (a.subresource().isEmpty() ? "" : "/" + a.subresource());
        assertEquals(expected, a.verb() + " " + resource + (a.name().isEmpty() ? "" : " " + a.name()) + " in " + (a.namespace().isEmpty() ? "-" : a.namespace()));
        assertEquals(true, a.resourceRequest());
    }

    @ParameterizedTest(name = "{0} {1} is the non-resource request {2}")
    @CsvSource({"GET,/api,get", "GET,/apis,get", "GET,/apis/apps/v1,get", "GET,/metrics,get", "POST,/foo/bar,post", "GET,/api/v1,get"})
    void nonResourceRequests(String method, String path, String verb) {
        Attributes a = RequestInfo.of(BOB, method, path, null, null);
        assertEquals(false, a.resourceRequest());
        assertEquals(verb, a.verb());
        assertEquals(path, a.path());
    }

    @Test
    void aFieldSelectorOnTheNameNamesTheObjectOfAWatch() {
        Attributes a = RequestInfo.of(BOB, "GET", "/api/v1/namespaces/default/pods", "true", "metadata.name=p1");
        assertEquals("watch", a.verb());
        assertEquals("p1", a.name());
        assertEquals("", RequestInfo.nameSelected("metadata.name!=p1"));
        assertEquals("p1", RequestInfo.nameSelected("status.phase=Running,metadata.name==p1"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = ';', value = {
            "POST; /apis/apps/v1/namespaces/prod/deployments; deployments.apps is forbidden: User \"bob\" cannot create resource \"deployments\" in API group \"apps\" in the namespace \"prod\"",
            "GET; /api/v1/namespaces/default/pods; pods is forbidden: User \"bob\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"",
            "GET; /api/v1/nodes; nodes is forbidden: User \"bob\" cannot list resource \"nodes\" in API group \"\" at the cluster scope",
            "GET; /api/v1/namespaces/default/pods/p1/log; pods \"p1\" is forbidden: User \"bob\" cannot get resource \"pods/log\" in API group \"\" in the namespace \"default\"",
            "PUT; /apis/apps/v1/namespaces/default/deployments/web/scale; deployments.apps \"web\" is forbidden: User \"bob\" cannot update resource \"deployments/scale\" in API group \"apps\" in the namespace \"default\"",
            "GET; /metrics; forbidden: User \"bob\" cannot get path \"/metrics\"",
    })
    void refusalsAreWordedAsKubernetesWordsThem(String method, String path, String message) {
        assertEquals(message, RequestInfo.of(BOB, method, path, null, null).forbiddenMessage());
    }
}
