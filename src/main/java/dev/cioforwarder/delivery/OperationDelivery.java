package dev.cioforwarder.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.deadletter.DeadLetter;
import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.deadletter.DeadLetters;
import dev.cioforwarder.json.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Delivers one {@link DeliveryRequest} to Customer.io, whatever it takes: every decision about an
 * outcome is made here, top to bottom, from the design's table.
 *
 * <ul>
 *   <li>2xx: delivered. 207: the listed {@code batch_index} operations are dead-lettered with
 *       Customer.io's reason, the rest are delivered.
 *   <li>400/413/422 for a batch: split in halves, delivered one half after the other (so a user's
 *       operations keep their order), until the refused operations stand alone and are
 *       dead-lettered; the good ones are delivered.
 *   <li>408, 429, 5xx, network errors, timeouts: retried with exponential backoff and full jitter,
 *       honouring {@code Retry-After}; a 429 also slows the rate limiter. No attempt limit; an
 *       optional maximum retry duration dead-letters after it.
 *   <li>401/403: retried slowly and reported every time; never dead-lettered, never dropped, so
 *       delivery resumes where it stopped once the key is fixed.
 * </ul>
 *
 * <p>Nothing here blocks: waits are scheduled on {@code timer}, sends are asynchronous. The result
 * future completes normally with the dead letters (empty when all went well).
 */
public final class OperationDelivery {

    private static final String BATCH_PATH = "/api/v2/batch";

    private final CustomerioClient client;
    private final ApiMode mode;
    private final RateLimiter limiter;
    private final RetryPolicy policy;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private final DeliveryListener listener;
    private IdentifierChangeDelivery identifierChanges;

    public OperationDelivery(
            CustomerioClient client,
            ApiMode mode,
            RateLimiter limiter,
            RetryPolicy policy,
            ScheduledExecutorService timer,
            Clock clock,
            DeliveryListener listener) {
        this.client = client;
        this.mode = mode;
        this.limiter = limiter;
        this.policy = policy;
        this.timer = timer;
        this.clock = clock;
        this.listener = listener;
    }

    /** Where identifier changes go (only configured with an App API key). */
    public OperationDelivery withIdentifierChanges(IdentifierChangeDelivery identifierChanges) {
        this.identifierChanges = identifierChanges;
        return this;
    }

    public CompletableFuture<List<DeadLetter>> deliver(DeliveryRequest request) {
        CompletableFuture<List<DeadLetter>> result = new CompletableFuture<>();
        if (request.operations.isEmpty()) {
            result.complete(Collections.emptyList());
            return result;
        }
        if (request.operations.get(0).kind == OperationKind.IDENTIFIER_CHANGE) {
            // Alone in its request (the batcher sees to it): App API look-ups, then Track.
            if (identifierChanges == null) {
                throw new IllegalStateException(
                        "an identifier change without an App API key: the settings changed"
                                + " between the operation and its delivery");
            }
            return identifierChanges.deliver(request.operations.get(0));
        }
        attempt(new Attempt(request.operations, result, clock.nowMs()));
        return result;
    }

    /** One set of operations on its way, with its retry history. */
    private final class Attempt {
        final List<CustomerioOperation> operations;
        final CompletableFuture<List<DeadLetter>> result;
        final long firstAttemptMs;
        int failures;

        Attempt(
                List<CustomerioOperation> operations,
                CompletableFuture<List<DeadLetter>> result,
                long firstAttemptMs) {
            this.operations = operations;
            this.result = result;
            this.firstAttemptMs = firstAttemptMs;
        }
    }

    private void attempt(Attempt attempt) {
        schedule(() -> send(attempt), limiter.reserveDelayMs(), attempt.result);
    }

    private void send(Attempt attempt) {
        final String method;
        final String path;
        final byte[] body;
        if (sentAlone(attempt.operations)) {
            CustomerioOperation op = attempt.operations.get(0);
            method = op.method;
            path = op.path;
            body = op.body;
        } else {
            method = "POST";
            path = BATCH_PATH;
            body = BatchBody.of(attempt.operations);
        }
        long sentAt = clock.nowMs();
        listener.requestSent(attempt.operations.size(), body.length);
        client.send(method, path, body)
                .whenComplete(
                        (response, error) -> {
                            try {
                                HttpResult r =
                                        error != null
                                                ? HttpResult.networkError(error.toString())
                                                : response;
                                listener.responseReceived(r, clock.nowMs() - sentAt);
                                handle(attempt, r);
                            } catch (Throwable t) {
                                attempt.result.completeExceptionally(t);
                            }
                        });
    }

    /**
     * A request of its own: every operation in v1 mode, and in v2-batch mode an operation that
     * names its own method and path (an endpoint /batch does not cover, such as v1 anonymous
     * events), which the batcher always sends alone.
     */
    private boolean sentAlone(List<CustomerioOperation> operations) {
        return mode == ApiMode.V1
                || (operations.size() == 1 && operations.get(0).needsOwnRequest());
    }

    private void handle(Attempt attempt, HttpResult r) {
        switch (ResponseClass.of(r)) {
            case SUCCESS:
                listener.delivered(attempt.operations);
                attempt.result.complete(Collections.emptyList());
                return;
            case PARTIAL:
                attempt.result.complete(partial(attempt, r));
                return;
            case REJECTED:
                rejected(attempt, r);
                return;
            case AUTH:
                listener.authenticationFailed(r);
                schedule(() -> attempt(attempt), policy.authBackoffMs(), attempt.result);
                return;
            case RETRYABLE:
            default:
                retry(attempt, r);
        }
    }

    private void retry(Attempt attempt, HttpResult r) {
        long now = clock.nowMs();
        if (policy.givesUp(attempt.firstAttemptMs, now)) {
            attempt.result.complete(
                    deadLetters(
                            attempt.operations,
                            DeadLetterReason.RETRY_DURATION_EXCEEDED,
                            "still failing after "
                                    + (now - attempt.firstAttemptMs)
                                    + " ms of retries (customerio.max-retry-duration); last: "
                                    + r.describe(),
                            r));
            return;
        }
        if (r.status() == 429) {
            limiter.onThrottled(r.retryAfterMs());
            listener.throttled(r);
        }
        long delay = policy.backoffMs(attempt.failures, r.retryAfterMs());
        attempt.failures++;
        listener.retryScheduled(r, attempt.failures, delay);
        schedule(() -> attempt(attempt), delay, attempt.result);
    }

    /** 207: dead-letter the operations Customer.io lists, count the rest as delivered. */
    private List<DeadLetter> partial(Attempt attempt, HttpResult r) {
        List<CustomerioOperation> ops = attempt.operations;
        if (sentAlone(ops)) {
            listener.delivered(ops);
            return Collections.emptyList();
        }
        boolean[] refused = new boolean[ops.size()];
        String[] reasons = new String[ops.size()];
        try {
            JsonNode errors = Json.mapper().readTree(r.body()).path("errors");
            for (JsonNode error : errors) {
                int index = error.path("batch_index").asInt(-1);
                if (index >= 0 && index < ops.size()) {
                    refused[index] = true;
                    reasons[index] = error.toString();
                }
            }
        } catch (Exception e) {
            // Without a readable list we cannot tell good from bad: keep them all for a person.
            return deadLetters(
                    ops, DeadLetterReason.REJECTED_BY_CUSTOMERIO, "unreadable 207 answer", r);
        }
        List<CustomerioOperation> delivered = new ArrayList<>(ops.size());
        List<DeadLetter> dead = new ArrayList<>();
        long now = clock.nowMs();
        for (int i = 0; i < ops.size(); i++) {
            if (refused[i]) {
                dead.add(
                        DeadLetters.forOperation(
                                DeadLetterReason.REJECTED_BY_CUSTOMERIO,
                                "Customer.io refused operation " + i + " of a batch (207)",
                                ops.get(i),
                                r.status(),
                                reasons[i],
                                now));
            } else {
                delivered.add(ops.get(i));
            }
        }
        listener.delivered(delivered);
        return dead;
    }

    /** A refused request: split a batch to find the culprits, dead-letter a lone operation. */
    private void rejected(Attempt attempt, HttpResult r) {
        List<CustomerioOperation> ops = attempt.operations;
        if (ops.size() == 1) {
            attempt.result.complete(
                    deadLetters(
                            ops,
                            DeadLetterReason.REJECTED_BY_CUSTOMERIO,
                            "Customer.io refused the operation (" + r.describe() + ")",
                            r));
            return;
        }
        int middle = ops.size() / 2;
        List<CustomerioOperation> first = ops.subList(0, middle);
        List<CustomerioOperation> second = ops.subList(middle, ops.size());
        CompletableFuture<List<DeadLetter>> firstResult = new CompletableFuture<>();
        attempt(new Attempt(first, firstResult, attempt.firstAttemptMs));
        firstResult.whenComplete(
                (firstDead, error) -> {
                    if (error != null) {
                        attempt.result.completeExceptionally(error);
                        return;
                    }
                    CompletableFuture<List<DeadLetter>> secondResult = new CompletableFuture<>();
                    attempt(new Attempt(second, secondResult, attempt.firstAttemptMs));
                    secondResult.whenComplete(
                            (secondDead, secondError) -> {
                                if (secondError != null) {
                                    attempt.result.completeExceptionally(secondError);
                                    return;
                                }
                                List<DeadLetter> all = new ArrayList<>(firstDead);
                                all.addAll(secondDead);
                                attempt.result.complete(all);
                            });
                });
    }

    private List<DeadLetter> deadLetters(
            List<CustomerioOperation> ops, DeadLetterReason reason, String detail, HttpResult r) {
        long now = clock.nowMs();
        List<DeadLetter> dead = new ArrayList<>(ops.size());
        for (CustomerioOperation op : ops) {
            dead.add(DeadLetters.forOperation(reason, detail, op, r.status(), r.body(), now));
        }
        return dead;
    }

    private void schedule(Runnable task, long delayMs, CompletableFuture<List<DeadLetter>> result) {
        try {
            // Even "now" goes through the timer thread: completions never run sends recursively
            // on the thread that completed the previous request.
            timer.schedule(
                    () -> {
                        try {
                            task.run();
                        } catch (Throwable t) {
                            result.completeExceptionally(t);
                        }
                    },
                    delayMs,
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // The function is closing (job cancelled or failing over): the request stays in the
            // AsyncIO operator's checkpointed queue and is sent again after the restore.
        }
    }
}
