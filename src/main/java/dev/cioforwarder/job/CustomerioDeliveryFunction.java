package dev.cioforwarder.job;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.deadletter.DeadLetter;
import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.deadletter.DeadLetters;
import dev.cioforwarder.delivery.AppApiClient;
import dev.cioforwarder.delivery.Clock;
import dev.cioforwarder.delivery.CredentialsStatus;
import dev.cioforwarder.delivery.CustomerioClient;
import dev.cioforwarder.delivery.DeliveryRequest;
import dev.cioforwarder.delivery.DeliverySettings;
import dev.cioforwarder.delivery.HttpResult;
import dev.cioforwarder.delivery.IdentifierChangeDelivery;
import dev.cioforwarder.delivery.OperationDelivery;
import dev.cioforwarder.delivery.PerUserSequencer;
import dev.cioforwarder.delivery.RateLimiter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * The AsyncIO delivery step, a thin Flink shell: {@link OperationDelivery} decides what to do with
 * each outcome, {@link PerUserSequencer} keeps per-user send order, {@link CredentialsStatus} says
 * what is wrong with the credentials, {@link DeliveryMetrics} reports. Its output is the dead
 * letters of refused operations; delivered operations leave only metrics.
 *
 * <p>Nothing blocks the task thread. Slowness becomes backpressure: the operator holds at most
 * {@code customerio.max-in-flight} requests, and their input records live in its checkpointed
 * queue, so a request in flight at a failure is sent again after the restore (Customer.io drops the
 * repeated events by their ULID).
 */
public class CustomerioDeliveryFunction
        extends RichAsyncFunction<DeliveryRequest, DeliveryOutcome> {
    private static final long serialVersionUID = 2L;

    private final DeliverySettings settings;

    private transient CustomerioClient client;
    private transient AppApiClient appApi;
    private transient ScheduledExecutorService timer;
    private transient OperationDelivery delivery;
    private transient PerUserSequencer sequencer;
    private transient AtomicInteger inFlight;
    private transient Metrics.Labelled deadLetters;
    private transient Map<String, Counter> erasures;

    public CustomerioDeliveryFunction(DeliverySettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        client =
                new CustomerioClient(
                        settings.trackUrl(),
                        settings.siteId(),
                        settings.apiKeySource().read(),
                        settings.requestTimeout(),
                        settings.maxInFlight(),
                        "customerio-http-" + subtask);
        timer = newTimer(subtask);
        // The rate limit is for the whole job; each parallel instance takes its share.
        RateLimiter limiter =
                new RateLimiter(settings.jobRateLimitPerSecond() / parallelism, Clock.system());
        sequencer = new PerUserSequencer();
        inFlight = new AtomicInteger();
        CredentialsStatus credentials = new CredentialsStatus(settings, Clock.system());

        MetricGroup group = Metrics.group(getRuntimeContext().getMetricGroup());
        DeliveryMetrics metrics = new DeliveryMetrics(group, credentials);
        deadLetters = new Metrics.Labelled(group, Metrics.REASON, Metrics.DEAD_LETTERS);
        erasures = Metrics.erasureOutcomes(group);
        delivery =
                new OperationDelivery(
                        client,
                        settings.apiMode(),
                        limiter,
                        settings.retryPolicy(),
                        timer,
                        Clock.system(),
                        metrics);
        if (settings.appliesIdentifierChanges()) {
            appApi =
                    new AppApiClient(
                            settings.appApiUrl(),
                            settings.appApiKeySource().read(),
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
                            metrics));
        }
        group.gauge(Metrics.IN_FLIGHT_REQUESTS, () -> inFlight.get());
        group.gauge(Metrics.USERS_IN_FLIGHT, () -> sequencer.trackedUsers());
        group.gauge(Metrics.RATE_LIMIT_PER_SECOND, () -> limiter.currentRate());
        group.gauge(Metrics.CREDENTIALS_VALID, credentials::valid);
        if (subtask == 0) {
            // Asks Customer.io which account and region the credentials belong to; never fails
            // the job: deliveries retry until the problem is fixed.
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
        PerUserSequencer.Ticket ticket = sequencer.admit(distinctUsers(request));
        inFlight.incrementAndGet();
        ticket.ready()
                .thenCompose(ready -> delivery.deliver(request))
                .whenComplete(
                        (dead, error) -> {
                            ticket.release();
                            inFlight.decrementAndGet();
                            if (error != null) {
                                // A bug, not an outcome: fail and restart from the checkpoint,
                                // which still holds this request.
                                resultFuture.completeExceptionally(error);
                                return;
                            }
                            resultFuture.complete(outcomes(request, dead));
                        });
    }

    /**
     * Only reached when {@code customerio.max-retry-duration} is set (the operator timeout is then
     * slightly longer): the operations become dead letters instead of failing the job.
     */
    @Override
    public void timeout(DeliveryRequest request, ResultFuture<DeliveryOutcome> resultFuture) {
        long now = System.currentTimeMillis();
        List<DeadLetter> dead = new ArrayList<>(request.size());
        for (CustomerioOperation op : request.operations) {
            dead.add(
                    DeadLetters.forOperation(
                            DeadLetterReason.DELIVERY_TIMEOUT,
                            "not delivered within the AsyncIO timeout",
                            op,
                            0,
                            null,
                            now));
        }
        resultFuture.complete(outcomes(request, dead));
    }

    /** The request's outcomes (see {@link DeliveryOutcome#forRequest}), counted. */
    private List<DeliveryOutcome> outcomes(DeliveryRequest request, List<DeadLetter> dead) {
        List<DeliveryOutcome> out =
                DeliveryOutcome.forRequest(request.operations, dead, System.currentTimeMillis());
        for (DeliveryOutcome o : out) {
            if (o.deadLetter != null) {
                deadLetters.inc(o.deadLetter.reason);
            } else {
                erasures.get(o.erasure.outcome).inc();
            }
        }
        return out;
    }

    private static Set<String> distinctUsers(DeliveryRequest request) {
        if (request.operations.size() == 1) {
            return Collections.singleton(request.operations.get(0).userKey);
        }
        Set<String> users = new LinkedHashSet<>();
        for (CustomerioOperation op : request.operations) {
            users.add(op.userKey);
        }
        return users;
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
}
