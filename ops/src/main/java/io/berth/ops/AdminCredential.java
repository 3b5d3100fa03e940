package io.berth.ops;

import io.berth.ops.kubectl.Kubeconfig;
import io.berth.schemas.auth.TokenFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The admin credential {@code berth up} makes on its first start: a token for user {@code admin} in
 * group {@code system:masters} in {@code <data-dir>/tokens.csv}, kept across restarts, and the
 * {@code <data-dir>/kubeconfig} that carries it to the CLI and to other Kubernetes clients.
 */
public final class AdminCredential {
    public static final String USER = "admin";
    public static final String GROUP = "system:masters";

    private AdminCredential() {}

    public static Path tokenFile(Path dataDir) {
        return dataDir.resolve(TokenFile.FILE_NAME);
    }

    public static Path kubeconfig(Path dataDir) {
        return dataDir.resolve(Kubeconfig.FILE_NAME);
    }

    /** The admin's token in {@code tokenFile}, made (and written) when there is none. */
    public static String ensure(Path tokenFile) throws IOException {
        List<TokenFile.Entry> entries = TokenFile.read(tokenFile);
        Optional<TokenFile.Entry> admin = entries.stream().filter(e -> e.user().equals(USER) && e.groups().contains(GROUP)).findFirst();
        if (admin.isPresent()) return admin.get().token();
        String token = TokenFile.newToken();
        List<TokenFile.Entry> next = new ArrayList<>(entries);
        next.add(new TokenFile.Entry(token, USER, "0", List.of(GROUP)));
        TokenFile.write(tokenFile, next);
        return token;
    }
}
