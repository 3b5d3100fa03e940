package io.berth.ops.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.ops.chaos.FaultPlan.Fault;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The figures and checks of one chaos run, as JSON and as a Markdown table. The run passes when no
 * acknowledged intent is lost, no task ran twice, the cluster converged within {@link #CONVERGE_BOUND_MS}
 * of the last fault, every process is healthy at the end and every injected fault was recovered from.
 */
public record ChaosResult(Map<String, Object> settings, Map<String, Object> machine, List<Fault> plan, List<FaultRecord> faults,
                          long upMs, int acks, Map<String, Integer> ackedByOp, int failedAttempts, List<String> gaveUp,
                          List<String> lost, List<TaskSampler.Duplicate> duplicates, long duplicateSamples, long samples, long failedSamples,
                          long slowestSampleMs, long convergeMs, long convergeAfterLastAckMs, List<String> notConverged, List<String> unhealthy) {
    public static final long CONVERGE_BOUND_MS = 30_000;

    /** One planned fault and what became of it (times in ms since the epoch, 0: never). */
    public static final class FaultRecord {
        final Fault fault;
        volatile boolean injected;
        volatile long pid;
        volatile long injectedAt;
        volatile long healedAt;
        volatile String note = "";

        FaultRecord(Fault fault) {
            this.fault = fault;
        }

        public Fault fault() {
            return fault;
        }

        public boolean injected() {
            return injected;
        }

        /** From the fault until the process served again (restarted and ready, continued; a broker: in sync). */
        public long recoveryMs() {
            return injected && healedAt > 0 ? healedAt - injectedAt : -1;
        }

        public String note() {
            return note;
        }
    }

    public int injected() {
        return (int) faults.stream().filter(FaultRecord::injected).count();
    }

    public long worstRecoveryMs() {
        return faults.stream().mapToLong(FaultRecord::recoveryMs).max().orElse(-1);
    }

    /** Injected faults after which the process did not come back. */
    public List<String> notRecovered() {
        return faults.stream().filter(f -> f.injected() && f.note().contains("did not come back"))
                .map(f -> f.fault().describe() + ": " + f.note()).toList();
    }

    /** Check name → failure ({@code ""}: passed), in report order. */
    public Map<String, String> checks() {
        Map<String, String> c = new java.util.LinkedHashMap<>();
        c.put("0 acknowledged intents lost", lost.isEmpty() ? "" : lost.size() + " lost: " + lost);
        c.put("no task id running twice", duplicates.isEmpty() ? "" : duplicates.size() + " units seen twice: " + duplicates);
        c.put("converged ≤ 30 s after the last fault", convergeMs >= 0 && convergeMs <= CONVERGE_BOUND_MS ? ""
                : convergeMs < 0 ? "not converged: " + notConverged : String.format(Locale.ROOT, "took %.1f s", convergeMs / 1000.0));
        c.put("no process left unhealthy", unhealthy.isEmpty() ? "" : String.join("; ", unhealthy));
        c.put("every injected fault recovered", notRecovered().isEmpty() ? "" : String.join("; ", notRecovered()));
        return c;
    }

    public boolean passed() {
        return checks().values().stream().allMatch(String::isEmpty);
    }

    public ObjectNode json() {
        ObjectMapper m = new ObjectMapper();
        ObjectNode j = m.createObjectNode();
        j.put("passed", passed());
        j.set("settings", m.valueToTree(settings));
        j.set("machine", m.valueToTree(machine));
        ObjectNode s = j.putObject("summary");
        s.put("faultsPlanned", plan.size()).put("faultsInjected", injected()).put("lostIntents", lost.size())
                .put("duplicateTaskIds", duplicates.size()).put("convergeMs", convergeMs).put("convergeAfterLastAckMs", convergeAfterLastAckMs)
                .put("worstRecoveryMs", worstRecoveryMs()).put("acknowledgedIntents", acks).put("failedAttempts", failedAttempts)
                .put("upMs", upMs).put("samples", samples).put("failedSamples", failedSamples).put("slowestSampleMs", slowestSampleMs)
                .put("duplicateSamples", duplicateSamples);
        s.set("acknowledgedByOp", m.valueToTree(ackedByOp));
        ObjectNode checks = j.putObject("checks");
        checks().forEach((k, v) -> checks.put(k, v.isEmpty() ? "passed" : "FAILED: " + v));
        ArrayNode fs = j.putArray("faults");
        for (FaultRecord r : faults) {
            ObjectNode f = fs.addObject();
            f.put("index", r.fault.index()).put("action", r.fault.action().name().toLowerCase(Locale.ROOT)).put("target", r.fault.target())
                    .put("holdMs", r.fault.holdMs()).put("gapMs", r.fault.gapMs()).put("injected", r.injected).put("pid", r.pid)
                    .put("recoveryMs", r.recoveryMs()).put("note", r.note);
        }
        j.set("lost", m.valueToTree(lost));
        j.set("duplicates", m.valueToTree(duplicates));
        j.set("gaveUp", m.valueToTree(gaveUp));
        j.set("notConverged", m.valueToTree(notConverged));
        j.set("unhealthy", m.valueToTree(unhealthy));
        return j;
    }

    public String markdown() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Chaos run, seed %s, %s on %s (%s cores, load %s at the start, %s at the end)%n%n",
                settings.get("seed"), machine.get("date"), machine.get("host"), machine.get("cores"), machine.get("loadStart"), machine.get("loadEnd")));
        b.append("| check | result |\n|---|---|\n");
        checks().forEach((k, v) -> b.append("| ").append(k).append(" | ").append(v.isEmpty() ? "passed" : "**FAILED**: " + v.replace("|", "\\|")).append(" |\n"));
        b.append("\n| figure | value |\n|---|---|\n");
        row(b, "faults injected (planned)", injected() + " (" + plan.size() + ")");
        row(b, "acknowledged intents (by kind)", acks + " " + new TreeMap<>(ackedByOp));
        row(b, "lost acknowledged intents", String.valueOf(lost.size()));
        row(b, "task ids seen running twice", duplicates.size() + " (" + samples + " samples of docker ps, slowest " + slowestSampleMs + " ms)");
        row(b, "convergence after the last fault", convergeMs < 0 ? "not converged" : secs(convergeMs) + " (" + secs(convergeAfterLastAckMs) + " after the last acknowledged intent)");
        row(b, "worst recovery of one fault (back and serving)", secs(worstRecoveryMs()));
        row(b, "requests not answered 2xx (sent again)", String.valueOf(failedAttempts));
        row(b, "intents given up (never acknowledged)", String.valueOf(gaveUp.size()));
        row(b, "`berth up --ha` ready in", secs(upMs));
        b.append("\n| # | fault | target | held | recovery | note |\n|---|---|---|---|---|---|\n");
        for (FaultRecord r : faults) {
            b.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s |%n", r.fault.index(), r.fault.action().name().toLowerCase(Locale.ROOT),
                    r.fault.target(), secs(r.fault.holdMs()), r.injected ? secs(r.recoveryMs()) : "-", r.note.replace("|", "\\|").replace('\n', ' ')));
        }
        return b.toString();
    }

    /** Writes {@code <name>.json} and {@code <name>.md} into {@code dir}; returns the JSON file. */
    public Path write(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        Path json = dir.resolve(name + ".json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), json());
        Files.writeString(dir.resolve(name + ".md"), markdown());
        return json;
    }

    private static void row(StringBuilder b, String k, String v) {
        b.append("| ").append(k).append(" | ").append(v).append(" |\n");
    }

    private static String secs(long ms) {
        return ms < 0 ? "-" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    /** The machine and the moment, for the report. */
    static Map<String, Object> machineNow() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("date", Instant.now().toString());
        m.put("host", hostName());
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("memoryGb", Math.round(((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize() / 1e9));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("java", System.getProperty("java.version"));
        m.put("loadStart", load());
        return m;
    }

    static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "?";
        }
    }

    /** Collects the figures while the run goes; {@link #build} adds the end load. */
    static final class Builder {
        final Options o;
        final Map<String, Object> machine;
        List<Fault> plan = List.of();
        List<FaultRecord> faults = List.of();
        long upMs, lastHealAt, lastAckAt, convergedAt, samples, failedSamples, slowestSampleMs, duplicateSamples;
        int acks, failedAttempts;
        final Map<String, Integer> ackedByOp = new TreeMap<>();
        final List<String> gaveUp = new ArrayList<>();
        List<String> lost = List.of(), notConverged = List.of(), unhealthy = List.of();
        List<TaskSampler.Duplicate> duplicates = List.of();

        Builder(ChaosRun.Options o, Map<String, Object> machine) {
            this.o = new Options(o);
            this.machine = machine;
        }

        ChaosResult build() {
            machine.put("loadEnd", load());
            long converge = convergedAt > 0 ? Math.max(0, convergedAt - lastHealAt) : -1;
            long afterAck = convergedAt > 0 ? Math.max(0, convergedAt - lastAckAt) : -1;
            return new ChaosResult(o.settings, machine, plan, faults, upMs, acks, ackedByOp, failedAttempts, List.copyOf(gaveUp), lost, duplicates,
                    duplicateSamples, samples, failedSamples, slowestSampleMs, converge, afterAck, notConverged, unhealthy);
        }
    }

    /** The run's settings, as reported. */
    record Options(Map<String, Object> settings) {
        Options(ChaosRun.Options o) {
            this(settingsOf(o));
        }

        private static Map<String, Object> settingsOf(ChaosRun.Options o) {
            Map<String, Object> s = new java.util.LinkedHashMap<>();
            s.put("seed", o.seed());
            s.put("faults", o.faults());
            s.put("durationS", o.durationMs() / 1000);
            s.put("nodes", o.nodes());
            s.put("runtime", "docker");
            s.put("clients", o.clients());
            s.put("workloadsPerClient", o.workloadsPerClient());
            s.put("actions", o.actions().stream().map(a -> a.name().toLowerCase(Locale.ROOT)).sorted().toList());
            s.put("maxImpaired", o.maxImpaired());
            s.put("basePort", o.basePort());
            return s;
        }
    }
}
