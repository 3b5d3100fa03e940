package io.berth.schemas.limits;

import io.berth.schemas.avro.*;
import io.berth.schemas.service.BerthConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The size limits of every intent, in one pure place: the gateway (422), the CLI (before sending)
 * and state-streams (records produced straight onto {@code berth.intents}) all ask {@link #check}.
 * An intent within these limits can never make a controller allocate more than
 * {@link #maxReplicas()} tasks, and every view built from it fits in one Kafka record
 * (see {@link #MAX_INTENT_BYTES}).
 *
 * <p>Messages use Kubernetes' wording ({@code spec.replicas: Invalid value: 2147483647: must be less
 * than or equal to 10000}, {@code metadata.name: Too long: must have at most 253 bytes},
 * {@code spec.template.spec.containers: Too many: 300: must have at most 32 items}).
 *
 * @param maxReplicas the most replicas one workload may ask for ({@value #MAX_REPLICAS_KEY}, default {@value #DEFAULT_MAX_REPLICAS})
 */
public record Limits(int maxReplicas) {
    public static final String MAX_REPLICAS_KEY = "max-replicas";
    public static final int DEFAULT_MAX_REPLICAS = 10_000;
    /** The ceiling of {@code max-replicas}: beyond it a workload's tasks no longer fit a controller's memory comfortably. */
    public static final int MAX_REPLICAS_CEILING = 1_000_000;
    /**
     * The largest encoded intent (Avro, without the 5-byte wire header). A workload view holds the
     * template once as its spec and once per kept revision, so a view is at most
     * {@code (MAX_REVISION_HISTORY + 2) × MAX_INTENT_BYTES} = 27 × 32 KiB = 864 KiB plus its status:
     * under Kafka's default {@code max.message.bytes} (1 MiB) with room to spare.
     */
    public static final int MAX_INTENT_BYTES = 32 * 1024;
    /** The largest {@code revisionHistoryLimit} (see {@link #MAX_INTENT_BYTES} for why it is bounded). */
    public static final int MAX_REVISION_HISTORY = 25;
    /** Kubernetes' DNS-1123 subdomain length: names of deployments and pods. */
    public static final int MAX_NAME = 253;
    /** Kubernetes' DNS-1123/1035 label length: namespaces, services, containers, ports, volumes. */
    public static final int MAX_LABEL_NAME = 63;
    /** A label value (Kubernetes). */
    public static final int MAX_LABEL_VALUE = 63;
    /** A label or annotation key: a DNS subdomain prefix (253), '/', a name (63) (Kubernetes). */
    public static final int MAX_QUALIFIED_KEY = 253 + 1 + 63;
    /** Labels (or selector terms, or nodeSelector terms) on one object. */
    public static final int MAX_LABELS = 64;
    /** The total size of an object's annotations (Kubernetes: 256 KiB; here bounded further by {@link #MAX_INTENT_BYTES}). */
    public static final int MAX_ANNOTATION_BYTES = 16 * 1024;
    public static final int MAX_CONTAINERS = 32;
    public static final int MAX_PORTS = 64;
    public static final int MAX_VOLUMES = 64;
    public static final int MAX_ENV = 256;
    /** Entries of command, args or an exec probe's command. */
    public static final int MAX_ARGS = 256;
    /** One string of command/args/env value/image/paths. */
    public static final int MAX_STRING = 8 * 1024;
    public static final int MAX_CANARY_STEPS = 32;
    public static final int MAX_SERVICE_PORTS = 100;
    /** Seconds fields (minReadySeconds, progressDeadlineSeconds, updateDelaySeconds, pauses, grace periods): one year. */
    public static final int MAX_SECONDS = 365 * 24 * 3600;

    /** The most failed pods a Job may tolerate: each one stays listed until the job is deleted. */
    public static final int MAX_JOB_BACKOFF_LIMIT = 10_000;

    /** The most finished jobs a CronJob may keep (each is a Job with its pods). */
    public static final int MAX_JOB_HISTORY = 100;
    /** Kubernetes' limit on a CronJob's name, so its jobs' names (name-minutes) stay within 63. */
    public static final int MAX_CRONJOB_NAME = 52;
    /** The longest cron schedule or time zone name. */
    public static final int MAX_SCHEDULE = 256;

    public static final Limits DEFAULT = new Limits(DEFAULT_MAX_REPLICAS);

    public Limits {
        if (maxReplicas < 1 || maxReplicas > MAX_REPLICAS_CEILING) {
            throw new IllegalArgumentException(MAX_REPLICAS_KEY + " must be between 1 and " + MAX_REPLICAS_CEILING + ", got " + maxReplicas);
        }
    }

    /** {@code max-replicas} from the configuration (default {@value #DEFAULT_MAX_REPLICAS}). */
    public static Limits from(BerthConfig config) {
        long n = config.getLong(MAX_REPLICAS_KEY, DEFAULT_MAX_REPLICAS);
        if (n < 1 || n > MAX_REPLICAS_CEILING) {
            throw new IllegalArgumentException(MAX_REPLICAS_KEY + " must be between 1 and " + MAX_REPLICAS_CEILING + ", got " + n);
        }
        return new Limits((int) n);
    }

    /** Environment variable a client ({@code berth apply}, {@code berth scale}) reads its {@code max-replicas} from. */
    public static final String CLIENT_ENV = "BERTH_MAX_REPLICAS";

    /**
     * The limits a client checks before sending: the default, or {@value #CLIENT_ENV} when set (for a
     * cluster run with another {@code max-replicas}; the server checks again with its own).
     */
    public static Limits forClient() {
        String v = System.getenv(CLIENT_ENV);
        if (v == null || v.isBlank()) return DEFAULT;
        try {
            return new Limits(Integer.parseInt(v.trim()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(CLIENT_ENV + " must be a number between 1 and " + MAX_REPLICAS_CEILING + ", got " + v);
        }
    }

    /** The Avro binary size of an intent (what {@link #checkEncodedSize} bounds), counted without keeping the bytes. */
    public static long encodedSize(Intent i) {
        CountingStream counter = new CountingStream();
        try {
            org.apache.avro.io.BinaryEncoder e = org.apache.avro.io.EncoderFactory.get().directBinaryEncoder(counter, null);
            new org.apache.avro.specific.SpecificDatumWriter<>(Intent.class).write(i, e);
            e.flush();
        } catch (java.io.IOException | RuntimeException ex) {
            throw new IllegalArgumentException("cannot encode the intent: " + ex.getMessage(), ex);
        }
        return counter.count;
    }

    private static final class CountingStream extends java.io.OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }

    /** Every limit {@code i} breaks, its encoded size included: what a client or the gateway checks before sending. */
    public List<Violation> checkAll(Intent i) {
        List<Violation> out = new ArrayList<>(check(i));
        if (out.isEmpty()) out.addAll(checkEncodedSize(encodedSize(i)));
        return out;
    }

    /** One limit an intent breaks: the field path and Kubernetes' detail ({@code Invalid value: 5: must be ...}). */
    public record Violation(String field, String detail) {
        /** {@code field: detail}. */
        public String message() {
            return field.isEmpty() ? detail : field + ": " + detail;
        }
    }

    /** The first violation's message, or null: the reason of a refusal that names one field. */
    public static String firstMessage(List<Violation> v) {
        return v.isEmpty() ? null : v.get(0).message();
    }

    /** Every limit {@code i} breaks (empty when within all of them). Never throws, whatever the record holds. */
    public List<Violation> check(Intent i) {
        List<Violation> out = new ArrayList<>();
        Object p = i.getPayload();
        int nameMax = switch (i.getKind()) {
            case DEPLOYMENT, POD, NODE, DAEMONSET -> MAX_NAME;
            case CRONJOB -> MAX_CRONJOB_NAME;  // its jobs add "-" and up to 11 digits
            default -> MAX_LABEL_NAME;
        };
        length(out, "metadata.name", i.getName(), nameMax);
        length(out, "metadata.namespace", i.getNamespace(), MAX_LABEL_NAME);
        length(out, "intentId", i.getIntentId(), MAX_NAME);
        length(out, "actor", i.getActor(), MAX_NAME);
        labels(out, "metadata.labels", i.getLabels());
        annotations(out, "metadata.annotations", i.getAnnotations());
        if (i.getKind() == ResourceKind.JOB && p instanceof DeploymentSpec d) job(out, d, i.getJob());
        else if (i.getKind() == ResourceKind.CRONJOB && p instanceof DeploymentSpec d) cronJob(out, d, i.getCronJob());
        else if (i.getKind() == ResourceKind.STATEFULSET && p instanceof DeploymentSpec d) statefulSet(out, d, i.getStatefulSet());
        else if (p instanceof DeploymentSpec d) deployment(out, d);
        else if (i.getKind() == ResourceKind.HORIZONTALPODAUTOSCALER && i.getAction() == IntentAction.APPLY) hpa(out, i.getHpa());
        else if (p instanceof PodSpec ps && ps.getTemplate() != null) podSpec(out, "spec", ps.getTemplate());
        else if (p instanceof ScaleSpec s) replicas(out, "spec.replicas", s.getReplicas());
        else if (p instanceof ServiceSpec s) service(out, s);
        else if (p instanceof RollbackSpec r && r.getToRevision() < 0) {
            out.add(invalid("rollbackTo.revision", r.getToRevision(), "must be greater than or equal to 0"));
        }
        return out;
    }

    /** The encoded size of an intent against {@link #MAX_INTENT_BYTES}. */
    public List<Violation> checkEncodedSize(long bytes) {
        if (bytes <= MAX_INTENT_BYTES) return List.of();
        return List.of(new Violation("", "Request entity too large: the object is " + bytes + " bytes encoded, limit is "
                + MAX_INTENT_BYTES + " bytes"));
    }

    // ---- kinds ----

    private void deployment(List<Violation> out, DeploymentSpec d) {
        replicas(out, "spec.replicas", d.getReplicas());
        range(out, "spec.revisionHistoryLimit", d.getRevisionHistoryLimit(), 0, MAX_REVISION_HISTORY);
        range(out, "spec.minReadySeconds", d.getMinReadySeconds(), 0, MAX_SECONDS);
        range(out, "spec.progressDeadlineSeconds", d.getProgressDeadlineSeconds(), 0, MAX_SECONDS);
        range(out, "metadata.annotations[berth.io/update-delay]", d.getUpdateDelaySeconds(), 0, MAX_SECONDS);
        labels(out, "spec.selector.matchLabels", d.getSelector());
        if (d.getRollingUpdate() != null) {
            intOrPercent(out, "spec.strategy.rollingUpdate.maxSurge", d.getRollingUpdate().getMaxSurge());
            intOrPercent(out, "spec.strategy.rollingUpdate.maxUnavailable", d.getRollingUpdate().getMaxUnavailable());
        }
        List<CanaryStep> steps = d.getCanarySteps();
        if (count(out, "spec.strategy.canary.steps", steps, MAX_CANARY_STEPS)) {
            for (int n = 0; n < steps.size(); n++) {
                String sp = "spec.strategy.canary.steps[" + n + "]";
                range(out, sp + ".setWeight", steps.get(n).getSetWeight(), 0, 100);
                range(out, sp + ".pause.duration", steps.get(n).getPauseSeconds(), 0, MAX_SECONDS);
            }
        }
        if (d.getTemplate() == null) out.add(new Violation("spec.template", "Required value"));
        else template(out, "spec.template", d.getTemplate());
    }

    /** A Job: its own fields ({@code spec.completions}, …) and its template; the DeploymentSpec it travels in only carries the template. */
    /** A StatefulSet: a Deployment's limits on its template and replicas, a headless service's name, claims named as DNS labels. */
    private void statefulSet(List<Violation> out, DeploymentSpec d, StatefulSetSpec s) {
        if (s == null) {
            out.add(new Violation("spec", "Required value: a StatefulSet intent carries its stateful set fields"));
            return;
        }
        deployment(out, d);
        if (s.getServiceName() == null || s.getServiceName().isEmpty()) out.add(new Violation("spec.serviceName", "Required value"));
        else length(out, "spec.serviceName", s.getServiceName(), MAX_LABEL_NAME);
        if (!"OrderedReady".equals(s.getPodManagementPolicy()) && !"Parallel".equals(s.getPodManagementPolicy())) {
            out.add(invalid("spec.podManagementPolicy", s.getPodManagementPolicy(), "must be 'OrderedReady' or 'Parallel'"));
        }
        if (s.getPartition() < 0) out.add(invalid("spec.updateStrategy.rollingUpdate.partition", s.getPartition(), "must be greater than or equal to 0"));
        for (int k = 0; k < s.getVolumeClaimTemplates().size(); k++) {
            length(out, "spec.volumeClaimTemplates[" + k + "].metadata.name", s.getVolumeClaimTemplates().get(k).getName(), MAX_LABEL_NAME);
        }
    }

    private void job(List<Violation> out, DeploymentSpec d, JobSpec j) {
        if (j == null) {
            out.add(new Violation("spec", "Required value: a Job intent carries its job fields"));
            return;
        }
        if (j.getCompletions() != null) replicas(out, "spec.completions", j.getCompletions());
        replicas(out, "spec.parallelism", j.getParallelism());
        range(out, "spec.backoffLimit", j.getBackoffLimit(), 0, MAX_JOB_BACKOFF_LIMIT);
        if (j.getActiveDeadlineSeconds() != null) range(out, "spec.activeDeadlineSeconds", j.getActiveDeadlineSeconds(), 1, MAX_SECONDS);
        if (j.getTtlSecondsAfterFinished() != null) range(out, "spec.ttlSecondsAfterFinished", j.getTtlSecondsAfterFinished(), 0, MAX_SECONDS);
        labels(out, "spec.selector.matchLabels", d.getSelector());
        if (d.getTemplate() == null) out.add(new Violation("spec.template", "Required value"));
        else template(out, "spec.template", d.getTemplate());
    }

    /** A CronJob: its schedule's size, policies and history limits, and the job it starts ({@code spec.jobTemplate.spec…}). */
    private void cronJob(List<Violation> out, DeploymentSpec d, CronJobSpec c) {
        if (c == null) {
            out.add(new Violation("spec", "Required value: a CronJob intent carries its cron job fields"));
            return;
        }
        length(out, "spec.schedule", c.getSchedule(), MAX_SCHEDULE);
        length(out, "spec.timeZone", c.getTimeZone(), MAX_SCHEDULE);
        if (c.getStartingDeadlineSeconds() != null) range(out, "spec.startingDeadlineSeconds", c.getStartingDeadlineSeconds(), 0, MAX_SECONDS);
        range(out, "spec.successfulJobsHistoryLimit", c.getSuccessfulJobsHistoryLimit(), 0, MAX_JOB_HISTORY);
        range(out, "spec.failedJobsHistoryLimit", c.getFailedJobsHistoryLimit(), 0, MAX_JOB_HISTORY);
        labels(out, "spec.jobTemplate.metadata.labels", c.getJobLabels());
        annotations(out, "spec.jobTemplate.metadata.annotations", c.getJobAnnotations());
        List<Violation> job = new ArrayList<>();
        job(job, d, c.getJob());
        job.forEach(v -> out.add(new Violation(v.field().startsWith("spec") ? "spec.jobTemplate." + v.field() : v.field(), v.detail())));
    }

    /**
     * A HorizontalPodAutoscaler ({@code autoscaling/v2}): its bounds within {@code max-replicas} and Kubernetes'
     * validation of metrics and behavior, so a record that passes is one the controller can compute with.
     */
    private void hpa(List<Violation> out, HpaSpec h) {
        if (h == null) {
            out.add(new Violation("spec", "Required value: a HorizontalPodAutoscaler intent carries its spec"));
            return;
        }
        if (h.getTargetName().isEmpty()) out.add(new Violation("spec.scaleTargetRef.name", "Required value"));
        length(out, "spec.scaleTargetRef.name", h.getTargetName(), MAX_NAME);
        length(out, "spec.scaleTargetRef.kind", h.getTargetKind(), MAX_LABEL_NAME);
        if (h.getMinReplicas() < 1) out.add(invalid("spec.minReplicas", h.getMinReplicas(), "must be greater than or equal to 1"));
        if (h.getMaxReplicas() < 1) out.add(invalid("spec.maxReplicas", h.getMaxReplicas(), "must be greater than or equal to 1"));
        else if (h.getMaxReplicas() > maxReplicas) out.add(invalid("spec.maxReplicas", h.getMaxReplicas(), "must be less than or equal to " + maxReplicas));
        if (h.getMinReplicas() > h.getMaxReplicas() && h.getMaxReplicas() >= 1) {
            out.add(invalid("spec.minReplicas", h.getMinReplicas(), "must be less than or equal to maxReplicas"));
        }
        if (h.getMetrics().isEmpty()) out.add(new Violation("spec.metrics", "Required value: must specify at least one metric"));
        count(out, "spec.metrics", h.getMetrics(), 8);
        for (int n = 0; n < h.getMetrics().size() && n < 8; n++) {
            HpaMetric m = h.getMetrics().get(n);
            String mp = "spec.metrics[" + n + "].resource";
            if (!m.getResource().equals("cpu") && !m.getResource().equals("memory")) {
                out.add(new Violation(mp + ".name", "Unsupported value: \"" + abbreviate(m.getResource()) + "\": supported values: \"cpu\", \"memory\""));
            }
            if ((m.getAverageUtilization() == null) == (m.getAverageValue() == null)) {
                out.add(new Violation(mp + ".target", "Invalid value: must set exactly one of averageUtilization or averageValue"));
            }
            if (m.getAverageUtilization() != null && m.getAverageUtilization() < 1) {
                out.add(invalid(mp + ".target.averageUtilization", m.getAverageUtilization(), "must be greater than 0"));
            }
            if (m.getAverageValue() != null && m.getAverageValue() < 1) {
                out.add(invalid(mp + ".target.averageValue", m.getAverageValue(), "must be positive"));
            }
        }
        hpaRules(out, "spec.behavior.scaleUp", h.getScaleUp());
        hpaRules(out, "spec.behavior.scaleDown", h.getScaleDown());
    }

    private void hpaRules(List<Violation> out, String path, HpaRules r) {
        if (r == null) return;
        if (r.getStabilizationWindowSeconds() != null) range(out, path + ".stabilizationWindowSeconds", r.getStabilizationWindowSeconds(), 0, 3600);
        if (r.getSelectPolicy() != null && !List.of("Max", "Min", "Disabled").contains(r.getSelectPolicy())) {
            out.add(new Violation(path + ".selectPolicy", "Unsupported value: \"" + abbreviate(r.getSelectPolicy()) + "\": supported values: \"Disabled\", \"Max\", \"Min\""));
        }
        if (r.getPolicies() == null) return;
        if (r.getPolicies().isEmpty()) out.add(new Violation(path + ".policies", "Required value: must specify at least one Policy"));
        if (!count(out, path + ".policies", r.getPolicies(), 10)) return;
        for (int n = 0; n < r.getPolicies().size(); n++) {
            HpaPolicy p = r.getPolicies().get(n);
            String pp = path + ".policies[" + n + "]";
            if (!p.getType().equals("Pods") && !p.getType().equals("Percent")) {
                out.add(new Violation(pp + ".type", "Unsupported value: \"" + abbreviate(p.getType()) + "\": supported values: \"Percent\", \"Pods\""));
            }
            if (p.getValue() < 1) out.add(invalid(pp + ".value", p.getValue(), "must be greater than zero"));
            if (p.getPeriodSeconds() < 1) out.add(invalid(pp + ".periodSeconds", p.getPeriodSeconds(), "must be greater than zero"));
            else if (p.getPeriodSeconds() > 1800) out.add(invalid(pp + ".periodSeconds", p.getPeriodSeconds(), "must be less than or equal to 1800"));
        }
    }

    private void template(List<Violation> out, String path, PodTemplate t) {
        labels(out, path + ".metadata.labels", t.getLabels());
        annotations(out, path + ".metadata.annotations", t.getAnnotations());
        podSpec(out, path + ".spec", t);
    }

    /** The pod spec part of a template ({@code sp} is {@code spec} of a Pod, {@code spec.template.spec} of a Deployment). */
    private void podSpec(List<Violation> out, String sp, PodTemplate t) {
        if (!sp.startsWith("spec.template")) {
            labels(out, "metadata.labels", t.getLabels());
            annotations(out, "metadata.annotations", t.getAnnotations());
        }
        containers(out, sp + ".containers", t.getContainers());
        containers(out, sp + ".initContainers", t.getInitContainers());
        labels(out, sp + ".nodeSelector", t.getNodeSelector());
        range(out, sp + ".terminationGracePeriodSeconds", t.getTerminationGracePeriodSeconds(), 0, MAX_SECONDS);
        List<Volume> volumes = t.getVolumes();
        if (count(out, sp + ".volumes", volumes, MAX_VOLUMES)) {
            for (int n = 0; n < volumes.size(); n++) {
                length(out, sp + ".volumes[" + n + "].name", volumes.get(n).getName(), MAX_LABEL_NAME);
                length(out, sp + ".volumes[" + n + "].hostPath.path", volumes.get(n).getHostPath(), MAX_STRING);
            }
        }
    }

    private void containers(List<Violation> out, String path, List<ContainerSpec> cs) {
        if (!count(out, path, cs, MAX_CONTAINERS)) return;
        for (int n = 0; n < cs.size(); n++) {
            ContainerSpec c = cs.get(n);
            String cp = path + "[" + n + "]";
            length(out, cp + ".name", c.getName(), MAX_LABEL_NAME);
            length(out, cp + ".image", c.getImage(), MAX_STRING);
            length(out, cp + ".workingDir", c.getWorkingDir(), MAX_STRING);
            strings(out, cp + ".command", c.getCommand());
            strings(out, cp + ".args", c.getArgs());
            List<EnvVar> env = c.getEnv();
            if (count(out, cp + ".env", env, MAX_ENV)) {
                for (int e = 0; e < env.size(); e++) {
                    length(out, cp + ".env[" + e + "].name", env.get(e).getName(), MAX_STRING);
                    length(out, cp + ".env[" + e + "].value", env.get(e).getValue(), MAX_STRING);
                }
            }
            List<ContainerPort> ports = c.getPorts();
            if (count(out, cp + ".ports", ports, MAX_PORTS)) {
                for (int e = 0; e < ports.size(); e++) {
                    range(out, cp + ".ports[" + e + "].containerPort", ports.get(e).getContainerPort(), 1, 65535);
                    length(out, cp + ".ports[" + e + "].name", ports.get(e).getName(), MAX_LABEL_NAME);
                }
            }
            List<VolumeMount> mounts = c.getVolumeMounts();
            if (count(out, cp + ".volumeMounts", mounts, MAX_VOLUMES)) {
                for (int e = 0; e < mounts.size(); e++) length(out, cp + ".volumeMounts[" + e + "].mountPath", mounts.get(e).getMountPath(), MAX_STRING);
            }
            probe(out, cp + ".readinessProbe", c.getReadinessProbe());
            probe(out, cp + ".livenessProbe", c.getLivenessProbe());
            probe(out, cp + ".startupProbe", c.getStartupProbe());
        }
    }

    private void probe(List<Violation> out, String path, Probe p) {
        if (p == null) return;
        strings(out, path + ".exec.command", p.getCommand());
        length(out, path + ".httpGet.path", p.getPath(), MAX_STRING);
    }

    private void service(List<Violation> out, ServiceSpec s) {
        labels(out, "spec.selector", s.getSelector());
        List<ServicePort> ports = s.getPorts();
        if (count(out, "spec.ports", ports, MAX_SERVICE_PORTS)) {
            for (int n = 0; n < ports.size(); n++) length(out, "spec.ports[" + n + "].name", ports.get(n).getName(), MAX_LABEL_NAME);
        }
        length(out, "spec.clusterIP", s.getClusterIP(), MAX_LABEL_NAME);
        length(out, "spec.type", s.getType(), MAX_LABEL_NAME);
    }

    // ---- single checks ----

    private void replicas(List<Violation> out, String field, int replicas) {
        if (replicas < 0) out.add(invalid(field, replicas, "must be greater than or equal to 0"));
        else if (replicas > maxReplicas) out.add(invalid(field, replicas, "must be less than or equal to " + maxReplicas));
    }

    /**
     * maxSurge/maxUnavailable: a count up to {@link #maxReplicas} or a percentage (maxUnavailable at most
     * 100%, as in Kubernetes; a larger maxSurge percentage is harmless, the controller clamps it).
     */
    private void intOrPercent(List<Violation> out, String field, String v) {
        if (v == null) return;
        if (v.length() > 12) {
            out.add(invalid(field, "\"" + v.substring(0, 12) + "...\"", "must be an integer or percentage (e.g. '5%')"));
            return;
        }
        boolean pct = v.endsWith("%");
        String digits = pct ? v.substring(0, v.length() - 1) : v;
        long n;
        try {
            n = Long.parseLong(digits.trim());
        } catch (NumberFormatException e) {
            out.add(invalid(field, "\"" + v + "\"", "must be an integer or percentage (e.g. '5%')"));
            return;
        }
        if (n < 0) out.add(invalid(field, "\"" + v + "\"", "must be greater than or equal to 0"));
        else if (pct && n > 100 && field.endsWith("maxUnavailable")) out.add(invalid(field, "\"" + v + "\"", "must not be greater than 100%"));
        else if (!pct && n > maxReplicas) out.add(invalid(field, "\"" + v + "\"", "must be less than or equal to " + maxReplicas));
    }

    private static void range(List<Violation> out, String field, long v, long min, long max) {
        if (v < min) out.add(invalid(field, v, "must be greater than or equal to " + min));
        else if (v > max) out.add(invalid(field, v, "must be less than or equal to " + max));
    }

    private static void length(List<Violation> out, String field, String s, int max) {
        if (s != null && utf8Length(s) > max) out.add(new Violation(field, "Too long: must have at most " + max + " bytes"));
    }

    /** A list's length; false when it is too long (its items are then not checked one by one). */
    private static boolean count(List<Violation> out, String field, List<?> items, int max) {
        if (items == null) return false;
        if (items.size() > max) {
            out.add(new Violation(field, "Too many: " + items.size() + ": must have at most " + max + " items"));
            return false;
        }
        return true;
    }

    private static void strings(List<Violation> out, String field, List<String> items) {
        if (!count(out, field, items, MAX_ARGS)) return;
        for (int n = 0; n < items.size(); n++) length(out, field + "[" + n + "]", items.get(n), MAX_STRING);
    }

    private static void labels(List<Violation> out, String field, Map<String, String> labels) {
        if (labels == null) return;
        if (labels.size() > MAX_LABELS) {
            out.add(new Violation(field, "Too many: " + labels.size() + ": must have at most " + MAX_LABELS + " items"));
            return;
        }
        for (Map.Entry<String, String> e : labels.entrySet()) {
            String k = String.valueOf(e.getKey());
            if (!qualifiedKeyFits(k)) {
                out.add(new Violation(field, "Invalid value: \"" + abbreviate(k) + "\": name part must be no more than 63 characters"
                        + " and prefix no more than 253"));
            } else if (e.getValue() != null && utf8Length(e.getValue()) > MAX_LABEL_VALUE) {
                out.add(new Violation(field + "[" + k + "]", "Invalid value: \"" + abbreviate(e.getValue())
                        + "\": must be no more than 63 characters"));
            }
        }
    }

    private static void annotations(List<Violation> out, String field, Map<String, String> annotations) {
        if (annotations == null) return;
        long total = 0;
        for (Map.Entry<String, String> e : annotations.entrySet()) {
            String k = String.valueOf(e.getKey());
            if (!qualifiedKeyFits(k)) {
                out.add(new Violation(field, "Invalid value: \"" + abbreviate(k) + "\": name part must be no more than 63 characters"
                        + " and prefix no more than 253"));
                return;
            }
            total += utf8Length(k) + (e.getValue() == null ? 0 : utf8Length(e.getValue()));
        }
        if (total > MAX_ANNOTATION_BYTES) out.add(new Violation(field, "Too long: must have at most " + MAX_ANNOTATION_BYTES + " bytes"));
    }

    private static boolean qualifiedKeyFits(String k) {
        int slash = k.lastIndexOf('/');
        String name = slash < 0 ? k : k.substring(slash + 1);
        String prefix = slash < 0 ? "" : k.substring(0, slash);
        return utf8Length(name) <= MAX_LABEL_NAME && utf8Length(prefix) <= MAX_NAME;
    }

    private static Violation invalid(String field, Object value, String detail) {
        return new Violation(field, "Invalid value: " + value + ": " + detail);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    /** UTF-8 length without allocating (a 5 MB string is measured, not copied). */
    static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) n++;
            else if (c < 0x800) n += 2;
            else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else n += 3;
        }
        return n;
    }

    /**
     * Overflow-free arithmetic for controllers: {@code ceil(replicas × percent / 100)} or floor, never
     * below 0 nor above {@link Integer#MAX_VALUE} / 4 (so sums of a few such counts cannot overflow).
     * Example: 10 replicas, 25% → 3 rounded up, 2 down; 2147483647 replicas at 2147483647% → 536870911.
     */
    public static int percentOf(int replicas, long percent, boolean roundUp) {
        long p = Math.max(0, Math.min(Integer.MAX_VALUE, percent));
        long r = Math.max(0, replicas);
        return clampCount(roundUp ? (r * p + 99) / 100 : r * p / 100);
    }

    /** A count clamped to 0 .. {@link Integer#MAX_VALUE} / 4. */
    public static int clampCount(long n) {
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE / 4, n));
    }
}
