package io.berth.ops.kubectl;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code berth token create|list|revoke} on the gateway's token file: a created token works and a
 * revoked one stops working without a restart; list never shows a whole token; the CLI without a
 * token gets kubectl's "You must be logged in". The kubeconfig 'berth up' writes gives the CLI its token.
 */
class TokenCommandTest extends InProcessControlPlaneTest {

    /** {@code get pods} with exactly this token (null: none), not the fixture's. */
    Run getPods(String token) {
        List<String> args = new java.util.ArrayList<>(List.of("get", "pods", "--server=" + server));
        if (token != null) args.add("--token=" + token);
        return berth(args.toArray(String[]::new));
    }

    @Test
    void shouldCreateListAndRevokeTokensThatTakeEffectWithoutARestart() throws Exception {
        Run none = getPods("not-a-token");
        assertEquals(1, none.exit);
        assertTrue(none.err.contains("You must be logged in to the server (Unauthorized)"), none.err);

        Run created = berth("token", "create", "--user", "bob", "--groups", "dev,ops", "--data-dir", dataDir.toString());
        assertEquals(0, created.exit, created.err);
        String token = created.out.strip();
        assertTrue(token.length() >= 40, token);
        // bob is authenticated at once, then RBAC refuses him: he has no role yet
        eventually("bob's new token authenticates", () -> getPods(token).err.contains("Error from server (Forbidden): pods is forbidden: "
                + "User \"bob\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\""));

        Run list = berth("token", "list", "--data-dir", dataDir.toString());
        assertEquals(0, list.exit, list.err);
        assertTrue(list.out.matches("(?s)USER\\s+UID\\s+GROUPS\\s+TOKEN\\s+EXPIRES\n.*"), list.out);
        assertTrue(list.out.matches("(?s).*\nbob\\s+bob\\s+dev,ops\\s+" + java.util.regex.Pattern.quote(token.substring(0, 6)) + "….*"), list.out);
        assertFalse(list.out.contains(token), "list never shows a whole token");
        assertFalse(list.out.contains(TOKEN), "list never shows a whole token");

        assertEquals(1, berth("token", "revoke", token.substring(0, 3), "--data-dir", dataDir.toString()).exit, "a prefix under 6 characters is refused");
        Run revoked = berth("token", "revoke", token.substring(0, 6) + "…", "--data-dir", dataDir.toString());
        assertEquals(0, revoked.exit, revoked.err);
        assertEquals("revoked " + token.substring(0, 6) + "… of bob\n", revoked.out);
        eventually("bob's revoked token is refused", () -> getPods(token).err.contains("You must be logged in to the server (Unauthorized)"));
        assertEquals(0, getPods(TOKEN).exit, "the other tokens still work");
        assertFalse(Files.readString(dataDir.resolve("tokens.csv")).contains(token));

        assertEquals(1, berth("token", "create", "--user", "has space", "--data-dir", dataDir.toString()).exit);
    }

    @Test
    void shouldReadTheTokenOfTheKubeconfigBerthUpWrites() throws Exception {
        java.nio.file.Path file = Files.createTempDirectory("kc").resolve("kubeconfig");
        Kubeconfig.write(file, server, "admin", TOKEN);
        String text = Files.readString(file);
        assertTrue(text.contains("current-context: berth") && text.contains("server: " + server) && text.contains("token: " + TOKEN), text);
        assertEquals(TOKEN, Kubeconfig.token(file).orElseThrow());
        assertEquals(TOKEN, Kubeconfig.token(file, server + "/").orElseThrow());
        assertTrue(Kubeconfig.token(file, "http://elsewhere:7070").isEmpty(), "the token is not sent to a server it was not issued for");
        assertTrue(Kubeconfig.token(file.resolveSibling("absent")).isEmpty());
    }
}
