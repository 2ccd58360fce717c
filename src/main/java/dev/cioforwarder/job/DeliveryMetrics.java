package dev.cioforwarder.job;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.delivery.CredentialsStatus;
import dev.cioforwarder.delivery.DeliveryListener;
import dev.cioforwarder.delivery.HttpResult;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What delivery reports, as Flink metrics; credential problems also reach the log. Its methods are
 * called from the HTTP client's Netty threads and the retry timer thread as well as the task
 * thread, so every counter is thread-safe ({@link Metrics#threadSafeCounter}; the histograms
 * synchronize themselves).
 */
final class DeliveryMetrics implements DeliveryListener {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryMetrics.class);

    private final CredentialsStatus credentials;
    private final Counter requestsSent;
    private final Counter bytesSent;
    private final Counter retries;
    private final Counter throttled;
    private final Counter authFailures;
    private final Counter eventsDelivered;
    private final Counter operationsDelivered;
    private final Counter identifierChanges;
    private volatile long lastAppApiAuthLogMs = Long.MIN_VALUE / 2;
    private final Counter identifierChangesNotNeeded;
    private final Metrics.Labelled responses;
    private final Histogram deliveryLatencyMs;
    private final Histogram requestLatencyMs;

    DeliveryMetrics(MetricGroup group, CredentialsStatus credentials) {
        this.credentials = credentials;
        requestsSent = Metrics.threadSafeCounter(group, Metrics.REQUESTS);
        bytesSent = Metrics.threadSafeCounter(group, Metrics.REQUEST_BYTES);
        retries = Metrics.threadSafeCounter(group, Metrics.RETRIES);
        throttled = Metrics.threadSafeCounter(group, Metrics.RESPONSES_429);
        authFailures = Metrics.threadSafeCounter(group, Metrics.AUTH_FAILURES);
        eventsDelivered = Metrics.threadSafeCounter(group, Metrics.EVENTS_DELIVERED);
        operationsDelivered = Metrics.threadSafeCounter(group, Metrics.OPERATIONS_DELIVERED);
        identifierChanges = Metrics.threadSafeCounter(group, Metrics.IDENTIFIER_CHANGES_APPLIED);
        identifierChangesNotNeeded =
                Metrics.threadSafeCounter(group, Metrics.IDENTIFIER_CHANGES_NOT_NEEDED);
        responses = new Metrics.Labelled(group, Metrics.STATUS_CLASS, Metrics.RESPONSES);
        deliveryLatencyMs =
                group.histogram(
                        Metrics.DELIVERY_LATENCY_MS, new DescriptiveStatisticsHistogram(2000));
        requestLatencyMs =
                group.histogram(
                        Metrics.REQUEST_LATENCY_MS, new DescriptiveStatisticsHistogram(1000));
    }

    @Override
    public void requestSent(int operations, int bytes) {
        requestsSent.inc();
        bytesSent.inc(bytes);
    }

    @Override
    public void responseReceived(HttpResult result, long latencyMs) {
        responses.inc(result.isNetworkError() ? "network_error" : (result.status() / 100) + "xx");
        requestLatencyMs.update(latencyMs);
        if (result.status() >= 200 && result.status() < 300) {
            credentials.accepted();
        }
    }

    @Override
    public void retryScheduled(HttpResult result, int attempt, long delayMs) {
        retries.inc();
        if (attempt == 10 || attempt % 50 == 0) {
            LOG.warn(
                    "Customer.io request still failing after {} attempts (last: {}); retrying in"
                            + " {} ms",
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
        credentials.refused(result);
    }

    @Override
    public void appApiAuthenticationFailed(HttpResult result) {
        authFailures.inc();
        long now = System.currentTimeMillis();
        if (now - lastAppApiAuthLogMs >= 30_000) {
            lastAppApiAuthLogMs = now;
            LOG.error(
                    "Customer.io's App API refused its key (HTTP {}): fix the App API key in"
                            + " customerio.app-api-key-env or -file. Identifier changes wait and"
                            + " are retried; everything else is delivered.",
                    result.status());
        }
    }

    @Override
    public void identifierChanged() {
        identifierChanges.inc();
    }

    @Override
    public void identifierChangeNotNeeded() {
        identifierChangesNotNeeded.inc();
    }

    @Override
    public void delivered(List<CustomerioOperation> operations) {
        long now = System.currentTimeMillis();
        operationsDelivered.inc(operations.size());
        for (CustomerioOperation op : operations) {
            // Events carry their ULID; identifies and device operations have none.
            if (op.eventId != null) {
                eventsDelivered.inc();
                deliveryLatencyMs.update(Math.max(0, now - op.eventTimeMs));
            }
        }
    }
}
