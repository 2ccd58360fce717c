package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.simulator.Faults;
import dev.cioforwarder.simulator.Person;
import dev.cioforwarder.simulator.Refusal;
import dev.cioforwarder.simulator.RequestLogEntry;
import dev.cioforwarder.simulator.StoredEvent;
import dev.cioforwarder.testing.Await;
import dev.cioforwarder.testing.Jobs;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The user's state follows what Customer.io accepted, not what was sent: a refused unsubscribe and
 * a refused profile update are sent again with the user's next batch (the state forgot them), and
 * after an identifier conflict the user stays addressed by the identifier Customer.io has, so later
 * events and an opt-out reach that person and nobody else, and the refused identifier is not tried
 * again.
 */
class RefusalsFollowStateITCase extends JobTestSupport {

    @Override
    protected boolean onBroker() {
        return false;
    }

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final long T = 1_764_400_000_000L;
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    @Test
    void aRefusedUnsubscribeIsSentAgainWithTheUsersNextBatch(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        long mpid = 21;
        String id = "c-21";
        produce(
                List.of(
                        UserBatch.of(mpid, T, id)
                                .attributes("{\"plan\":\"pro\"}")
                                .event("First", 1)
                                .record()));
        JobClient job = startJob(settings());
        List<JsonNode> letters;
        try {
            awaitEvents(1);
            customerio.setFaults(
                    Faults.none()
                            .refusals(
                                    Refusal.person(id)
                                            .actions("identify")
                                            .attribute("unsubscribed")
                                            .status(400)
                                            .times(1)));
            produce(
                    List.of(
                            UserBatch.of(mpid, T + 60_000, id)
                                    .attributes("{\"plan\":\"pro\"}")
                                    .optOut()
                                    .record()));
            letters = deadLetters(1, TIMEOUT);
            assertThat(customerio.faultHits().refusals()).containsExactly(1L);
            assertThat(customerio.personById(id).orElseThrow().unsubscribed())
                    .as("refused: not unsubscribed yet")
                    .isFalse();
            awaitRefusalsApplied(cluster, job, 1);

            // Any next batch: an attribute change (held back: the user is opted out).
            produce(
                    List.of(
                            UserBatch.of(mpid, T + 120_000, id)
                                    .attributes("{\"plan\":\"team\"}")
                                    .record()));
            Await.until(
                    TIMEOUT,
                    () -> customerio.personById(id).map(Person::unsubscribed).orElse(false),
                    () -> customerio.personById(id).toString());
        } finally {
            Jobs.cancelAndWait(job);
        }
        assertThat(letters)
                .singleElement()
                .satisfies(
                        l -> {
                            assertThat(l.get("reason").asText())
                                    .isEqualTo("rejected_by_customerio");
                            assertThat(l.get("payload_text").asText()).contains("unsubscribed");
                        });
        assertThat(deadLetters(1, Duration.ofSeconds(2))).hasSize(1);
        assertThat(customerio.events()).extracting(StoredEvent::name).containsExactly("First");
    }

    @Test
    void aRefusedProfileUpdateIsSentAgainEvenIfTheNextBatchDidNotChangeIt(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        long mpid = 22;
        String id = "c-22";
        produce(
                List.of(
                        UserBatch.of(mpid, T, id)
                                .attributes("{\"plan\":\"pro\",\"tier\":1}")
                                .event("First", 1)
                                .record()));
        JobClient job = startJob(settings());
        List<JsonNode> letters;
        try {
            awaitEvents(1);
            assertThat(customerio.personById(id).orElseThrow().attributes().get("plan").asText())
                    .isEqualTo("pro");
            customerio.setFaults(
                    Faults.none().refusals(Refusal.person(id).actions("identify").times(1)));
            produce(
                    List.of(
                            UserBatch.of(mpid, T + 60_000, id)
                                    .attributes("{\"plan\":\"team\",\"tier\":1}")
                                    .event("Second", 2)
                                    .record()));
            letters = deadLetters(1, TIMEOUT);
            assertThat(customerio.faultHits().refusals()).containsExactly(1L);
            awaitEvents(2);
            assertThat(customerio.personById(id).orElseThrow().attributes().get("plan").asText())
                    .as("refused: still the old plan")
                    .isEqualTo("pro");
            awaitRefusalsApplied(cluster, job, 1);

            // The same profile as the refused one: a delta identify would send nothing.
            produce(
                    List.of(
                            UserBatch.of(mpid, T + 120_000, id)
                                    .attributes("{\"plan\":\"team\",\"tier\":1}")
                                    .event("Third", 3)
                                    .record()));
            Await.until(
                    TIMEOUT,
                    () ->
                            customerio
                                    .personById(id)
                                    .map(p -> p.attributes().get("plan").asText().equals("team"))
                                    .orElse(false),
                    () -> customerio.personById(id).toString());
            awaitEvents(3);
        } finally {
            Jobs.cancelAndWait(job);
        }
        assertThat(letters)
                .singleElement()
                .satisfies(
                        l -> {
                            assertThat(l.get("reason").asText())
                                    .isEqualTo("rejected_by_customerio");
                            assertThat(l.get("payload_text").asText())
                                    .contains("identify")
                                    .contains("team");
                        });
        assertThat(deadLetters(1, Duration.ofSeconds(2))).hasSize(1);
        assertThat(customerio.events())
                .extracting(StoredEvent::name)
                .containsExactly("First", "Second", "Third");
    }

    @Test
    void afterAnIdentifierConflictTheUserStaysWithTheirPersonAndTheirOptOutGoesThere(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        Path appKey = dir.resolve("app-api-key");
        Files.writeString(appKey, "app-key");
        long mpid = 31;
        produce(
                List.of(
                        UserBatch.of(mpid, T, "c-1")
                                .attributes("{\"plan\":\"pro\"}")
                                .event("A1", 1)
                                .record()));
        JobClient job =
                startJob(
                        settings(
                                "customerio.app-api-key-file",
                                appKey.toString(),
                                "customerio.app-api-endpoint",
                                customerio.baseUrl()));
        List<JsonNode> letters;
        String otherCioId;
        try {
            awaitEvents(1);
            // Somebody else already has c-2 in Customer.io.
            assertThat(trackIdentify("c-2", "{\"plan\":\"other\"}")).isEqualTo(200);
            otherCioId = customerio.personById("c-2").orElseThrow().cioId();

            // The user now says they are c-2.
            produce(
                    List.of(
                            UserBatch.of(mpid, T + 60_000, "c-2")
                                    .attributes("{\"plan\":\"pro\"}")
                                    .event("A2", 2)
                                    .record()));
            letters = deadLetters(1, TIMEOUT);
            assertThat(letters)
                    .singleElement()
                    .satisfies(
                            l ->
                                    assertThat(l.get("reason").asText())
                                            .isEqualTo("identifier_conflict"));
            awaitRefusalsApplied(cluster, job, 1);
            awaitEvents(2);

            // Later events, then an opt-out, still under c-2 in mParticle.
            produce(
                    List.of(
                            UserBatch.of(mpid, T + 120_000, "c-2")
                                    .attributes("{\"plan\":\"pro\"}")
                                    .event("A3", 3)
                                    .record()));
            awaitEvents(3);
            produce(
                    List.of(
                            UserBatch.of(mpid, T + 180_000, "c-2")
                                    .attributes("{\"plan\":\"pro\"}")
                                    .optOut()
                                    .record()));
            Await.until(
                    TIMEOUT,
                    () -> customerio.personById("c-1").map(Person::unsubscribed).orElse(false),
                    () -> customerio.people().toString());
            Thread.sleep(2_000); // a late change or event would show now
        } finally {
            Jobs.cancelAndWait(job);
        }
        Person kept = customerio.personById("c-1").orElseThrow();
        Person other = customerio.personById("c-2").orElseThrow();
        assertThat(other.cioId()).isEqualTo(otherCioId);
        assertThat(kept.unsubscribed()).isTrue();
        assertThat(other.unsubscribed()).as("the other person's subscription").isFalse();
        assertThat(other.attributes().get("plan").asText()).isEqualTo("other");
        assertThat(customerio.events())
                .as("every event of the user is the person's with c-1")
                .extracting(StoredEvent::name, StoredEvent::cioId)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("A1", kept.cioId()),
                        org.assertj.core.groups.Tuple.tuple("A2", kept.cioId()),
                        org.assertj.core.groups.Tuple.tuple("A3", kept.cioId()));
        assertThat(customerio.people()).hasSize(2);
        // Tried once: one look-up of c-2, one conflict.
        assertThat(deadLetters(1, Duration.ofSeconds(2)))
                .as("one conflict, not one per batch")
                .hasSize(1);
        assertThat(customerio.requests())
                .extracting(RequestLogEntry::path)
                .filteredOn(p -> p.startsWith("/v1/customers/c-2"))
                .as("App API look-ups of c-2")
                .hasSize(1);
    }

    private static void awaitEvents(int n) throws InterruptedException {
        Await.until(
                TIMEOUT,
                () -> customerio.summary().events() >= n,
                () -> customerio.events().toString());
    }

    /** Waits until the user's state heard of {@code n} refusals (through the feedback topic). */
    private void awaitRefusalsApplied(MiniCluster cluster, JobClient job, long n) throws Exception {
        URI rest = cluster.getRestAddress().get();
        Await.until(
                TIMEOUT,
                () -> {
                    try {
                        return metricSums(
                                                rest,
                                                "/jobs/" + job.getJobID(),
                                                m ->
                                                        m.endsWith(".refusals_applied")
                                                                ? "refusals"
                                                                : null)
                                        .getOrDefault("refusals", 0L)
                                >= n;
                    } catch (Exception e) {
                        return false;
                    }
                },
                () -> "refusals_applied below " + n);
    }

    /** A Track API identify sent straight to the simulator, as another source would. */
    private static int trackIdentify(String id, String attributes) throws Exception {
        String auth =
                Base64.getEncoder()
                        .encodeToString((SITE_ID + ":" + API_KEY).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response =
                HTTP.send(
                        HttpRequest.newBuilder(
                                        URI.create(
                                                customerio.baseUrl() + "/api/v1/customers/" + id))
                                .header("Authorization", "Basic " + auth)
                                .header("Content-Type", "application/json")
                                .PUT(HttpRequest.BodyPublishers.ofString(attributes))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return response.statusCode();
    }
}
