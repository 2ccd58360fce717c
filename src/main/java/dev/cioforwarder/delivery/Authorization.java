package dev.cioforwarder.delivery;

import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP {@code Authorization} header built from a key read on the TaskManager, read again when
 * Customer.io refuses it: a key rotated in its file is picked up without a restart. The key exists
 * only inside the header value; nothing here logs or returns it otherwise.
 */
public final class Authorization {
    private static final Logger LOG = LoggerFactory.getLogger(Authorization.class);

    private final Supplier<String> key;
    private final Function<String, String> headerOf;
    private final String source;
    private final long minReloadIntervalMs;
    private volatile String header;
    private long lastReloadMs = Long.MIN_VALUE / 2;

    /**
     * @param key reads the key (a file or an environment variable; see {@link ApiKeySource})
     * @param headerOf the header value for a key
     * @param source where the key is read from, for log lines (never the key)
     * @param minReloadIntervalMs re-read at most this often, however many requests are refused
     */
    public Authorization(
            Supplier<String> key,
            Function<String, String> headerOf,
            String source,
            long minReloadIntervalMs) {
        this.key = key;
        this.headerOf = headerOf;
        this.source = source;
        this.minReloadIntervalMs = minReloadIntervalMs;
        this.header = headerOf.apply(key.get());
    }

    /** A fixed key (tests, tools). */
    public static Authorization fixed(String headerValue) {
        return new Authorization(() -> "", k -> headerValue, "a fixed key", Long.MAX_VALUE);
    }

    public String header() {
        return header;
    }

    /**
     * The key was refused: reads it again (at most every {@code minReloadIntervalMs}). True when it
     * changed, so a retry with it is worth making at once.
     */
    public boolean reloadAfterRefusal(long nowMs) {
        synchronized (this) {
            if (nowMs - lastReloadMs < minReloadIntervalMs) {
                return false;
            }
            lastReloadMs = nowMs;
        }
        String fresh;
        try {
            fresh = headerOf.apply(key.get());
            if (fresh == null) {
                return false;
            }
        } catch (RuntimeException e) {
            // The message names the file or variable, never a value.
            LOG.error("Could not read the key again after a refusal: {}", e.getMessage());
            return false;
        }
        if (fresh.equals(header)) {
            return false;
        }
        header = fresh;
        LOG.warn("The key in {} changed: using the new one from now on", source);
        return true;
    }
}
