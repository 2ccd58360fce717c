package dev.cioforwarder.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.IdentifierChange;
import dev.cioforwarder.customerio.PathSegment;
import dev.cioforwarder.customerio.PersonIdentifier;
import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.deadletter.DeadLetters;
import dev.cioforwarder.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
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
 * Each call is retried like any delivery ({@link RetryLoop}): transient failures within the AsyncIO
 * slot budget, then the change waits in its user's state (so does a refused App API key: only this
 * user's operations wait for it); unexpected statuses for a bounded time; dead-lettered after
 * {@code customerio.max-retry-duration}. Nothing blocks.
 *
 * <p>The App API lags the Track API: a person identified moments ago may not be found yet. So a 404
 * for the person's current identifier is looked up again for {@code appApiLagGraceMs} from the
 * change's first attempt (that identify was acknowledged before the change was sent) before the
 * change is taken as not needed. The new identifier's look-up is not delayed: it is nobody's in the
 * usual case, and waiting there would hold every change for the whole grace.
 *
 * <p>An answer without a {@code cio_id} (neither {@code customer.identifiers.cio_id} nor {@code
 * customer.attributes.cio_id}) is never taken as "applied" or "nobody else has it": it is retried
 * as an unexpected answer and then dead-lettered ({@code unexpected_status}).
 *
 * <p>In an ID-only workspace ({@code emailIsIdentifier} false) email is an ordinary attribute: a
 * changed email (one that waited in state from before the setting) is a plain identify by the
 * person's id carrying the new {@code email}, with no App API look-up (which would answer 400 to
 * {@code id_type=email}).
 */
public final class IdentifierChangeDelivery {

    private final AppApiClient appApi;
    private final CustomerioClient track;
    private final RateLimiter appApiLimiter;
    private final RateLimiter trackLimiter;
    private final RetryLoop loop;
    private final Clock clock;
    private final DeliveryListener listener;
    private final long appApiLagGraceMs;
    private final boolean emailIsIdentifier;

    /**
     * @param appApiLagGraceMs how long a person not found by their current identifier is looked up
     *     again (the App API lags the Track API); 0: not at all
     * @param emailIsIdentifier false in an ID-only workspace, where email is an attribute
     */
    public IdentifierChangeDelivery(
            AppApiClient appApi,
            CustomerioClient track,
            RateLimiter appApiLimiter,
            RateLimiter trackLimiter,
            RetryPolicy policy,
            ScheduledExecutorService timer,
            Clock clock,
            DeliveryListener listener,
            long appApiLagGraceMs,
            boolean emailIsIdentifier) {
        this.appApi = appApi;
        this.track = track;
        this.appApiLimiter = appApiLimiter;
        this.trackLimiter = trackLimiter;
        this.loop = new RetryLoop(policy, timer, clock, listener);
        this.clock = clock;
        this.listener = listener;
        this.appApiLagGraceMs = appApiLagGraceMs;
        this.emailIsIdentifier = emailIsIdentifier;
    }

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    /**
     * Applies the change; decides the operation at {@code index} of {@code progress}: delivered
     * (applied, or not needed), dead-lettered (a conflict, a refusal, an unexpected status past its
     * budget), or parked (Customer.io or its App API not answering within the AsyncIO slot budget,
     * or the App API refusing its key: the change and everything of its user after it wait in the
     * user's state; Track delivery of everyone else goes on).
     */
    void deliver(CustomerioOperation op, RequestProgress progress, int index) {
        IdentifierChange change = IdentifierChange.decode(op.body);
        long start = clock.nowMs();
        if (op.firstAttemptMs == 0) {
            op.firstAttemptMs = start;
        }
        Step step = new Step(op, progress, index, start);
        if (!emailIsIdentifier
                && change.set().kind() == PersonIdentifier.Kind.EMAIL
                && change.person().kind() == PersonIdentifier.Kind.ID) {
            setEmailAttribute(step, change);
            return;
        }
        step.lagGrace = true;
        // Composed, not nested: a failure in either look-up, or in what follows them, reaches
        // the one handler at the end and dead-letters the change at once.
        call(step, () -> appApi.person(change.person()), appApiLimiter, true)
                .thenCompose(
                        current -> {
                            if (current == null) {
                                return DONE;
                            }
                            step.lagGrace = false;
                            if (current.status() == 404) {
                                listener.identifierChangeNotNeeded();
                                step.delivered();
                                return DONE;
                            }
                            // Never empty here: an answer without one is not final (decide).
                            String cioId = cioId(current);
                            return call(
                                            step,
                                            () -> appApi.person(change.set()),
                                            appApiLimiter,
                                            true)
                                    .thenAccept(
                                            owner -> {
                                                if (owner != null) {
                                                    applyUnlessTaken(step, change, cioId, owner);
                                                }
                                            });
                        })
                .exceptionally(
                        e -> {
                            step.failed(e);
                            return null;
                        });
    }

    private void applyUnlessTaken(
            Step step, IdentifierChange change, String cioId, HttpResult owner) {
        if (owner.status() != 404) {
            String ownerCioId = cioId(owner);
            if (cioId.equals(ownerCioId)) {
                // Applied before (a replay after a restore): nothing to do.
                listener.identifierChanged();
                step.delivered();
                return;
            }
            step.dead(
                    DeadLetterReason.IDENTIFIER_CONFLICT,
                    "the new "
                            + change.set().kind().code()
                            + " already belongs to another person (cio_id "
                            + ownerCioId
                            + "); the person with cio_id "
                            + cioId
                            + " keeps the old one and stays addressed by it. Nothing was merged:"
                            + " see the README on identifier conflicts",
                    owner);
            return;
        }
        byte[] body = setBody(change.set());
        String path = "/api/v1/customers/" + PathSegment.encode("cio_" + cioId);
        call(step, () -> track.send("PUT", path, body), trackLimiter, false)
                .thenAccept(
                        applied -> {
                            if (applied != null) {
                                listener.identifierChanged();
                                step.delivered();
                            }
                        })
                .exceptionally(
                        e -> {
                            step.failed(e);
                            return null;
                        });
    }

    /**
     * ID-only workspace: the new email is an attribute, set by a plain identify addressed by the
     * person's id ({@code /api/v2/entity}, so no id is read by its shape as in a v1 path).
     */
    private void setEmailAttribute(Step step, IdentifierChange change) {
        byte[] body = emailIdentifyBody(change.person().value(), change.set().value());
        call(step, () -> track.send("POST", "/api/v2/entity", body), trackLimiter, false)
                .thenAccept(
                        sent -> {
                            if (sent != null) {
                                step.delivered();
                            }
                        })
                .exceptionally(
                        e -> {
                            step.failed(e);
                            return null;
                        });
    }

    static byte[] emailIdentifyBody(String id, String email) {
        java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("type", "person");
        body.put("identifiers", java.util.Map.of("id", id));
        body.put("action", "identify");
        body.put("attributes", java.util.Map.of("email", email));
        try {
            return Json.mapper().writeValueAsBytes(body);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Why an identifier change waits while the App API refuses its key. */
    public static final String APP_API_UNAUTHORIZED = "app_api_unauthorized";

    /**
     * Sends until the answer is final: completes with it (2xx, and 404 for a look-up), or with null
     * once the step was decided otherwise (parked, dead-lettered).
     */
    private CompletableFuture<HttpResult> call(
            Step step,
            Supplier<CompletableFuture<HttpResult>> request,
            RateLimiter limiter,
            boolean lookup) {
        // One call at a time: the next starts once this one's answer is final.
        step.request = request;
        step.limiter = limiter;
        step.lookup = lookup;
        step.answer = new CompletableFuture<>();
        CompletableFuture<HttpResult> answer = step.answer;
        step.start();
        return answer;
    }

    /** The change on its way, and the call it is making. */
    private final class Step extends RetryLoop.Attempt {
        final CustomerioOperation op;
        final RequestProgress progress;
        final int index;
        long unexpectedSinceMs;

        /** Looking up the person's current identifier: a 404 may be the App API's lag. */
        boolean lagGrace;

        Supplier<CompletableFuture<HttpResult>> request;
        RateLimiter limiter;

        /** An App API look-up (else a Track API request). */
        boolean lookup;

        /** Completes with the call's final answer, or null once the step is decided otherwise. */
        CompletableFuture<HttpResult> answer;

        /** The last answer was a look-up's 2xx without the person's cio_id. */
        boolean withoutCioId;

        Step(CustomerioOperation op, RequestProgress progress, int index, long startMs) {
            super(startMs);
            this.op = op;
            this.progress = progress;
            this.index = index;
        }

        void delivered() {
            listener.delivered(List.of(op));
            progress.delivered(index);
        }

        void dead(DeadLetterReason reason, String detail, HttpResult r) {
            progress.dead(
                    index,
                    DeadLetters.forOperation(
                            reason,
                            detail,
                            op,
                            r == null ? 0 : r.status(),
                            r == null ? null : r.body(),
                            clock.nowMs()));
        }

        @Override
        boolean cancelled() {
            return progress.cancelled();
        }

        @Override
        void abandon() {
            answer.complete(null);
        }

        @Override
        void start() {
            loop.schedule(
                    () -> {
                        if (cancelled()) {
                            abandon();
                            return;
                        }
                        loop.await(this, request.get());
                    },
                    limiter.reserveDelayMs(),
                    this);
        }

        @Override
        ResponseClass classify(HttpResult r) {
            withoutCioId = false;
            if (lookup && r.status() == 404) {
                long lagged = clock.nowMs() - op.firstAttemptMs;
                if (lagGrace && lagged < appApiLagGraceMs) {
                    // Perhaps identified moments ago: the App API has not caught up yet.
                    loop.retryAfter(
                            this,
                            r,
                            Math.max(
                                    1,
                                    Math.min(
                                            loop.policy().backoffMs(failures, -1),
                                            appApiLagGraceMs - lagged)));
                    return null;
                }
                return ResponseClass.SUCCESS;
            }
            ResponseClass responseClass = ResponseClass.of(r);
            if (lookup && responseClass == ResponseClass.SUCCESS && cioId(r).isEmpty()) {
                // Not "nobody has it", never "the same person": an answer to be asked again.
                withoutCioId = true;
                return ResponseClass.UNEXPECTED;
            }
            return responseClass;
        }

        @Override
        void succeeded(HttpResult r) {
            answer.complete(r);
        }

        @Override
        void rejected(HttpResult r) {
            dead(
                    DeadLetterReason.REJECTED_BY_CUSTOMERIO,
                    "Customer.io refused a step of the identifier change ("
                            + r.describe()
                            + ")"
                            + (lookup && r.status() == 400
                                    ? "; an App API look-up by email is refused in an ID-only"
                                            + " workspace: see customerio.workspace-identifiers"
                                    : ""),
                    r);
            answer.complete(null);
        }

        @Override
        void unexpected(HttpResult r, long now) {
            if (unexpectedSinceMs == 0) {
                unexpectedSinceMs = now;
            }
            if (now - unexpectedSinceMs >= loop.policy().unexpectedStatusMs()) {
                dead(
                        DeadLetterReason.UNEXPECTED_STATUS,
                        "a step of the identifier change was answered "
                                + r.describe()
                                + (withoutCioId ? " without the person's cio_id" : "")
                                + " for "
                                + (now - unexpectedSinceMs)
                                + " ms",
                        r);
                answer.complete(null);
                return;
            }
            loop.retry(this, r);
        }

        @Override
        RateLimiter limiter() {
            return limiter;
        }

        @Override
        Authorization authorization() {
            return lookup ? appApi.authorization() : track.authorization();
        }

        @Override
        void unauthorized(HttpResult r, long nowMs) {
            if (lookup) {
                listener.appApiAuthenticationFailed(r);
            } else {
                listener.authenticationFailed(r);
            }
        }

        @Override
        String unauthorizedReason() {
            return lookup ? APP_API_UNAUTHORIZED : DeliveryHealth.UNAUTHORIZED;
        }

        @Override
        Step retriedTooLong(HttpResult r, long now) {
            if (!loop.policy().givesUp(op.firstAttemptMs, now)) {
                return this;
            }
            dead(
                    DeadLetterReason.RETRY_DURATION_EXCEEDED,
                    "identifier change still failing after "
                            + (now - op.firstAttemptMs)
                            + " ms of retries; last: "
                            + r.describe(),
                    r);
            answer.complete(null);
            return null;
        }

        @Override
        void park(String reason) {
            progress.parked(index, reason);
            answer.complete(null);
        }

        @Override
        void failed(Throwable t) {
            dead(DeadLetterReason.DELIVERY_ERROR, "failed in the forwarder: " + t, null);
            if (answer != null) {
                answer.complete(null);
            }
        }
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

    /**
     * The cio_id in an App API person answer: {@code customer.identifiers.cio_id}, else {@code
     * customer.attributes.cio_id}; empty when neither is there (then nothing can be changed).
     */
    private static String cioId(HttpResult result) {
        try {
            JsonNode customer = Json.mapper().readTree(result.body()).path("customer");
            String id = cioIdText(customer.path("identifiers").path("cio_id"));
            return id.isEmpty() ? cioIdText(customer.path("attributes").path("cio_id")) : id;
        } catch (java.io.IOException | RuntimeException e) {
            return "";
        }
    }

    /** A cio_id value: a string (or a whole number), trimmed; empty for anything else. */
    private static String cioIdText(JsonNode value) {
        return value.isTextual() || value.isIntegralNumber() ? value.asText().trim() : "";
    }
}
