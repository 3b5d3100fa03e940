package io.berth.ops.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;

/**
 * {@code berth dashboard [--open]}: a login link to the web dashboard, as Jupyter prints one. The gateway issues
 * (to the caller, with the caller's rights) a login token good once within 5 minutes; it travels in the URL's
 * fragment ({@code /ui/#token=…}), which browsers never send to a server, and the page exchanges it for a session
 * kept in memory only.
 */
@Command(name = "dashboard", mixinStandardHelpOptions = true,
        description = "Print a login link to the web dashboard (good once, for 5 minutes); --open opens it in the browser.")
public final class DashboardCommand extends KubectlCommand {

    @Option(names = "--open", description = "open the link with the desktop's browser ($BROWSER, else xdg-open)")
    boolean open;

    public DashboardCommand() {}

    @Override
    public Integer call() {
        Gateway gw = gateway();
        JsonNode login;
        try {
            login = gw.call("POST", "/ui/api/login", "{}", "application/json").body();
        } catch (Gateway.ApiException e) {
            return fail(e);
        }
        String url = link(gw.server(), login.path("token").asText());
        out().println("Dashboard of " + gw.server() + " for user " + login.path("user").asText() + ":");
        out().println();
        out().println("    " + url);
        out().println();
        out().println("The link signs in once, until " + login.path("expiresAt").asText() + " (5 minutes); run 'berth dashboard' again for another.");
        out().flush();
        if (open) {
            String browser = System.getenv("BROWSER");
            List<String> command = List.of(browser != null && !browser.isBlank() ? browser : "xdg-open", url);
            try {
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            } catch (java.io.IOException e) {
                return fail("could not open a browser (" + command.get(0) + ": " + e.getMessage() + "); open the link above yourself");
            }
        }
        return 0;
    }

    /** The page's address with the login token in the fragment, never in the path or query (servers log those). */
    static String link(String server, String token) {
        return server.replaceAll("/+$", "") + "/ui/#token=" + token;
    }
}
