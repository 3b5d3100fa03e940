package io.berth.schemas.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A token file in the format of kube-apiserver's {@code --token-auth-file}: one CSV line per token,
 * {@code token,user,uid,"group1,group2"[,expires]} (the groups column is optional; lines starting with
 * {@code #} and blank lines are skipped). Written atomically (temp file, then rename) with mode 600,
 * so a reader never sees half a file.
 */
public final class TokenFile {
    /** Where Berth keeps it, under the data dir. */
    public static final String FILE_NAME = "tokens.csv";
    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenFile() {}

    /**
     * One line of the file. {@code expires} (a fifth column, an ISO-8601 instant, Berth's addition
     * for node join tokens as kubeadm's bootstrap tokens have one) is null for a token that never expires.
     */
    public record Entry(String token, String user, String uid, List<String> groups, Instant expires) {
        public Entry {
            groups = List.copyOf(groups);
        }

        public Entry(String token, String user, String uid, List<String> groups) {
            this(token, user, uid, groups, null);
        }

        /** Expired at {@code now}: the token no longer authenticates anyone. */
        public boolean expiredAt(Instant now) {
            return expires != null && !now.isBefore(expires);
        }

        public User principal() {
            return new User(user, uid, groups);
        }

        /** What {@code berth token list} shows instead of the token: its first 6 characters. */
        public String prefix() {
            return token.substring(0, Math.min(6, token.length())) + "…";
        }
    }

    /**
     * A new random token: 32 bytes from SecureRandom, base64url without padding (43 characters), drawn again while it
     * begins with '-' or '_' — a token is typed after {@code --token} on command lines, where a leading dash reads as
     * a flag ({@code -lbG…} as kubectl's and Berth's {@code -l}). Leaves at least 250 random bits.
     */
    public static String newToken() {
        byte[] b = new byte[32];
        while (true) {
            RANDOM.nextBytes(b);
            String t = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
            if (Character.isLetterOrDigit(t.charAt(0))) return t;
        }
    }

    /** The entries of {@code file}; none when it does not exist. Throws naming the line on bad input. */
    public static List<Entry> read(Path file) throws IOException {
        if (!Files.exists(file)) return List.of();
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    public static List<Entry> parse(String text, String source) {
        List<Entry> out = new ArrayList<>();
        String[] lines = text.split("\r?\n");
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            List<String> f = csv(line);
            if (f.size() < 3 || f.get(0).isEmpty() || f.get(1).isEmpty()) {
                throw new IllegalArgumentException(source + " line " + (n + 1) + ": expected token,user,uid[,\"group1,group2\"] with a non-empty token and user");
            }
            List<String> groups = new ArrayList<>();
            if (f.size() > 3) for (String g : f.get(3).split(",")) if (!g.isBlank()) groups.add(g.strip());
            Instant expires = null;
            if (f.size() > 4 && !f.get(4).isEmpty()) {
                try {
                    expires = Instant.parse(f.get(4));
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException(source + " line " + (n + 1) + ": expires \"" + f.get(4) + "\" is not an ISO-8601 instant (e.g. 2026-12-05T14:00:00Z)");
                }
            }
            out.add(new Entry(f.get(0), f.get(1), f.get(2), groups, expires));
        }
        return out;
    }

    public static String format(List<Entry> entries) {
        StringBuilder b = new StringBuilder();
        for (Entry e : entries) {
            b.append(quote(e.token())).append(',').append(quote(e.user())).append(',').append(quote(e.uid()));
            if (!e.groups().isEmpty() || e.expires() != null) b.append(",\"").append(String.join(",", e.groups())).append('"');
            if (e.expires() != null) b.append(',').append(e.expires());
            b.append('\n');
        }
        return b.toString();
    }

    /** Replaces {@code file} with {@code entries}: a temp file (mode 600) renamed over it. */
    public static void write(Path file, List<Entry> entries) throws IOException {
        SecretFiles.replace(file, format(entries));
    }

    private static String quote(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** RFC 4180 fields of one line: commas separate, double quotes group, {@code ""} is a quote. */
    static List<String> csv(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    f.append('"');
                    i++;
                } else if (c == '"') quoted = false;
                else f.append(c);
            } else if (c == '"') quoted = true;
            else if (c == ',') {
                out.add(f.toString().strip());
                f.setLength(0);
            } else f.append(c);
        }
        out.add(f.toString().strip());
        return out;
    }
}
