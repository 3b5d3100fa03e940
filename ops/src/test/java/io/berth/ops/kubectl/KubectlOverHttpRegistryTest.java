package io.berth.ops.kubectl;

import io.berth.registry.server.RegistryServer;
import io.berth.schemas.service.BerthConfig;
import io.berth.testing.TestKafka;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The real wiring: no injected registry, {@code --registry-url} pointing at Berth's HTTP registry. */
class KubectlOverHttpRegistryTest {

    @Test
    void shouldApplyThroughTheHttpRegistryAndReadTheIntentBack() throws Exception {
        try (TestKafka kafka = TestKafka.start().withBerthTopics()) {
            RegistryServer registry = new RegistryServer(BerthConfig.of(kafka.bootstrapServers(), null, Path.of("target")), "localhost", 0);
            registry.start();
            try {
                String[] conn = {"--bootstrap-servers=" + kafka.bootstrapServers(), "--registry-url=" + registry.url()};
                ApplyCommand apply = new ApplyCommand().withStdin(new ByteArrayInputStream(
                        KubectlCommandsTest.NGINX.getBytes(StandardCharsets.UTF_8)));
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                CommandLine cl = new CommandLine(apply);
                cl.setOut(new PrintWriter(out));
                cl.setErr(new PrintWriter(err));
                int exit = cl.execute("-f", "-", conn[0], conn[1]);
                assertEquals(0, exit, err.toString());
                assertEquals("deployment.apps/nginx-deployment created\n", out.toString());

                StringWriter getErr = new StringWriter();
                CommandLine get = new CommandLine(new GetCommand());
                get.setOut(new PrintWriter(new StringWriter()));
                get.setErr(new PrintWriter(getErr));
                assertEquals(0, get.execute("pods", conn[0], conn[1]), getErr.toString());
                assertEquals("No resources found in default namespace.\n", getErr.toString());
            } finally {
                registry.close();
            }
        }
    }
}
