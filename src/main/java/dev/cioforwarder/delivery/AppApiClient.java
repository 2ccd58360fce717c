package dev.cioforwarder.delivery;

import dev.cioforwarder.customerio.PathSegment;
import dev.cioforwarder.customerio.PersonIdentifier;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The Customer.io App API, for the one thing the forwarder needs from it: finding a person's {@code
 * cio_id} by an identifier ({@code GET /v1/customers/{identifier}/attributes?id_type=...}). A
 * different host and a different key from the Track API (Bearer auth), over the same transport
 * ({@link CustomerioClient}); the key lives only in the precomputed header value and is never
 * logged.
 */
public final class AppApiClient implements AutoCloseable {

    /**
     * Requests in flight at once: the App API allows 10 a second per workspace, and look-ups are
     * rare.
     */
    private static final int MAX_IN_FLIGHT = 1;

    private final CustomerioClient http;

    public AppApiClient(
            String baseUrl, String appApiKey, Duration requestTimeout, String threadName) {
        this(
                baseUrl,
                Authorization.fixed(CustomerioClient.bearer(appApiKey)),
                requestTimeout,
                threadName);
    }

    public AppApiClient(
            String baseUrl,
            Authorization authorization,
            Duration requestTimeout,
            String threadName) {
        this.http =
                new CustomerioClient(
                        baseUrl,
                        authorization,
                        requestTimeout,
                        MAX_IN_FLIGHT,
                        threadName,
                        error ->
                                "App API request failed ("
                                        + error.getClass().getSimpleName()
                                        + ")");
    }

    /** The person's attributes and identifiers; 404 when nobody has {@code identifier}. */
    public CompletableFuture<HttpResult> person(PersonIdentifier identifier) {
        return http.send(
                "GET",
                "/v1/customers/"
                        + PathSegment.encode(identifier.value())
                        + "/attributes?id_type="
                        + identifier.kind().code(),
                null);
    }

    public Authorization authorization() {
        return http.authorization();
    }

    @Override
    public void close() throws IOException {
        http.close();
    }

    @Override
    public String toString() {
        return "AppApiClient{" + http.baseUrl() + "}";
    }
}
