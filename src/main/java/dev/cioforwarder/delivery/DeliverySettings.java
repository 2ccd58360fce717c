package dev.cioforwarder.delivery;

import dev.cioforwarder.customerio.Region;
import java.io.Serializable;
import java.time.Duration;

/**
 * What delivery needs to know, validated by the job's settings: where to send, as whom, how fast,
 * and how to retry. The API keys are not in here: only where to read them on the TaskManagers (the
 * App API key's source is null when identifier changes are off). {@code appApiLagGrace}: how long a
 * person the App API does not find (yet) is looked up again; {@code emailIsIdentifier}: false in an
 * ID-only workspace.
 */
public record DeliverySettings(
        String trackUrl,
        String siteId,
        ApiKeySource apiKeySource,
        Region region,
        double jobRateLimitPerSecond,
        int maxInFlight,
        Duration requestTimeout,
        RetryPolicy retryPolicy,
        String appApiUrl,
        ApiKeySource appApiKeySource,
        Duration appApiLagGrace,
        boolean emailIsIdentifier)
        implements Serializable {

    /** An App API key is configured: identifier changes are delivered. */
    public boolean appliesIdentifierChanges() {
        return appApiKeySource != null;
    }
}
