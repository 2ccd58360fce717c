package dev.cioforwarder.simulator;

import static dev.cioforwarder.simulator.SimulatorTestClient.j;
import static dev.cioforwarder.simulator.SimulatorTestClient.ulid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.testing.Await;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Many clients at once, and the cost of one request. */
class SimulatorThroughputTest {

    private static final String SITE = "site-throughput";
    private static final String KEY = "key-throughput";

    @RegisterExtension static final RunningSimulator customerio = new RunningSimulator(SITE, KEY);

    @Test
    void concurrentClientsAreCountedAndDeduplicatedExactly() throws Exception {
        int threads = 8;
        int perThread = 15;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(
                        pool.submit(
                                () -> {
                                    SimulatorTestClient own =
                                            new SimulatorTestClient(
                                                    customerio.simulator(), SITE, KEY);
                                    int ok = 0;
                                    for (int i = 0; i < perThread; i++) {
                                        // Every thread sends the same ids: each is stored once.
                                        HttpResponse<String> event =
                                                own.v1Event(
                                                        "shared",
                                                        j("{'name':'e','id':'" + ulid(i) + "'}"));
                                        HttpResponse<String> identify =
                                                own.identify(
                                                        "user-" + thread, j("{'n':" + i + "}"));
                                        if (event.statusCode() == 200
                                                && identify.statusCode() == 200) {
                                            ok++;
                                        }
                                    }
                                    return ok;
                                }));
            }
            for (Future<Integer> result : results) {
                assertThat(result.get()).isEqualTo(perThread);
            }
        } finally {
            pool.shutdownNow();
        }

        Summary summary = customerio.simulator().summary();
        assertThat(summary.requests()).isEqualTo(2L * threads * perThread);
        assertThat(summary.events()).isEqualTo(perThread);
        assertThat(summary.duplicateEventsIgnored()).isEqualTo((long) (threads - 1) * perThread);
        assertThat(customerio.simulator().events()).hasSize(perThread);
        assertThat(customerio.simulator().people()).hasSize(threads + 1);
        for (int t = 0; t < threads; t++) {
            assertThat(
                            customerio
                                    .simulator()
                                    .personById("user-" + t)
                                    .orElseThrow()
                                    .attributes()
                                    .get("n")
                                    .asInt())
                    .isEqualTo(perThread - 1);
        }
        assertThat(customerio.simulator().requests()).hasSize(2 * threads * perThread);
    }

    /**
     * Without TCP_NODELAY the JDK server's small answers wait for the client's delayed ACK (about
     * 40 ms a request on a keep-alive connection), which would make the customerio.simulator(), not
     * the job, the bottleneck of every benchmark. Checked as the setting the server reads, not with
     * a stopwatch: timings belong to scripts/bench.sh, where the effect shows as throughput.
     */
    @Test
    void theServerAnswersWithoutWaitingForDelayedAcks() throws Exception {
        assertThat(System.getProperty("sun.net.httpserver.nodelay")).isEqualTo("true");
        assertThat(System.getProperty("sun.net.httpserver.maxIdleConnections")).isEqualTo("100000");
        // And requests on one connection are answered one after another.
        for (int i = 0; i < 5; i++) {
            assertThat(customerio.client().identify("u" + i, j("{'n':1}")).statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void inspectionAnswersWhileTrackRequestsAreHeld() throws Exception {
        try (CustomerioSimulator small =
                CustomerioSimulator.start(
                        SimulatorConfig.builder().siteId(SITE).apiKey(KEY).threads(2).build())) {
            SimulatorTestClient smallClient = new SimulatorTestClient(small, SITE, KEY);
            small.setFaults(Faults.none().timeoutRatio(1).timeoutHoldMs(2_000));
            for (int i = 0; i < 2; i++) {
                smallClient.http.sendAsync(
                        smallClient
                                .request(
                                        "PUT",
                                        "/api/v1/customers/u" + i,
                                        "{}",
                                        smallClient.authorization)
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
            }
            // Counted on arrival: both are inside the server, held, from here on.
            Await.until(
                    Duration.ofSeconds(10),
                    () -> small.summary().requests() == 2,
                    () -> small.summary().toString());

            // Held for 2 s: an inspection queued behind them would miss this 1 s timeout.
            HttpResponse<String> summary =
                    smallClient.http.send(
                            smallClient
                                    .request("GET", "/__simulator/summary", null, null)
                                    .timeout(Duration.ofSeconds(1))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(summary.statusCode()).isEqualTo(200);
            assertThat(summary.body()).contains("\"requests\":2");
        }
    }
}
