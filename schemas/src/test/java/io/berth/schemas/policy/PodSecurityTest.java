package io.berth.schemas.policy;

import io.berth.schemas.avro.Capabilities;
import io.berth.schemas.avro.ContainerPort;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.PodSecurityContext;
import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.SeccompProfile;
import io.berth.schemas.avro.SecurityContext;
import io.berth.schemas.avro.Volume;
import io.berth.schemas.policy.PodSecurity.Level;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class PodSecurityTest {
    record PathCase(String path, String allowList, boolean allowed) {}

    @Test
    void shouldAllowAHostPathEqualToOrUnderAnAllowedEntryAfterNormalising() {
        List<PathCase> table = List.of(
                new PathCase("/data", "/data,/srv", true),
                new PathCase("/data/app", "/data,/srv", true),
                new PathCase("/data/", "/data", true),
                new PathCase("/srv/a/./b", "/data,/srv", true),
                new PathCase("/", "/data,/srv", false),
                new PathCase("/database", "/data", false),          // a prefix of the name is not "under"
                new PathCase("/data/../etc", "/data", false),       // .. climbs out
                new PathCase("/data/x/../../etc/shadow", "/data", false),
                new PathCase("/data/x/../y", "/data", true),
                new PathCase("/etc", "", false),
                new PathCase("/etc", "/", true),
                new PathCase("relative", "/", false),
                new PathCase("/data", " /srv , /data/ ", true));
        for (PathCase c : table) {
            assertEquals(c.allowed(), PodSecurity.hostPathAllowed(c.path(), PodSecurity.hostPaths(c.allowList())), c.toString());
        }
    }

    record LevelCase(Map<String, String> labels, Level level) {}

    @Test
    void shouldReadTheLevelFromTheNamespaceLabelDefaultingToBaseline() {
        List<LevelCase> table = List.of(
                new LevelCase(Map.of(), Level.BASELINE),
                new LevelCase(Map.of(PodSecurity.LABEL, "privileged"), Level.PRIVILEGED),
                new LevelCase(Map.of(PodSecurity.LABEL, "restricted"), Level.RESTRICTED),
                new LevelCase(Map.of(PodSecurity.LABEL, "baseline"), Level.BASELINE),
                new LevelCase(Map.of(PodSecurity.LABEL, "Privileged"), Level.BASELINE),
                new LevelCase(Map.of("other", "privileged"), Level.BASELINE));
        for (LevelCase c : table) assertEquals(c.level(), Level.of(c.labels()), c.toString());
        assertEquals(Level.BASELINE, Level.of(null));
    }

    record RuleCase(String name, Level level, PodTemplate pod, List<String> rules) {}

    @Test
    void shouldNameEachBrokenRuleByLevel() {
        List<String> allowed = List.of("/data");
        PodTemplate root = pod(List.of(hostPath("host", "/")), null);
        PodTemplate data = pod(List.of(hostPath("d", "/data/x")), null);
        PodTemplate port80 = pod(List.of(), 80);
        PodTemplate port8080 = pod(List.of(), 8080);
        PodTemplate plain = pod(List.of(Volume.newBuilder().setName("scratch").build()), null);
        List<RuleCase> table = List.of(
                new RuleCase("hostPath / at baseline", Level.BASELINE, root, List.of("hostPath volumes")),
                new RuleCase("hostPath / privileged", Level.PRIVILEGED, root, List.of()),
                new RuleCase("allowed hostPath at baseline", Level.BASELINE, data, List.of()),
                new RuleCase("allowed hostPath at restricted", Level.RESTRICTED, data, List.of("restricted volume types")),
                new RuleCase("hostPort 80 at baseline", Level.BASELINE, port80, List.of("hostPort")),
                new RuleCase("hostPort 80 privileged", Level.PRIVILEGED, port80, List.of()),
                new RuleCase("hostPort 8080 at baseline", Level.BASELINE, port8080, List.of()),
                new RuleCase("hostPort 8080 at restricted", Level.RESTRICTED, port8080, List.of("hostPort")),
                new RuleCase("emptyDir at restricted", Level.RESTRICTED, plain, List.of()));
        for (RuleCase c : table) {
            List<String> rules = PodSecurity.check(c.level(), c.pod(), allowed, "spec").stream().map(PodSecurity.Violation::rule).toList();
            assertEquals(c.rules(), rules, c.name());
        }
    }

    @Test
    void shouldWordTheRefusalAsKubernetesDoesNamingTheField() {
        PodTemplate root = pod(List.of(hostPath("host", "/")), 80);
        String m = PodSecurity.message("deployments.apps", "x", Level.BASELINE,
                PodSecurity.check(Level.BASELINE, root, List.of(), "spec.template.spec"));
        assertEquals("deployments.apps \"x\" is forbidden: violates PodSecurity \"baseline:latest\": "
                + "hostPath volumes (spec.template.spec.volumes[0].hostPath.path: volume \"host\" mounts \"/\", not under admission.host-paths []), "
                + "hostPort (spec.template.spec.containers[0].ports[0].hostPort: container \"c\" uses hostPort 80, below 1024)", m);
    }

    private static Volume hostPath(String name, String path) {
        return Volume.newBuilder().setName(name).setType("hostPath").setHostPath(path).build();
    }

    /** A pod restricted admits but for its volumes and host port. */
    private static PodTemplate pod(List<Volume> volumes, Integer hostPort) {
        ContainerSpec.Builder c = ContainerSpec.newBuilder().setName("c").setImage("berth/busybox:latest")
                .setSecurityContext(SecurityContext.newBuilder().setCapabilities(caps(List.of(), List.of("ALL"))).build());
        if (hostPort != null) c.setPorts(List.of(ContainerPort.newBuilder().setContainerPort(80).setHostPort(hostPort).build()));
        return PodTemplate.newBuilder().setContainers(List.of(c.build())).setVolumes(volumes).setSecurityContext(compliantPod()).build();
    }

    private static PodSecurityContext compliantPod() {
        return PodSecurityContext.newBuilder().setRunAsNonRoot(true).setSeccompProfile(SeccompProfile.newBuilder().build()).build();
    }

    private static Capabilities caps(List<String> add, List<String> drop) {
        return Capabilities.newBuilder().setAdd(add).setDrop(drop).build();
    }

    // ---- restricted's securityContext rules ----

    record ScCase(String name, Level level, PodSecurityContext pod, List<SecurityContext> containers, List<String> violations) {}

    private static SecurityContext.Builder sc() {
        return SecurityContext.newBuilder().setCapabilities(caps(List.of(), List.of("ALL")));
    }

    private static SeccompProfile seccomp(String type) {
        return SeccompProfile.newBuilder().setType(type).build();
    }

    @Test
    void shouldApplyRestrictedSecurityContextRulesInKubernetesWords() {
        PodSecurityContext good = compliantPod();
        PodSecurityContext none = null;
        String nonRoot = "runAsNonRoot != true (pod or container \"c0\" must set securityContext.runAsNonRoot=true)";
        String seccompUnset = "seccompProfile (pod or container \"c0\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")";
        List<ScCase> table = List.of(
                new ScCase("compliant pod-level", Level.RESTRICTED, good, List.of(sc().build()), List.of()),
                new ScCase("compliant container-level", Level.RESTRICTED, none,
                        List.of(sc().setRunAsNonRoot(true).setRunAsUser(1000L).setSeccompProfile(seccomp("Localhost")).setAllowPrivilegeEscalation(false).build()), List.of()),
                new ScCase("a root pod: nothing set", Level.RESTRICTED, none,
                        List.of(SecurityContext.newBuilder().build()),
                        List.of("unrestricted capabilities (container \"c0\" must set securityContext.capabilities.drop=[\"ALL\"])", nonRoot, seccompUnset)),
                new ScCase("no securityContext at all is baseline-clean", Level.BASELINE, none, java.util.Arrays.asList((SecurityContext) null), List.of()),
                new ScCase("the pod's runAsNonRoot covers one container only if the other does not say false", Level.RESTRICTED, good,
                        List.of(sc().build(), sc().setRunAsNonRoot(false).build()),
                        List.of("runAsNonRoot != true (container \"c1\" must not set securityContext.runAsNonRoot=false)")),
                new ScCase("one of two containers sets it", Level.RESTRICTED, PodSecurityContext.newBuilder().setSeccompProfile(seccomp("RuntimeDefault")).build(),
                        List.of(sc().setRunAsNonRoot(true).build(), sc().build()),
                        List.of("runAsNonRoot != true (pod or container \"c1\" must set securityContext.runAsNonRoot=true)")),
                new ScCase("runAsUser 0 on pod and container", Level.RESTRICTED, PodSecurityContext.newBuilder(good).setRunAsUser(0L).build(),
                        List.of(sc().setRunAsUser(0L).build(), sc().setRunAsUser(1L).build()),
                        List.of("runAsUser=0 (pod must not set runAsUser=0; container \"c0\" must not set runAsUser=0)")),
                new ScCase("runAsUser 0 is baseline's business: none", Level.BASELINE, none, List.of(sc().setRunAsUser(0L).build()), List.of()),
                new ScCase("no drop ALL, an add beyond NET_BIND_SERVICE", Level.RESTRICTED, good,
                        List.of(SecurityContext.newBuilder().setCapabilities(caps(List.of("NET_BIND_SERVICE"), List.of("NET_RAW"))).build(),
                                sc().setCapabilities(caps(List.of("CHOWN", "cap_sys_admin"), List.of("ALL"))).build()),
                        List.of("unrestricted capabilities (container \"c0\" must set securityContext.capabilities.drop=[\"ALL\"]; "
                                + "container \"c1\" must not include \"CHOWN\", \"cap_sys_admin\" in securityContext.capabilities.add)")),
                new ScCase("NET_BIND_SERVICE and CAP_ spelling admitted at restricted", Level.RESTRICTED, good,
                        List.of(sc().setCapabilities(caps(List.of("CAP_NET_BIND_SERVICE"), List.of("ALL"))).build()), List.of()),
                new ScCase("baseline: CHOWN yes, SYS_ADMIN no", Level.BASELINE, none,
                        List.of(sc().setCapabilities(caps(List.of("CHOWN"), List.of())).build(), sc().setCapabilities(caps(List.of("SYS_ADMIN"), List.of())).build()),
                        List.of("non-default capabilities (container \"c1\" must not include \"SYS_ADMIN\" in securityContext.capabilities.add)")),
                new ScCase("allowPrivilegeEscalation: explicit true refused, false and unset admitted", Level.RESTRICTED, good,
                        List.of(sc().setAllowPrivilegeEscalation(true).build(), sc().setAllowPrivilegeEscalation(false).build(), sc().build()),
                        List.of("allowPrivilegeEscalation != false (container \"c0\" must set securityContext.allowPrivilegeEscalation=false)")),
                new ScCase("allowPrivilegeEscalation true at baseline", Level.BASELINE, none, List.of(sc().setAllowPrivilegeEscalation(true).build()), List.of()),
                new ScCase("Unconfined on the pod at baseline", Level.BASELINE, PodSecurityContext.newBuilder().setSeccompProfile(seccomp("Unconfined")).build(),
                        List.of(sc().build()),
                        List.of("seccompProfile (pod must not set securityContext.seccompProfile.type to \"Unconfined\")")),
                new ScCase("Unconfined on containers at restricted", Level.RESTRICTED, good,
                        List.of(sc().setSeccompProfile(seccomp("Unconfined")).build(), sc().setSeccompProfile(seccomp("Unconfined")).build()),
                        List.of("seccompProfile (containers \"c0\", \"c1\" must not set securityContext.seccompProfile.type to \"Unconfined\")")),
                new ScCase("Unconfined privileged", Level.PRIVILEGED, PodSecurityContext.newBuilder().setSeccompProfile(seccomp("Unconfined")).setRunAsUser(0L).build(),
                        List.of(SecurityContext.newBuilder().setCapabilities(caps(List.of("SYS_ADMIN"), List.of())).build()), List.of()));
        for (ScCase c : table) {
            List<ContainerSpec> cs = new java.util.ArrayList<>();
            for (int i = 0; i < c.containers().size(); i++) {
                cs.add(ContainerSpec.newBuilder().setName("c" + i).setImage("i").setSecurityContext(c.containers().get(i)).build());
            }
            PodTemplate t = PodTemplate.newBuilder().setContainers(cs).setSecurityContext(c.pod()).build();
            assertEquals(c.violations(), PodSecurity.check(c.level(), t, List.of(), "spec").stream().map(Object::toString).toList(), c.name());
        }
    }

    @Test
    void shouldCheckInitContainersAndWordTheWholeRefusal() {
        PodTemplate t = PodTemplate.newBuilder()
                .setInitContainers(List.of(ContainerSpec.newBuilder().setName("init").setImage("i").build()))
                .setContainers(List.of(ContainerSpec.newBuilder().setName("app").setImage("i").setSecurityContext(sc().build()).build()))
                .setSecurityContext(PodSecurityContext.newBuilder().setSeccompProfile(seccomp("RuntimeDefault")).build()).build();
        assertEquals("pods \"p\" is forbidden: violates PodSecurity \"restricted:latest\": "
                        + "unrestricted capabilities (container \"init\" must set securityContext.capabilities.drop=[\"ALL\"]), "
                        + "runAsNonRoot != true (pod or containers \"init\", \"app\" must set securityContext.runAsNonRoot=true)",
                PodSecurity.message("pods", "p", Level.RESTRICTED, PodSecurity.check(Level.RESTRICTED, t, List.of(), "spec")));
    }
}
