package dev.cioforwarder.delivery;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The one retry loop of delivery: what an answer means ({@link ResponseClass}) and what follows it,
 * for operations ({@link OperationDelivery}) and for the steps of an identifier change ({@link
 * IdentifierChangeDelivery}) alike.
 *
 * <ul>
 *   <li>2xx, 207, 400/413/422: the {@link Attempt}'s own business (what a success means, how a
 *       refusal is narrowed down).
 *   <li>408, 429, 5xx, network errors, timeouts: a 429 slows the attempt's rate limiter; what has
 *       retried past {@code customerio.max-retry-duration} is dead-lettered; the rest is sent again
 *       after an exponential backoff with full jitter ({@link RetryPolicy#backoffMs(int,
 *       HttpResult)}), unless that wait would end past {@link RetryPolicy#inSlotMs()} from the
 *       attempt's start: then it is parked ({@link #THROTTLED} after a 429, {@link
 *       DeliveryHealth#UNAVAILABLE} otherwise).
 *   <li>401/403: reported; the key is read again off the I/O thread; a changed key is tried once at
 *       once, otherwise the attempt is parked ({@link Attempt#unauthorizedReason()}).
 *   <li>Any other status: the attempt's own budget ({@link Attempt#unexpected}), retried through
 *       {@link #retryAfter}.
 * </ul>
 *
 * <p>Every wait goes through {@code timer}; a failure in this code or the attempt's makes it {@link
 * Attempt#failed}. Nothing blocks, and nothing is allocated per answer beyond the callbacks.
 */
final class RetryLoop {

    /** Why throttled operations wait. */
    static final String THROTTLED = "throttled";

    private final RetryPolicy policy;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private final DeliveryListener listener;

    RetryLoop(
            RetryPolicy policy,
            ScheduledExecutorService timer,
            Clock clock,
            DeliveryListener listener) {
        this.policy = policy;
        this.timer = timer;
        this.clock = clock;
        this.listener = listener;
    }

    RetryPolicy policy() {
        return policy;
    }

    /**
     * Something sent until its answer is final, with its retry history; a subclass says what is its
     * own: what to send, what a success means, how a refusal is narrowed down.
     */
    abstract static class Attempt {
        /** When the in-slot budget ({@link RetryPolicy#inSlotMs()}) started counting. */
        final long startMs;

        /** Failed answers so far: the backoff grows with them. */
        int failures;

        /** A changed key was tried once already: another refusal parks. */
        boolean retriedWithNewKey;

        Attempt(long startMs) {
            this.startMs = startMs;
        }

        /** Whether the answer no longer matters (the request was cut short). */
        abstract boolean cancelled();

        /** Ends a cancelled attempt without deciding anything. */
        abstract void abandon();

        /** Sends (again), through the attempt's own gates (rate limiter, circuit breaker). */
        abstract void start();

        /** The answer arrived (before anything is decided about it). */
        void received(HttpResult r) {}

        /**
         * What the answer means; null when the attempt has dealt with it already (it may retry
         * through {@link #retryAfter}).
         */
        ResponseClass classify(HttpResult r) {
            return ResponseClass.of(r);
        }

        /** Customer.io answered (anything but a transient failure or a refused key). */
        void answered() {}

        /** A 2xx but 207. */
        abstract void succeeded(HttpResult r);

        /** A 207: some operations of a batch were refused. */
        void partial(HttpResult r) {
            succeeded(r);
        }

        /** 400, 413, 422. */
        abstract void rejected(HttpResult r);

        /** Any status that is neither success, refusal, credentials nor transient. */
        abstract void unexpected(HttpResult r, long nowMs);

        /** A 408, 5xx, network error or timeout (not a 429). */
        void transientFailure(long nowMs) {}

        /** The rate limiter a 429 slows down. */
        abstract RateLimiter limiter();

        /** The key that was refused by a 401/403. */
        abstract Authorization authorization();

        /** Reports a 401/403. */
        abstract void unauthorized(HttpResult r, long nowMs);

        /** Why the attempt waits while its key is refused. */
        abstract String unauthorizedReason();

        /**
         * Dead-letters what has retried past {@code customerio.max-retry-duration}; returns what is
         * left to retry (this, or a part of it), or null when nothing is (then it is decided).
         */
        abstract Attempt retriedTooLong(HttpResult r, long nowMs);

        /** Leaves delivery: what is left waits, in order, in its users' state. */
        abstract void park(String reason);

        /** A bug, not an answer: decides what is left as a dead letter ({@code delivery_error}). */
        abstract void failed(Throwable t);
    }

    /** Waits for the answer to a request of {@code a}'s, then decides what follows. */
    void await(Attempt a, CompletableFuture<HttpResult> response) {
        response.whenComplete(
                (r, error) -> {
                    try {
                        decide(a, error != null ? HttpResult.networkError(error.toString()) : r);
                    } catch (RuntimeException e) {
                        a.failed(e);
                    }
                });
    }

    /** Decides what follows an answer. */
    void decide(Attempt a, HttpResult r) {
        if (a.cancelled()) {
            a.abandon();
            return;
        }
        a.received(r);
        ResponseClass responseClass = a.classify(r);
        if (responseClass == null) {
            return;
        }
        switch (responseClass) {
            case SUCCESS:
                a.answered();
                a.succeeded(r);
                return;
            case PARTIAL:
                a.answered();
                a.partial(r);
                return;
            case REJECTED:
                a.answered();
                a.rejected(r);
                return;
            case AUTH:
                unauthorized(a, r);
                return;
            case UNEXPECTED:
                a.answered();
                a.unexpected(r, clock.nowMs());
                return;
            case TRANSIENT:
            default:
                transientFailure(a, r);
        }
    }

    private void unauthorized(Attempt a, HttpResult r) {
        a.unauthorized(r, clock.nowMs());
        // The key may have been rotated in its file: read it again, off the I/O thread.
        schedule(
                () -> {
                    boolean changed = a.authorization().reloadAfterRefusal(clock.nowMs());
                    if (changed && !a.retriedWithNewKey) {
                        a.retriedWithNewKey = true;
                        a.answered();
                        a.start();
                    } else {
                        a.park(a.unauthorizedReason());
                    }
                },
                0,
                a);
    }

    private void transientFailure(Attempt a, HttpResult r) {
        long now = clock.nowMs();
        boolean throttled = r.status() == 429;
        if (throttled) {
            a.limiter().onThrottled(r.retryAfterMs());
            listener.throttled(r);
        } else {
            a.transientFailure(now);
        }
        Attempt rest = a.retriedTooLong(r, now);
        if (rest == null) {
            return;
        }
        long delay = policy.backoffMs(rest.failures, r);
        if (now + delay - rest.startMs > policy.inSlotMs()) {
            rest.park(throttled ? THROTTLED : DeliveryHealth.UNAVAILABLE);
            return;
        }
        retryAfter(rest, r, delay);
    }

    /** Sends {@code a} again after the backoff its failures call for. */
    void retry(Attempt a, HttpResult r) {
        retryAfter(a, r, policy.backoffMs(a.failures, r));
    }

    /** Counts the failure and sends {@code a} again {@code delayMs} from now. */
    void retryAfter(Attempt a, HttpResult r, long delayMs) {
        a.failures++;
        listener.retryScheduled(r, a.failures, delayMs);
        schedule(a::start, delayMs, a);
    }

    /**
     * Runs {@code task} on the timer after {@code delayMs}; an exception in it fails {@code a}.
     * Even "now" goes through the timer thread: completions never run sends recursively on the
     * thread that completed the previous request.
     */
    void schedule(Runnable task, long delayMs, Attempt a) {
        try {
            timer.schedule(
                    () -> {
                        try {
                            task.run();
                        } catch (RuntimeException e) {
                            a.failed(e);
                        }
                    },
                    Math.max(0, delayMs),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Closing (job cancelled or failing over): the request stays in the AsyncIO operator's
            // checkpointed queue and is delivered after the restore.
        }
    }
}
