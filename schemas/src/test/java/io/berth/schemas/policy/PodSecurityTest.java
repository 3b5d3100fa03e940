package io.berth.schemas.policy;

import io.berth.schemas.avro.ContainerPort;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.PodTemplate;
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

    private static PodTemplate pod(List<Volume> volumes, Integer hostPort) {
        ContainerSpec.Builder c = ContainerSpec.newBuilder().setName("c").setImage("berth/busybox:latest");
        if (hostPort != null) c.setPorts(List.of(ContainerPort.newBuilder().setContainerPort(80).setHostPort(hostPort).build()));
        return PodTemplate.newBuilder().setContainers(List.of(c.build())).setVolumes(volumes).build();
    }
}
