package io.berth.gateway.manifest;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kubernetes resource quantities ({@code 500m}, {@code 0.5}, {@code 64Mi}, {@code 128M}, {@code 1e6}).
 *
 * <p>Grammar as in Kubernetes' {@code resource.Quantity}: a signed decimal number followed by a
 * binary-SI suffix ({@code Ki Mi Gi Ti Pi Ei}), a decimal-SI suffix ({@code n u m k M G T P E})
 * or a decimal exponent ({@code e3}, {@code E-2}). Like Kubernetes, fractions are rounded up:
 * {@code 0.0001} CPU is 1 millicore, {@code 0.5} bytes is 1 byte.
 */
public final class Quantities {
    private Quantities() {}

    private static final Pattern QUANTITY =
            Pattern.compile("^([+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$");

    private static final Map<String, BigDecimal> SUFFIXES = Map.ofEntries(
            Map.entry("Ki", BigDecimal.valueOf(1L << 10)),
            Map.entry("Mi", BigDecimal.valueOf(1L << 20)),
            Map.entry("Gi", BigDecimal.valueOf(1L << 30)),
            Map.entry("Ti", BigDecimal.valueOf(1L << 40)),
            Map.entry("Pi", BigDecimal.valueOf(1L << 50)),
            Map.entry("Ei", BigDecimal.valueOf(1L << 60)),
            Map.entry("n", new BigDecimal("1e-9")),
            Map.entry("u", new BigDecimal("1e-6")),
            Map.entry("m", new BigDecimal("1e-3")),
            Map.entry("k", new BigDecimal("1e3")),
            Map.entry("M", new BigDecimal("1e6")),
            Map.entry("G", new BigDecimal("1e9")),
            Map.entry("T", new BigDecimal("1e12")),
            Map.entry("P", new BigDecimal("1e15")),
            Map.entry("E", new BigDecimal("1e18")));

    /** The exact value of a quantity in base units (cores, bytes). */
    public static BigDecimal parse(String text) {
        if (text == null) throw new IllegalArgumentException("quantity is null");
        Matcher m = QUANTITY.matcher(text.trim());
        if (!m.matches()) throw new IllegalArgumentException("not a quantity: " + text);
        BigDecimal number = new BigDecimal(m.group(1));
        String suffix = m.group(2);
        if (suffix == null) return number;
        if (suffix.charAt(0) == 'e' || suffix.charAt(0) == 'E') {
            int exp = Integer.parseInt(suffix.substring(1));
            if (Math.abs(exp) > 30) throw new IllegalArgumentException("exponent out of range: " + text);
            return number.scaleByPowerOfTen(exp);
        }
        return number.multiply(SUFFIXES.get(suffix));
    }

    /** CPU in millicores: {@code "500m"} → 500, {@code "0.5"} → 500, {@code "2"} → 2000. */
    public static long cpuMillis(String text) {
        return toLong(parse(text).multiply(BigDecimal.valueOf(1000)), text);
    }

    /** Memory in bytes: {@code "64Mi"} → 67108864, {@code "128M"} → 128000000, {@code "1e6"} → 1000000. */
    public static long memoryBytes(String text) {
        return toLong(parse(text), text);
    }

    private static long toLong(BigDecimal value, String text) {
        if (value.signum() < 0) throw new IllegalArgumentException("negative quantity: " + text);
        BigDecimal rounded = value.setScale(0, RoundingMode.CEILING);
        if (rounded.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) throw new IllegalArgumentException("quantity too large: " + text);
        return rounded.longValueExact();
    }

    /** Kubernetes' canonical CPU form: whole cores as {@code "2"}, else millicores as {@code "500m"}. */
    public static String formatCpu(long millis) {
        return millis % 1000 == 0 ? Long.toString(millis / 1000) : millis + "m";
    }

    /** Memory with the largest binary suffix that divides it exactly ({@code 1Gi}, {@code 65536Ki}), else bytes. */
    public static String formatMemory(long bytes) {
        String[] suffixes = {"Ei", "Pi", "Ti", "Gi", "Mi", "Ki"};
        for (int i = 0; i < suffixes.length; i++) {
            long unit = 1L << (10 * (6 - i));
            if (bytes != 0 && bytes % unit == 0) return (bytes / unit) + suffixes[i];
        }
        return Long.toString(bytes);
    }
}
