package io.berth.gateway.audit;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * A position in {@code berth.audit}: the next offset to read in each partition a query covers. It is
 * both the {@code continue} token of a list and the {@code resourceVersion} of a watch event: the
 * position right after the record it came with, so resuming there delivers the rest once, nothing
 * twice and nothing skipped. Encoded opaque ({@code base64url("a1:" + "3=42,5=10")}); partitions a
 * token does not name start where the query would start anyway.
 */
public final class AuditCursor {
    private static final String VERSION = "a1:";

    private AuditCursor() {}

    public static String encode(Map<Integer, Long> offsets) {
        StringBuilder b = new StringBuilder(VERSION);
        boolean first = true;
        for (Map.Entry<Integer, Long> e : new TreeMap<>(offsets).entrySet()) {
            if (!first) b.append(',');
            first = false;
            b.append(e.getKey()).append('=').append(e.getValue());
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The offsets of a token; an IllegalArgumentException naming {@code param} when it is not one of ours or names a missing partition. */
    public static Map<Integer, Long> decode(String param, String token, int partitions) {
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw AuditQuery.bad(param, "\"" + token + "\" is not a token this server issued");
        }
        if (!text.startsWith(VERSION)) throw AuditQuery.bad(param, "\"" + token + "\" is not a token this server issued");
        Map<Integer, Long> out = new TreeMap<>();
        String body = text.substring(VERSION.length());
        if (body.isEmpty()) return out;
        for (String part : body.split(",")) {
            String[] kv = part.split("=");
            try {
                if (kv.length != 2) throw new NumberFormatException();
                int p = Integer.parseInt(kv[0]);
                long o = Long.parseLong(kv[1]);
                if (p < 0 || p >= partitions || o < 0) throw new NumberFormatException();
                out.put(p, o);
            } catch (NumberFormatException e) {
                throw AuditQuery.bad(param, "\"" + token + "\" is not a token this server issued");
            }
        }
        return out;
    }
}
