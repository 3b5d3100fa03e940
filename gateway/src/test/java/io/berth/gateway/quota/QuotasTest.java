package io.berth.gateway.quota;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.gateway.manifest.ManifestParser;
import io.berth.schemas.avro.ConfigObject;
import io.berth.schemas.avro.DeploymentSpec;
import io.berth.schemas.avro.PodTemplate;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/** ResourceQuota arithmetic and LimitRange defaulting/validation as plain functions, with Kubernetes' quantities and messages. */
class QuotasTest {
    static PodTemplate template(String resources) {
        String m = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers: [{name: web, image: nginx%s}]
                """.formatted(resources.isEmpty() ? "" : ", resources: " + resources);
        return ((DeploymentSpec) new ManifestParser().parse("", m).intents().get(0).getPayload()).getTemplate();
    }

    static ConfigObject stored(String kind, String specJson) {
        return ConfigObject.newBuilder().setKind(kind).setNamespace("team").setName("q").setData(Map.of("spec", specJson)).build();
    }

    @Test
    void shouldChargePodsTimesRequestsAndLimits() {
        Map<String, Long> perPod = Quotas.perPod(template("{requests: {cpu: 250m, memory: 64Mi}, limits: {cpu: 500m, memory: 128Mi}}"));
        Map<String, Long> three = Quotas.times(perPod, 3);
        assertEquals(3L, three.get("pods"));
        assertEquals(750L, three.get("requests.cpu"));
        assertEquals(750L, three.get("cpu"));
        assertEquals(3 * 64L * 1024 * 1024, three.get("requests.memory"));
        assertEquals(1500L, three.get("limits.cpu"));
    }

    @Test
    void shouldRefuseOverQuotaWithKubernetesMessage() {
        Quotas.Quota q = new Quotas.Quota("compute", Map.of("pods", 6L, "requests.cpu", 2000L));
        Map<String, Long> used = Map.of("pods", 3L, "requests.cpu", 750L);
        Map<String, Long> requested = Quotas.times(Quotas.perPod(template("{requests: {cpu: 100m}}")), 5);
        assertEquals(Optional.of("exceeded quota: compute, requested: pods=5, used: pods=3, limited: pods=6"), Quotas.exceeded(q, used, requested));
        assertEquals(Optional.empty(), Quotas.exceeded(q, used, Quotas.times(Quotas.perPod(template("{requests: {cpu: 100m}}")), 3)));
        Map<String, Long> big = Quotas.times(Quotas.perPod(template("{requests: {cpu: 1500m}}")), 1);
        assertEquals(Optional.of("exceeded quota: compute, requested: requests.cpu=1500m, used: requests.cpu=750m, limited: requests.cpu=2"),
                Quotas.exceeded(q, used, big));
    }

    @Test
    void shouldFormatMemoryInBinaryUnits() {
        Quotas.Quota q = new Quotas.Quota("mem", Map.of("limits.memory", 256L * 1024 * 1024));
        Map<String, Long> req = Quotas.times(Quotas.perPod(template("{limits: {memory: 128Mi}}")), 3);
        assertEquals(Optional.of("exceeded quota: mem, requested: limits.memory=384Mi, used: limits.memory=0, limited: limits.memory=256Mi"),
                Quotas.exceeded(q, Map.of(), req));
    }

    @Test
    void shouldAskForRequestsAQuotaLimits() {
        Quotas.Quota q = new Quotas.Quota("compute", Map.of("cpu", 2000L, "limits.memory", 1L << 30, "pods", 10L));
        assertEquals(Optional.of("failed quota: compute: must specify limits.memory for: web; requests.cpu for: web"), Quotas.mustSpecify(q, template("")));
        assertEquals(Optional.empty(), Quotas.mustSpecify(q, template("{requests: {cpu: 100m}, limits: {memory: 64Mi}}")));
    }

    @Test
    void shouldApplyLimitRangeDefaultsToContainersWithoutThem() {
        ConfigObject lr = stored("LimitRange", "{\"limits\":[{\"type\":\"Container\",\"default\":{\"cpu\":\"500m\",\"memory\":\"128Mi\"},"
                + "\"defaultRequest\":{\"cpu\":\"100m\"}}]}");
        LimitRanges.Result r = LimitRanges.admit(QuotaObjects.ranges(lr), template(""));
        assertTrue(r.admitted());
        var c = r.template().getContainers().get(0);
        assertEquals(500L, c.getLimits().getCpuMillis());
        assertEquals(128L << 20, c.getLimits().getMemoryBytes());
        assertEquals(100L, c.getRequests().getCpuMillis());
        assertEquals(128L << 20, c.getRequests().getMemoryBytes(), "no defaultRequest: the request defaults to the limit");
        var own = LimitRanges.admit(QuotaObjects.ranges(lr), template("{requests: {cpu: 50m}, limits: {cpu: 200m}}")).template().getContainers().get(0);
        assertEquals(50L, own.getRequests().getCpuMillis());
        assertEquals(200L, own.getLimits().getCpuMillis());
    }

    @Test
    void shouldRefuseContainersOutsideMinAndMax() {
        ConfigObject lr = stored("LimitRange", "{\"limits\":[{\"type\":\"Container\",\"max\":{\"cpu\":\"1\"},\"min\":{\"memory\":\"64Mi\"}}]}");
        LimitRanges.Result r = LimitRanges.admit(QuotaObjects.ranges(lr), template("{requests: {memory: 32Mi}, limits: {cpu: 2}}"));
        assertEquals(List.of("maximum cpu usage per Container is 1, but limit is 2", "minimum memory usage per Container is 64Mi, but request is 32Mi"),
                r.violations());
        assertEquals("[maximum cpu usage per Container is 1, but limit is 2, minimum memory usage per Container is 64Mi, but request is 32Mi]",
                LimitRanges.message(r.violations()));
        assertEquals(List.of("maximum cpu usage per Container is 1.  No limit is specified"),
                LimitRanges.admit(QuotaObjects.ranges(lr), template("{requests: {memory: 64Mi}}")).violations());
    }

    @Test
    void shouldCheckSpecsNamingTheField() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String> problems = new ArrayList<>();
        QuotaObjects.quotaSpec(json.readTree("{\"hard\":{\"pods\":\"ten\",\"gpus\":\"1\",\"requests.cpu\":\"2\"}}"), (f, d) -> problems.add(f + ": " + d));
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.contains("spec.hard[pods]: Invalid value: \"ten\": must be a quantity such as 500m, 64Mi or 10"), problems.toString());
        assertTrue(problems.get(0).startsWith("spec.hard[gpus]: Unsupported value: \"gpus\"") || problems.get(1).startsWith("spec.hard[gpus]: Unsupported value"));
        problems.clear();
        QuotaObjects.limitRangeSpec(json.readTree("{\"limits\":[{\"type\":\"Pod\"},{\"type\":\"Container\",\"min\":{\"cpu\":\"2\"},\"max\":{\"cpu\":\"1\"}}]}"),
                (f, d) -> problems.add(f + ": " + d));
        assertEquals(List.of("spec.limits[0].type: Unsupported value: \"Pod\": supported values: \"Container\"",
                "spec.limits[1].min[cpu]: Invalid value: \"2\": min value 2 is greater than max value 1"), problems);
    }
}
