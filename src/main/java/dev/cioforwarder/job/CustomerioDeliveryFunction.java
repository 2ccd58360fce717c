package dev.cioforwarder.job;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.delivery.AppApiClient;
import dev.cioforwarder.delivery.Authorization;
import dev.cioforwarder.delivery.Clock;
import dev.cioforwarder.delivery.CredentialsStatus;
import dev.cioforwarder.delivery.CustomerioClient;
import dev.cioforwarder.delivery.DeliveryFeedback;
import dev.cioforwarder.delivery.DeliveryRequest;
import dev.cioforwarder.delivery.DeliveryResult;
import dev.cioforwarder.delivery.DeliverySettings;
import dev.cioforwarder.delivery.HttpResult;
import dev.cioforwarder.delivery.IdentifierChangeDelivery;
import dev.cioforwarder.delivery.OperationDelivery;
import dev.cioforwarder.delivery.PerUserSequencer;
import dev.cioforwarder.delivery.RateLimiter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AsyncIO delivery step, a thin Flink shell: {@link OperationDelivery} decides what to do with
 * each answer, {@link PerUserSequencer} keeps per-user order, {@link DeliveryMetrics} reports.
 *
 * <p>Its output: the dead letters of refused operations, the outcomes of erasures, and the feedback
 * each user's state needs ({@link DeliveryFeedback}): operations that wait (parked), seals that
 * came through, and the answer to operations whose state asked for one or that changed the state
 * and were refused.
 *
 * <p>Nothing holds an AsyncIO slot for long: a request that keeps failing leaves delivery after the
 * in-slot budget, its operations parked; so the task never stays blocked on a full queue and
 * checkpoints complete however long Customer.io is away. Requests restored from a checkpoint are
 * parked at once (their users' order is settled again by the users' state, also after a rescale
 * moved them to another subtask). A watchdog (the AsyncIO timeout) parks a request whose answer
 * never came, loudly.
 */
public class CustomerioDeliveryFunction extends RichAsyncFunction<DeliveryRequest, DeliveryOutcome>
        implements CheckpointedFunction, CheckpointListener {
    private static final long serialVersionUID = 3L;
    private static final Logger LOG = LoggerFactory.getLogger(CustomerioDeliveryFunction.class);

    /** Why restored operations wait. */
    static final String RESTORED = "restored";

    /** Why a user's operations wait behind their parked one. */
    static final String BEHIND = "behind_waiting_operation";

    /** Why a seal is sent back before the first checkpoint after a restore completed. */
    static final String RESTORE_SETTLING = "restore_settling";

    /** Why the watchdog parked a request. */
    static final String WATCHDOG = "watchdog";

    /** Marks a seal among the operations not sent. */
    private static final String SEAL = DeliveryOutcome.SEAL;

    /** Marks of parked users older than this are forgotten: their users' state took over. */
    static final long PARKED_MARK_MAX_AGE_MS = TimeUnit.HOURS.toMillis(24);

    private final DeliverySettings settings;

    private transient CustomerioClient client;
    private transient AppApiClient appApi;
    private transient ScheduledExecutorService timer;
    private transient OperationDelivery delivery;
    private transient PerUserSequencer sequencer;
    private transient AtomicInteger inFlight;
    private transient DeliveryMetrics metrics;
    private transient Metrics.Labelled deadLetters;
    private transient Metrics.Labelled feedback;
    private transient Map<String, Counter> erasures;
    private transient Counter watchdogExpired;
    private transient Metrics.Labelled operationsParked;
    private transient Map<DeliveryRequest, Call> calls;
    private transient ListState<ParkedUser> parkedUsersState;
    private transient List<ParkedUser> restoredParkedUsers;
    private transient long restoredCheckpointId;
    private transient volatile boolean sealsReady;

    public CustomerioDeliveryFunction(DeliverySettings settings) {
        this.settings = settings;
    }

    /** The state descriptor of the parked-user marks (union list: each subtask keeps its own). */
    static ListStateDescriptor<ParkedUser> parkedUsersDescriptor() {
        return new ListStateDescriptor<>(
                "delivery-parked-users", TypeInformation.of(ParkedUser.class));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        parkedUsersState =
                context.getOperatorStateStore().getUnionListState(parkedUsersDescriptor());
        restoredCheckpointId =
                context.isRestored() ? context.getRestoredCheckpointId().orElse(0L) : 0L;
        restoredParkedUsers = new ArrayList<>();
        if (context.isRestored()) {
            for (ParkedUser p : parkedUsersState.get()) {
                restoredParkedUsers.add(p);
            }
        }
    }

    @Override
    public void open(OpenContext openContext) {
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        int maxParallelism = getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks();
        Authorization track =
                new Authorization(
                        settings.apiKeySource()::read,
                        key -> CustomerioClient.basic(settings.siteId(), key),
                        settings.apiKeySource().toString(),
                        5_000);
        client =
                new CustomerioClient(
                        settings.trackUrl(),
                        track,
                        settings.requestTimeout(),
                        settings.maxInFlight(),
                        "customerio-http-" + subtask);
        timer = newTimer(subtask);
        // The rate limit is for the whole job; each parallel instance takes its share.
        RateLimiter limiter =
                new RateLimiter(settings.jobRateLimitPerSecond() / parallelism, Clock.system());
        sequencer = new PerUserSequencer();
        long now = System.currentTimeMillis();
        if (restoredParkedUsers != null) {
            for (ParkedUser p : restoredParkedUsers) {
                // Each subtask keeps the marks of the users whose key groups it owns now.
                if (KeyGroupRangeAssignment.assignKeyToParallelOperator(
                                p.userKey, maxParallelism, parallelism)
                        == subtask) {
                    sequencer.markParked(p.userKey, p.episode, p.sinceMs);
                }
            }
            restoredParkedUsers = null;
        }
        sealsReady = restoredCheckpointId == 0;
        inFlight = new AtomicInteger();
        calls = new ConcurrentHashMap<>();
        CredentialsStatus credentials = new CredentialsStatus(settings, Clock.system());

        MetricGroup group = Metrics.group(getRuntimeContext().getMetricGroup());
        metrics = new DeliveryMetrics(group, credentials);
        deadLetters = new Metrics.Labelled(group, Metrics.REASON, Metrics.DEAD_LETTERS);
        feedback = new Metrics.Labelled(group, Metrics.KIND, Metrics.FEEDBACK_RECORDS);
        erasures = Metrics.erasureOutcomes(group);
        watchdogExpired = group.counter(Metrics.REQUESTS_EXPIRED);
        operationsParked = new Metrics.Labelled(group, Metrics.REASON, Metrics.OPERATIONS_PARKED);
        delivery =
                new OperationDelivery(
                        client, limiter, settings.retryPolicy(), timer, Clock.system(), metrics);
        if (settings.appliesIdentifierChanges()) {
            Authorization appApiKey =
                    new Authorization(
                            settings.appApiKeySource()::read,
                            CustomerioClient::bearer,
                            settings.appApiKeySource().toString(),
                            5_000);
            appApi =
                    new AppApiClient(
                            settings.appApiUrl(),
                            appApiKey,
                            settings.requestTimeout(),
                            "customerio-app-api-" + subtask);
            // The App API allows 10 requests a second per workspace.
            delivery.withIdentifierChanges(
                    new IdentifierChangeDelivery(
                            appApi,
                            client,
                            new RateLimiter(10.0 / parallelism, Clock.system()),
                            limiter,
                            settings.retryPolicy(),
                            timer,
                            Clock.system(),
                            metrics,
                            settings.appApiLagGrace().toMillis(),
                            settings.emailIsIdentifier()));
        }
        group.gauge(Metrics.IN_FLIGHT_REQUESTS, () -> inFlight.get());
        group.gauge(Metrics.USERS_IN_FLIGHT, () -> sequencer.trackedUsers());
        group.gauge(Metrics.USERS_PARKED_IN_DELIVERY, () -> sequencer.parkedUserCount());
        group.gauge(Metrics.RATE_LIMIT_PER_SECOND, () -> limiter.currentRate());
        group.gauge(Metrics.CREDENTIALS_VALID, credentials::valid);
        group.gauge(Metrics.CUSTOMERIO_AVAILABLE, () -> delivery.health().isOpen() ? 0 : 1);
        if (subtask == 0) {
            // Asks Customer.io which account and region the credentials belong to; never fails
            // the job: deliveries wait and retry until the problem is fixed.
            client.region()
                    .whenComplete(
                            (r, error) ->
                                    credentials.checked(
                                            error != null
                                                    ? HttpResult.networkError(error.toString())
                                                    : r));
        }
    }

    private static ScheduledExecutorService newTimer(int subtask) {
        ScheduledThreadPoolExecutor executor =
                new ScheduledThreadPoolExecutor(
                        1,
                        r -> {
                            Thread t = new Thread(r, "customerio-delivery-timer-" + subtask);
                            t.setDaemon(true);
                            return t;
                        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    @Override
    public void asyncInvoke(DeliveryRequest request, ResultFuture<DeliveryOutcome> resultFuture) {
        boolean restored =
                restoredCheckpointId > 0 && request.checkpointEpoch < restoredCheckpointId;
        Call call =
                new Call(request, restored, sequencer.admit(request.distinctUsers()), resultFuture);
        calls.put(request, call);
        inFlight.incrementAndGet();
        call.ticket
                .ready()
                .thenRun(() -> start(call))
                .exceptionally(
                        e -> {
                            LOG.error("Delivery of {} failed to start", request, e);
                            finish(call, null);
                            return null;
                        });
    }

    /** One request in the operator's queue. */
    private static final class Call {
        final DeliveryRequest request;
        final boolean restored;
        final PerUserSequencer.Ticket ticket;
        final ResultFuture<DeliveryOutcome> resultFuture;

        /** Why each operation was not sent (null: sent), once the request's turn came. */
        String[] notSent;

        OperationDelivery.Handle handle;
        boolean finished;

        Call(
                DeliveryRequest request,
                boolean restored,
                PerUserSequencer.Ticket ticket,
                ResultFuture<DeliveryOutcome> resultFuture) {
            this.request = request;
            this.restored = restored;
            this.ticket = ticket;
            this.resultFuture = resultFuture;
        }
    }

    /**
     * The request's turn came (every earlier request of its users completed): sends what may be
     * sent, parks the rest.
     */
    private void start(Call call) {
        synchronized (call) {
            if (call.finished) {
                // The watchdog answered for it while it waited for its turn.
                call.ticket.release();
                return;
            }
        }
        List<CustomerioOperation> ops = call.request.operations;
        String[] notSent = new String[ops.size()];
        List<CustomerioOperation> toSend = new ArrayList<>(ops.size());
        for (int i = 0; i < ops.size(); i++) {
            CustomerioOperation op = ops.get(i);
            if (op.isSeal()) {
                // A seal from the user's state lifts the user's mark: their state took over.
                sequencer.holdsBack(op.userKey, op.episode);
                notSent[i] = SEAL;
            } else if (call.restored) {
                notSent[i] = RESTORED;
            } else if (sequencer.holdsBack(op.userKey, op.episode)) {
                notSent[i] = BEHIND;
            } else {
                toSend.add(op);
            }
        }
        // Users whose part of the request leaves nothing for their state (all sent, none
        // asking for an answer) may go on as soon as their operations are delivered, whatever
        // the others of the request still wait for (a person answered 409, retried for its
        // budget). The others of the request keep the order of their feedback: their tickets
        // go when the request's result is handed on.
        java.util.Set<String> mayGoEarly = new java.util.HashSet<>();
        for (CustomerioOperation op : toSend) {
            mayGoEarly.add(op.userKey);
        }
        for (int i = 0; i < ops.size(); i++) {
            CustomerioOperation op = ops.get(i);
            if (notSent[i] != null || op.ackRequested) {
                mayGoEarly.remove(op.userKey);
            }
        }
        synchronized (call) {
            if (call.finished) {
                // The watchdog answered for it already.
                call.ticket.release();
                return;
            }
            call.notSent = notSent;
            if (!toSend.isEmpty()) {
                call.handle =
                        delivery.deliver(
                                toSend,
                                mayGoEarly.isEmpty()
                                        ? null
                                        : (user, allDelivered) -> {
                                            if (allDelivered && mayGoEarly.contains(user)) {
                                                call.ticket.release(user);
                                            }
                                        });
            }
        }
        if (call.handle == null) {
            finish(call, null);
            return;
        }
        call.handle
                .result()
                .whenComplete(
                        (result, error) -> {
                            if (error != null) {
                                LOG.error("Delivery of {} failed", call.request, error);
                            }
                            finish(call, result);
                        });
    }

    /**
     * Hands the request's outcomes on, then lets the next requests of its users go: their outcomes
     * (a parked operation behind this one's) then follow this one's in the output.
     */
    private void finish(Call call, DeliveryResult result) {
        synchronized (call) {
            if (call.finished) {
                return;
            }
            call.finished = true;
        }
        calls.remove(call.request);
        List<DeliveryOutcome> out;
        try {
            out = outcomes(call, result, WATCHDOG);
        } catch (RuntimeException e) {
            // A bug in building outcomes: fail and restart from the checkpoint, which still holds
            // the request, rather than lose what it says.
            call.resultFuture.completeExceptionally(e);
            call.ticket.release();
            inFlight.decrementAndGet();
            return;
        }
        call.resultFuture.complete(out);
        call.ticket.release();
        inFlight.decrementAndGet();
    }

    /**
     * The request's outcomes ({@link DeliveryOutcome#forRequest}), counted; each parked operation
     * marks its user, before the request's ticket is released, so the user's later operations see
     * it.
     */
    private List<DeliveryOutcome> outcomes(Call call, DeliveryResult result, String undecided) {
        long now = System.currentTimeMillis();
        List<DeliveryOutcome> out =
                DeliveryOutcome.forRequest(
                        call.request.operations,
                        call.notSent,
                        result,
                        sealsReady,
                        undecided,
                        RESTORE_SETTLING,
                        now);
        for (DeliveryOutcome o : out) {
            if (o.deadLetter != null) {
                deadLetters.inc(o.deadLetter.reason);
            } else if (o.erasure != null) {
                erasures.get(o.erasure.outcome).inc();
            } else {
                DeliveryFeedback f = o.feedback;
                feedback.inc(f.kind.name().toLowerCase(Locale.ROOT));
                if (f.kind == DeliveryFeedback.Kind.PARKED && !f.operation.isSeal()) {
                    sequencer.markParked(f.operation.userKey, f.operation.episode, now);
                    operationsParked.inc(f.reason);
                }
            }
        }
        return out;
    }

    /**
     * The watchdog: the request's answer did not come within the AsyncIO timeout, well past every
     * budget. A bug or a stuck connection: said loudly, the attempt is cancelled, its ticket freed,
     * and what was not decided waits in its users' state like an outage.
     */
    @Override
    public void timeout(DeliveryRequest request, ResultFuture<DeliveryOutcome> resultFuture) {
        watchdogExpired.inc();
        LOG.error(
                "No answer for {} within the AsyncIO timeout, long after every retry budget; its"
                        + " operations wait in their users' state and are sent again",
                request);
        Call call = calls.get(request);
        if (call == null) {
            return;
        }
        OperationDelivery.Handle handle;
        synchronized (call) {
            handle = call.handle;
        }
        if (handle != null) {
            // Cancelling completes its result: finish() follows, with what was decided.
            handle.cancel(WATCHDOG);
        } else {
            // Still waiting for an earlier request of its users: answered now; its ticket is
            // released when its turn comes (start() sees it finished).
            synchronized (call) {
                if (call.finished) {
                    return;
                }
                call.finished = true;
            }
            calls.remove(request);
            call.resultFuture.complete(outcomes(call, null, WATCHDOG));
            inFlight.decrementAndGet();
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        long now = System.currentTimeMillis();
        sequencer.forgetOlderThan(PARKED_MARK_MAX_AGE_MS, now);
        List<ParkedUser> marks = new ArrayList<>();
        for (Map.Entry<String, long[]> e : sequencer.parkedUsers().entrySet()) {
            marks.add(ParkedUser.of(e.getKey(), e.getValue()[0], e.getValue()[1]));
        }
        parkedUsersState.update(marks);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        if (checkpointId > restoredCheckpointId) {
            // Everything parked while restoring is in a committed transaction now: a seal sent
            // back from here on comes after it in the feedback topic.
            sealsReady = true;
        }
    }

    @Override
    public void close() throws Exception {
        if (timer != null) {
            timer.shutdownNow();
            timer.awaitTermination(5, TimeUnit.SECONDS);
        }
        if (client != null) {
            client.close();
        }
        if (appApi != null) {
            appApi.close();
        }
    }

    /** A user whose later operations delivery parks: operator state of the delivery step. */
    public static class ParkedUser {
        public String userKey;
        public long episode;
        public long sinceMs;

        public ParkedUser() {}

        static ParkedUser of(String userKey, long episode, long sinceMs) {
            ParkedUser p = new ParkedUser();
            p.userKey = userKey;
            p.episode = episode;
            p.sinceMs = sinceMs;
            return p;
        }
    }
}
