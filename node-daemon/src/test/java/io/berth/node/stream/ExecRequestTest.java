package io.berth.node.stream;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ExecRequestTest {
    @Test
    void shouldReadKubectlsQuery() {
        ExecRequest r = ExecRequest.parse(Map.of("command", List.of("sh", "-c", "exit 3"), "stdin", List.of("true"), "stdout", List.of("true"),
                "stderr", List.of("true"), "container", List.of("app")));
        assertEquals(new ExecRequest(List.of("sh", "-c", "exit 3"), "app", true, true, true, false), r);
        // a terminal merges stderr into stdout
        assertEquals(new ExecRequest(List.of("sh"), "", true, true, false, true),
                ExecRequest.parse(Map.of("command", List.of("sh"), "stdin", List.of("1"), "stdout", List.of("true"), "stderr", List.of("true"), "tty", List.of("true"))));
    }

    @Test
    void shouldRefuseWithTheApisWords() {
        assertEquals("you must specify at least one command for the container",
                assertThrows(IllegalArgumentException.class, () -> ExecRequest.parse(Map.of("stdout", List.of("true")))).getMessage());
        assertEquals("you must specify at least 1 of stdin, stdout, stderr",
                assertThrows(IllegalArgumentException.class, () -> ExecRequest.parse(Map.of("command", List.of("ls")))).getMessage());
        assertEquals("tty: Invalid value: \"yes\": must be true or false",
                assertThrows(IllegalArgumentException.class, () -> ExecRequest.parse(Map.of("command", List.of("ls"), "stdout", List.of("true"), "tty", List.of("yes")))).getMessage());
    }

    @Test
    void shouldWriteTheStatusKubectlTurnsIntoItsExitCode() {
        assertEquals(new JsonObject("{\"metadata\":{},\"status\":\"Success\"}"), ExitStatus.of(List.of("true"), 0));
        JsonObject s = ExitStatus.of(List.of("sh", "-c", "exit 3"), 3);
        assertEquals("Failure", s.getString("status"));
        assertEquals("NonZeroExitCode", s.getString("reason"));
        assertEquals("command terminated with non-zero exit code: error executing command [sh, -c, exit 3], exit code 3", s.getString("message"));
        assertEquals(new JsonObject().put("reason", "ExitCode").put("message", "3"), s.getJsonObject("details").getJsonArray("causes").getJsonObject(0));
    }

    @Test
    void shouldCheckTheForwardedPort() {
        assertEquals(8080, StreamServerVerticle.port(Map.of("port", List.of("8080"))));
        assertEquals("port: Invalid value: \"0\": must be between 1 and 65535, inclusive",
                assertThrows(IllegalArgumentException.class, () -> StreamServerVerticle.port(Map.of("port", List.of("0")))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> StreamServerVerticle.port(Map.of()));
    }
}
