package dev.cioforwarder.delivery;

import static org.asynchttpclient.Dsl.asyncHttpClient;
import static org.asynchttpclient.Dsl.config;

import dev.cioforwarder.customerio.PathSegment;
import dev.cioforwarder.customerio.PersonIdentifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.asynchttpclient.AsyncHttpClient;
import org.asynchttpclient.Response;

/**
 * The Customer.io App API, for the one thing the forwarder needs from it: finding a person's {@code
 * cio_id} by an identifier ({@code GET /v1/customers/{identifier}/attributes?id_type=...}). A
 * different host and a different key from the Track API (Bearer auth); the key lives only in the
 * precomputed header value and is never logged.
 */
public final class AppApiClient implements AutoCloseable {

    private final AsyncHttpClient http;
    private final String baseUrl;
    private final Authorization authorization;

    public AppApiClient(
            String baseUrl, String appApiKey, Duration requestTimeout, String threadName) {
        this(baseUrl, Authorization.fixed("Bearer " + appApiKey), requestTimeout, threadName);
    }

    public AppApiClient(
            String baseUrl,
            Authorization authorization,
            Duration requestTimeout,
            String threadName) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.authorization = authorization;
        this.http =
                asyncHttpClient(
                        config().setConnectTimeout(Duration.ofSeconds(10))
                                .setRequestTimeout(requestTimeout)
                                .setReadTimeout(requestTimeout)
                                .setMaxConnectionsPerHost(4)
                                .setConnectionTtl(CustomerioClient.CONNECTION_TTL)
                                .setKeepAlive(true)
                                .setMaxRequestRetry(0)
                                .setFollowRedirect(false)
                                .setIoThreadsCount(1)
                                .setThreadPoolName(threadName)
                                .setUserAgent("mparticle-customerio-flink")
                                .build());
    }

    /** The person's attributes and identifiers; 404 when nobody has {@code identifier}. */
    public CompletableFuture<HttpResult> person(PersonIdentifier identifier) {
        String url =
                baseUrl
                        + "/v1/customers/"
                        + PathSegment.encode(identifier.value())
                        + "/attributes?id_type="
                        + identifier.kind().code();
        return http.prepareGet(url)
                .setHeader("Authorization", authorization.header())
                .setHeader("Accept", "application/json")
                .execute()
                .toCompletableFuture()
                .handle(AppApiClient::toResult);
    }

    public Authorization authorization() {
        return authorization;
    }

    private static HttpResult toResult(Response response, Throwable error) {
        if (error != null) {
            return HttpResult.networkError(
                    "App API request failed (" + error.getClass().getSimpleName() + ")");
        }
        return HttpResult.response(
                response.getStatusCode(),
                response.getResponseBody(StandardCharsets.UTF_8),
                HttpResult.parseRetryAfterMs(response.getHeader("Retry-After")));
    }

    @Override
    public void close() throws IOException {
        http.close();
    }

    @Override
    public String toString() {
        return "AppApiClient{" + baseUrl + "}";
    }
}
