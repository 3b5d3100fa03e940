package io.berth.node.config;

import io.berth.schemas.avro.Assignment;
import io.berth.schemas.avro.ConfigRef;
import io.berth.schemas.avro.ContainerSpec;
import io.berth.schemas.avro.EnvVar;
import io.berth.schemas.avro.KeyToPath;
import io.berth.schemas.avro.PodTemplate;
import io.berth.schemas.avro.Volume;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Resolves what a pod takes from Secrets and ConfigMaps, as the kubelet does, as a pure function of
 * the assignment and a lookup: env {@code valueFrom} (secretKeyRef, configMapKeyRef), {@code envFrom}
 * (every key, with a prefix; an explicit env entry wins) and secret/configMap volumes (every key, or
 * only {@code items} at their paths). A missing object or key that is not {@code optional} makes the
 * whole pod wait with {@code CreateContainerConfigError} and the kubelet's message.
 */
public final class PodConfigs {
    private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");

    private PodConfigs() {}

    /** The keys and (decrypted) values of an object, or empty when it does not exist. */
    @FunctionalInterface
    public interface Lookup {
        Optional<Map<String, byte[]>> find(String kind, String namespace, String name);
    }

    /** What the pod gets; or why it cannot start. */
    public sealed interface Result permits Resolved, Missing {}

    /**
     * @param assignment a copy whose env holds the values (no valueFrom, no envFrom): lives only in the node's memory
     * @param files      volume name → relative path → contents, for the secret and configMap volumes
     */
    public record Resolved(Assignment assignment, Map<String, Map<String, byte[]>> files) implements Result {}

    /** @param message the kubelet's wording, e.g. {@code secret "db" not found} */
    public record Missing(String message) implements Result {}

    /** Whether the pod uses any Secret or ConfigMap (a pod that does not is left exactly as it is). */
    public static boolean uses(Assignment a) {
        for (Volume v : a.getTemplate().getVolumes()) if (isConfigVolume(v)) return true;
        for (ContainerSpec c : all(a.getTemplate())) {
            if (!c.getEnvFrom().isEmpty()) return true;
            for (EnvVar e : c.getEnv()) if (e.getValueFrom() != null) return true;
        }
        return false;
    }

    public static boolean isConfigVolume(Volume v) {
        return "secret".equals(v.getType()) || "configMap".equals(v.getType());
    }

    public static Result resolve(Assignment a, Lookup lookup) {
        String ns = a.getNamespace();
        Assignment copy = Assignment.newBuilder(a).build(); // a deep copy: the assignment as read is never changed
        try {
            for (ContainerSpec c : all(copy.getTemplate())) {
                c.setEnv(env(c, ns, lookup));
                c.setEnvFrom(List.of());
            }
            Map<String, Map<String, byte[]>> files = new LinkedHashMap<>();
            for (Volume v : copy.getTemplate().getVolumes()) {
                if (isConfigVolume(v)) files.put(v.getName(), volume(v, ns, lookup));
            }
            return new Resolved(copy, files);
        } catch (MissingException e) {
            return new Missing(e.getMessage());
        }
    }

    private static List<EnvVar> env(ContainerSpec c, String ns, Lookup lookup) {
        Map<String, String> out = new LinkedHashMap<>();
        for (ConfigRef ref : c.getEnvFrom()) {
            Optional<Map<String, byte[]>> data = lookup.find(ref.getKind(), ns, ref.getName());
            if (data.isEmpty()) {
                if (ref.getOptional()) continue;
                throw new MissingException(notFound(ref.getKind(), ref.getName()));
            }
            new TreeMap<>(data.get()).forEach((k, v) -> {
                String name = ref.getPrefix() + k;
                if (ENV_NAME.matcher(name).matches()) out.put(name, text(v)); // the kubelet skips invalid names too
            });
        }
        for (EnvVar e : c.getEnv()) {
            ConfigRef ref = e.getValueFrom();
            if (ref == null) {
                out.remove(e.getName()); // an explicit entry wins over envFrom, and keeps its place in the order
                out.put(e.getName(), e.getValue());
                continue;
            }
            Optional<Map<String, byte[]>> data = lookup.find(ref.getKind(), ns, ref.getName());
            if (data.isEmpty()) {
                if (ref.getOptional()) continue;
                throw new MissingException(notFound(ref.getKind(), ref.getName()));
            }
            byte[] value = data.get().get(ref.getKey());
            if (value == null) {
                if (ref.getOptional()) continue;
                throw new MissingException("couldn't find key " + ref.getKey() + " in " + ref.getKind() + " " + ns + "/" + ref.getName());
            }
            out.remove(e.getName());
            out.put(e.getName(), text(value));
        }
        List<EnvVar> env = new ArrayList<>();
        out.forEach((k, v) -> env.add(EnvVar.newBuilder().setName(k).setValue(v).build()));
        return env;
    }

    private static Map<String, byte[]> volume(Volume v, String ns, Lookup lookup) {
        String kind = "secret".equals(v.getType()) ? "Secret" : "ConfigMap";
        Optional<Map<String, byte[]>> data = lookup.find(kind, ns, v.getSource());
        Map<String, byte[]> files = new TreeMap<>();
        if (data.isEmpty()) {
            if (v.getOptional()) return files;
            throw new MissingException("MountVolume.SetUp failed for volume \"" + v.getName() + "\" : " + notFound(kind, v.getSource()));
        }
        if (v.getItems().isEmpty()) {
            files.putAll(data.get());
            return files;
        }
        for (KeyToPath item : v.getItems()) {
            byte[] value = data.get().get(item.getKey());
            if (value == null) {
                if (v.getOptional()) continue;
                throw new MissingException("MountVolume.SetUp failed for volume \"" + v.getName() + "\" : "
                        + ("Secret".equals(kind) ? "references non-existent secret key: " : "configmap references non-existent config key: ") + item.getKey());
            }
            files.put(item.getPath(), value);
        }
        return files;
    }

    private static String notFound(String kind, String name) {
        return kind.toLowerCase(java.util.Locale.ROOT) + " \"" + name + "\" not found";
    }

    private static String text(byte[] v) {
        return new String(v, StandardCharsets.UTF_8);
    }

    private static List<ContainerSpec> all(PodTemplate t) {
        List<ContainerSpec> out = new ArrayList<>(t.getInitContainers());
        out.addAll(t.getContainers());
        return out;
    }

    private static final class MissingException extends RuntimeException {
        MissingException(String message) {
            super(message, null, false, false);
        }
    }
}
