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
import java.util.function.Function;
import org.asynchttpclient.AsyncHttpClient;
import org.asynchttpclient.BoundRequestBuilder;
import org.asynchttpclient.Response;

/**
 * The one HTTP transport to Customer.io, for the Track API (Basic auth: Site ID and API key) and
 * the App API (Bearer auth: an App API key, see {@link AppApiClient}): one non-blocking
 * async-http-client (Netty) with a pooled keep-alive connection set, and every outcome turned into
 * an {@link HttpResult} (network failures included), so callers decide retries in one place ({@link
 * RetryLoop}).
 *
 * <p>A key lives only in the precomputed {@code Authorization} header value ({@link
 * Authorization}); it is never logged, never part of a network error's description, and {@link
 * #toString()} does not show it.
 */
public final class CustomerioClient implements AutoCloseable {

    private final AsyncHttpClient http;
    private final String baseUrl;
    private final Authorization authorization;
    private final Function<Throwable, String> networkError;

    /**
     * A Track API client.
     *
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
        this(
                baseUrl,
                authorization,
                requestTimeout,
                maxInFlight,
                threadName,
                CustomerioClient::describe);
    }

    /**
     * @param networkError how a failure without an answer is described (never with the key)
     */
    CustomerioClient(
            String baseUrl,
            Authorization authorization,
            Duration requestTimeout,
            int maxInFlight,
            String threadName,
            Function<Throwable, String> networkError) {
        this.networkError = networkError;
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

    /** The App API's Bearer authorization: the App API key. */
    public static String bearer(String appApiKey) {
        return "Bearer " + appApiKey;
    }

    public Authorization authorization() {
        return authorization;
    }

    public String baseUrl() {
        return baseUrl;
    }

    /**
     * Sends one request with a JSON body, or without a body when {@code body} is null (a {@code
     * GET}); the future always completes normally.
     */
    public CompletableFuture<HttpResult> send(String method, String path, byte[] body) {
        BoundRequestBuilder request =
                http.prepare(method, baseUrl + path)
                        .setHeader("Authorization", authorization.header())
                        .setHeader("Accept", "application/json");
        if (body != null) {
            request.setHeader("Content-Type", "application/json").setBody(body);
        }
        return request.execute().toCompletableFuture().handle(this::toResult);
    }

    /** {@code GET /api/v1/accounts/region}: checks the credentials and tells the account region. */
    public CompletableFuture<HttpResult> region() {
        return send("GET", "/api/v1/accounts/region", null);
    }

    private HttpResult toResult(Response response, Throwable error) {
        if (error != null) {
            return HttpResult.networkError(networkError.apply(error));
        }
        return HttpResult.response(
                response.getStatusCode(),
                response.getResponseBody(StandardCharsets.UTF_8),
                HttpResult.parseRetryAfterMs(response.getHeader("Retry-After")));
    }

    static String describe(Throwable error) {
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
