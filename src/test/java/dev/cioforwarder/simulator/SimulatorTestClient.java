package dev.cioforwarder.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * Real HTTP against a running {@link CustomerioSimulator}, for the simulator's own tests: track
 * calls with (or without) Basic auth, and the unauthenticated inspection endpoints.
 */
final class SimulatorTestClient {

    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    final HttpClient http;
    final String baseUrl;
    final String authorization;

    SimulatorTestClient(CustomerioSimulator simulator, String siteId, String apiKey) {
        this.http =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5))
                        .build();
        this.baseUrl = simulator.baseUrl();
        this.authorization = basic(siteId, apiKey);
    }

    static String basic(String siteId, String apiKey) {
        return "Basic "
                + Base64.getEncoder()
                        .encodeToString((siteId + ":" + apiKey).getBytes(StandardCharsets.UTF_8));
    }

    /** Single quotes to double quotes, so JSON in tests stays readable. */
    static String j(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    /**
     * One path segment, percent-encoded as Customer.io wants it ({@code /} becomes {@code %2F}).
     */
    static String segment(String identifier) {
        return URLEncoder.encode(identifier, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The n-th of a family of valid, distinct ULIDs (26 Crockford characters, first one 0). */
    static String ulid(long n) {
        char[] out = new char[26];
        long v = n;
        for (int i = 25; i >= 0; i--) {
            out[i] = CROCKFORD.charAt((int) (v & 31));
            v >>>= 5;
        }
        return new String(out);
    }

    /**
     * A v2 identify operation of exactly {@code bytes} bytes of compact JSON, its attributes each
     * within the value limit.
     */
    static String identifyOfSize(String id, int bytes) {
        String prefix =
                j("{'type':'person','identifiers':{'id':'" + id + "'},'action':'identify',")
                        + "\"attributes\":{";
        String suffix = "}}";
        StringBuilder attributes = new StringBuilder();
        int remaining = bytes - prefix.length() - suffix.length();
        for (int i = 0; remaining > 0; i++) {
            String separator = i > 0 ? "," : "";
            String name = String.format("a%03d", i);
            int overhead = separator.length() + name.length() + 5; // "name":"value"
            if (remaining < overhead) {
                throw new IllegalArgumentException("cannot reach " + bytes + " bytes exactly");
            }
            int valueLength = remaining - overhead <= 1000 ? remaining - overhead : 900;
            attributes
                    .append(separator)
                    .append('"')
                    .append(name)
                    .append("\":\"")
                    .append("v".repeat(valueLength))
                    .append('"');
            remaining -= overhead + valueLength;
        }
        String op = prefix + attributes + suffix;
        if (op.length() != bytes) {
            throw new AssertionError(op.length() + " != " + bytes);
        }
        return op;
    }

    /**
     * A {@code /batch} body of exactly {@code bytes} bytes: identify operations of about 30 KB for
     * the people {@code idPrefix + 0}, {@code idPrefix + 1}, ...
     */
    static String batchOfSize(String idPrefix, int bytes) {
        StringBuilder body = new StringBuilder("{\"batch\":[");
        int remaining = bytes - body.length() - 2;
        for (int i = 0; remaining > 0; i++) {
            String separator = i > 0 ? "," : "";
            int available = remaining - separator.length();
            int size = available > 31_000 ? 30_000 : available;
            body.append(separator).append(identifyOfSize(idPrefix + i, size));
            remaining -= separator.length() + size;
        }
        body.append("]}");
        if (body.length() != bytes) {
            throw new AssertionError(body.length() + " != " + bytes);
        }
        return body.toString();
    }

    static JsonNode json(HttpResponse<String> response) {
        return json(response.body());
    }

    static JsonNode json(String body) {
        try {
            return MAPPER.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + body, e);
        }
    }

    HttpRequest.Builder request(String method, String path, String body, String auth) {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(baseUrl + path))
                        .timeout(Duration.ofSeconds(20))
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(
                                                body, StandardCharsets.UTF_8));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return b;
    }

    HttpResponse<String> send(String method, String path, String body, String auth)
            throws IOException, InterruptedException {
        return http.send(
                request(method, path, body, auth).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** A track call with the right credentials. */
    HttpResponse<String> track(String method, String path, String body)
            throws IOException, InterruptedException {
        return send(method, path, body, authorization);
    }

    HttpResponse<String> identify(String identifier, String body)
            throws IOException, InterruptedException {
        return track("PUT", "/api/v1/customers/" + segment(identifier), body);
    }

    HttpResponse<String> v1Event(String identifier, String body)
            throws IOException, InterruptedException {
        return track("POST", "/api/v1/customers/" + segment(identifier) + "/events", body);
    }

    HttpResponse<String> entity(String body) throws IOException, InterruptedException {
        return track("POST", "/api/v2/entity", body);
    }

    HttpResponse<String> batch(String body) throws IOException, InterruptedException {
        return track("POST", "/api/v2/batch", body);
    }

    HttpResponse<String> region() throws IOException, InterruptedException {
        return track("GET", "/api/v1/accounts/region", null);
    }

    /** An App API call ({@code GET}, Bearer auth with {@code appApiKey}). */
    HttpResponse<String> appApi(String pathAndQuery, String appApiKey)
            throws IOException, InterruptedException {
        return send("GET", pathAndQuery, null, "Bearer " + appApiKey);
    }

    /** An inspection call: no credentials. */
    HttpResponse<String> inspect(String method, String path, String body)
            throws IOException, InterruptedException {
        return send(method, path, body, null);
    }

    HttpResponse<String> inspect(String path) throws IOException, InterruptedException {
        return inspect("GET", path, null);
    }

    HttpResponse<String> setFaults(String json) throws IOException, InterruptedException {
        return inspect("POST", "/__simulator/faults", json);
    }
}
