package io.berth.testing;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.*;

/**
 * The fuzz properties' shared machinery. In the suite each property runs the modest number of
 * tries its {@code @Property(tries = …)} names; {@code -Dberth.fuzz.tries=N} (what {@code ops/fuzz}
 * passes) runs every property annotated {@code @AddLifecycleHook(Fuzz.class)} N times instead, or as many as
 * {@code -Dberth.fuzz.tries.<TestClass>=M} says for the properties of one (slower) class.
 * Either way the hook prints one line per property ({@code fuzz: <class>.<property> tries=N}) and
 * appends it to {@code target/fuzz-counts.tsv}, so the full run can sum its inputs per target.
 *
 * <p>{@link #within} bounds one input: a hang is a failure, not a stuck build.
 */
public final class Fuzz implements AroundPropertyHook {
    public static final String TRIES_PROPERTY = "berth.fuzz.tries";
    private static final ExecutorService RUNNER = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fuzz-input");
        t.setDaemon(true);
        return t;
    });

    /** On a class, the hook wraps each of its properties. */
    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        Integer tries = Integer.getInteger(TRIES_PROPERTY + "." + context.containerClass().getSimpleName(), Integer.getInteger(TRIES_PROPERTY));
        // only a property's tries scale: an @Example (one fixed input) stays one
        if (tries != null && context.targetMethod().isAnnotationPresent(net.jqwik.api.Property.class)) context.attributes().setTries(tries);
        long start = System.nanoTime();
        PropertyExecutionResult result = property.execute();
        String target = context.containerClass().getSimpleName() + "." + context.targetMethod().getName();
        String line = target + "\t" + result.countTries() + "\t" + result.countChecks() + "\t"
                + (System.nanoTime() - start) / 1_000_000 + "\t" + result.status();
        System.out.println("fuzz: " + target + " tries=" + result.countTries() + " checks=" + result.countChecks()
                + " ms=" + (System.nanoTime() - start) / 1_000_000 + " " + result.status());
        try {
            Path out = Path.of("target", "fuzz-counts.tsv");
            Files.createDirectories(out.getParent());
            Files.writeString(out, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("fuzz: cannot write target/fuzz-counts.tsv: " + e);
        }
        return result;
    }

    /** Runs one input with a deadline; a hang fails with the input named, anything thrown is rethrown as is. */
    public static <T> T within(Duration limit, Object input, Callable<T> body) {
        Future<T> f = RUNNER.submit(body);
        try {
            return f.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new AssertionError("no answer within " + limit + " for input " + abbreviate(input));
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error err) throw err;
            throw new AssertionError(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    public static void within(Duration limit, Object input, Runnable body) {
        within(limit, input, () -> {
            body.run();
            return null;
        });
    }

    /** An input as text short enough for a failure message. */
    public static String abbreviate(Object input) {
        String s = input instanceof byte[] b ? java.util.HexFormat.of().formatHex(b) : String.valueOf(input);
        return s.length() > 300 ? s.substring(0, 300) + "…(" + s.length() + " chars)" : s;
    }
}
