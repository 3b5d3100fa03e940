package io.berth.ops.external;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The two external producers, run as subprocesses: ops/src/test/node/produce-intent.js (kafkajs,
 * installed from its package-lock by {@code npm ci} when missing) and
 * src/test/resources/external/produce_intent.py (Debian's python3-confluent-kafka). Each prints one
 * JSON object per line; a client that fails, or outlives its deadline (then it is killed), fails the
 * test with everything it printed.
 */
final class ExternalClients {
    static final Path NODE_DIR = Path.of("src/test/node").toAbsolutePath();
    static final Path PYTHON_SCRIPT = Path.of("src/test/resources/external/produce_intent.py").toAbsolutePath();
    static final String PYTHON = "/usr/bin/python3";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ExternalClients() {}

    /** Fails (never skips) without node and npm; installs the locked packages when they are missing. */
    static synchronized void requireNode() throws Exception {
        Output v = run(List.of("node", "--version"), NODE_DIR, 30, true);
        if (v.exit != 0) fail("node is missing (" + v.all() + "). Install Debian's nodejs and npm (apt-get install -y nodejs npm).");
        if (Files.isDirectory(NODE_DIR.resolve("node_modules/kafkajs")) && Files.isDirectory(NODE_DIR.resolve("node_modules/@kafkajs/confluent-schema-registry"))) {
            return;
        }
        Output ci = run(List.of("npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"), NODE_DIR, 300, true);
        if (ci.exit != 0) fail("npm ci in " + NODE_DIR + " failed:\n" + ci.all());
    }

    /** Fails (never skips) without Confluent's Python client: ops/test installs it. */
    static void requirePython() throws Exception {
        if (!Files.isExecutable(Path.of(PYTHON))) fail(PYTHON + " is missing; install python3 python3-confluent-kafka python3-avro");
        Output o = run(List.of(PYTHON, "-c", "import confluent_kafka.avro, avro"), NODE_DIR, 60, true);
        if (o.exit != 0) {
            fail("Confluent's Python client is not importable by " + PYTHON + " (" + o.all().trim()
                    + "). apt-get install -y python3-confluent-kafka python3-avro python3-requests");
        }
    }

    static List<JsonNode> kafkajs(String bootstrap, String registryUrl, Path example, String clientId, int copies,
                                  String name, String intentId) throws Exception {
        return events(run(List.of("node", NODE_DIR.resolve("produce-intent.js").toString(), bootstrap, registryUrl,
                example.toString(), clientId, Integer.toString(copies), name, intentId), NODE_DIR, 120, false));
    }

    static List<JsonNode> python(String bootstrap, String registryUrl, Path example, String clientId, int copies,
                                 String name, String intentId) throws Exception {
        return events(run(List.of(PYTHON, PYTHON_SCRIPT.toString(), bootstrap, registryUrl, example.toString(), clientId,
                Integer.toString(copies), name, intentId), NODE_DIR, 120, false));
    }

    private static List<JsonNode> events(Output o) throws IOException {
        if (o.exit != 0) fail("client exited with " + o.exit + ":\n" + o.all());
        List<JsonNode> events = new ArrayList<>();
        for (String line : o.stdout.split("\n")) {
            if (line.startsWith("{")) events.add(JSON.readTree(line));
        }
        if (events.isEmpty()) fail("client printed nothing:\n" + o.all());
        return events;
    }

    record Output(int exit, String stdout, String stderr) {
        String all() {
            return "stdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }

    /** Runs a command to its end or kills it at the deadline; {@code tolerant} returns exit 127 when it cannot start. */
    static Output run(List<String> command, Path dir, int timeoutSeconds, boolean tolerant) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).start();
        } catch (IOException e) {
            if (tolerant) return new Output(127, "", e.toString());
            throw e;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        Thread outReader = drain(p.getInputStream(), out), errReader = drain(p.getErrorStream(), err);
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                outReader.join(2000);
                errReader.join(2000);
                fail(command + " did not finish within " + timeoutSeconds + " s; killed. stdout:\n" + out + "\nstderr:\n" + err);
            }
        } finally {
            if (p.isAlive()) p.destroyForcibly();
        }
        outReader.join(5000);
        errReader.join(5000);
        return new Output(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Thread drain(InputStream in, ByteArrayOutputStream to) {
        Thread t = new Thread(() -> {
            try (in) {
                in.transferTo(to);
            } catch (IOException ignored) {
                // the process ended
            }
        }, "client-output");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
