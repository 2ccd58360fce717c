package dev.cioforwarder.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.IdentifierChange;
import dev.cioforwarder.customerio.PathSegment;
import dev.cioforwarder.customerio.PersonIdentifier;
import dev.cioforwarder.deadletter.DeadLetter;
import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.deadletter.DeadLetters;
import dev.cioforwarder.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Applies a changed Customer ID or email ({@link IdentifierChange}) the only way Customer.io
 * allows:
 *
 * <ol>
 *   <li>look the person up by the identifier Customer.io knows them by (App API); nobody there:
 *       nothing to change, the new identifier simply addresses whoever has it;
 *   <li>look the new identifier up: another person already has it → not merged silently: the change
 *       is dead-lettered ({@code identifier_conflict}) with both identifiers in its payload; the
 *       same person (a replay) → done;
 *   <li>{@code PUT /api/v1/customers/cio_<cio_id>} with the new {@code id} or {@code email}.
 * </ol>
 *
 * Each call is retried like any delivery (backoff, Retry-After, slowly on refused credentials,
 * never dropped; dead-lettered only after {@code customerio.max-retry-duration}). Nothing blocks.
 */
public final class IdentifierChangeDelivery {

    private final AppApiClient appApi;
    private final CustomerioClient track;
    private final RateLimiter appApiLimiter;
    private final RateLimiter trackLimiter;
    private final RetryPolicy policy;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private final DeliveryListener listener;

    public IdentifierChangeDelivery(
            AppApiClient appApi,
            CustomerioClient track,
            RateLimiter appApiLimiter,
            RateLimiter trackLimiter,
            RetryPolicy policy,
            ScheduledExecutorService timer,
            Clock clock,
            DeliveryListener listener) {
        this.appApi = appApi;
        this.track = track;
        this.appApiLimiter = appApiLimiter;
        this.trackLimiter = trackLimiter;
        this.policy = policy;
        this.timer = timer;
        this.clock = clock;
        this.listener = listener;
    }

    /** Completes with the change's dead letters (none when it was applied or not needed). */
    public CompletableFuture<List<DeadLetter>> deliver(CustomerioOperation op) {
        IdentifierChange change = IdentifierChange.decode(op.body);
        long start = clock.nowMs();
        return call(() -> appApi.person(change.person()), appApiLimiter, start, true)
                .thenCompose(
                        current -> {
                            if (current.failure != null) {
                                return done(op, current);
                            }
                            if (current.result.status() == 404) {
                                listener.identifierChangeNotNeeded();
                                return CompletableFuture.completedFuture(List.of());
                            }
                            String cioId = cioId(current.result);
                            return call(
                                            () -> appApi.person(change.set()),
                                            appApiLimiter,
                                            start,
                                            true)
                                    .thenCompose(
                                            owner ->
                                                    applyUnlessTaken(
                                                            op, change, cioId, owner, start));
                        });
    }

    private CompletableFuture<List<DeadLetter>> applyUnlessTaken(
            CustomerioOperation op,
            IdentifierChange change,
            String cioId,
            Outcome owner,
            long start) {
        if (owner.failure != null) {
            return done(op, owner);
        }
        if (owner.result.status() != 404) {
            String ownerCioId = cioId(owner.result);
            if (cioId.equals(ownerCioId)) {
                // Applied before (a replay after a restore): nothing to do.
                listener.identifierChanged();
                return CompletableFuture.completedFuture(List.of());
            }
            return CompletableFuture.completedFuture(
                    List.of(
                            DeadLetters.forOperation(
                                    DeadLetterReason.IDENTIFIER_CONFLICT,
                                    "the new "
                                            + change.set().kind().code()
                                            + " already belongs to another person (cio_id "
                                            + ownerCioId
                                            + "); the person with cio_id "
                                            + cioId
                                            + " keeps the old one. Nothing was merged: see the"
                                            + " README on identifier conflicts",
                                    op,
                                    owner.result.status(),
                                    null,
                                    clock.nowMs())));
        }
        byte[] body = setBody(change.set());
        String path = "/api/v1/customers/" + PathSegment.encode("cio_" + cioId);
        return call(() -> track.send("PUT", path, body), trackLimiter, start, false)
                .thenCompose(
                        applied -> {
                            if (applied.failure != null) {
                                return done(op, applied);
                            }
                            listener.identifierChanged();
                            return CompletableFuture.completedFuture(List.of());
                        });
    }

    private CompletableFuture<List<DeadLetter>> done(CustomerioOperation op, Outcome outcome) {
        return CompletableFuture.completedFuture(
                List.of(
                        DeadLetters.forOperation(
                                outcome.failure,
                                outcome.detail,
                                op,
                                outcome.result.status(),
                                outcome.result.body(),
                                clock.nowMs())));
    }

    private static byte[] setBody(PersonIdentifier set) {
        String field = set.kind().code();
        try {
            return Json.mapper()
                    .writeValueAsString(java.util.Map.of(field, set.value()))
                    .getBytes(StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The cio_id in an App API person answer. */
    private static String cioId(HttpResult result) {
        try {
            JsonNode customer = Json.mapper().readTree(result.body()).path("customer");
            String id = customer.path("identifiers").path("cio_id").asText("");
            return id.isEmpty() ? customer.path("cio_id").asText("") : id;
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** A call's final answer, or why it was given up. */
    private static final class Outcome {
        final HttpResult result;
        final DeadLetterReason failure;
        final String detail;

        Outcome(HttpResult result, DeadLetterReason failure, String detail) {
            this.result = result;
            this.failure = failure;
            this.detail = detail;
        }
    }

    /**
     * Sends until the answer is final: 2xx (and 404 for a look-up) is an answer; 400/413/422 a
     * refusal; 401/403 retried every auth interval; anything else retried with backoff.
     */
    private CompletableFuture<Outcome> call(
            Supplier<CompletableFuture<HttpResult>> request,
            RateLimiter limiter,
            long firstAttemptMs,
            boolean lookup) {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        attempt(request, limiter, firstAttemptMs, lookup, 0, outcome);
        return outcome;
    }

    private void attempt(
            Supplier<CompletableFuture<HttpResult>> request,
            RateLimiter limiter,
            long firstAttemptMs,
            boolean lookup,
            int failures,
            CompletableFuture<Outcome> outcome) {
        schedule(
                () ->
                        request.get()
                                .whenComplete(
                                        (r, error) -> {
                                            HttpResult result =
                                                    error != null
                                                            ? HttpResult.networkError(
                                                                    error.toString())
                                                            : r;
                                            decide(
                                                    request,
                                                    limiter,
                                                    firstAttemptMs,
                                                    lookup,
                                                    failures,
                                                    outcome,
                                                    result);
                                        }),
                limiter.reserveDelayMs(),
                outcome);
    }

    private void decide(
            Supplier<CompletableFuture<HttpResult>> request,
            RateLimiter limiter,
            long firstAttemptMs,
            boolean lookup,
            int failures,
            CompletableFuture<Outcome> outcome,
            HttpResult result) {
        if (lookup && result.status() == 404) {
            outcome.complete(new Outcome(result, null, null));
            return;
        }
        switch (ResponseClass.of(result)) {
            case SUCCESS:
            case PARTIAL:
                outcome.complete(new Outcome(result, null, null));
                return;
            case REJECTED:
                outcome.complete(
                        new Outcome(
                                result,
                                DeadLetterReason.REJECTED_BY_CUSTOMERIO,
                                "Customer.io refused a step of the identifier change ("
                                        + result.describe()
                                        + ")"));
                return;
            case AUTH:
                if (lookup) {
                    listener.appApiAuthenticationFailed(result);
                } else {
                    listener.authenticationFailed(result);
                }
                schedule(
                        () -> attempt(request, limiter, firstAttemptMs, lookup, failures, outcome),
                        policy.authBackoffMs(),
                        outcome);
                return;
            case RETRYABLE:
            default:
                long now = clock.nowMs();
                if (policy.givesUp(firstAttemptMs, now)) {
                    outcome.complete(
                            new Outcome(
                                    result,
                                    DeadLetterReason.RETRY_DURATION_EXCEEDED,
                                    "identifier change still failing after "
                                            + (now - firstAttemptMs)
                                            + " ms of retries; last: "
                                            + result.describe()));
                    return;
                }
                if (result.status() == 429) {
                    limiter.onThrottled(result.retryAfterMs());
                    listener.throttled(result);
                }
                long delay = policy.backoffMs(failures, result.retryAfterMs());
                listener.retryScheduled(result, failures + 1, delay);
                schedule(
                        () ->
                                attempt(
                                        request,
                                        limiter,
                                        firstAttemptMs,
                                        lookup,
                                        failures + 1,
                                        outcome),
                        delay,
                        outcome);
        }
    }

    private void schedule(Runnable task, long delayMs, CompletableFuture<Outcome> outcome) {
        try {
            timer.schedule(
                    () -> {
                        try {
                            task.run();
                        } catch (Throwable t) {
                            outcome.completeExceptionally(t);
                        }
                    },
                    delayMs,
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Closing: the operation stays in the AsyncIO queue and is delivered after a restore.
        }
    }
}
