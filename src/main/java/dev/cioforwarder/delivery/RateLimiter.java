package dev.cioforwarder.delivery;

/**
 * A request rate limit that backs off when Customer.io says 429 and recovers gradually: the rate
 * halves on each 429 (at most once per second), honours {@code Retry-After} by pausing, and grows
 * back by a twentieth of the configured rate per quiet second.
 *
 * <p>It never blocks: {@link #reserveDelayMs()} books the next slot and says how long to wait for
 * it, and the caller schedules the send on a timer.
 */
public final class RateLimiter {

    private final double maxRatePerSecond;
    private final double minRatePerSecond;
    private final Clock clock;
    private double rate;
    private double nextFreeMs;
    private long pausedUntilMs;
    private long lastThrottleMs = Long.MIN_VALUE / 2;
    private long lastRecoveryMs;

    public RateLimiter(double maxRatePerSecond, Clock clock) {
        if (!(maxRatePerSecond > 0)) {
            throw new IllegalArgumentException("the rate must be positive");
        }
        this.maxRatePerSecond = maxRatePerSecond;
        this.minRatePerSecond = Math.min(maxRatePerSecond, Math.max(0.1, maxRatePerSecond / 100));
        this.clock = clock;
        this.rate = maxRatePerSecond;
        this.lastRecoveryMs = clock.nowMs();
    }

    /** Books the next request slot; returns the ms to wait before sending (0: send now). */
    public synchronized long reserveDelayMs() {
        long now = clock.nowMs();
        recover(now);
        double interval = 1000.0 / rate;
        // Allow a burst of a tenth of a second's worth after idleness, no more.
        double earliest = Math.max(now - Math.max(interval, 100.0), nextFreeMs);
        double slot = Math.max(earliest, pausedUntilMs);
        nextFreeMs = slot + interval;
        return Math.max(0, (long) Math.ceil(slot - now));
    }

    /** Customer.io answered 429. */
    public synchronized void onThrottled(long retryAfterMs) {
        long now = clock.nowMs();
        if (now - lastThrottleMs >= 1000) {
            rate = Math.max(minRatePerSecond, rate / 2);
            lastThrottleMs = now;
            lastRecoveryMs = now;
        }
        if (retryAfterMs > 0) {
            pausedUntilMs = Math.max(pausedUntilMs, now + retryAfterMs);
        }
    }

    private void recover(long now) {
        long quiet = now - Math.max(lastRecoveryMs, lastThrottleMs);
        if (rate < maxRatePerSecond && quiet >= 1000) {
            long seconds = quiet / 1000;
            rate = Math.min(maxRatePerSecond, rate + seconds * maxRatePerSecond / 20);
            lastRecoveryMs = now;
        } else if (rate >= maxRatePerSecond) {
            lastRecoveryMs = now;
        }
    }

    /** The current allowed rate, for metrics. */
    public synchronized double currentRate() {
        recover(clock.nowMs());
        return rate;
    }
}
