package dev.cioforwarder.delivery;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether Customer.io accepts the credentials (1), refuses them (0) or has not said (-1), and the
 * loud, rate-limited log lines that tell an operator what to fix. It never names the key itself,
 * only where it is read from.
 */
public final class CredentialsStatus {
    private static final Logger LOG = LoggerFactory.getLogger(CredentialsStatus.class);

    /** At most one authentication error log line per this many ms per instance. */
    static final long AUTH_LOG_INTERVAL_MS = 30_000;

    private final DeliverySettings settings;
    private final Clock clock;
    private final AtomicLong lastAuthLogMs = new AtomicLong(Long.MIN_VALUE / 2);
    private volatile int valid = -1;

    public CredentialsStatus(DeliverySettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /** 1 accepted, 0 refused, -1 unknown: the {@code credentials_valid} gauge. */
    public int valid() {
        return valid;
    }

    /** The answer of the start-up check ({@code GET /api/v1/accounts/region}), in plain words. */
    public void checked(HttpResult result) {
        CredentialsCheck.Result check =
                CredentialsCheck.evaluate(
                        result,
                        settings.region(),
                        settings.siteId(),
                        settings.trackUrl(),
                        settings.apiKeySource().toString());
        switch (check.verdict()) {
            case OK:
                valid = 1;
                LOG.info(check.message());
                break;
            case WRONG_CREDENTIALS:
                valid = 0;
                LOG.error(check.message());
                break;
            case WRONG_REGION:
                LOG.error(check.message());
                break;
            default:
                LOG.warn(check.message());
        }
    }

    /** Customer.io answered 2xx: the credentials work. */
    public void accepted() {
        valid = 1;
    }

    /** Customer.io answered 401/403: say so loudly, at most every {@link #AUTH_LOG_INTERVAL_MS}. */
    public void refused(HttpResult result) {
        valid = 0;
        long now = clock.nowMs();
        long last = lastAuthLogMs.get();
        if (now - last >= AUTH_LOG_INTERVAL_MS && lastAuthLogMs.compareAndSet(last, now)) {
            LOG.error(
                    "Customer.io refused the credentials (HTTP {}) for site id {}: fix the API key"
                            + " in {} or customerio.site-id. The key is read again after each"
                            + " refusal (at most every 5 s), so a new key in the file is used"
                            + " without a restart. Meanwhile the operations wait, in order, in"
                            + " their users' state, and one trial request goes every {} s"
                            + " (customerio.auth-retry-interval); with customerio.max-retry-"
                            + "duration they are dead-lettered after it, as any other wait.",
                    result.status(),
                    settings.siteId(),
                    settings.apiKeySource(),
                    settings.retryPolicy().authRetryIntervalMs() / 1000.0);
        }
    }
}
