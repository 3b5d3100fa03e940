package io.berth.gateway.quota;

import io.berth.gateway.manifest.Quantities;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.Resources;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes' LimitRanger for {@code type: Container}, at admission: a container without a limit takes
 * the range's {@code default}, without a request its {@code defaultRequest} (else the limit it now has,
 * as Kubernetes defaults a request to the limit); then each container is checked against {@code min}
 * (on its request) and {@code max} (on its limit) in Kubernetes' words. Pure: no Kafka, no Vert.x.
 *
 * <p>A range of 0 for a resource means "not set" (as {@link Resources} does everywhere in Berth).
 */
public final class LimitRanges {
    private LimitRanges() {}

    /** One {@code type: Container} item of a LimitRange; text keeps the quantities as written, for the messages. */
    public record Range(String name, Resources defaultLimit, Resources defaultRequest, Resources min, Resources max, Map<String, String> text) {
        static Resources none() {
            return new Resources(0L, 0L);
        }
    }

    /** The template with defaults applied, and the violations (empty: admitted). */
    public record Result(PodTemplate template, List<String> violations) {
        public boolean admitted() {
            return violations.isEmpty();
        }
    }

    public static Result admit(List<Range> ranges, PodTemplate template) {
        PodTemplate t = PodTemplate.newBuilder(template)
                .setContainers(defaulted(ranges, template.getContainers()))
                .setInitContainers(defaulted(ranges, template.getInitContainers())).build();
        List<String> violations = new ArrayList<>();
        for (Range r : ranges) {
            for (ContainerSpec c : t.getInitContainers()) check(r, c, violations);
            for (ContainerSpec c : t.getContainers()) check(r, c, violations);
        }
        return new Result(t, List.copyOf(violations));
    }

    /** Kubernetes' forbidden message for the violations: one as it is, several in brackets. */
    public static String message(List<String> violations) {
        return violations.size() == 1 ? violations.get(0) : "[" + String.join(", ", violations) + "]";
    }

    private static List<ContainerSpec> defaulted(List<Range> ranges, List<ContainerSpec> containers) {
        List<ContainerSpec> out = new ArrayList<>();
        for (ContainerSpec c : containers) {
            long limCpu = c.getLimits().getCpuMillis(), limMem = c.getLimits().getMemoryBytes();
            long reqCpu = c.getRequests().getCpuMillis(), reqMem = c.getRequests().getMemoryBytes();
            for (Range r : ranges) {
                if (limCpu == 0) limCpu = r.defaultLimit().getCpuMillis();
                if (limMem == 0) limMem = r.defaultLimit().getMemoryBytes();
                if (reqCpu == 0) reqCpu = r.defaultRequest().getCpuMillis() != 0 ? r.defaultRequest().getCpuMillis() : limCpu;
                if (reqMem == 0) reqMem = r.defaultRequest().getMemoryBytes() != 0 ? r.defaultRequest().getMemoryBytes() : limMem;
            }
            out.add(ContainerSpec.newBuilder(c).setLimits(new Resources(limCpu, limMem)).setRequests(new Resources(reqCpu, reqMem)).build());
        }
        return out;
    }

    private static void check(Range r, ContainerSpec c, List<String> out) {
        bound(out, "cpu", r.min().getCpuMillis(), r.max().getCpuMillis(), c.getRequests().getCpuMillis(), c.getLimits().getCpuMillis(), r.text(), Quantities::formatCpu);
        bound(out, "memory", r.min().getMemoryBytes(), r.max().getMemoryBytes(), c.getRequests().getMemoryBytes(), c.getLimits().getMemoryBytes(), r.text(), Quantities::formatMemory);
    }

    private static void bound(List<String> out, String resource, long min, long max, long request, long limit, Map<String, String> text,
                              java.util.function.LongFunction<String> format) {
        if (min > 0) {
            String m = text.getOrDefault("min." + resource, format.apply(min));
            if (request == 0) out.add("minimum " + resource + " usage per Container is " + m + ".  No request is specified");
            else if (request < min) out.add("minimum " + resource + " usage per Container is " + m + ", but request is " + format.apply(request));
        }
        if (max > 0) {
            String m = text.getOrDefault("max." + resource, format.apply(max));
            if (limit == 0) out.add("maximum " + resource + " usage per Container is " + m + ".  No limit is specified");
            else if (limit > max) out.add("maximum " + resource + " usage per Container is " + m + ", but limit is " + format.apply(limit));
        }
    }
}
