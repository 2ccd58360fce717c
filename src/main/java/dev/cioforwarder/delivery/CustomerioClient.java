package dev.cioforwarder.delivery;

import static org.asynchttpclient.Dsl.asyncHttpClient;
import static org.asynchttpclient.Dsl.config;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.asynchttpclient.AsyncHttpClient;
import org.asynchttpclient.Response;

/**
 * The Customer.io Track API transport: one non-blocking async-http-client (Netty) with a pooled
 * keep-alive connection set, Basic auth, and every outcome turned into an {@link HttpResult}
 * (network failures included), so callers decide retries in one place.
 *
 * <p>The API key lives only in the precomputed {@code Authorization} header value; it is never
 * logged, and {@link #toString()} does not show it.
 */
public final class CustomerioClient implements AutoCloseable {

    private final AsyncHttpClient http;
    private final String baseUrl;
    private final Authorization authorization;

    /**
     * @param baseUrl {@code https://track.customer.io}, {@code https://track-eu.customer.io}, or an
     *     override (a simulator, a proxy)
     */
    public CustomerioClient(
            String baseUrl,
            String siteId,
            String apiKey,
            Duration requestTimeout,
            int maxInFlight,
            String threadName) {
        this(
                baseUrl,
                Authorization.fixed(basic(siteId, apiKey)),
                requestTimeout,
                maxInFlight,
                threadName);
    }

    /**
     * @param maxInFlight requests in flight at once: the pool holds more connections than that, so
     *     a connection being closed (TTL, idle, a reset) never makes a request wait for one
     */
    public CustomerioClient(
            String baseUrl,
            Authorization authorization,
            Duration requestTimeout,
            int maxInFlight,
            String threadName) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.authorization = authorization;
        int maxConnections = 2 * maxInFlight + 2;
        this.http =
                asyncHttpClient(
                        config().setConnectTimeout(Duration.ofSeconds(10))
                                .setRequestTimeout(requestTimeout)
                                .setReadTimeout(requestTimeout)
                                .setMaxConnectionsPerHost(maxConnections)
                                .setMaxConnections(maxConnections)
                                .setKeepAlive(true)
                                .setPooledConnectionIdleTimeout(Duration.ofSeconds(50))
                                // Connections are renewed now and then, so a DNS change or a load
                                // balancer rotation behind track.customer.io reaches the job.
                                .setConnectionTtl(CONNECTION_TTL)
                                .setTcpNoDelay(true)
                                // Retries are RetryPolicy's business alone.
                                .setMaxRequestRetry(0)
                                // A redirect means a region mismatch: report it, do not follow.
                                .setFollowRedirect(false)
                                .setIoThreadsCount(1)
                                .setThreadPoolName(threadName)
                                .setUserAgent("mparticle-customerio-flink")
                                .build());
    }

    /** How long a pooled connection is reused before a new one is opened. */
    static final Duration CONNECTION_TTL = Duration.ofMinutes(5);

    /** The Track API's Basic authorization: Site ID and API key. */
    public static String basic(String siteId, String apiKey) {
        return "Basic "
                + Base64.getEncoder()
                        .encodeToString((siteId + ":" + apiKey).getBytes(StandardCharsets.UTF_8));
    }

    public Authorization authorization() {
        return authorization;
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** Sends one request; the future always completes normally. */
    public CompletableFuture<HttpResult> send(String method, String path, byte[] body) {
        return http.prepare(method, baseUrl + path)
                .setHeader("Authorization", authorization.header())
                .setHeader("Content-Type", "application/json")
                .setHeader("Accept", "application/json")
                .setBody(body)
                .execute()
                .toCompletableFuture()
                .handle(CustomerioClient::toResult);
    }

    /** {@code GET /api/v1/accounts/region}: checks the credentials and tells the account region. */
    public CompletableFuture<HttpResult> region() {
        return http.prepareGet(baseUrl + "/api/v1/accounts/region")
                .setHeader("Authorization", authorization.header())
                .setHeader("Accept", "application/json")
                .execute()
                .toCompletableFuture()
                .handle(CustomerioClient::toResult);
    }

    private static HttpResult toResult(Response response, Throwable error) {
        if (error != null) {
            return HttpResult.networkError(describe(error));
        }
        return HttpResult.response(
                response.getStatusCode(),
                response.getResponseBody(StandardCharsets.UTF_8),
                HttpResult.parseRetryAfterMs(response.getHeader("Retry-After")));
    }

    private static String describe(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof TimeoutException) {
            return "timeout";
        }
        if (cause instanceof ConnectException) {
            return "connection refused";
        }
        if (cause instanceof IOException) {
            return "connection error (" + cause.getClass().getSimpleName() + ")";
        }
        return "request failed (" + cause.getClass().getSimpleName() + ")";
    }

    @Override
    public void close() throws IOException {
        http.close();
    }

    @Override
    public String toString() {
        return "CustomerioClient{" + baseUrl + "}";
    }
}
