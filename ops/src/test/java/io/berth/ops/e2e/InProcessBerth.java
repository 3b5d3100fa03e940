package io.berth.ops.e2e;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The berth CLI run in-process (its real picocli wiring) against a gateway, with the token of the
 * kubeconfig {@code berth up} wrote: {@code {exit, stdout, stderr}} as strings.
 */
record InProcessBerth(String server, Path kubeconfig) {
    String[] run(String... args) throws IOException {
        String token = Files.readAllLines(kubeconfig).stream().map(String::strip).filter(l -> l.startsWith("token:"))
                .findFirst().orElseThrow().substring("token:".length()).strip();
        StringWriter out = new StringWriter(), err = new StringWriter();
        picocli.CommandLine cl = io.berth.ops.Berth.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--server=" + server);
        all.add("--token=" + token);
        int exit = cl.execute(all.toArray(String[]::new));
        return new String[]{Integer.toString(exit), out.toString(), err.toString()};
    }

    /** Stdout of a command that must exit 0. */
    String ok(String... args) throws IOException {
        String[] r = run(args);
        if (!r[0].equals("0")) fail("berth " + String.join(" ", args) + " exited " + r[0] + ":\n" + r[1] + r[2]);
        return r[1];
    }
}
