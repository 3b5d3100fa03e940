package io.berth.ops;

import io.berth.schemas.auth.TokenFile;
import io.berth.schemas.auth.User;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code berth token create|list|revoke}: manages the bearer tokens of {@code <data-dir>/tokens.csv}
 * (kube-apiserver's {@code --token-auth-file} format), which the gateway and the registry re-read
 * when it changes: a new token works, a revoked one stops working, without a restart.
 */
@Command(name = "token", description = "Manage the bearer tokens of the gateway and the registry (<data-dir>/tokens.csv).",
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
public final class TokenCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** Where the tokens are: {@code --token-file}, else {@code <data-dir>/tokens.csv}. */
    static final class Where {
        @Mixin Berth.DataDir dataDir;
        @Option(names = "--token-file", paramLabel = "FILE", description = "The token file (default: <data-dir>/tokens.csv).") Path tokenFile;

        Path file() {
            return tokenFile != null ? tokenFile.toAbsolutePath() : AdminCredential.tokenFile(dataDir.get());
        }
    }

    @Command(name = "create", description = "Create a token for a user (--user), or a node join token (--node); prints the token (the only time it is shown whole).")
    static final class Create implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Mixin Where where;
        @Option(names = "--user", description = "The user name (the audit's actor).") String user;
        @Option(names = "--groups", split = ",", paramLabel = "G1,G2", description = "Groups, e.g. system:masters.") List<String> groups = new ArrayList<>();
        @Option(names = "--uid", description = "The user's uid (default: the user name).") String uid;
        @Option(names = "--node", description = "A node join token (as kubeadm's bootstrap tokens): user system:bootstrap:<id>, group "
                + User.BOOTSTRAPPERS + "; good only to join a node (berth node start --token), until it expires.") boolean node;
        @Option(names = "--ttl", paramLabel = "DURATION", description = "How long the token works, e.g. 24h, 30m, 7d; 0 never expires "
                + "(default: 24h for --node, never for a user).") String ttl;

        @Override
        public Integer call() throws Exception {
            var err = spec.commandLine().getErr();
            if (node == (user != null)) {
                err.println("error: give --user NAME (a user's token) or --node (a node join token), one of them");
                return 1;
            }
            java.time.Instant expires;
            try {
                Duration d = ttl == null ? (node ? Duration.ofHours(24) : Duration.ZERO) : parseTtl(ttl);
                expires = d.isZero() ? null : java.time.Instant.now().plus(d).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            } catch (IllegalArgumentException e) {
                err.println("error: --ttl: " + e.getMessage());
                return 1;
            }
            if (node) {
                if (!groups.isEmpty() || uid != null) {
                    err.println("error: --groups and --uid are not for --node: a join token's group is " + User.BOOTSTRAPPERS);
                    return 1;
                }
                String token = TokenFile.newToken();
                Path file = where.file();
                List<TokenFile.Entry> entries = new ArrayList<>(TokenFile.read(file));
                // the user names the token (its first 6 characters, as kubeadm's token id), never the node: any node may join with it
                entries.add(new TokenFile.Entry(token, "system:bootstrap:" + token.substring(0, 6), "", List.of(User.BOOTSTRAPPERS), expires));
                TokenFile.write(file, entries);
                spec.commandLine().getOut().println(token);
                spec.commandLine().getOut().flush();
                err.println("node join token, " + (expires == null ? "never expires" : "expires " + expires)
                        + "; on the new machine: berth node start --name NAME --token " + token.substring(0, 6) + "… --gateway http://<control-plane>:7070");
                return 0;
            }
            if (user.isBlank() || user.contains(",") || user.contains("\"") || user.chars().anyMatch(Character::isWhitespace)) {
                spec.commandLine().getErr().println("error: --user: \"" + user + "\" must be non-empty, without spaces, commas or quotes");
                return 1;
            }
            for (String g : groups) {
                if (g.isBlank() || g.contains("\"") || g.chars().anyMatch(Character::isWhitespace)) {
                    spec.commandLine().getErr().println("error: --groups: \"" + g + "\" must be non-empty, without spaces or quotes");
                    return 1;
                }
            }
            Path file = where.file();
            List<TokenFile.Entry> entries = new ArrayList<>(TokenFile.read(file));
            String token = TokenFile.newToken();
            entries.add(new TokenFile.Entry(token, user, uid == null ? user : uid, groups, expires));
            TokenFile.write(file, entries);
            spec.commandLine().getOut().println(token);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    /** {@code 24h}, {@code 30m}, {@code 90s}, {@code 7d}, or {@code 0}: never. */
    static Duration parseTtl(String s) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)([smhd]?)").matcher(s.strip());
        if (!m.matches()) throw new IllegalArgumentException("\"" + s + "\" is not a duration such as 24h, 30m, 90s, 7d or 0");
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "d" -> Duration.ofDays(n);
            case "h" -> Duration.ofHours(n);
            case "m" -> Duration.ofMinutes(n);
            case "s" -> Duration.ofSeconds(n);
            default -> {
                if (n != 0) throw new IllegalArgumentException("\"" + s + "\" has no unit (s, m, h, d)");
                yield Duration.ZERO;
            }
        };
    }

    @Command(name = "list", description = "List the tokens: user, uid, groups and the token's first characters (never the whole token).")
    static final class ListTokens implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Mixin Where where;

        @Override
        public Integer call() throws Exception {
            List<TokenFile.Entry> entries = TokenFile.read(where.file());
            var out = spec.commandLine().getOut();
            String format = "%-20s %-12s %-32s %-10s %s%n";
            out.printf(format, "USER", "UID", "GROUPS", "TOKEN", "EXPIRES");
            java.time.Instant now = java.time.Instant.now();
            for (TokenFile.Entry e : entries) {
                out.printf(format, e.user(), e.uid().isEmpty() ? "<none>" : e.uid(), e.groups().isEmpty() ? "<none>" : String.join(",", e.groups()), e.prefix(),
                        e.expires() == null ? "<never>" : e.expires() + (e.expiredAt(now) ? " (expired)" : ""));
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "revoke", description = "Revoke a token, given whole or by its first characters (at least 6, as 'list' shows them), or all of a user's with --user.")
    static final class Revoke implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Mixin Where where;
        @Parameters(arity = "0..1", paramLabel = "TOKEN|PREFIX") String token;
        @Option(names = "--user", description = "Revoke every token of this user.") String user;

        @Override
        public Integer call() throws Exception {
            var err = spec.commandLine().getErr();
            if ((token == null) == (user == null)) {
                err.println("error: give a token (or its first 6+ characters) or --user, not both");
                return 1;
            }
            Path file = where.file();
            List<TokenFile.Entry> entries = TokenFile.read(file);
            List<TokenFile.Entry> gone;
            if (user != null) {
                gone = entries.stream().filter(e -> e.user().equals(user)).toList();
            } else {
                String p = token.endsWith("…") ? token.substring(0, token.length() - 1) : token;
                if (p.length() < 6) {
                    err.println("error: TOKEN: give at least the first 6 characters");
                    return 1;
                }
                gone = entries.stream().filter(e -> e.token().startsWith(p)).toList();
                if (gone.size() > 1) {
                    err.println("error: TOKEN: \"" + p + "\" is the start of " + gone.size() + " tokens; give more of it");
                    return 1;
                }
            }
            if (gone.isEmpty()) {
                err.println("error: no such token in " + file);
                return 1;
            }
            List<TokenFile.Entry> kept = new ArrayList<>(entries);
            kept.removeAll(gone);
            TokenFile.write(file, kept);
            for (TokenFile.Entry e : gone) spec.commandLine().getOut().println("revoked " + e.prefix() + " of " + e.user());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
