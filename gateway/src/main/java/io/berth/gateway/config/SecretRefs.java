package io.berth.gateway.config;

import io.berth.schemas.avro.ConfigRef;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.EnvVar;
import io.berth.schemas.avro.KeyToPath;
import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.Volume;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which keys of one Secret (or ConfigMap) a pod references, the edges of Kubernetes' Node-authorizer
 * graph (pod → secret): {@code env[].valueFrom.secretKeyRef} names one key; {@code envFrom.secretRef}
 * and a secret volume without {@code items} take every key; a volume's {@code items} name theirs.
 * Init containers count as containers. A pure function of the pod template.
 *
 * @param all  every key of the object
 * @param keys the keys named one by one (when not {@code all})
 */
public record SecretRefs(boolean all, Set<String> keys) {
    public static final SecretRefs NONE = new SecretRefs(false, Set.of());
    public static final SecretRefs ALL = new SecretRefs(true, Set.of());

    public SecretRefs {
        keys = Set.copyOf(keys);
    }

    /** @param kind {@code Secret} or {@code ConfigMap} */
    public static SecretRefs of(PodTemplate t, String kind, String name) {
        boolean all = false;
        Set<String> keys = new TreeSet<>();
        List<ContainerSpec> containers = new ArrayList<>(t.getInitContainers());
        containers.addAll(t.getContainers());
        for (ContainerSpec c : containers) {
            for (ConfigRef ref : c.getEnvFrom()) all |= names(ref, kind, name);
            for (EnvVar e : c.getEnv()) {
                ConfigRef ref = e.getValueFrom();
                if (ref != null && names(ref, kind, name)) keys.add(ref.getKey());
            }
        }
        String volumeType = "Secret".equals(kind) ? "secret" : "configMap";
        for (Volume v : t.getVolumes()) {
            if (!volumeType.equals(v.getType()) || !name.equals(v.getSource())) continue;
            if (v.getItems().isEmpty()) all = true;
            for (KeyToPath item : v.getItems()) keys.add(item.getKey());
        }
        return all ? ALL : keys.isEmpty() ? NONE : new SecretRefs(false, keys);
    }

    public boolean referenced() {
        return all || !keys.isEmpty();
    }

    /** Only the referenced entries of {@code data} (all of them when {@code all}). */
    public <V> Map<String, V> filter(Map<String, V> data) {
        if (all) return data;
        Map<String, V> out = new LinkedHashMap<>();
        data.forEach((k, v) -> {
            if (keys.contains(k)) out.put(k, v);
        });
        return out;
    }

    private static boolean names(ConfigRef ref, String kind, String name) {
        return kind.equals(ref.getKind()) && name.equals(ref.getName());
    }
}
