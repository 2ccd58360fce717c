package dev.cioforwarder.delivery;

import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.customerio.Region;
import java.io.Serializable;
import java.time.Duration;

/**
 * What delivery needs to know, validated by the job's settings: where to send, as whom, how fast,
 * and how to retry. The API key is not in here: only where to read it on the TaskManagers.
 */
public record DeliverySettings(
        String trackUrl,
        String siteId,
        ApiKeySource apiKeySource,
        Region region,
        ApiMode apiMode,
        double jobRateLimitPerSecond,
        int maxInFlight,
        Duration requestTimeout,
        RetryPolicy retryPolicy)
        implements Serializable {}
