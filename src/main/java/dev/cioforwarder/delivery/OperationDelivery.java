package dev.cioforwarder.delivery;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.deadletter.DeadLetters;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one {@link DeliveryRequest} to Customer.io, deciding each answer from the design's table
 * through {@link RetryLoop} (which this class shares with identifier changes). Each operation ends
 * delivered, dead-lettered or parked ({@link DeliveryResult}); nothing holds its slot long.
 *
 * <ul>
 *   <li>2xx: delivered. 207: the listed {@code batch_index} operations are dead-lettered with
 *       Customer.io's reason, the rest are delivered.
 *   <li>400/413/422 for a batch: split in halves, delivered one half after the other (so a user's
 *       operations keep their order), until the refused operations stand alone and are
 *       dead-lettered; the good ones are delivered.
 *   <li>408, 429, 5xx, network errors, timeouts: retried with exponential backoff and full jitter
 *       ({@code Retry-After} honoured, capped for anything but a 429, which also slows the rate
 *       limiter) for {@link RetryPolicy#inSlotMs()}; then the operations are parked: they wait, in
 *       order, in their users' state and come back later, however long Customer.io is away. Once
 *       every attempt fails for a while, {@link DeliveryHealth} parks new requests at once and lets
 *       one trial through now and then.
 *   <li>401/403: the key is read again (a rotated key works at once); otherwise parked, like an
 *       outage, and reported loudly.
 *   <li>Any other status (3xx, 404, 405, 409, 410, ...): a batch is retried once, then split by
 *       user so that one person's operations take nobody else's with them; a person's own
 *       operations are retried for {@link RetryPolicy#unexpectedStatusMs()}, then dead-lettered
 *       naming the status: in the slot when the request holds only theirs, otherwise parked (they
 *       wait in their state and are retried from there), so that nobody who shared their request
 *       waits for their budget. A person found so is sent apart from the others for a while.
 *   <li>{@code customerio.max-retry-duration}: an operation retried that long since its first
 *       attempt is dead-lettered, wherever it waited in between.
 *   <li>An exception in this code dead-letters the operations concerned ({@code delivery_error}):
 *       it would fail the same way after a restart.
 * </ul>
 *
 * <p>Nothing here blocks: waits are scheduled on {@code timer}, sends are asynchronous.
 */
public final class OperationDelivery {
    private static final Logger LOG = LoggerFactory.getLogger(OperationDelivery.class);

    private static final String BATCH_PATH = "/api/v2/batch";

    /**
     * Why a person's operations answered with an unexpected status wait, when other people share
     * their request.
     */
    public static final String UNEXPECTED_STATUS = "unexpected_status";

    private final CustomerioClient client;
    private final RateLimiter limiter;
    private final RetryPolicy policy;
    private final RetryLoop loop;
    private final Clock clock;
    private final DeliveryListener listener;
    private final DeliveryHealth health;
    private final UnexpectedStatuses unexpectedStatuses;
    private IdentifierChangeDelivery identifierChanges;

    public OperationDelivery(
            CustomerioClient client,
            RateLimiter limiter,
            RetryPolicy policy,
            ScheduledExecutorService timer,
            Clock clock,
            DeliveryListener listener) {
        this(
                client,
                limiter,
                policy,
                timer,
                clock,
                listener,
                new DeliveryHealth(
                        Math.min(10_000, Math.max(1, policy.inSlotMs() / 2)),
                        Math.min(5_000, Math.max(1, policy.inSlotMs() / 2)),
                        policy.authRetryIntervalMs()));
    }

    public OperationDelivery(
            CustomerioClient client,
            RateLimiter limiter,
            RetryPolicy policy,
            ScheduledExecutorService timer,
            Clock clock,
            DeliveryListener listener,
            DeliveryHealth health) {
        this.client = client;
        this.limiter = limiter;
        this.policy = policy;
        this.loop = new RetryLoop(policy, timer, clock, listener);
        this.clock = clock;
        this.listener = listener;
        this.health = health;
        this.unexpectedStatuses = new UnexpectedStatuses(policy.unexpectedStatusMs() + 60_000);
    }

    /** Where identifier changes go (only configured with an App API key). */
    public OperationDelivery withIdentifierChanges(IdentifierChangeDelivery identifierChanges) {
        this.identifierChanges = identifierChanges;
        return this;
    }

    public DeliveryHealth health() {
        return health;
    }

    /** Delivers the operations; the handle tells what became of each, and can cut it short. */
    public Handle deliver(List<CustomerioOperation> operations) {
        return deliver(operations, null);
    }

    /**
     * The same, telling {@code userDone} as soon as all of one user's operations are decided
     * (before the whole request is), with whether all were delivered.
     */
    public Handle deliver(List<CustomerioOperation> operations, UserDone userDone) {
        RequestProgress progress =
                new RequestProgress(
                        operations, clock.nowMs(), userDone == null ? null : userDone::done);
        Handle handle = new Handle(progress);
        if (operations.isEmpty()) {
            return handle;
        }
        try {
            CustomerioOperation first = operations.get(0);
            if (first.kind == OperationKind.IDENTIFIER_CHANGE) {
                // Alone in its request (the batcher sees to it): App API look-ups, then Track.
                if (identifierChanges == null) {
                    progress.dead(
                            0,
                            DeadLetters.forOperation(
                                    DeadLetterReason.IDENTIFIER_CHANGE_NOT_CONFIGURED,
                                    "an identifier change restored into a job without an App API"
                                            + " key (customerio.app-api-key-env or -file); it"
                                            + " cannot be applied",
                                    first,
                                    0,
                                    null,
                                    clock.nowMs()));
                } else {
                    identifierChanges.deliver(first, progress, 0);
                }
                return handle;
            }
            start(new Attempt(progress, allIndices(operations.size())));
        } catch (RuntimeException e) {
            failed(new Attempt(progress, allIndices(operations.size())), e);
        }
        return handle;
    }

    /** Told when all of one user's operations of a request are decided. */
    @FunctionalInterface
    public interface UserDone {
        void done(String user, boolean allDelivered);
    }

    /** A request on its way. */
    public static final class Handle {
        private final RequestProgress progress;

        Handle(RequestProgress progress) {
            this.progress = progress;
        }

        public CompletableFuture<DeliveryResult> result() {
            return progress.result();
        }

        /**
         * Stops trying: what is not decided yet is parked with {@code reason}. An answer that
         * arrives later changes nothing.
         */
        public void cancel(String reason) {
            progress.cancel(reason);
        }
    }

    /** Part of a request, with its retry history. */
    private final class Attempt extends RetryLoop.Attempt {
        final RequestProgress progress;
        final int[] indices;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        boolean retriedUnexpected;

        /** When the request was sent, for its latency. */
        long sentMs;

        Attempt(RequestProgress progress, int[] indices) {
            super(progress.startMs);
            this.progress = progress;
            this.indices = indices;
        }

        /** A part of this attempt that carries its history on. */
        Attempt part(int[] subset) {
            Attempt a = new Attempt(progress, subset);
            a.failures = failures;
            a.retriedUnexpected = retriedUnexpected;
            a.retriedWithNewKey = retriedWithNewKey;
            return a;
        }

        CustomerioOperation op(int k) {
            return progress.operations.get(indices[k]);
        }

        List<CustomerioOperation> operations() {
            List<CustomerioOperation> ops = new ArrayList<>(indices.length);
            for (int i : indices) {
                ops.add(progress.operations.get(i));
            }
            return ops;
        }

        @Override
        boolean cancelled() {
            return progress.cancelled();
        }

        @Override
        void abandon() {
            done.complete(null);
        }

        @Override
        void start() {
            OperationDelivery.this.start(this);
        }

        @Override
        void received(HttpResult r) {
            listener.responseReceived(r, clock.nowMs() - sentMs);
        }

        @Override
        void answered() {
            health.answered();
        }

        @Override
        void succeeded(HttpResult r) {
            delivered(this);
        }

        @Override
        void partial(HttpResult r) {
            OperationDelivery.this.partial(this, r);
        }

        @Override
        void rejected(HttpResult r) {
            OperationDelivery.this.rejected(this, r);
        }

        @Override
        void unexpected(HttpResult r, long nowMs) {
            OperationDelivery.this.unexpected(this, r, nowMs);
        }

        @Override
        void transientFailure(long nowMs) {
            health.transientFailure(nowMs);
        }

        @Override
        RateLimiter limiter() {
            return limiter;
        }

        @Override
        Authorization authorization() {
            return client.authorization();
        }

        @Override
        void unauthorized(HttpResult r, long nowMs) {
            health.unauthorized(nowMs);
            listener.authenticationFailed(r);
        }

        @Override
        String unauthorizedReason() {
            return DeliveryHealth.UNAUTHORIZED;
        }

        @Override
        Attempt retriedTooLong(HttpResult r, long nowMs) {
            return deadIfRetriedTooLong(this, r, nowMs);
        }

        @Override
        void park(String reason) {
            OperationDelivery.this.park(this, reason);
        }

        @Override
        void failed(Throwable t) {
            OperationDelivery.this.failed(this, t);
        }
    }

    /** Sends an attempt, or parks it at once while Customer.io is known to be away. */
    private void start(Attempt a) {
        if (a.progress.cancelled()) {
            a.done.complete(null);
            return;
        }
        if (!health.mayAttempt(clock.nowMs())) {
            park(a, health.reason());
            return;
        }
        // People whose operations were answered with an unexpected status a moment ago go apart,
        // so the others are not held up by their retries.
        List<int[]> parts =
                unexpectedStatuses.isEmpty()
                        ? null
                        : unexpectedStatuses.apart(a.progress.operations, a.indices, clock.nowMs());
        if (parts == null) {
            loop.schedule(() -> send(a), limiter.reserveDelayMs(), a);
            return;
        }
        List<CompletableFuture<Void>> children = new ArrayList<>(parts.size());
        for (int[] part : parts) {
            Attempt child = a.part(part);
            children.add(child.done);
            loop.schedule(() -> send(child), limiter.reserveDelayMs(), child);
        }
        CompletableFuture.allOf(children.toArray(new CompletableFuture[0]))
                .whenComplete((v, e) -> a.done.complete(null));
    }

    private void send(Attempt a) {
        if (a.progress.cancelled()) {
            a.done.complete(null);
            return;
        }
        long now = clock.nowMs();
        final String method;
        final String path;
        final byte[] body;
        List<CustomerioOperation> ops = a.operations();
        for (CustomerioOperation op : ops) {
            if (op.firstAttemptMs == 0) {
                op.firstAttemptMs = now;
            }
        }
        if (sentAlone(ops)) {
            CustomerioOperation op = ops.get(0);
            method = op.method;
            path = op.path;
            body = op.body;
        } else {
            method = "POST";
            path = BATCH_PATH;
            body = BatchBody.of(ops);
        }
        listener.requestSent(ops.size(), body.length);
        a.sentMs = now;
        loop.await(a, client.send(method, path, body));
    }

    /**
     * A request of its own: an operation that names its own method and path, which the batcher
     * always sends alone. In v1 mode every operation does (the encoder gives each its path); in
     * v2-batch mode those are the ones /batch does not cover, such as v1 anonymous events.
     */
    private boolean sentAlone(List<CustomerioOperation> operations) {
        return operations.size() == 1 && operations.get(0).path != null;
    }

    private void delivered(Attempt a) {
        // Reported before decided: the request's result completes with the last decision.
        listener.delivered(a.operations());
        for (int i : a.indices) {
            a.progress.delivered(i);
        }
        a.done.complete(null);
    }

    /** 207: dead-letter the operations Customer.io lists, count the rest as delivered. */
    private void partial(Attempt a, HttpResult r) {
        List<CustomerioOperation> ops = a.operations();
        if (sentAlone(ops)) {
            delivered(a);
            return;
        }
        String[] reasons;
        try {
            reasons = BatchBody.refusals(r.body(), ops.size());
        } catch (Exception e) {
            // Without a readable list we cannot tell good from bad: keep them all for a person.
            dead(a, DeadLetterReason.REJECTED_BY_CUSTOMERIO, "unreadable 207 answer", r);
            return;
        }
        List<CustomerioOperation> delivered = new ArrayList<>(ops.size());
        for (int k = 0; k < ops.size(); k++) {
            if (reasons[k] == null) {
                delivered.add(ops.get(k));
            }
        }
        listener.delivered(delivered);
        long now = clock.nowMs();
        for (int k = 0; k < ops.size(); k++) {
            if (reasons[k] != null) {
                a.progress.dead(
                        a.indices[k],
                        DeadLetters.forOperation(
                                DeadLetterReason.REJECTED_BY_CUSTOMERIO,
                                "Customer.io refused operation " + k + " of a batch (207)",
                                ops.get(k),
                                r.status(),
                                reasons[k],
                                now));
            } else {
                a.progress.delivered(a.indices[k]);
            }
        }
        a.done.complete(null);
    }

    /** A refused request: split a batch to find the culprits, dead-letter a lone operation. */
    private void rejected(Attempt a, HttpResult r) {
        if (a.indices.length == 1) {
            dead(
                    a,
                    DeadLetterReason.REJECTED_BY_CUSTOMERIO,
                    "Customer.io refused the operation (" + r.describe() + ")",
                    r);
            return;
        }
        int middle = a.indices.length / 2;
        Attempt first = a.part(java.util.Arrays.copyOfRange(a.indices, 0, middle));
        Attempt second = a.part(java.util.Arrays.copyOfRange(a.indices, middle, a.indices.length));
        // One half after the other: a user's operations may be in both.
        start(first);
        first.done.whenComplete(
                (v, e) -> {
                    start(second);
                    second.done.whenComplete((v2, e2) -> a.done.complete(null));
                });
    }

    /**
     * Dead-letters the operations past customerio.max-retry-duration; the rest, or null when none
     * is left (then {@code a} is done).
     */
    private Attempt deadIfRetriedTooLong(Attempt a, HttpResult r, long now) {
        if (!policy.hasMaxRetryDuration()) {
            return a;
        }
        int[] keep = new int[a.indices.length];
        int kept = 0;
        for (int i : a.indices) {
            CustomerioOperation op = a.progress.operations.get(i);
            if (policy.givesUp(op.firstAttemptMs, now)) {
                a.progress.dead(
                        i,
                        DeadLetters.forOperation(
                                DeadLetterReason.RETRY_DURATION_EXCEEDED,
                                "still failing after "
                                        + (now - op.firstAttemptMs)
                                        + " ms of retries (customerio.max-retry-duration); last: "
                                        + r.describe(),
                                op,
                                r.status(),
                                r.body(),
                                now));
            } else {
                keep[kept++] = i;
            }
        }
        if (kept == a.indices.length) {
            return a;
        }
        if (kept == 0) {
            a.done.complete(null);
            return null;
        }
        Attempt rest = a.part(java.util.Arrays.copyOf(keep, kept));
        rest.done.whenComplete((v, e) -> a.done.complete(null));
        return rest;
    }

    /** 3xx, 404, 405, 409, 410, ...: isolate the person it concerns, then a bounded budget. */
    private void unexpected(Attempt a, HttpResult r, long now) {
        List<int[]> byUser = UserGroups.byUser(a.progress.operations, a.indices);
        if (byUser.size() > 1) {
            if (!a.retriedUnexpected) {
                // Once more as it is: a proxy blip should not cost a split.
                a.retriedUnexpected = true;
                loop.retry(a, r);
                return;
            }
            // Different people, concurrently: their order is their own.
            int middle = byUser.size() / 2;
            Attempt first = a.part(UserGroups.concat(byUser.subList(0, middle)));
            Attempt second = a.part(UserGroups.concat(byUser.subList(middle, byUser.size())));
            start(first);
            start(second);
            CompletableFuture.allOf(first.done, second.done)
                    .whenComplete((v, e) -> a.done.complete(null));
            return;
        }
        String user = a.op(0).userKey;
        long since = unexpectedStatuses.record(user, r.status(), now);
        if (now - since >= policy.unexpectedStatusMs()) {
            dead(
                    a,
                    DeadLetterReason.UNEXPECTED_STATUS,
                    "Customer.io answered "
                            + r.describe()
                            + " to this person's operations for "
                            + (now - since)
                            + " ms; only 408, 429 and 5xx are retried without end",
                    r);
            return;
        }
        if (UserGroups.sharedWithOthers(a.progress.operations, user)) {
            // Retried here, the request would hold everybody else in it, and through the per-user
            // order their later requests too, for the person's whole budget: the person's
            // operations wait in their state instead and come back, and are retried, from there.
            park(a, UNEXPECTED_STATUS);
            return;
        }
        Attempt rest = deadIfRetriedTooLong(a, r, now);
        if (rest == null) {
            return;
        }
        loop.retryAfter(
                rest,
                r,
                Math.min(
                        policy.backoffMs(rest.failures, r),
                        Math.max(0, since + policy.unexpectedStatusMs() - now)));
    }

    private void park(Attempt a, String reason) {
        for (int i : a.indices) {
            a.progress.parked(i, reason);
        }
        a.done.complete(null);
    }

    private void dead(Attempt a, DeadLetterReason reason, String detail, HttpResult r) {
        long now = clock.nowMs();
        for (int i : a.indices) {
            a.progress.dead(
                    i,
                    DeadLetters.forOperation(
                            reason,
                            detail,
                            a.progress.operations.get(i),
                            r == null ? 0 : r.status(),
                            r == null ? null : r.body(),
                            now));
        }
        a.done.complete(null);
    }

    /**
     * A bug, not an answer: it would fail the same way after a restart, so the operations become
     * dead letters (with the error) instead of a restart loop.
     */
    private void failed(Attempt a, Throwable t) {
        LOG.error(
                "Delivering {} operations failed in the forwarder itself; they are dead-lettered"
                        + " (delivery_error)",
                a.indices.length,
                t);
        dead(a, DeadLetterReason.DELIVERY_ERROR, "failed in the forwarder: " + t, null);
    }

    private static int[] allIndices(int n) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        return all;
    }
}
