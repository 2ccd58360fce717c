package dev.cioforwarder.delivery;

import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before the next attempt, and how long a request may keep trying before it gives
 * up its place in delivery: exponential backoff with full jitter (a random wait between zero and
 * the exponential bound, which spreads retries of many requests apart), a short budget in the
 * AsyncIO slot after which the operations wait in their users' state, a bounded budget for statuses
 * that are neither transient nor a refusal, and an optional limit on the total time an operation is
 * retried.
 */
public final class RetryPolicy implements Serializable {
    private static final long serialVersionUID = 2L;

    /** The bound of the first wait after a failure: it doubles with each attempt. */
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);

    /** The most the exponential wait grows to. */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);

    /** The wait between attempts while Customer.io refuses the credentials, by default. */
    public static final Duration DEFAULT_AUTH_RETRY_INTERVAL = Duration.ofSeconds(60);

    /** How long a request retries transient failures in its AsyncIO slot, by default. */
    public static final Duration DEFAULT_IN_SLOT = Duration.ofSeconds(30);

    /** How long an unexpected status (3xx, 404, 409, ...) is retried, by default. */
    public static final Duration DEFAULT_UNEXPECTED_STATUS = Duration.ofSeconds(10);

    private final long initialBackoffMs;
    private final long maxBackoffMs;
    private final long authBackoffMs;
    private final long maxRetryDurationMs;
    private final long inSlotMs;
    private final long unexpectedStatusMs;

    /**
     * @param maxRetryDuration after this long, give up and dead-letter; null for never
     * @param authBackoff the wait between attempts while Customer.io refuses the credentials
     */
    public RetryPolicy(
            Duration initialBackoff,
            Duration maxBackoff,
            Duration authBackoff,
            Duration maxRetryDuration) {
        this(
                initialBackoff,
                maxBackoff,
                authBackoff,
                maxRetryDuration,
                DEFAULT_IN_SLOT,
                DEFAULT_UNEXPECTED_STATUS);
    }

    /**
     * @param inSlot how long a request retries transient failures before its operations leave
     *     delivery and wait, in order, in their users' state
     * @param unexpectedStatus how long a status that is neither success, refusal, credentials nor
     *     transient is retried before the operations it concerns are dead-lettered
     */
    public RetryPolicy(
            Duration initialBackoff,
            Duration maxBackoff,
            Duration authBackoff,
            Duration maxRetryDuration,
            Duration inSlot,
            Duration unexpectedStatus) {
        this.initialBackoffMs = initialBackoff.toMillis();
        this.maxBackoffMs = maxBackoff.toMillis();
        this.authBackoffMs = authBackoff.toMillis();
        this.maxRetryDurationMs = maxRetryDuration == null ? -1 : maxRetryDuration.toMillis();
        this.inSlotMs = inSlot.toMillis();
        this.unexpectedStatusMs = unexpectedStatus.toMillis();
    }

    public static RetryPolicy defaults() {
        return new RetryPolicy(
                DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF, DEFAULT_AUTH_RETRY_INTERVAL, null);
    }

    /**
     * The wait before attempt {@code attempt + 1} after a failure. A {@code Retry-After} is
     * honoured as sent for a 429 (Customer.io saying when it accepts again), and up to the maximum
     * backoff for anything else: a 503 asking for an hour must not hold a request that long.
     */
    public long backoffMs(int attempt, HttpResult result) {
        long retryAfter = result == null ? -1 : result.retryAfterMs();
        if (result != null && result.status() != 429) {
            retryAfter = Math.min(retryAfter, maxBackoffMs);
        }
        return backoffMs(attempt, retryAfter);
    }

    /** The wait before attempt {@code attempt + 1}, never earlier than {@code retryAfterMs}. */
    public long backoffMs(int attempt, long retryAfterMs) {
        long jittered = ThreadLocalRandom.current().nextLong(bound(attempt) + 1);
        return Math.max(jittered, retryAfterMs);
    }

    /** The exponential bound of the wait before attempt {@code attempt + 1} (no jitter). */
    public long bound(int attempt) {
        long bound = initialBackoffMs << Math.min(attempt, 30);
        if (bound <= 0 || bound > maxBackoffMs) {
            bound = maxBackoffMs;
        }
        return bound;
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

    public long maxBackoffMs() {
        return maxBackoffMs;
    }

    public boolean hasMaxRetryDuration() {
        return maxRetryDurationMs >= 0;
    }

    public long maxRetryDurationMs() {
        return maxRetryDurationMs;
    }

    /** Whether an operation first tried at {@code firstAttemptMs} has retried long enough. */
    public boolean givesUp(long firstAttemptMs, long nowMs) {
        return maxRetryDurationMs >= 0
                && firstAttemptMs > 0
                && nowMs - firstAttemptMs >= maxRetryDurationMs;
    }

    /** How long a request retries transient failures in its AsyncIO slot. */
    public long inSlotMs() {
        return inSlotMs;
    }

    /** How long an unexpected status is retried before a dead letter. */
    public long unexpectedStatusMs() {
        return unexpectedStatusMs;
    }
}
