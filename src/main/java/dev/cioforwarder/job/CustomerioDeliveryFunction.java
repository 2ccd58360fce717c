package dev.cioforwarder.job;

import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.customerio.Region;
import dev.cioforwarder.deadletter.DeadLetter;
import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.deadletter.DeadLetters;
import dev.cioforwarder.delivery.Clock;
import dev.cioforwarder.delivery.CredentialsCheck;
import dev.cioforwarder.delivery.CustomerioClient;
import dev.cioforwarder.delivery.DeliveryListener;
import dev.cioforwarder.delivery.DeliveryRequest;
import dev.cioforwarder.delivery.HttpResult;
import dev.cioforwarder.delivery.OperationDelivery;
import dev.cioforwarder.delivery.PerUserSequencer;
import dev.cioforwarder.delivery.RateLimiter;
import dev.cioforwarder.delivery.RetryPolicy;
import dev.cioforwarder.settings.ApiKeySource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AsyncIO delivery step: a thin Flink shell around {@link OperationDelivery} (what to do with
 * each outcome) and {@link PerUserSequencer} (per-user send order). Its output is the dead letters
 * of refused operations; delivered operations leave only metrics.
 *
 * <p>Nothing blocks the task thread. Slowness becomes backpressure: the operator holds at most
 * {@code customerio.max-in-flight} requests, and their input records live in its checkpointed
 * queue, so a request in flight at a failure is sent again after the restore (Customer.io drops the
 * repeated events by their ULID).
 */
public class CustomerioDeliveryFunction extends RichAsyncFunction<DeliveryRequest, DeadLetter> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CustomerioDeliveryFunction.class);

    /** At most one authentication error log line per this many ms per instance. */
    private static final long AUTH_LOG_INTERVAL_MS = 30_000;

    private final String trackUrl;
    private final String siteId;
    private final ApiKeySource apiKeySource;
    private final Region region;
    private final ApiMode mode;
    private final double jobRateLimit;
    private final int maxInFlight;
    private final Duration requestTimeout;
    private final RetryPolicy retryPolicy;

    private transient CustomerioClient client;
    private transient ScheduledExecutorService timer;
    private transient OperationDelivery delivery;
    private transient PerUserSequencer sequencer;
    private transient RateLimiter limiter;
    private transient AtomicInteger inFlight;
    private transient AtomicLong lastAuthLogMs;
    private transient volatile int credentialsValid;
    private transient Metrics.Labelled deadLetters;

    public CustomerioDeliveryFunction(
            String trackUrl,
            String siteId,
            ApiKeySource apiKeySource,
            Region region,
            ApiMode mode,
            double jobRateLimit,
            int maxInFlight,
            Duration requestTimeout,
            RetryPolicy retryPolicy) {
        this.trackUrl = trackUrl;
        this.siteId = siteId;
        this.apiKeySource = apiKeySource;
        this.region = region;
        this.mode = mode;
        this.jobRateLimit = jobRateLimit;
        this.maxInFlight = maxInFlight;
        this.requestTimeout = requestTimeout;
        this.retryPolicy = retryPolicy;
    }

    @Override
    public void open(OpenContext openContext) {
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        client =
                new CustomerioClient(
                        trackUrl,
                        siteId,
                        apiKeySource.read(),
                        requestTimeout,
                        maxInFlight,
                        "customerio-http-" + subtask);
        timer = newTimer(subtask);
        // The rate limit is for the whole job; each parallel instance takes its share.
        limiter = new RateLimiter(jobRateLimit / parallelism, Clock.system());
        sequencer = new PerUserSequencer();
        inFlight = new AtomicInteger();
        lastAuthLogMs = new AtomicLong(Long.MIN_VALUE / 2);
        credentialsValid = -1;

        MetricGroup group = Metrics.group(getRuntimeContext().getMetricGroup());
        deadLetters = new Metrics.Labelled(group, "reason", "dead_letters");
        delivery =
                new OperationDelivery(
                        client,
                        mode,
                        limiter,
                        retryPolicy,
                        timer,
                        Clock.system(),
                        new MetricsListener(group));
        group.gauge("in_flight_requests", () -> inFlight.get());
        group.gauge("users_in_flight", () -> sequencer.trackedUsers());
        group.gauge("rate_limit_per_second", () -> limiter.currentRate());
        group.gauge("credentials_valid", () -> credentialsValid);
        if (subtask == 0) {
            checkCredentials();
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

    /**
     * Asks Customer.io which account and region the credentials belong to, and says plainly what is
     * wrong. It never fails the job: deliveries retry until the problem is fixed.
     */
    private void checkCredentials() {
        client.region()
                .whenComplete(
                        (r, error) -> {
                            HttpResult result =
                                    error != null ? HttpResult.networkError(error.toString()) : r;
                            CredentialsCheck.Result check =
                                    CredentialsCheck.evaluate(
                                            result,
                                            region,
                                            siteId,
                                            trackUrl,
                                            apiKeySource.toString());
                            switch (check.verdict()) {
                                case OK:
                                    credentialsValid = 1;
                                    LOG.info(check.message());
                                    break;
                                case WRONG_CREDENTIALS:
                                    credentialsValid = 0;
                                    LOG.error(check.message());
                                    break;
                                case WRONG_REGION:
                                    LOG.error(check.message());
                                    break;
                                default:
                                    LOG.warn(check.message());
                            }
                        });
    }

    @Override
    public void asyncInvoke(DeliveryRequest request, ResultFuture<DeadLetter> resultFuture) {
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
                            for (DeadLetter d : dead) {
                                deadLetters.inc(d.reason);
                            }
                            resultFuture.complete(dead);
                        });
    }

    /**
     * Only reached when {@code customerio.max-retry-duration} is set (the operator timeout is then
     * slightly longer): the operations become dead letters instead of failing the job.
     */
    @Override
    public void timeout(DeliveryRequest request, ResultFuture<DeadLetter> resultFuture) {
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
            deadLetters.inc(DeadLetterReason.DELIVERY_TIMEOUT.code());
        }
        resultFuture.complete(dead);
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
    }

    /** Delivery's reports as Flink metrics, and loud logs for credential problems. */
    private final class MetricsListener implements DeliveryListener {
        private final Counter requestsSent;
        private final Counter bytesSent;
        private final Counter retries;
        private final Counter throttled;
        private final Counter authFailures;
        private final Counter eventsDelivered;
        private final Counter operationsDelivered;
        private final Metrics.Labelled responses;
        private final Histogram deliveryLatencyMs;
        private final Histogram requestLatencyMs;

        MetricsListener(MetricGroup group) {
            requestsSent = group.counter("requests");
            bytesSent = group.counter("request_bytes");
            retries = group.counter("retries");
            throttled = group.counter("responses_429");
            authFailures = group.counter("auth_failures");
            eventsDelivered = group.counter("events_delivered");
            operationsDelivered = group.counter("operations_delivered");
            responses = new Metrics.Labelled(group, "status_class", "responses");
            deliveryLatencyMs =
                    group.histogram(
                            "delivery_latency_ms", new DescriptiveStatisticsHistogram(2000));
            requestLatencyMs =
                    group.histogram("request_latency_ms", new DescriptiveStatisticsHistogram(1000));
        }

        @Override
        public void requestSent(int operations, int bytes) {
            requestsSent.inc();
            bytesSent.inc(bytes);
        }

        @Override
        public void responseReceived(HttpResult result, long latencyMs) {
            responses.inc(
                    result.isNetworkError() ? "network_error" : (result.status() / 100) + "xx");
            requestLatencyMs.update(latencyMs);
            if (result.status() >= 200 && result.status() < 300) {
                credentialsValid = 1;
            }
        }

        @Override
        public void retryScheduled(HttpResult result, int attempt, long delayMs) {
            retries.inc();
            if (attempt == 10 || attempt % 50 == 0) {
                LOG.warn(
                        "Customer.io request still failing after {} attempts (last: {}); retrying"
                                + " in {} ms",
                        attempt,
                        result.describe(),
                        delayMs);
            }
        }

        @Override
        public void throttled(HttpResult result) {
            throttled.inc();
        }

        @Override
        public void authenticationFailed(HttpResult result) {
            authFailures.inc();
            credentialsValid = 0;
            long now = System.currentTimeMillis();
            long last = lastAuthLogMs.get();
            if (now - last >= AUTH_LOG_INTERVAL_MS && lastAuthLogMs.compareAndSet(last, now)) {
                LOG.error(
                        "Customer.io refused the credentials (HTTP {}) for site id {}: fix the API"
                                + " key in {} or customerio.site-id. Nothing is dropped: the"
                                + " operations wait and are retried every {} s"
                                + " (customerio.auth-retry-interval).",
                        result.status(),
                        siteId,
                        apiKeySource,
                        retryPolicy.authRetryIntervalMs() / 1000.0);
            }
        }

        @Override
        public void delivered(List<CustomerioOperation> operations) {
            long now = System.currentTimeMillis();
            operationsDelivered.inc(operations.size());
            for (CustomerioOperation op : operations) {
                if (op.kind != OperationKind.IDENTIFY) {
                    eventsDelivered.inc();
                    deliveryLatencyMs.update(Math.max(0, now - op.eventTimeMs));
                }
            }
        }
    }
}
