package io.berth.gateway.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.schemas.avro.*;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.berth.gateway.manifest.Fields.child;
import static io.berth.gateway.manifest.Fields.get;
import static io.berth.gateway.manifest.Fields.index;

/** A pod spec ({@code spec} of a Pod, {@code spec.template.spec} of a Deployment) → {@link PodTemplate}. */
final class PodSpecParser {
    private PodSpecParser() {}

    static final Set<String> POD_SPEC_FIELDS = Set.of("containers", "initContainers", "nodeSelector", "restartPolicy",
            "terminationGracePeriodSeconds", "volumes", "securityContext");
    static final Set<String> CONTAINER_FIELDS = Set.of("name", "image", "command", "args", "env", "ports", "resources",
            "readinessProbe", "livenessProbe", "startupProbe", "volumeMounts", "workingDir", "securityContext", "envFrom");
    /** Accepted and ignored: Berth never pulls images, and these only affect pulling or the terminal. */
    static final Set<String> CONTAINER_IGNORED = Set.of("imagePullPolicy", "terminationMessagePath",
            "terminationMessagePolicy", "stdin", "tty");
    static final Set<String> PROBE_FIELDS = Set.of("httpGet", "tcpSocket", "exec", "initialDelaySeconds", "periodSeconds",
            "timeoutSeconds", "failureThreshold", "successThreshold");
    static final List<String> RESTART_POLICIES = List.of("Always", "OnFailure", "Never");
    static final List<String> PROTOCOLS = List.of("SCTP", "TCP", "UDP");

    /**
     * @param onlyAlways a Deployment's pods must restart Always, as in Kubernetes
     */
    static PodTemplate parse(Fields f, JsonNode spec, String path, Map<String, String> labels,
                             Map<String, String> annotations, boolean onlyAlways) {
        return parse(f, spec, path, labels, annotations, onlyAlways ? List.of("Always") : RESTART_POLICIES, false);
    }

    /**
     * @param allowed  the restart policies the owner accepts (a Job's pods: OnFailure or Never)
     * @param required the policy must be given (a Job's: Kubernetes would default it to Always, which a Job refuses)
     */
    static PodTemplate parse(Fields f, JsonNode spec, String path, Map<String, String> labels,
                             Map<String, String> annotations, List<String> allowed, boolean required) {
        return parse(f, spec, path, labels, annotations, allowed, required, Set.of());
    }

    /** @param claimVolumes volume names a StatefulSet's volumeClaimTemplates give its pods (mounts may name them) */
    static PodTemplate parse(Fields f, JsonNode spec, String path, Map<String, String> labels,
                             Map<String, String> annotations, List<String> allowed, boolean required, Set<String> claimVolumes) {
        PodTemplate.Builder t = PodTemplate.newBuilder().setLabels(Map.copyOf(labels)).setAnnotations(Map.copyOf(annotations));
        if (spec == null) {
            f.required(path);
            return t.setContainers(List.of()).build();
        }
        f.onlyKnown(spec, path, POD_SPEC_FIELDS, Set.of("dnsPolicy", "schedulerName"));

        List<Volume> volumes = volumes(f, spec, child(path, "volumes"));
        Set<String> volumeNames = new HashSet<>();
        volumes.forEach(v -> volumeNames.add(v.getName()));
        volumeNames.addAll(claimVolumes);

        Set<String> containerNames = new HashSet<>();
        List<ContainerSpec> containers = containers(f, spec, path, "containers", containerNames, volumeNames);
        if (containers.isEmpty() && f.errors.stream().noneMatch(e -> e.field().startsWith(child(path, "containers")))) {
            f.required(child(path, "containers"));
        }
        List<ContainerSpec> inits = containers(f, spec, path, "initContainers", containerNames, volumeNames);
        List<JsonNode> initNodes = f.array(spec, "initContainers", child(path, "initContainers"));
        for (int i = 0; i < initNodes.size(); i++) {
            for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
                // Kubernetes: probes run only on (sidecar) containers that keep running; Berth has no sidecar init containers
                if (get(initNodes.get(i), probe) != null) {
                    f.forbidden(child(index(child(path, "initContainers"), i), probe), "may not be set for init containers without restartPolicy=Always");
                }
            }
        }

        Map<String, String> nodeSelector = f.stringMap(spec, "nodeSelector", child(path, "nodeSelector"));
        Names.labels(f, nodeSelector, child(path, "nodeSelector"));

        String restart = f.string(spec, "restartPolicy", child(path, "restartPolicy"));
        if (restart != null && !allowed.contains(restart)) {
            f.unsupported(child(path, "restartPolicy"), get(spec, "restartPolicy"), allowed);
        } else if (restart == null && required && get(spec, "restartPolicy") == null) {
            f.required(child(path, "restartPolicy"), "valid values: "
                    + String.join(", ", allowed.stream().map(a -> "\"" + a + "\"").toList()));
        }
        int grace = f.integerAtLeast(spec, "terminationGracePeriodSeconds", child(path, "terminationGracePeriodSeconds"), 0, 30);

        return t.setContainers(containers).setInitContainers(inits).setNodeSelector(nodeSelector)
                .setRestartPolicy(restart == null || !allowed.contains(restart) ? allowed.get(0) : restart)
                .setTerminationGracePeriodSeconds(grace).setVolumes(volumes)
                .setSecurityContext(SecurityContextParser.pod(f, spec, child(path, "securityContext"))).build();
    }

    private static List<Volume> volumes(Fields f, JsonNode spec, String path) {
        List<Volume> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<JsonNode> items = f.array(spec, "volumes", path);
        for (int i = 0; i < items.size(); i++) {
            JsonNode v = items.get(i);
            String vp = index(path, i);
            f.onlyKnown(v, vp, Set.of("name", "emptyDir", "hostPath", "secret", "configMap"));
            String name = f.string(v, "name", child(vp, "name"));
            if (name == null || name.isEmpty()) f.required(child(vp, "name"));
            else if (Names.dns1123Label(name) != null) f.invalid(child(vp, "name"), get(v, "name"), Names.dns1123Label(name));
            else if (!seen.add(name)) f.duplicate(child(vp, "name"), name);
            List<String> types = new ArrayList<>();
            for (String t : List.of("emptyDir", "hostPath", "secret", "configMap")) if (v.has(t)) types.add(t);
            if (types.size() > 1) f.forbidden(child(vp, types.get(1)), "may not specify more than 1 volume type");
            else if (types.isEmpty()) f.required(vp, "must specify a volume type");
            String type = types.isEmpty() ? "emptyDir" : types.get(0);
            if (type.equals("emptyDir")) f.onlyKnown(get(v, "emptyDir"), child(vp, "emptyDir"), Set.of(), Set.of("medium", "sizeLimit"));
            String hp = "";
            if (type.equals("hostPath")) {
                JsonNode hostPath = f.object(v, "hostPath", child(vp, "hostPath"));
                if (hostPath != null) {
                    f.onlyKnown(hostPath, child(vp, "hostPath"), Set.of("path"), Set.of("type"));
                    String p = f.string(hostPath, "path", child(vp, "hostPath.path"));
                    if (p == null || p.isEmpty()) f.required(child(vp, "hostPath.path"));
                    else if (!p.startsWith("/")) f.invalid(child(vp, "hostPath.path"), get(hostPath, "path"), "must be an absolute path");
                    else hp = p;
                }
            }
            if (type.equals("secret") || type.equals("configMap")) {
                Volume cv = configVolume(f, v, vp, type, name == null ? "" : name);
                if (name != null && cv != null) out.add(cv);
                continue;
            }
            if (name != null) out.add(Volume.newBuilder().setName(name).setType(type).setHostPath(hp).build());
        }
        return out;
    }

    /** A secret ({@code secretName}) or configMap ({@code name}) volume: the reference and its items, never a value. */
    private static Volume configVolume(Fields f, JsonNode v, String vp, String type, String name) {
        String tp = child(vp, type);
        JsonNode src = f.object(v, type, tp);
        if (src == null) return null;
        String nameField = type.equals("secret") ? "secretName" : "name";
        f.onlyKnown(src, tp, Set.of(nameField, "items", "optional"), Set.of("defaultMode"));
        String source = f.string(src, nameField, child(tp, nameField));
        if (source == null || source.isEmpty()) f.required(child(tp, nameField));
        else if (Names.dns1123Subdomain(source) != null) f.invalid(child(tp, nameField), get(src, nameField), Names.dns1123Subdomain(source));
        List<KeyToPath> items = new ArrayList<>();
        List<JsonNode> is = f.array(src, "items", child(tp, "items"));
        for (int i = 0; i < is.size(); i++) {
            String ip = index(child(tp, "items"), i);
            f.onlyKnown(is.get(i), ip, Set.of("key", "path"), Set.of("mode"));
            String key = f.string(is.get(i), "key", child(ip, "key"));
            String path = f.string(is.get(i), "path", child(ip, "path"));
            if (key == null || key.isEmpty()) f.required(child(ip, "key"));
            if (path == null || path.isEmpty()) f.required(child(ip, "path"));
            else if (path.startsWith("/")) f.invalid(child(ip, "path"), get(is.get(i), "path"), "must be a relative path");
            else if (List.of(path.split("/")).contains("..")) f.invalid(child(ip, "path"), get(is.get(i), "path"), "must not contain '..'");
            if (key != null && path != null) items.add(new KeyToPath(key, path));
        }
        Boolean optional = f.bool(src, "optional", child(tp, "optional"));
        return Volume.newBuilder().setName(name).setType(type).setSource(source == null ? "" : source).setItems(items)
                .setOptional(optional != null && optional).build();
    }

    private static List<ContainerSpec> containers(Fields f, JsonNode spec, String podPath, String field,
                                                  Set<String> names, Set<String> volumeNames) {
        String path = child(podPath, field);
        List<ContainerSpec> out = new ArrayList<>();
        List<JsonNode> items = f.array(spec, field, path);
        for (int i = 0; i < items.size(); i++) {
            ContainerSpec c = container(f, items.get(i), index(path, i), names, volumeNames);
            if (c != null) out.add(c);
        }
        return out;
    }

    private static ContainerSpec container(Fields f, JsonNode c, String path, Set<String> names, Set<String> volumeNames) {
        if (!c.isObject()) {
            f.invalid(path, c, "must be an object");
            return null;
        }
        f.onlyKnown(c, path, CONTAINER_FIELDS, CONTAINER_IGNORED);
        String name = f.string(c, "name", child(path, "name"));
        if (name == null || name.isEmpty()) f.required(child(path, "name"));
        else if (Names.dns1123Label(name) != null) f.invalid(child(path, "name"), get(c, "name"), Names.dns1123Label(name));
        else if (!names.add(name)) f.duplicate(child(path, "name"), name);

        String image = f.string(c, "image", child(path, "image"));
        if (image == null || image.isBlank()) {
            if (image != null || get(c, "image") == null) f.required(child(path, "image"));
        } else if (!image.equals(image.strip())) {
            f.invalid(child(path, "image"), get(c, "image"), "must not have leading or trailing whitespace");
        }

        List<ContainerPort> ports = ports(f, c, child(path, "ports"));
        ContainerSpec.Builder b = ContainerSpec.newBuilder()
                .setName(name == null ? "" : name)
                .setImage(image == null ? "" : image)
                .setCommand(f.strings(c, "command", child(path, "command")))
                .setArgs(f.strings(c, "args", child(path, "args")))
                .setEnv(env(f, c, child(path, "env")))
                .setEnvFrom(envFrom(f, c, child(path, "envFrom")))
                .setPorts(ports)
                .setVolumeMounts(mounts(f, c, child(path, "volumeMounts"), volumeNames))
                .setReadinessProbe(probe(f, c, "readinessProbe", path, false, ports))
                .setLivenessProbe(probe(f, c, "livenessProbe", path, true, ports))
                .setStartupProbe(probe(f, c, "startupProbe", path, true, ports));
        String wd = f.string(c, "workingDir", child(path, "workingDir"));
        if (wd != null) b.setWorkingDir(wd);
        b.setSecurityContext(SecurityContextParser.container(f, c, child(path, "securityContext")));
        resources(f, c, child(path, "resources"), b);
        return b.build();
    }

    private static List<EnvVar> env(Fields f, JsonNode c, String path) {
        List<EnvVar> out = new ArrayList<>();
        List<JsonNode> items = f.array(c, "env", path);
        for (int i = 0; i < items.size(); i++) {
            JsonNode e = items.get(i);
            String ep = index(path, i);
            f.onlyKnown(e, ep, Set.of("name", "value", "valueFrom"));
            String name = f.string(e, "name", child(ep, "name"));
            if (name == null || name.isEmpty()) {
                f.required(child(ep, "name"));
                continue;
            }
            if (Names.envName(name) != null) f.invalid(child(ep, "name"), get(e, "name"), Names.envName(name));
            String value = f.string(e, "value", child(ep, "value"));
            ConfigRef from = e.has("valueFrom") ? valueFrom(f, e, child(ep, "valueFrom")) : null;
            if (from != null && value != null && !value.isEmpty()) {
                f.invalid(child(ep, "valueFrom"), "\"\"", "may not be specified when `value` is not empty");
            }
            out.add(new EnvVar(name, value == null ? "" : value, from));
        }
        return out;
    }

    /** {@code secretKeyRef} or {@code configMapKeyRef}; fieldRef and resourceFieldRef are not supported. */
    private static ConfigRef valueFrom(Fields f, JsonNode e, String path) {
        JsonNode vf = f.object(e, "valueFrom", path);
        if (vf == null) return null;
        f.onlyKnown(vf, path, Set.of("secretKeyRef", "configMapKeyRef"));
        if (vf.has("secretKeyRef") == vf.has("configMapKeyRef")) {
            f.invalid(path, "\"\"", "must specify exactly one of: `secretKeyRef` or `configMapKeyRef`");
            return null;
        }
        String field = vf.has("secretKeyRef") ? "secretKeyRef" : "configMapKeyRef";
        String rp = child(path, field);
        JsonNode ref = f.object(vf, field, rp);
        if (ref == null) return null;
        f.onlyKnown(ref, rp, Set.of("name", "key", "optional"));
        String name = f.string(ref, "name", child(rp, "name"));
        String key = f.string(ref, "key", child(rp, "key"));
        if (name == null || name.isEmpty()) f.required(child(rp, "name"));
        if (key == null || key.isEmpty()) f.required(child(rp, "key"));
        Boolean optional = f.bool(ref, "optional", child(rp, "optional"));
        return ConfigRef.newBuilder().setKind(field.equals("secretKeyRef") ? "Secret" : "ConfigMap").setName(name == null ? "" : name)
                .setKey(key == null ? "" : key).setOptional(optional != null && optional).build();
    }

    private static List<ConfigRef> envFrom(Fields f, JsonNode c, String path) {
        List<ConfigRef> out = new ArrayList<>();
        List<JsonNode> items = f.array(c, "envFrom", path);
        for (int i = 0; i < items.size(); i++) {
            JsonNode e = items.get(i);
            String ep = index(path, i);
            f.onlyKnown(e, ep, Set.of("secretRef", "configMapRef", "prefix"));
            if (e.has("secretRef") == e.has("configMapRef")) {
                f.invalid(ep, "\"\"", "must specify exactly one of: `secretRef` or `configMapRef`");
                continue;
            }
            String field = e.has("secretRef") ? "secretRef" : "configMapRef";
            String rp = child(ep, field);
            JsonNode ref = f.object(e, field, rp);
            if (ref == null) continue;
            f.onlyKnown(ref, rp, Set.of("name", "optional"));
            String name = f.string(ref, "name", child(rp, "name"));
            if (name == null || name.isEmpty()) f.required(child(rp, "name"));
            String prefix = f.string(e, "prefix", child(ep, "prefix"));
            Boolean optional = f.bool(ref, "optional", child(rp, "optional"));
            out.add(ConfigRef.newBuilder().setKind(field.equals("secretRef") ? "Secret" : "ConfigMap").setName(name == null ? "" : name)
                    .setPrefix(prefix == null ? "" : prefix).setOptional(optional != null && optional).build());
        }
        return out;
    }

    private static List<ContainerPort> ports(Fields f, JsonNode c, String path) {
        List<ContainerPort> out = new ArrayList<>();
        List<JsonNode> items = f.array(c, "ports", path);
        for (int i = 0; i < items.size(); i++) {
            JsonNode p = items.get(i);
            String pp = index(path, i);
            f.onlyKnown(p, pp, Set.of("containerPort", "hostPort", "protocol", "name"), Set.of("hostIP"));
            Integer port = f.integer(p, "containerPort", child(pp, "containerPort"));
            if (port == null && get(p, "containerPort") == null) f.required(child(pp, "containerPort"));
            else if (port != null) checkPort(f, p, "containerPort", child(pp, "containerPort"));
            Integer hostPort = f.integer(p, "hostPort", child(pp, "hostPort"));
            if (hostPort != null && hostPort != 0) checkPort(f, p, "hostPort", child(pp, "hostPort"));
            String protocol = protocol(f, p, child(pp, "protocol"));
            String name = f.string(p, "name", child(pp, "name"));
            if (name != null && !name.isEmpty()) {
                if (name.length() > 15) f.invalid(child(pp, "name"), get(p, "name"), "must be no more than 15 characters");
                else if (Names.dns1123Label(name) != null) f.invalid(child(pp, "name"), get(p, "name"), Names.dns1123Label(name));
            }
            out.add(ContainerPort.newBuilder().setContainerPort(port == null ? 0 : port)
                    .setHostPort(hostPort == null || hostPort == 0 ? null : hostPort)
                    .setProtocol(protocol).setName(name == null ? "" : name).build());
        }
        return out;
    }

    static String protocol(Fields f, JsonNode parent, String path) {
        String protocol = f.string(parent, "protocol", path);
        if (protocol == null) return "TCP";
        if (!PROTOCOLS.contains(protocol)) {
            f.unsupported(path, get(parent, "protocol"), PROTOCOLS);
            return "TCP";
        }
        return protocol;
    }

    /** True when the integer field is a valid port number; records the Kubernetes error otherwise. */
    static boolean checkPort(Fields f, JsonNode parent, String field, String path) {
        JsonNode n = get(parent, field);
        if (n.intValue() < 1 || n.intValue() > 65535) {
            f.invalid(path, n, "must be between 1 and 65535, inclusive");
            return false;
        }
        return true;
    }

    private static List<VolumeMount> mounts(Fields f, JsonNode c, String path, Set<String> volumeNames) {
        List<VolumeMount> out = new ArrayList<>();
        List<JsonNode> items = f.array(c, "volumeMounts", path);
        for (int i = 0; i < items.size(); i++) {
            JsonNode m = items.get(i);
            String mp = index(path, i);
            f.onlyKnown(m, mp, Set.of("name", "mountPath", "readOnly"));
            String name = f.string(m, "name", child(mp, "name"));
            if (name == null || name.isEmpty()) f.required(child(mp, "name"));
            else if (!volumeNames.contains(name)) f.notFound(child(mp, "name"), name);
            String mountPath = f.string(m, "mountPath", child(mp, "mountPath"));
            if (mountPath == null || mountPath.isEmpty()) f.required(child(mp, "mountPath"));
            else if (!mountPath.startsWith("/")) f.invalid(child(mp, "mountPath"), get(m, "mountPath"), "must be an absolute path");
            Boolean ro = f.bool(m, "readOnly", child(mp, "readOnly"));
            out.add(new VolumeMount(name == null ? "" : name, mountPath == null ? "" : mountPath, ro != null && ro));
        }
        return out;
    }

    private static Probe probe(Fields f, JsonNode c, String field, String containerPath, boolean successMustBeOne,
                               List<ContainerPort> ports) {
        String path = child(containerPath, field);
        JsonNode p = f.object(c, field, path);
        if (p == null) return null;
        f.onlyKnown(p, path, PROBE_FIELDS, Set.of("terminationGracePeriodSeconds"));
        Probe.Builder b = Probe.newBuilder();
        int handlers = (p.has("httpGet") ? 1 : 0) + (p.has("tcpSocket") ? 1 : 0) + (p.has("exec") ? 1 : 0);
        if (handlers == 0) f.required(path, "must specify a handler type");
        if (handlers > 1) f.forbidden(path, "may not specify more than 1 handler type");
        JsonNode http = f.object(p, "httpGet", child(path, "httpGet"));
        JsonNode tcp = f.object(p, "tcpSocket", child(path, "tcpSocket"));
        JsonNode exec = f.object(p, "exec", child(path, "exec"));
        if (http != null) {
            f.onlyKnown(http, child(path, "httpGet"), Set.of("path", "port", "scheme"));
            String scheme = f.string(http, "scheme", child(path, "httpGet.scheme"));
            if (scheme != null && !scheme.equals("HTTP")) {
                f.unsupported(child(path, "httpGet.scheme"), get(http, "scheme"), List.of("HTTP"));
            }
            b.setType(ProbeType.HTTP_GET).setPort(probePort(f, http, child(path, "httpGet.port"), ports));
            String hp = f.string(http, "path", child(path, "httpGet.path"));
            if (hp != null && !hp.isEmpty()) b.setPath(hp);
        } else if (tcp != null) {
            f.onlyKnown(tcp, child(path, "tcpSocket"), Set.of("port"));
            b.setType(ProbeType.TCP_SOCKET).setPort(probePort(f, tcp, child(path, "tcpSocket.port"), ports));
        } else if (exec != null) {
            f.onlyKnown(exec, child(path, "exec"), Set.of("command"));
            List<String> cmd = f.strings(exec, "command", child(path, "exec.command"));
            if (cmd.isEmpty()) f.required(child(path, "exec.command"));
            b.setType(ProbeType.EXEC).setCommand(cmd);
        }
        b.setInitialDelaySeconds(f.integerAtLeast(p, "initialDelaySeconds", child(path, "initialDelaySeconds"), 0, 0));
        b.setPeriodSeconds(f.integerAtLeast(p, "periodSeconds", child(path, "periodSeconds"), 1, 10));
        b.setTimeoutSeconds(f.integerAtLeast(p, "timeoutSeconds", child(path, "timeoutSeconds"), 1, 1));
        b.setFailureThreshold(f.integerAtLeast(p, "failureThreshold", child(path, "failureThreshold"), 1, 3));
        int success = f.integerAtLeast(p, "successThreshold", child(path, "successThreshold"), 1, 1);
        if (successMustBeOne && success != 1) f.invalid(child(path, "successThreshold"), get(p, "successThreshold"), "must be 1");
        return b.setSuccessThreshold(success).build();
    }

    /** A probe's port: a number, or (as Kubernetes allows) the name of one of the container's ports. */
    private static int probePort(Fields f, JsonNode handler, String path, List<ContainerPort> ports) {
        JsonNode n = get(handler, "port");
        if (n == null) {
            f.required(path);
            return 0;
        }
        if (n.isTextual()) {
            String name = n.textValue();
            if (name.matches("[0-9]+")) {
                int port = Integer.parseInt(name.length() > 6 ? "0" : name);
                if (port < 1 || port > 65535) f.invalid(path, n, "must be between 1 and 65535, inclusive");
                return port < 1 || port > 65535 ? 0 : port;
            }
            String problem = Names.portName(name);
            if (problem != null) {
                f.invalid(path, n, problem);
                return 0;
            }
            for (ContainerPort p : ports) if (p.getName().equals(name)) return p.getContainerPort();
            f.invalid(path, n, "must be the name of one of the container's ports");
            return 0;
        }
        Integer port = f.integer(handler, "port", path);
        return port != null && checkPort(f, handler, "port", path) ? port : 0;
    }

    /** requests and limits; like Kubernetes, a resource with only a limit requests that limit. */
    private static void resources(Fields f, JsonNode c, String path, ContainerSpec.Builder b) {
        JsonNode r = f.object(c, "resources", path);
        if (r == null) return;
        f.onlyKnown(r, path, Set.of("requests", "limits"));
        Long[] requests = quantities(f, r, "requests", child(path, "requests"));
        Long[] limits = quantities(f, r, "limits", child(path, "limits"));
        long reqCpu = requests[0] != null ? requests[0] : limits[0] != null ? limits[0] : 0;
        long reqMem = requests[1] != null ? requests[1] : limits[1] != null ? limits[1] : 0;
        if (requests[0] != null && limits[0] != null && requests[0] > limits[0]) {
            f.invalid(child(path, "requests"), quoted(get(get(r, "requests"), "cpu")), "must be less than or equal to cpu limit of "
                    + quantityText(get(get(r, "limits"), "cpu")));
        }
        if (requests[1] != null && limits[1] != null && requests[1] > limits[1]) {
            f.invalid(child(path, "requests"), quoted(get(get(r, "requests"), "memory")), "must be less than or equal to memory limit of "
                    + quantityText(get(get(r, "limits"), "memory")));
        }
        b.setRequests(new Resources(reqCpu, reqMem));
        b.setLimits(new Resources(limits[0] == null ? 0L : limits[0], limits[1] == null ? 0L : limits[1]));
    }

    /** {cpuMillis, memoryBytes}, null where absent or invalid. */
    private static Long[] quantities(Fields f, JsonNode r, String field, String path) {
        Long[] out = new Long[2];
        JsonNode q = f.object(r, field, path);
        if (q == null) return out;
        f.onlyKnown(q, path, Set.of("cpu", "memory"), Set.of());
        out[0] = quantity(f, q, "cpu", child(path, "cpu"), "500m or 0.5", true);
        out[1] = quantity(f, q, "memory", child(path, "memory"), "64Mi or 1Gi", false);
        return out;
    }

    /** A quantity as written: {@code 0.5} and {@code "500m"} alike. */
    private static String quantityText(JsonNode n) {
        if (n.isTextual()) return n.textValue();
        // YAML's .inf and .nan (and 1e400, read as a double) have no decimal value: "Infinity" is refused as a quantity by name
        if ((n.isDouble() || n.isFloat()) && !Double.isFinite(n.doubleValue())) return String.valueOf(n.doubleValue());
        return n.decimalValue().toPlainString();
    }

    private static String quoted(JsonNode n) {
        return "\"" + quantityText(n) + "\"";
    }

    private static Long quantity(Fields f, JsonNode parent, String field, String path, String example, boolean cpu) {
        JsonNode n = get(parent, field);
        if (n == null) return null;
        if (!n.isTextual() && !n.isNumber()) {
            f.invalid(path, n, "must be a quantity such as " + example);
            return null;
        }
        String text = quantityText(n);
        try {
            java.math.BigDecimal exact = Quantities.parse(text);
            if (exact.signum() < 0) {
                f.invalid(path, "\"" + text + "\"", "must be greater than or equal to 0");
                return null;
            }
            return cpu ? Quantities.cpuMillis(text) : Quantities.memoryBytes(text);
        } catch (IllegalArgumentException | ArithmeticException e) {
            f.invalid(path, "\"" + text + "\"", "must be a quantity such as " + example);
            return null;
        }
    }
}
