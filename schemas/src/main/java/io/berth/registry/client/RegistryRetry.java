package io.berth.registry.client;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * For a reader that folds a log (a view cache, a node's assignments): decoding a record must not skip it
 * because the schema registry is down for a while. {@link CachedSchemaRegistryClient} already retries a
 * transient failure for a minute; this keeps retrying after that, as long as the reader runs, so the reader
 * falls behind (visible as lag) instead of dropping a good record. A failure that is not transient (the
 * record is at fault) is thrown at once, for the caller to skip or dead-letter it.
 */
public final class RegistryRetry {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RegistryRetry.class);

    private RegistryRetry() {
    }

    /**
     * {@code decode.get()}, again every {@code pauseMs} while it fails transiently and {@code running} holds.
     * @throws RuntimeException the last failure when it is not transient, or when {@code running} turned false
     */
    public static <T> T untilDecoded(Supplier<T> decode, BooleanSupplier running, long pauseMs, String what) {
        for (int attempt = 1; ; attempt++) {
            try {
                return decode.get();
            } catch (RuntimeException e) {
                if (!SchemaRegistryClient.RegistryException.isTransient(e) || !running.getAsBoolean()) throw e;
                log.warn("{}: the schema registry is unavailable ({}); decoding again (attempt {})", what, e.getMessage(), attempt + 1);
                try {
                    Thread.sleep(pauseMs);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
