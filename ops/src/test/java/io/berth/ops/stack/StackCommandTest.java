package io.berth.ops.stack;

import io.berth.ops.Berth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** {@code berth stack …} through the real command tree, without a cluster: help, --dry-run, refusal before anything is sent. */
class StackCommandTest {
    @TempDir
    Path dir;

    String[] run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        picocli.CommandLine cl = Berth.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new String[]{Integer.toString(exit), out.toString(), err.toString()};
    }

    @Test
    void shouldListTheStackSubcommandsInItsHelp() {
        String[] r = run("stack", "--help");
        assertEquals("0", r[0]);
        for (String sub : new String[]{"deploy", "ls", "ps", "services", "rm"}) assertTrue(r[1].contains("  " + sub), r[1]);
        assertEquals("0", run("stack", "deploy", "--help")[0]);
    }

    @Test
    void shouldPrintTheManifestsWithDryRunAndSendNothing() throws Exception {
        Path f = dir.resolve("docker-compose.yml");
        Files.writeString(f, "services:\n  web: {image: nginx, ports: [\"30080:80\"], cap_add: [ALL]}\n");
        String[] r = run("stack", "deploy", "-c", f.toString(), "shop", "--dry-run", "--server", "http://127.0.0.1:1");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("kind: Service") && r[1].contains("nodePort: 30080") && r[1].contains("name: shop-web"), r[1]);
        assertEquals("warning: service \"web\": key \"cap_add\" is not supported and was ignored\n", r[2]);
    }

    @Test
    void shouldRefuseAnInvalidFileBeforeContactingTheGateway() throws Exception {
        Path f = dir.resolve("docker-compose.yml");
        Files.writeString(f, "services:\n  web: {image: nginx, deploy: {mode: something-else}}\n");
        String[] r = run("stack", "deploy", "-c", f.toString(), "shop", "--server", "http://127.0.0.1:1");
        assertEquals("1", r[0]);
        assertEquals("error: service \"web\": key \"deploy.mode\": \"something-else\" is not supported (replicated or global)\n"
                + "error: nothing was applied\n", r[2]);
    }
}
