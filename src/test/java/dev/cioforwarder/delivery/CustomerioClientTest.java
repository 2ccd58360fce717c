package dev.cioforwarder.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.cioforwarder.customerio.PersonIdentifier;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The one transport, for the Track API (Basic) and the App API (Bearer): what goes out on the wire,
 * what an answer or a failure becomes, and that no key shows in a description.
 */
class CustomerioClientTest {

    private static final String API_KEY = "sk-track-5a105e8b9d40e132";
    private static final String APP_API_KEY = "sk-app-e3b0c44298fc1c14";

    /** One request as the server saw it. */
    private record Seen(
            String method,
            String uri,
            String authorization,
            String contentType,
            String accept,
            String body) {}

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private volatile int status = 200;
    private volatile String retryAfter;

    @BeforeEach
    void startServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                "/",
                exchange -> {
                    var headers = exchange.getRequestHeaders();
                    seen.add(
                            new Seen(
                                    exchange.getRequestMethod(),
                                    exchange.getRequestURI().getRawPath()
                                            + (exchange.getRequestURI().getRawQuery() == null
                                                    ? ""
                                                    : "?" + exchange.getRequestURI().getRawQuery()),
                                    headers.getFirst("Authorization"),
                                    headers.getFirst("Content-Type"),
                                    headers.getFirst("Accept"),
                                    new String(
                                            exchange.getRequestBody().readAllBytes(),
                                            StandardCharsets.UTF_8)));
                    if (retryAfter != null) {
                        exchange.getResponseHeaders().set("Retry-After", retryAfter);
                    }
                    byte[] answer = "{\"answer\":true}".getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(status, answer.length);
                    exchange.getResponseBody().write(answer);
                    exchange.close();
                });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private CustomerioClient track(String baseUrl) {
        return new CustomerioClient(
                baseUrl, "site-1", API_KEY, Duration.ofSeconds(5), 1, "test-track");
    }

    private AppApiClient appApi(String baseUrl) {
        return new AppApiClient(baseUrl, APP_API_KEY, Duration.ofSeconds(5), "test-app-api");
    }

    @Test
    void theTrackApiIsSentWithBasicAuthorizationOfSiteIdAndKey() throws Exception {
        try (CustomerioClient client = track(baseUrl() + "/")) {
            HttpResult r =
                    client.send(
                                    "PUT",
                                    "/api/v1/customers/c-1",
                                    "{\"plan\":\"pro\"}".getBytes(StandardCharsets.UTF_8))
                            .get(10, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("{\"answer\":true}");
            assertThat(r.retryAfterMs()).isEqualTo(-1);
        }
        String expected =
                "Basic "
                        + Base64.getEncoder()
                                .encodeToString(
                                        ("site-1:" + API_KEY).getBytes(StandardCharsets.UTF_8));
        assertThat(seen)
                .containsExactly(
                        new Seen(
                                "PUT",
                                "/api/v1/customers/c-1",
                                expected,
                                "application/json",
                                "application/json",
                                "{\"plan\":\"pro\"}"));
    }

    @Test
    void theAppApiIsSentWithBearerAuthorizationOfItsKeyAndWithoutABody() throws Exception {
        try (AppApiClient client = appApi(baseUrl())) {
            HttpResult r =
                    client.person(PersonIdentifier.email("a b@x.io")).get(10, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(200);
        }
        assertThat(seen).hasSize(1);
        Seen request = seen.get(0);
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.uri()).isEqualTo("/v1/customers/a%20b%40x.io/attributes?id_type=email");
        assertThat(request.authorization()).isEqualTo("Bearer " + APP_API_KEY);
        assertThat(request.contentType()).isNull();
        assertThat(request.body()).isEmpty();
    }

    @Test
    void theRegionCheckIsAGetWithTheTrackAuthorization() throws Exception {
        try (CustomerioClient client = track(baseUrl())) {
            client.region().get(10, TimeUnit.SECONDS);
        }
        assertThat(seen)
                .singleElement()
                .satisfies(
                        s -> {
                            assertThat(s.method()).isEqualTo("GET");
                            assertThat(s.uri()).isEqualTo("/api/v1/accounts/region");
                            assertThat(s.authorization()).startsWith("Basic ");
                            assertThat(s.contentType()).isNull();
                        });
    }

    @Test
    void aStatusAndItsRetryAfterAreAnAnswerNotAnError() throws Exception {
        status = 429;
        retryAfter = "3";
        try (CustomerioClient client = track(baseUrl())) {
            HttpResult r =
                    client.send("POST", "/api/v2/batch", new byte[0]).get(10, TimeUnit.SECONDS);
            assertThat(r.isNetworkError()).isFalse();
            assertThat(r.status()).isEqualTo(429);
            assertThat(r.retryAfterMs()).isEqualTo(3_000);
            assertThat(r.describe()).isEqualTo("HTTP 429");
        }
    }

    @Test
    void aRotatedKeyIsSentFromTheNextRequestOn() throws Exception {
        java.util.concurrent.atomic.AtomicReference<String> key =
                new java.util.concurrent.atomic.AtomicReference<>("old");
        Authorization authorization =
                new Authorization(key::get, CustomerioClient::bearer, "a test key", 0);
        try (AppApiClient client =
                new AppApiClient(baseUrl(), authorization, Duration.ofSeconds(5), "test-app")) {
            client.person(PersonIdentifier.id("c-1")).get(10, TimeUnit.SECONDS);
            key.set("new");
            assertThat(client.authorization().reloadAfterRefusal(1)).isTrue();
            client.person(PersonIdentifier.id("c-1")).get(10, TimeUnit.SECONDS);
        }
        assertThat(seen)
                .extracting(Seen::authorization)
                .containsExactly("Bearer old", "Bearer new");
    }

    /** A port nothing listens on. */
    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void noKeyShowsInADescriptionOrANetworkError() throws Exception {
        String nowhere = "http://127.0.0.1:" + closedPort();
        List<String> secrets =
                List.of(
                        API_KEY,
                        APP_API_KEY,
                        Base64.getEncoder()
                                .encodeToString(
                                        ("site-1:" + API_KEY).getBytes(StandardCharsets.UTF_8)));
        try (CustomerioClient track = track(nowhere);
                AppApiClient appApi = appApi(nowhere)) {
            HttpResult trackFailure =
                    track.send("POST", "/api/v2/batch", new byte[] {'{', '}'})
                            .get(10, TimeUnit.SECONDS);
            HttpResult appApiFailure =
                    appApi.person(PersonIdentifier.id("c-1")).get(10, TimeUnit.SECONDS);

            assertThat(trackFailure.isNetworkError()).isTrue();
            assertThat(trackFailure.describe()).isEqualTo("connection refused");
            assertThat(appApiFailure.isNetworkError()).isTrue();
            assertThat(appApiFailure.describe()).startsWith("App API request failed (");
            assertThat(track.toString()).isEqualTo("CustomerioClient{" + nowhere + "}");
            assertThat(appApi.toString()).isEqualTo("AppApiClient{" + nowhere + "}");
            for (String text :
                    List.of(
                            trackFailure.describe(),
                            trackFailure.body(),
                            appApiFailure.describe(),
                            appApiFailure.body(),
                            track.toString(),
                            appApi.toString(),
                            String.valueOf(track.authorization()),
                            String.valueOf(appApi.authorization()))) {
                for (String secret : secrets) {
                    assertThat(text).doesNotContain(secret);
                }
            }
        }
    }
}
