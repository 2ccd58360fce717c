package dev.cioforwarder.delivery;

import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before the next attempt: exponential backoff with full jitter (a random wait
 * between zero and the exponential bound, which spreads retries of many requests apart), no limit
 * on the number of attempts, and an optional limit on the total time spent retrying.
 */
public final class RetryPolicy implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long initialBackoffMs;
    private final long maxBackoffMs;
    private final long authBackoffMs;
    private final long maxRetryDurationMs;

    /**
     * @param maxRetryDuration after this long, give up and dead-letter; null for never
     * @param authBackoff the wait between attempts while Customer.io refuses the credentials
     */
    public RetryPolicy(
            Duration initialBackoff,
            Duration maxBackoff,
            Duration authBackoff,
            Duration maxRetryDuration) {
        this.initialBackoffMs = initialBackoff.toMillis();
        this.maxBackoffMs = maxBackoff.toMillis();
        this.authBackoffMs = authBackoff.toMillis();
        this.maxRetryDurationMs = maxRetryDuration == null ? -1 : maxRetryDuration.toMillis();
    }

    public static RetryPolicy defaults() {
        return new RetryPolicy(
                Duration.ofMillis(200), Duration.ofSeconds(30), Duration.ofSeconds(60), null);
    }

    /** The wait before attempt {@code attempt + 1} after a retryable failure. */
    public long backoffMs(int attempt, long retryAfterMs) {
        long bound = initialBackoffMs << Math.min(attempt, 30);
        if (bound <= 0 || bound > maxBackoffMs) {
            bound = maxBackoffMs;
        }
        long jittered = ThreadLocalRandom.current().nextLong(bound + 1);
        // Retry-After is Customer.io telling us when it will accept again: never retry earlier.
        return Math.max(jittered, retryAfterMs);
    }

    /** The wait after a 401/403: slow, so a wrong key does not hammer Customer.io. */
    public long authBackoffMs() {
        long jitter = ThreadLocalRandom.current().nextLong(authBackoffMs / 5 + 1);
        return authBackoffMs + jitter;
    }

    /** The configured wait between attempts while the credentials are refused (no jitter). */
    public long authRetryIntervalMs() {
        return authBackoffMs;
    }

    public boolean hasMaxRetryDuration() {
        return maxRetryDurationMs >= 0;
    }

    public long maxRetryDurationMs() {
        return maxRetryDurationMs;
    }

    /** Whether a request first tried at {@code firstAttemptMs} has retried long enough. */
    public boolean givesUp(long firstAttemptMs, long nowMs) {
        return maxRetryDurationMs >= 0 && nowMs - firstAttemptMs >= maxRetryDurationMs;
    }
}
