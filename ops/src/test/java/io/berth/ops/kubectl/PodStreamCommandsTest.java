package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The pure parts of {@code berth port-forward} and {@code berth exec}: port pairs, and the end status → exit code. */
class PodStreamCommandsTest {
    @Test
    void shouldReadPortPairsAsKubectlDoes() {
        assertEquals(new PortForwardCommand.Mapping(8080, 80), PortForwardCommand.Mapping.parse("8080:80"));
        assertEquals(new PortForwardCommand.Mapping(80, 80), PortForwardCommand.Mapping.parse("80"));
        assertEquals(new PortForwardCommand.Mapping(0, 80), PortForwardCommand.Mapping.parse(":80"));
        assertEquals("invalid port 'http' in '8080:http'", assertThrows(IllegalArgumentException.class, () -> PortForwardCommand.Mapping.parse("8080:http")).getMessage());
        assertEquals("port 70000 in '70000' must be between 1 and 65535", assertThrows(IllegalArgumentException.class, () -> PortForwardCommand.Mapping.parse("70000")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> PortForwardCommand.Mapping.parse("1:2:3"));
        assertThrows(IllegalArgumentException.class, () -> PortForwardCommand.Mapping.parse("8080:0"));
        assertEquals("web", PortForwardCommand.podName("pod/web"));
    }

    @Test
    void shouldExitWithTheCommandsCode() throws Exception {
        ExecCommand exec = new ExecCommand();
        new picocli.CommandLine(exec).setErr(new java.io.PrintWriter(new java.io.StringWriter()));
        ObjectMapper json = new ObjectMapper();
        assertEquals(0, exec.exitCode(json.readTree("{\"metadata\":{},\"status\":\"Success\"}")));
        assertEquals(3, exec.exitCode(json.readTree("{\"status\":\"Failure\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"3\"}]}}")));
        assertEquals(1, exec.exitCode(json.readTree("{\"status\":\"Failure\",\"message\":\"container app is not valid for pod web\"}")));
        assertEquals(0, exec.exitCode(null));
    }
}
