package io.berth.gateway.manifest;

import io.berth.testing.Fuzz;
import net.jqwik.api.*;
import net.jqwik.api.lifecycle.AddLifecycleHook;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link Quantities} ({@code 500m}, {@code 64Mi}, {@code 1e6}) and {@link Durations} ({@code 10},
 * {@code 1m30s}) on generated text, near the grammar and far from it: each answers a value or an
 * {@link IllegalArgumentException} whose message quotes the text (the manifest parser turns it into
 * a field error), within 1 s; never another exception.
 */
@AddLifecycleHook(Fuzz.class)
class UnitsFuzzTest {

    @Property(tries = 1500)
    void aQuantityIsAValueOrAnIllegalArgument(@ForAll("quantities") String text) {
        Fuzz.within(Duration.ofSeconds(1), text, () -> {
            answersOrRefuses(text, () -> Quantities.parse(text));
            answersOrRefuses(text, () -> {
                long m = Quantities.cpuMillis(text);
                assertTrue(m >= 0, "cpu " + m);
                return m;
            });
            answersOrRefuses(text, () -> {
                long b = Quantities.memoryBytes(text);
                assertTrue(b >= 0, "memory " + b);
                return b;
            });
        });
    }

    @Property(tries = 1500)
    void aDurationIsAValueOrAnIllegalArgument(@ForAll("durations") String text) {
        Fuzz.within(Duration.ofSeconds(1), text, () -> {
            answersOrRefuses(text, () -> {
                long ms = Durations.millis(text);
                assertTrue(ms >= 0, "millis " + ms);
                return ms;
            });
            answersOrRefuses(text, () -> {
                long s = Durations.seconds(text);
                assertTrue(s >= 0, "seconds " + s);
                return s;
            });
        });
    }

    // ---- inputs the properties found, pinned ----

    @org.junit.jupiter.api.Test
    void shouldRefuseADurationBeyondALongAsAnIllegalArgumentNotAnOverflow() {
        // found by aDurationIsAValueOrAnIllegalArgument: ArithmeticException("Overflow") escaped, which callers without a catch answer with a 500
        for (String text : List.of("1000000000000000000000000000000ns", "99999999999999999999h", "9223372036854775807", "9223372036854775808")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.millis(text), text);
            assertEquals("duration \"" + text + "\" is out of range", e.getMessage());
        }
        assertEquals(9_223_372_036_855L, Durations.seconds("9223372036854775ms"), "rounded up, no overflow near the top");
        assertEquals(9_223_372_036_854_776L, Durations.seconds("9223372036854775807ms"));
    }

    @Provide
    Arbitrary<String> quantities() {
        Arbitrary<String> number = Arbitraries.of("0", "1", "2", "9", "12", "0.5", ".5", "5.", "1.25", "007", "9223372036854775807",
                "9223372036854775808", "1" + "0".repeat(40), "0." + "0".repeat(40) + "1", "");
        Arbitrary<String> sign = Arbitraries.of("", "", "", "+", "-");
        Arbitrary<String> suffix = Arbitraries.of("", "m", "n", "u", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei",
                "e3", "E-2", "e+6", "e30", "e31", "e-31", "e2147483648", "e99999999999", "i", "KB", "mi", "µ", " ");
        Arbitrary<String> grammar = Combinators.combine(sign, number, suffix).as((s, n, x) -> s + n + x);
        return Arbitraries.oneOf(grammar, grammar.list().ofMaxSize(3).map(l -> String.join("", l)),
                Arbitraries.strings().withChars("0123456789.+-eEimnukMGTPKi ").ofMaxLength(30), Arbitraries.strings().ofMaxLength(20));
    }

    @Provide
    Arbitrary<String> durations() {
        Arbitrary<String> number = Arbitraries.of("0", "1", "10", "1.5", ".5", "5.", "9223372036854775807", "9223372036854775808",
                "99999999999999999999", "1" + "0".repeat(30), "");
        Arbitrary<String> unit = Arbitraries.of("", "ns", "us", "µs", "ms", "s", "m", "h", "d", "S", "H", "x");
        Arbitrary<String> part = Combinators.combine(number, unit).as((n, u) -> n + u);
        Arbitrary<String> sign = Arbitraries.of("", "", "+", "-", " ");
        Arbitrary<String> grammar = Combinators.combine(sign, part.list().ofMinSize(1).ofMaxSize(4)).as((s, l) -> s + String.join("", l));
        return Arbitraries.oneOf(grammar, Arbitraries.strings().withChars("0123456789.+-nsumhµ ").ofMaxLength(30),
                Arbitraries.strings().ofMaxLength(20));
    }

    private static void answersOrRefuses(String text, java.util.concurrent.Callable<?> call) {
        try {
            assertNotNull(call.call());
        } catch (IllegalArgumentException refused) {
            assertNotNull(refused.getMessage(), "a refusal says why");
        } catch (AssertionError e) {
            throw e;
        } catch (Exception other) {
            fail("\"" + Fuzz.abbreviate(text) + "\" threw " + other, other);
        }
    }
}
