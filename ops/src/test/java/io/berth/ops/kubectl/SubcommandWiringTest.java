package io.berth.ops.kubectl;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The subcommands as the top-level {@code berth} command will hold them (the lead's wiring, rehearsed). */
class SubcommandWiringTest {

    @Command(name = "berth")
    static final class Top implements Runnable {
        public void run() {}
    }

    private static String run(int expectedExit, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Top());
        KubectlCommands.ALL.forEach(c -> cl.addSubcommand(c));
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        assertEquals(expectedExit, cl.execute(args), err::toString);
        return out + err.toString();
    }

    @Test
    void shouldRegisterEverySubcommandWithHelpAndConnectionOptions() {
        for (Class<?> c : KubectlCommands.ALL) {
            String name = c.getAnnotation(Command.class).name();
            String help = run(0, name, "--help");
            assertTrue(help.contains("--server"), help);
            assertTrue(!help.contains("--bootstrap-servers"), "the direct Kafka options are hidden: " + help);
        }
    }

    @Test
    void shouldFailWithoutTouchingKafkaWhenTheInputIsWrong() {
        assertTrue(run(1, "apply", "-f", "/no/such/file.yaml", "--bootstrap-servers=localhost:1")
                .contains("error: the path \"/no/such/file.yaml\" does not exist"));
        assertTrue(run(1, "get", "widgets", "--bootstrap-servers=localhost:1")
                .contains("error: the server doesn't have a resource type \"widgets\""));
        assertTrue(run(1, "delete", "pod", "--bootstrap-servers=localhost:1")
                .contains("error: resource(s) were provided, but no name was specified"));
        assertTrue(run(2, "apply").contains("Missing required option: '--filename"));
    }
}
