package dev.cioforwarder.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final RetryPolicy policy =
            new RetryPolicy(
                    Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofSeconds(60), null);

    @RepeatedTest(20)
    void backoffIsFullJitterUnderAnExponentialBound() {
        assertThat(policy.backoffMs(0, -1)).isBetween(0L, 100L);
        assertThat(policy.backoffMs(3, -1)).isBetween(0L, 800L);
        assertThat(policy.backoffMs(40, -1)).isBetween(0L, 10_000L);
    }

    @Test
    void jitterSpreadsRetriesApart() {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < 200; i++) {
            long b = policy.backoffMs(6, -1);
            min = Math.min(min, b);
            max = Math.max(max, b);
        }
        assertThat(max - min).isGreaterThan(3_000);
    }

    @Test
    void retryAfterIsAFloor() {
        assertThat(policy.backoffMs(0, 5_000)).isEqualTo(5_000);
    }

    @Test
    void authenticationFailuresWaitAboutAMinute() {
        assertThat(policy.authBackoffMs()).isBetween(60_000L, 72_000L);
    }

    @Test
    void withoutAMaximumDurationItNeverGivesUp() {
        assertThat(policy.hasMaxRetryDuration()).isFalse();
        assertThat(policy.givesUp(0, Long.MAX_VALUE / 2)).isFalse();
    }

    @Test
    void withAMaximumDurationItGivesUpAfterIt() {
        RetryPolicy bounded =
                new RetryPolicy(
                        Duration.ofMillis(100),
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(60),
                        Duration.ofMinutes(5));
        assertThat(bounded.givesUp(1, 300_000)).isFalse();
        assertThat(bounded.givesUp(1, 300_001)).isTrue();
        assertThat(bounded.givesUp(0, 300_001))
                .as("an operation never tried has not retried at all")
                .isFalse();
    }

    @Test
    void classifiesResponsesLikeTheOfficialClients() {
        assertThat(ResponseClass.of(HttpResult.response(200, "{}", -1)))
                .isEqualTo(ResponseClass.SUCCESS);
        assertThat(ResponseClass.of(HttpResult.response(207, "{}", -1)))
                .isEqualTo(ResponseClass.PARTIAL);
        assertThat(ResponseClass.of(HttpResult.response(400, "", -1)))
                .isEqualTo(ResponseClass.REJECTED);
        assertThat(ResponseClass.of(HttpResult.response(413, "", -1)))
                .isEqualTo(ResponseClass.REJECTED);
        assertThat(ResponseClass.of(HttpResult.response(401, "", -1)))
                .isEqualTo(ResponseClass.AUTH);
        assertThat(ResponseClass.of(HttpResult.response(403, "", -1)))
                .isEqualTo(ResponseClass.AUTH);
        for (int status : new int[] {408, 429, 500, 502, 503, 504, 522, 524}) {
            assertThat(ResponseClass.of(HttpResult.response(status, "", -1)))
                    .as("status %d", status)
                    .isEqualTo(ResponseClass.TRANSIENT);
        }
        assertThat(ResponseClass.of(HttpResult.networkError("timeout")))
                .isEqualTo(ResponseClass.TRANSIENT);
        for (int status : new int[] {301, 302, 307, 404, 405, 409, 410, 418, 451}) {
            assertThat(ResponseClass.of(HttpResult.response(status, "", -1)))
                    .as("status %d is not retried without end", status)
                    .isEqualTo(ResponseClass.UNEXPECTED);
        }
    }

    @Test
    void retryAfterIsHonouredInFullOnlyForA429() {
        HttpResult throttled = HttpResult.response(429, "", 120_000);
        HttpResult unavailable = HttpResult.response(503, "", 3_600_000);
        assertThat(policy.backoffMs(0, throttled)).isEqualTo(120_000);
        assertThat(policy.backoffMs(0, unavailable))
                .as("a 503 asking for an hour waits at most the maximum backoff")
                .isLessThanOrEqualTo(policy.maxBackoffMs());
    }

    @Test
    void parsesRetryAfterSeconds() {
        assertThat(HttpResult.parseRetryAfterMs("3")).isEqualTo(3_000);
        assertThat(HttpResult.parseRetryAfterMs(null)).isEqualTo(-1);
        assertThat(HttpResult.parseRetryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(-1);
        assertThat(HttpResult.parseRetryAfterMs("999999")).isEqualTo(3_600_000);
    }
}
