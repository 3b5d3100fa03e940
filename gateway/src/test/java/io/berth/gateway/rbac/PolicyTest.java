package io.berth.gateway.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.berth.gateway.manifest.ManifestProblem;
import io.berth.schemas.auth.User;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The RBAC decision over roles and bindings, the built-in roles' meaning, escalation, and manifest checks. */
class PolicyTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final User ADMIN = new User("root", "", List.of("system:masters"));
    private static final User VIEWER = new User("viewer", "", List.of());
    private static final User EDITOR = new User("editor", "", List.of("devs"));
    private static final User NOBODY = new User("nobody", "", List.of());

    private static final Policy POLICY = Policy.of(
            List.of(new Role("Role", "team-a", "pod-reader", List.of(PolicyRule.resources(List.of("get", "list"), List.of(""), List.of("pods"))))),
            List.of(new Binding("ClusterRoleBinding", "", "viewers", "ClusterRole", "view", List.of(new Binding.Subject("User", "viewer", ""))),
                    new Binding("RoleBinding", "team-a", "devs-edit", "ClusterRole", "edit", List.of(new Binding.Subject("Group", "devs", ""))),
                    new Binding("RoleBinding", "team-a", "nobody-reads", "Role", "pod-reader", List.of(new Binding.Subject("User", "nobody", ""))),
                    new Binding("RoleBinding", "team-a", "dangling", "Role", "missing", List.of(new Binding.Subject("User", "nobody", ""))),
                    new Binding("RoleBinding", "team-a", "robot", "ClusterRole", "view",
                            List.of(new Binding.Subject("ServiceAccount", "ci", "")))));

    private static User user(String name) {
        return switch (name) {
            case "root" -> ADMIN;
            case "viewer" -> VIEWER;
            case "editor" -> EDITOR;
            case "robot" -> new User("system:serviceaccount:team-a:ci", "", List.of());
            default -> NOBODY;
        };
    }

    @ParameterizedTest(name = "{0} {1} {2}/{3} in [{4}]: {5}")
    @CsvSource(delimiter = ';', value = {
            "root;   delete; apps; deployments;      '';     true",
            "root;   get;    '';   nodes;            '';     true",
            "viewer; list;   '';   pods;             prod;   true",
            "viewer; watch;  apps; deployments;      prod;   true",
            "viewer; get;    '';   pods/log;         prod;   true",
            "viewer; create; apps; deployments;      prod;   false",
            "viewer; update; apps; deployments/scale; prod;  false",
            "viewer; get;    '';   secrets;          prod;   false",
            "viewer; list;   '';   secrets;          prod;   false",
            "viewer; create; '';   pods/exec;        prod;   false",
            "viewer; list;   '';   nodes;            '';     false",
            "viewer; list;   rbac.authorization.k8s.io; roles; prod; false",
            "editor; create; apps; deployments;      team-a; true",
            "editor; get;    '';   secrets;          team-a; true",
            "editor; create; '';   pods/exec;        team-a; true",
            "editor; update; apps; deployments/scale; team-a; true",
            "editor; create; apps; deployments;      prod;   false",
            "editor; create; rbac.authorization.k8s.io; rolebindings; team-a; false",
            "nobody; list;   '';   pods;             team-a; true",
            "nobody; list;   '';   pods;             team-b; false",
            "nobody; list;   '';   pods;             '';     false",
            "nobody; delete; '';   pods;             team-a; false",
            "nobody; create; authorization.k8s.io; selfsubjectaccessreviews; ''; true",
            "robot;  list;   '';   services;         team-a; true",
            "robot;  list;   '';   services;         prod;   false",
    })
    void decisions(String who, String verb, String group, String resource, String namespace, boolean allowed) {
        String[] rs = resource.split("/");
        Attributes a = Attributes.resource(user(who), verb, group, rs[0], rs.length > 1 ? rs[1] : "", namespace, "");
        assertEquals(allowed, POLICY.allows(a), a.forbiddenMessage());
    }

    @Test
    void everyAuthenticatedUserMayDiscoverButNotReadOtherPaths() {
        assertTrue(POLICY.allows(Attributes.nonResource(NOBODY, "get", "/apis/apps/v1")));
        assertTrue(POLICY.allows(Attributes.nonResource(NOBODY, "get", "/version")));
        assertFalse(POLICY.allows(Attributes.nonResource(NOBODY, "get", "/metrics")));
        assertTrue(POLICY.allows(Attributes.nonResource(ADMIN, "get", "/metrics")));
    }

    @Test
    void aJoinTokenMayJoinANodeAndNothingElse() {
        User bootstrap = new User("system:bootstrap:abc123", "", List.of(io.berth.schemas.auth.User.BOOTSTRAPPERS));
        assertTrue(POLICY.allows(Attributes.resource(bootstrap, "create", "berth.io", "nodes", "join", "", "worker-7")));
        assertFalse(POLICY.allows(Attributes.resource(bootstrap, "get", "", "nodes", "", "", "worker-7")));
        assertFalse(POLICY.allows(Attributes.resource(bootstrap, "list", "", "pods", "", "default", "")));
        assertFalse(POLICY.allows(Attributes.resource(NOBODY, "create", "berth.io", "nodes", "join", "", "worker-7")), "only the join tokens' group");
    }

    @Test
    void anAllowedDecisionNamesTheBinding() {
        assertEquals("RBAC: allowed by ClusterRoleBinding \"cluster-admin\" of ClusterRole \"cluster-admin\" to Group \"system:masters\"",
                POLICY.authorize(Attributes.resource(ADMIN, "get", "", "pods", "", "x", "")).reason());
    }

    @Test
    void theBuiltInBindingOfSystemMastersCannotBeReplaced() {
        Policy p = Policy.of(List.of(), List.of(new Binding("ClusterRoleBinding", "", "cluster-admin", "ClusterRole", "view",
                List.of(new Binding.Subject("Group", "system:masters", "")))));
        assertTrue(p.allows(Attributes.resource(ADMIN, "delete", "apps", "deployments", "", "x", "web")));
    }

    @Test
    void escalationListsWhatTheWriterDoesNotHold() {
        List<PolicyRule> wanted = List.of(PolicyRule.resources(List.of("get", "delete"), List.of(""), List.of("pods")));
        assertEquals(List.of(), POLICY.uncovered(NOBODY, "team-a", List.of(PolicyRule.resources(List.of("get"), List.of(""), List.of("pods")))));
        assertEquals(List.of("{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"delete\"]}"), POLICY.uncovered(NOBODY, "team-a", wanted));
        assertEquals(List.of("{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"*\"]}"),
                POLICY.uncovered(EDITOR, "team-a", List.of(PolicyRule.resources(List.of("*"), List.of(""), List.of("pods")))));
        assertEquals(List.of(), POLICY.uncovered(ADMIN, "", BuiltIns.CLUSTER_ADMIN.rules()));
        assertEquals(List.of(), POLICY.uncovered(EDITOR, "team-a", BuiltIns.VIEW.rules()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{apiVersion: rbac.authorization.k8s.io/v1, kind: Role, metadata: {name: r}, rules: [{verbs: [get], apiGroups: [''], resources: [pods]}]} | ",
            "{apiVersion: rbac.authorization.k8s.io/v1, kind: Role, metadata: {name: r}, rules: [{apiGroups: [''], resources: [pods]}]} | rules[0].verbs: Required value: verbs must contain at least one value",
            "{apiVersion: rbac.authorization.k8s.io/v1, kind: Role, metadata: {name: r}, rules: [{verbs: [get], resources: [pods]}]} | rules[0].apiGroups: Required value: resource rules must supply at least one api group",
            "{apiVersion: rbac.authorization.k8s.io/v1, kind: Role, metadata: {name: r}, rules: [{verbs: [get], nonResourceURLs: [/x]}]} | rules[0].nonResourceURLs: Invalid value: namespaced rules cannot apply to non-resource URLs",
            "{apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: 'a:b'}, rules: [{verbs: [get], nonResourceURLs: [/x]}]} | ",
            "{apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: 'a/b'}} | metadata.name: Invalid value: \"a/b\": may not contain '/' or '%'",
            "{apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: b}, roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}, subjects: [{kind: User, name: bob}]} | ",
            "{apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRoleBinding, metadata: {name: b}, roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: view}} | roleRef.kind: Unsupported value: \"Role\": supported values: \"ClusterRole\"",
            "{apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: b}, roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role}, subjects: [{kind: Person, name: bob}]} | roleRef.name: Required value; subjects[0].kind: Unsupported value: \"Person\": supported values: \"Group\", \"ServiceAccount\", \"User\"",
            "{apiVersion: rbac.authorization.k8s.io/v1beta1, kind: Role, metadata: {name: r}} | apiVersion: Unsupported value: \"rbac.authorization.k8s.io/v1beta1\": supported values: \"rbac.authorization.k8s.io/v1\"",
    })
    void manifestsAreCheckedFieldByField(String yaml, String expected) throws Exception {
        JsonNode doc = YAML.readTree(yaml);
        RbacObjects.Parsed p = RbacObjects.parse(doc, "team-a");
        assertEquals(expected == null ? "" : expected, String.join("; ", p.problems().stream().map(ManifestProblem::message).toList()));
        if (p.valid() && p.kind().namespaced) assertEquals("team-a", p.namespace());
    }
}
