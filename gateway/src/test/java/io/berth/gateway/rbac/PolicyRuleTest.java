package io.berth.gateway.rbac;

import io.berth.schemas.auth.User;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Kubernetes' rule matching as a table: verbs, groups, resources (with subresources and {@code *}), names, URLs. */
class PolicyRuleTest {
    private static final User BOB = new User("bob", "", List.of());

    private static List<String> list(String s) {
        return s == null || s.isEmpty() ? List.of() : Arrays.asList(s.split(" "));
    }

    @ParameterizedTest(name = "rule [{0}|{1}|{2}|{3}] vs {4} {5}/{6} name={7}: {8}")
    @CsvSource(delimiter = ';', nullValues = "-", value = {
            // verbs; groups; resources; names; verb; group; resource[/sub]; name; allowed
            "get list watch; ''; pods;        -;     list;   '';    pods;          -;   true",
            "get list watch; ''; pods;        -;     create; '';    pods;          -;   false",
            "*;              ''; pods;        -;     delete; '';    pods;          p1;  true",
            "get;            ''; pods;        -;     get;    apps;  pods;          p1;  false",
            "get;            *;  pods;        -;     get;    apps;  pods;          p1;  true",
            "get;            ''; pods;        -;     get;    '';    pods/log;      p1;  false",
            "get;            ''; pods/log;    -;     get;    '';    pods/log;      p1;  true",
            "get;            ''; pods/log;    -;     get;    '';    pods;          p1;  false",
            "get;            ''; */log;       -;     get;    '';    pods/log;      p1;  true",
            "get;            ''; */log;       -;     get;    '';    pods;          p1;  false",
            "update;         apps; */scale;   -;     update; apps;  deployments/scale; web; true",
            "*;              *;  *;           -;     update; apps;  deployments/scale; web; true",
            "get;            ''; secrets;     db;    get;    '';    secrets;       db;  true",
            "get;            ''; secrets;     db;    get;    '';    secrets;       api; false",
            "list;           ''; secrets;     db;    list;   '';    secrets;       -;   false",
            "get;            ''; secrets;     db api; get;   '';    secrets;       api; true",
            "*;              ''; *;           -;     watch;  '';    services;      -;   true",
    })
    void resourceRules(String verbs, String groups, String resources, String names, String verb, String group, String resource,
                       String name, boolean allowed) {
        PolicyRule rule = new PolicyRule(list(verbs), groups == null || groups.isEmpty() ? List.of("") : list(groups),
                list(resources), list(names), List.of());
        String[] rs = resource.split("/");
        Attributes a = Attributes.resource(BOB, verb, group, rs[0], rs.length > 1 ? rs[1] : "", "default", name);
        assertEquals(allowed, rule.allows(a));
    }

    @ParameterizedTest(name = "urls {1} verbs {0} vs {2} {3}: {4}")
    @CsvSource(delimiter = ';', value = {
            "get; /healthz;        get;  /healthz;       true",
            "get; /healthz;        get;  /healthz/ping;  false",
            "get; /api /api/*;     get;  /api/v1;        true",
            "get; /api/*;          get;  /api;           false",
            "get; /apis/*;         post; /apis/x;        false",
            "*;   *;               post; /anything;      true",
    })
    void nonResourceRules(String verbs, String urls, String verb, String path, boolean allowed) {
        PolicyRule rule = PolicyRule.urls(list(verbs), list(urls));
        assertEquals(allowed, rule.allows(Attributes.nonResource(BOB, verb, path)));
    }

    @ParameterizedTest(name = "a resource rule never allows a path, nor a URL rule a resource")
    @CsvSource({"get"})
    void rulesKeepToTheirKind(String verb) {
        assertEquals(false, PolicyRule.resources(List.of("*"), List.of("*"), List.of("*")).allows(Attributes.nonResource(BOB, verb, "/api")));
        assertEquals(false, PolicyRule.urls(List.of("*"), List.of("*")).allows(Attributes.resource(BOB, verb, "", "pods", "", "default", "")));
    }
}
