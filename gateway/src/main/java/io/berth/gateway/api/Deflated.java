package io.berth.gateway.api;

import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Bytes kept deflated in memory: a 4-byte big-endian length, then raw deflate at the fastest level.
 * The gateway keeps one JSON document per live object (the view cache) and one Avro JSON per live
 * resource (the time-travel snapshot fold); at 100,000 pods the plain bytes were ~300 MB of the
 * all-in-one's heap, deflated about a fifth. Inflating a 2 KB pod takes a few microseconds.
 */
public final class Deflated {
    private Deflated() {}

    public static byte[] pack(byte[] in) {
        Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
        try {
            deflater.setInput(in);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(in.length / 3 + 16);
            out.write(in.length >>> 24);
            out.write(in.length >>> 16);
            out.write(in.length >>> 8);
            out.write(in.length);
            byte[] buf = new byte[Math.max(64, in.length / 2)];
            while (!deflater.finished()) out.write(buf, 0, deflater.deflate(buf));
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    public static byte[] unpack(byte[] packed) {
        int n = ((packed[0] & 0xff) << 24) | ((packed[1] & 0xff) << 16) | ((packed[2] & 0xff) << 8) | (packed[3] & 0xff);
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(packed, 4, packed.length - 4);
            byte[] out = new byte[n];
            int off = 0;
            while (off < n) {
                int k = inflater.inflate(out, off, n - off);
                if (k == 0 && (inflater.finished() || inflater.needsInput())) throw new IllegalStateException("truncated deflated bytes");
                off += k;
            }
            return out;
        } catch (DataFormatException e) {
            throw new IllegalStateException("corrupt deflated bytes", e);
        } finally {
            inflater.end();
        }
    }
}
