package dev.cioforwarder.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final Clock clock = now::get;

    /** How many requests the limiter admits within {@code windowMs} of clock time. */
    private int admittedWithin(RateLimiter limiter, long windowMs) {
        long start = now.get();
        int admitted = 0;
        while (true) {
            long delay = limiter.reserveDelayMs();
            if (now.get() + delay - start >= windowMs) {
                return admitted;
            }
            now.addAndGet(delay);
            admitted++;
        }
    }

    @Test
    void admitsTheConfiguredRate() {
        RateLimiter limiter = new RateLimiter(50, clock);
        int admitted = admittedWithin(limiter, 10_000);
        // 50/s for 10 s, plus at most a tenth of a second of burst.
        assertThat(admitted).isBetween(500, 506);
    }

    @Test
    void halvesOnA429AndRecoversGradually() {
        RateLimiter limiter = new RateLimiter(100, clock);
        limiter.onThrottled(-1);
        assertThat(limiter.currentRate()).isEqualTo(50.0);
        // A burst of 429s within one second halves once, not per response.
        limiter.onThrottled(-1);
        assertThat(limiter.currentRate()).isEqualTo(50.0);

        now.addAndGet(1_000);
        assertThat(limiter.currentRate()).isEqualTo(55.0);
        now.addAndGet(10_000);
        assertThat(limiter.currentRate()).isEqualTo(100.0);
    }

    @Test
    void neverDropsBelowAHundredthOfTheRate() {
        RateLimiter limiter = new RateLimiter(100, clock);
        for (int i = 0; i < 20; i++) {
            limiter.onThrottled(-1);
            now.addAndGet(1_000);
            limiter.onThrottled(-1);
        }
        assertThat(limiter.currentRate()).isEqualTo(1.0);
    }

    @Test
    void honoursRetryAfterByPausing() {
        RateLimiter limiter = new RateLimiter(100, clock);
        limiter.onThrottled(3_000);
        assertThat(limiter.reserveDelayMs()).isGreaterThanOrEqualTo(3_000);
    }

    @Test
    void anIdleLimiterAllowsOnlyASmallBurst() {
        RateLimiter limiter = new RateLimiter(100, clock);
        now.addAndGet(60_000);
        int immediate = 0;
        while (limiter.reserveDelayMs() == 0) {
            immediate++;
        }
        assertThat(immediate).isBetween(1, 11);
    }
}
