package io.berth.state.core;

/**
 * Kubernetes' "safe" alphabet for generated name parts: no vowels (no accidental words) and no
 * look-alikes (0/o, 1/l, 3/e). 27 symbols, so a name part of n chars holds 27^n values.
 */
final class SafeEncoding {
    static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    static final int BASE = ALPHABET.length();

    private SafeEncoding() {}

    /** The low {@code width} base-27 digits of a non-negative value, most significant first. */
    static String encode(long value, int width) {
        char[] out = new char[width];
        long v = value;
        for (int i = width - 1; i >= 0; i--) {
            out[i] = ALPHABET.charAt((int) (v % BASE));
            v /= BASE;
        }
        return new String(out);
    }

    static long pow(int width) {
        long p = 1;
        for (int i = 0; i < width; i++) p *= BASE;
        return p;
    }

    /** 64-bit FNV-1a: stable across JVMs and releases, unlike {@code String.hashCode} mixing. */
    static long fnv1a(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            h ^= (b & 0xff);
            h *= 0x100000001b3L;
        }
        return h;
    }
}
