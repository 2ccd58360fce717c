package dev.cioforwarder.bench;

import dev.cioforwarder.customerio.Ulid;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends the Customer.io simulator a benchmark's worth of {@code /api/v2/batch} requests without the
 * job ({@code scripts/bench-simulator.sh}), so the simulator's own CPU can be measured: in {@code
 * scripts/bench.sh} it shares the two cores with the job and is part of every figure.
 *
 * <p>The requests are shaped like the job's for {@link BenchData}'s traffic: about 300 KB of
 * operations each, 97% events and screen views with a ULID, a time and the bench's attributes (the
 * latency probe, one to five strings, a price), 3% identifies. Request {@code i} of a seed is
 * always the same but for the probe's send time; its event ids are new to a simulator that has not
 * seen that seed.
 */
public final class SimulatorReplay {

    private static final int REQUEST_BYTES = 300_000;

    /** What a replay sent. */
    record Sent(int requests, long operations, long events) {}

    private SimulatorReplay() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String apiKey = Files.readString(Path.of(options.get("api-key-file"))).strip();
        Sent sent =
                replay(
                        options.get("url"),
                        options.get("site-id"),
                        apiKey,
                        Integer.parseInt(options.get("requests")),
                        Long.parseLong(options.getOrDefault("seed", "1")));
        System.out.printf(
                "{\"requests\":%d,\"operations\":%d,\"events\":%d}%n",
                sent.requests(), sent.operations(), sent.events());
    }

    /** Sends {@code requests} batches over two connections; fails on any answer but 200. */
    static Sent replay(String baseUrl, String siteId, String apiKey, int requests, long seed)
            throws Exception {
        String authorization =
                "Basic "
                        + Base64.getEncoder()
                                .encodeToString(
                                        (siteId + ":" + apiKey).getBytes(StandardCharsets.UTF_8));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        AtomicInteger next = new AtomicInteger();
        ExecutorService senders = Executors.newFixedThreadPool(2);
        try {
            List<Future<long[]>> results = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                results.add(
                        senders.submit(
                                () -> {
                                    long[] counts = new long[2];
                                    for (int i = next.getAndIncrement();
                                            i < requests;
                                            i = next.getAndIncrement()) {
                                        send(http, baseUrl, authorization, body(seed, i, counts));
                                    }
                                    return counts;
                                }));
            }
            long operations = 0;
            long events = 0;
            for (Future<long[]> result : results) {
                long[] counts = result.get();
                operations += counts[0];
                events += counts[1];
            }
            return new Sent(requests, operations, events);
        } finally {
            senders.shutdownNow();
        }
    }

    private static void send(HttpClient http, String baseUrl, String authorization, String body)
            throws IOException, InterruptedException {
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(baseUrl + "/api/v2/batch"))
                        .header("Authorization", authorization)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            String answer = response.body();
            throw new IllegalStateException(
                    "the simulator answered "
                            + response.statusCode()
                            + ": "
                            + answer.substring(0, Math.min(300, answer.length())));
        }
    }

    /**
     * Request {@code index} of the seed; adds its operations and events to {@code counts}. Event
     * times advance 500 ms a request, so the ids' time part moves as a live stream's does.
     */
    static String body(long seed, int index, long[] counts) {
        Random random = new Random(seed * 1_000_003L + index);
        Ulid ids = new Ulid(); // not thread-safe: one per request
        long baseMs = 1_764_000_000_000L + index * 500L;
        StringBuilder b = new StringBuilder(REQUEST_BYTES + 2_000).append("{\"batch\":[");
        long operations = 0;
        while (b.length() < REQUEST_BYTES) {
            if (operations++ > 0) {
                b.append(',');
            }
            String user = "cust-" + random.nextInt(100_000);
            if (random.nextInt(100) < 3) {
                b.append("{\"type\":\"person\",\"identifiers\":{\"id\":\"")
                        .append(user)
                        .append("\"},\"action\":\"identify\",\"timestamp\":")
                        .append(baseMs / 1000)
                        .append(",\"attributes\":{\"first_name\":\"First")
                        .append(random.nextInt(1000))
                        .append("\",\"last_name\":\"Last")
                        .append(random.nextInt(1000))
                        .append("\"}}");
                continue;
            }
            long timeMs = baseMs + random.nextInt(500);
            b.append("{\"type\":\"person\",\"identifiers\":{\"id\":\"")
                    .append(user)
                    .append("\"},\"action\":\"")
                    .append(random.nextBoolean() ? "event" : "screen")
                    .append("\",\"name\":\"Event_")
                    .append(random.nextInt(50))
                    .append("\",\"id\":\"")
                    // Derived as the job derives its ids, from the user and a key of the event.
                    .append(ids.of(timeMs, user, seed + "/" + index + "/" + operations))
                    .append("\",\"timestamp\":")
                    .append(timeMs / 1000)
                    .append(",\"attributes\":{\"_probe_sent_ms\":")
                    .append(System.currentTimeMillis());
            BenchData.appendAttributes(b, random);
            b.append("}}");
            counts[1]++;
        }
        counts[0] += operations;
        return b.append("]}").toString();
    }
}
