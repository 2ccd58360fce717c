package dev.cioforwarder.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.CustomerioOperation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each decision of the one retry loop, on a hand-driven clock and a timer that only records what it
 * is asked to run: what an answer leads to, the waits, the budgets, a refused key.
 */
class RetryLoopTest {

    private static final long T0 = 1_764_320_400_000L;
    private static final long IN_SLOT_MS = 1_000;

    /** A timer that records each task and its delay; a test runs them by hand. */
    private static final class RecordingTimer extends ScheduledThreadPoolExecutor {
        final List<Runnable> tasks = new ArrayList<>();
        final List<Long> delays = new ArrayList<>();

        RecordingTimer() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
            if (isShutdown()) {
                return super.schedule(task, delay, unit);
            }
            tasks.add(task);
            delays.add(unit.toMillis(delay));
            return null;
        }

        /** Runs the task scheduled {@code k}-th. */
        void run(int k) {
            tasks.get(k).run();
        }
    }

    private long now = T0;
    private final RecordingTimer timer = new RecordingTimer();
    private final List<String> reported = new ArrayList<>();
    private final RateLimiter limiter = new RateLimiter(100, () -> now);

    /** Backoff bounds 100, 200, 400 ms; in-slot 1 s; unexpected statuses 500 ms. */
    private final RetryPolicy policy =
            new RetryPolicy(
                    Duration.ofMillis(100),
                    Duration.ofMillis(400),
                    Duration.ofMillis(300),
                    null,
                    Duration.ofMillis(IN_SLOT_MS),
                    Duration.ofMillis(500));

    private final RetryLoop loop =
            new RetryLoop(
                    policy,
                    timer,
                    () -> now,
                    new DeliveryListener() {
                        @Override
                        public void requestSent(int operations, int bytes) {}

                        @Override
                        public void responseReceived(HttpResult result, long latencyMs) {}

                        @Override
                        public void retryScheduled(HttpResult result, int attempt, long delayMs) {
                            reported.add(
                                    "retry "
                                            + result.describe()
                                            + " #"
                                            + attempt
                                            + " in "
                                            + delayMs);
                        }

                        @Override
                        public void throttled(HttpResult result) {
                            reported.add("throttled " + result.describe());
                        }

                        @Override
                        public void authenticationFailed(HttpResult result) {}

                        @Override
                        public void delivered(List<CustomerioOperation> operations) {}
                    });

    /** An attempt that records what the loop asks of it. */
    private class Recorded extends RetryLoop.Attempt {
        final List<String> calls = new ArrayList<>();
        boolean cancelled;
        Authorization authorization = Authorization.fixed("Basic a2V5");

        /** What {@link #retriedTooLong} answers: this attempt unless set. */
        RetryLoop.Attempt rest = this;

        boolean restSet;

        Recorded(long startMs) {
            super(startMs);
        }

        @Override
        boolean cancelled() {
            return cancelled;
        }

        @Override
        void abandon() {
            calls.add("abandon");
        }

        @Override
        void start() {
            calls.add("start");
        }

        @Override
        void received(HttpResult r) {
            calls.add("received " + r.describe());
        }

        @Override
        void answered() {
            calls.add("answered");
        }

        @Override
        void succeeded(HttpResult r) {
            calls.add("succeeded " + r.describe());
        }

        @Override
        void partial(HttpResult r) {
            calls.add("partial " + r.describe());
        }

        @Override
        void rejected(HttpResult r) {
            calls.add("rejected " + r.describe());
        }

        @Override
        void unexpected(HttpResult r, long nowMs) {
            calls.add("unexpected " + r.describe() + " at +" + (nowMs - T0));
        }

        @Override
        void transientFailure(long nowMs) {
            calls.add("transient at +" + (nowMs - T0));
        }

        @Override
        RateLimiter limiter() {
            return limiter;
        }

        @Override
        Authorization authorization() {
            return authorization;
        }

        @Override
        void unauthorized(HttpResult r, long nowMs) {
            calls.add("unauthorized " + r.describe());
        }

        @Override
        String unauthorizedReason() {
            return "key_refused";
        }

        @Override
        RetryLoop.Attempt retriedTooLong(HttpResult r, long nowMs) {
            calls.add("retried too long? " + r.describe());
            return restSet ? rest : this;
        }

        @Override
        void park(String reason) {
            calls.add("park " + reason);
        }

        @Override
        void failed(Throwable t) {
            calls.add("failed " + t.getMessage());
        }
    }

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    private static HttpResult status(int status) {
        return HttpResult.response(status, "", -1);
    }

    @Test
    void a2xxIsASuccessAndNothingIsScheduled() {
        Recorded a = new Recorded(T0);
        loop.decide(a, status(200));
        assertThat(a.calls).containsExactly("received HTTP 200", "answered", "succeeded HTTP 200");
        assertThat(timer.tasks).isEmpty();
        assertThat(reported).isEmpty();
    }

    @Test
    void a207IsPartialA400IsRejectedAnd404IsUnexpectedAllCountingAsAnswered() {
        Recorded partial = new Recorded(T0);
        loop.decide(partial, status(207));
        Recorded rejected = new Recorded(T0);
        loop.decide(rejected, status(422));
        Recorded unexpected = new Recorded(T0);
        now = T0 + 42;
        loop.decide(unexpected, status(404));

        assertThat(partial.calls)
                .containsExactly("received HTTP 207", "answered", "partial HTTP 207");
        assertThat(rejected.calls)
                .containsExactly("received HTTP 422", "answered", "rejected HTTP 422");
        assertThat(unexpected.calls)
                .containsExactly("received HTTP 404", "answered", "unexpected HTTP 404 at +42");
        assertThat(timer.tasks).isEmpty();
    }

    @Test
    void aCancelledAttemptIsAbandonedWhateverTheAnswer() {
        Recorded a = new Recorded(T0);
        a.cancelled = true;
        loop.decide(a, status(503));
        loop.decide(a, status(200));
        assertThat(a.calls).containsExactly("abandon", "abandon");
        assertThat(timer.tasks).isEmpty();
    }

    @Test
    void anAnswerTheAttemptDealtWithItselfGoesNoFurther() {
        Recorded a =
                new Recorded(T0) {
                    @Override
                    ResponseClass classify(HttpResult r) {
                        calls.add("classify");
                        return null;
                    }
                };
        loop.decide(a, status(503));
        assertThat(a.calls).containsExactly("received HTTP 503", "classify");
        assertThat(timer.tasks).isEmpty();
    }

    @Test
    void aTransientFailureIsRetriedAfterAGrowingJitteredBackoff() {
        Recorded a = new Recorded(T0);
        loop.decide(a, status(503));

        assertThat(a.calls)
                .containsExactly(
                        "received HTTP 503", "transient at +0", "retried too long? HTTP 503");
        assertThat(a.failures).isEqualTo(1);
        assertThat(timer.delays).singleElement().satisfies(d -> assertThat(d).isBetween(0L, 100L));
        assertThat(reported).containsExactly("retry HTTP 503 #1 in " + timer.delays.get(0));

        timer.run(0);
        assertThat(a.calls).endsWith("start");

        // The second failure: the bound doubles.
        loop.decide(a, HttpResult.networkError("timeout"));
        assertThat(a.failures).isEqualTo(2);
        assertThat(timer.delays.get(1)).isBetween(0L, 200L);
        assertThat(reported.get(1)).isEqualTo("retry timeout #2 in " + timer.delays.get(1));
        assertThat(limiter.currentRate()).as("only a 429 slows the limiter").isEqualTo(100.0);
    }

    @Test
    void a429SlowsTheLimiterAndWaitsForRetryAfterButIsNoOutage() {
        Recorded a = new Recorded(T0);
        loop.decide(a, HttpResult.response(429, "", 700));

        assertThat(limiter.currentRate()).isEqualTo(50.0);
        assertThat(reported).containsExactly("throttled HTTP 429", "retry HTTP 429 #1 in 700");
        assertThat(a.calls).doesNotContain("transient at +0").doesNotContain("answered");
        assertThat(timer.delays).containsExactly(700L);
    }

    @Test
    void aWaitEndingPastTheInSlotBudgetParksInstead() {
        Recorded outage = new Recorded(T0);
        now = T0 + IN_SLOT_MS - 50;
        // A 503 waits its Retry-After up to the maximum backoff (400 ms), a 429 as sent: both past.
        loop.decide(outage, HttpResult.response(503, "", 60_000));
        Recorded throttled = new Recorded(T0);
        loop.decide(throttled, HttpResult.response(429, "", 60_000));

        assertThat(outage.calls).endsWith("park " + DeliveryHealth.UNAVAILABLE);
        assertThat(throttled.calls).endsWith("park " + RetryLoop.THROTTLED);
        assertThat(timer.tasks).isEmpty();
        assertThat(reported).containsExactly("throttled HTTP 429");
    }

    @Test
    void whatRetriedTooLongIsDecidedByTheAttemptAndOnlyTheRestIsRetried() {
        Recorded whole = new Recorded(T0);
        whole.restSet = true;
        whole.rest = null;
        loop.decide(whole, status(500));
        assertThat(whole.calls).endsWith("retried too long? HTTP 500");
        assertThat(timer.tasks).isEmpty();

        Recorded parent = new Recorded(T0);
        Recorded part = new Recorded(T0);
        part.failures = 2;
        parent.restSet = true;
        parent.rest = part;
        loop.decide(parent, status(500));
        assertThat(parent.failures).isZero();
        assertThat(part.failures).isEqualTo(3);
        assertThat(timer.delays).singleElement().satisfies(d -> assertThat(d).isBetween(0L, 400L));
        timer.run(0);
        assertThat(part.calls).containsExactly("start");
        assertThat(parent.calls).doesNotContain("start");
    }

    @Test
    void aRefusedKeyThatChangedIsTriedOnceAtOnceThenTheAttemptParks() {
        AtomicReference<String> key = new AtomicReference<>("old");
        Recorded a = new Recorded(T0);
        a.authorization = new Authorization(key::get, k -> "Bearer " + k, "a test key", 0);

        loop.decide(a, status(401));
        assertThat(a.calls).containsExactly("received HTTP 401", "unauthorized HTTP 401");
        assertThat(timer.delays).containsExactly(0L);
        key.set("new");
        timer.run(0);
        assertThat(a.retriedWithNewKey).isTrue();
        assertThat(a.calls).endsWith("answered", "start");
        assertThat(a.authorization.header()).isEqualTo("Bearer new");

        // Refused again, even with yet another key: no second try at once.
        loop.decide(a, status(403));
        key.set("newer");
        timer.run(1);
        assertThat(a.calls).endsWith("unauthorized HTTP 403", "park key_refused");
        assertThat(a.failures).as("a refused key is no failure to back off from").isZero();
    }

    @Test
    void aRefusedKeyThatDidNotChangeParks() {
        Recorded a = new Recorded(T0);
        loop.decide(a, status(401));
        timer.run(0);
        assertThat(a.calls).endsWith("park key_refused").doesNotContain("start");
    }

    @Test
    void aFailedRequestIsATransientNetworkErrorNamingTheFailure() {
        Recorded a = new Recorded(T0);
        loop.await(a, CompletableFuture.failedFuture(new IllegalStateException("boom")));
        assertThat(a.calls.get(0)).isEqualTo("received java.lang.IllegalStateException: boom");
        assertThat(a.calls).contains("transient at +0");
        assertThat(a.failures).isEqualTo(1);
    }

    @Test
    void anExceptionDecidingOrInAScheduledTaskFailsTheAttempt() {
        Recorded deciding =
                new Recorded(T0) {
                    @Override
                    void succeeded(HttpResult r) {
                        throw new IllegalStateException("bug in success");
                    }
                };
        loop.await(deciding, CompletableFuture.completedFuture(status(200)));
        assertThat(deciding.calls).endsWith("failed bug in success");

        Recorded scheduled = new Recorded(T0);
        loop.schedule(
                () -> {
                    throw new IllegalStateException("bug in task");
                },
                5,
                scheduled);
        timer.run(0);
        assertThat(scheduled.calls).containsExactly("failed bug in task");
    }

    @Test
    void retryAfterCountsTheFailureAndReportsTheAttemptNumber() {
        Recorded a = new Recorded(T0);
        a.failures = 4;
        loop.retryAfter(a, status(404), 123);
        assertThat(a.failures).isEqualTo(5);
        assertThat(reported).containsExactly("retry HTTP 404 #5 in 123");
        assertThat(timer.delays).containsExactly(123L);
        timer.run(0);
        assertThat(a.calls).containsExactly("start");

        // retry: the backoff of the failures so far (bound 400 ms from the third on).
        loop.retry(a, status(404));
        assertThat(timer.delays.get(1)).isBetween(0L, 400L);
        assertThat(a.failures).isEqualTo(6);
    }

    @Test
    void aClosingTimerDropsTheTaskWithoutFailingTheAttempt() {
        timer.shutdown();
        Recorded a = new Recorded(T0);
        loop.schedule(a::start, 0, a);
        assertThat(a.calls).isEmpty();
    }
}
