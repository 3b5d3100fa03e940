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
            if (help.contains("\nCommands:")) continue; // a group (auth): its subcommands take the connection options
            assertTrue(help.contains("--server"), help);
            assertTrue(!help.contains("--bootstrap-servers") && !help.contains("--registry-url"), "one way in, the API: " + help);
        }
    }

    /**
     * A token is 43 base64url characters and may begin with '-' (1 in 32 of them did before tokens were drawn without
     * one): {@code --token=-lbG…} and {@code --token -lbG…} must reach the option, not be read as the {@code -l} flag.
     * (CI once failed when the admin token it drew began with "-l".)
     */
    @Test
    void shouldTakeAnOptionValueThatBeginsWithADash() {
        for (String[] args : new String[][]{
                {"get", "pods", "--server=http://127.0.0.1:1", "--token=-lbGitu3aFnGNKKE-1MyN4XINL1Q7Ht_VZhlVTB6Bj4"},
                {"get", "pods", "--server=http://127.0.0.1:1", "--token", "-lbGitu3aFnGNKKE-1MyN4XINL1Q7Ht_VZhlVTB6Bj4"}}) {
            CommandLine cl = io.berth.ops.Berth.commandLine();
            CommandLine.ParseResult r = cl.parseArgs(args);
            CommandLine.ParseResult get = r.subcommand();
            assertEquals("-lbGitu3aFnGNKKE-1MyN4XINL1Q7Ht_VZhlVTB6Bj4", get.matchedOptionValue("--token", null), String.join(" ", args));
        }
    }

    @Test
    void shouldDrawTokensThatNeverBeginWithADashOrUnderscore() {
        for (int i = 0; i < 5_000; i++) {
            String t = io.berth.schemas.auth.TokenFile.newToken();
            assertEquals(43, t.length(), t);
            assertTrue(Character.isLetterOrDigit(t.charAt(0)), t);
        }
    }

    /** {@code berth X --help} answers usage for every command at every depth (kubectl's do; {@code berth node --help} once did not). */
    @Test
    void shouldAnswerHelpOnEveryCommandOfTheRealWiring() {
        java.util.List<java.util.List<String>> paths = new java.util.ArrayList<>();
        collect(io.berth.ops.Berth.commandLine(), new java.util.ArrayList<>(), paths);
        assertTrue(paths.size() > 40, "the tree: " + paths);
        for (java.util.List<String> path : paths) {
            if (path.isEmpty() || path.get(path.size() - 1).equals("help")) continue;
            CommandLine cl = io.berth.ops.Berth.commandLine();
            StringWriter out = new StringWriter();
            cl.setOut(new PrintWriter(out));
            cl.setErr(new PrintWriter(out));
            java.util.List<String> args = new java.util.ArrayList<>(path);
            args.add("--help");
            assertEquals(0, cl.execute(args.toArray(String[]::new)), "berth " + String.join(" ", args) + ": " + out);
            assertTrue(out.toString().startsWith("Usage: berth " + String.join(" ", path)), "berth " + String.join(" ", args) + ": " + out);
        }
        assertTrue(paths.contains(java.util.List.of("wait")) && paths.contains(java.util.List.of("auth", "can-i")), paths.toString());
    }

    private static void collect(CommandLine cl, java.util.List<String> path, java.util.List<java.util.List<String>> out) {
        out.add(path);
        cl.getSubcommands().forEach((name, sub) -> {
            if (!sub.getCommandName().equals(name)) return; // an alias
            java.util.List<String> p = new java.util.ArrayList<>(path);
            p.add(name);
            collect(sub, p, out);
        });
    }

    @Test
    void shouldFailWithoutAskingTheServerWhenTheInputIsWrong() {
        assertTrue(run(1, "apply", "-f", "/no/such/file.yaml", "--server=http://127.0.0.1:1")
                .contains("error: the path \"/no/such/file.yaml\" does not exist"));
        assertTrue(run(1, "get", "widgets", "--server=http://127.0.0.1:1")
                .contains("error: the server doesn't have a resource type \"widgets\""));
        assertTrue(run(1, "delete", "pod", "--server=http://127.0.0.1:1")
                .contains("error: resource(s) were provided, but no name was specified"));
        assertTrue(run(2, "apply").contains("Missing required option: '--filename"));
        // the issue-3 direct path to Kafka is gone: its options are refused, not silently used
        assertTrue(run(2, "get", "pods", "--bootstrap-servers=localhost:9092").contains("Unknown option: '--bootstrap-servers"));
    }
}
