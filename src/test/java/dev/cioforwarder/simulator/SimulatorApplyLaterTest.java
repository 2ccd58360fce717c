package dev.cioforwarder.simulator;

import static dev.cioforwarder.simulator.SimulatorTestClient.j;
import static dev.cioforwarder.simulator.SimulatorTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * "Accepted is not applied": in apply-later mode the Track API answers at once but applies what it
 * accepted later, requests in the order they were acknowledged, a batch's operations in a seeded
 * shuffled order; inspection and the App API see applied state only.
 */
class SimulatorApplyLaterTest {

    private static final String SITE = "site-later";
    private static final String KEY = "key-later";
    private static final String APP_KEY = "app-key-later";

    /** Long enough that nothing is applied before the test looks, on a loaded machine. */
    @RegisterExtension
    static final RunningSimulator later =
            new RunningSimulator(
                    SimulatorConfig.builder()
                            .siteId(SITE)
                            .apiKey(KEY)
                            .appApiKey(APP_KEY)
                            .applyLater(Duration.ofSeconds(2), 17)
                            .build());

    private static void ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    /** Ten identifies of one person in one batch, each setting {@code last} to its index. */
    private static String tenIdentifiesOfOnePerson() {
        StringBuilder b = new StringBuilder("{'batch':[");
        for (int i = 0; i < 10; i++) {
            b.append(i == 0 ? "" : ",")
                    .append("{'type':'person','identifiers':{'id':'p'},'action':'identify',")
                    .append("'attributes':{'last':")
                    .append(i)
                    .append("}}");
        }
        return j(b.append("]}").toString());
    }

    @Test
    void answersAtOnceAndAppliesAfterTheDelay() throws Exception {
        ok(later.client().identify("u1", j("{'plan':'pro'}")));
        ok(
                later.client()
                        .v1Event(
                                "u1",
                                j("{'name':'opened','id':'" + SimulatorTestClient.ulid(1) + "'}")));

        assertThat(later.simulator().people()).isEmpty();
        assertThat(later.simulator().events()).isEmpty();
        assertThat(later.simulator().pendingRequests()).isEqualTo(2);

        later.simulator().awaitApplied();

        assertThat(later.simulator().pendingRequests()).isZero();
        assertThat(later.simulator().personById("u1").orElseThrow().attributes())
                .containsKey("plan");
        assertThat(later.simulator().events())
                .singleElement()
                .extracting(StoredEvent::name)
                .isEqualTo("opened");
    }

    @Test
    void requestsAreAppliedInTheOrderTheyWereAcknowledged() throws Exception {
        for (int i = 0; i < 20; i++) {
            ok(later.client().identify("ord", j("{'n':" + i + "}")));
        }
        ok(later.client().track("DELETE", "/api/v1/customers/ord", null));
        ok(later.client().identify("ord", j("{'after':true}")));

        later.simulator().awaitApplied();

        Person person = later.simulator().personById("ord").orElseThrow();
        // Deleted after the twentieth identify, then made again: only the last identify's data.
        assertThat(person.attributes()).containsOnlyKeys("after");
        assertThat(later.simulator().people()).hasSize(1);
    }

    @Test
    void aBatchIsShuffledTheSameWayForTheSameSeed() throws Exception {
        ok(later.client().batch(tenIdentifiesOfOnePerson()));
        later.simulator().awaitApplied();
        int first =
                later.simulator().personById("p").orElseThrow().attributes().get("last").asInt();

        later.simulator().reset();
        ok(later.client().batch(tenIdentifiesOfOnePerson()));
        later.simulator().awaitApplied();

        assertThat(later.simulator().personById("p").orElseThrow().attributes().get("last").asInt())
                .isEqualTo(first);
        assertThat(later.simulator().applySeed()).isEqualTo(17);
    }

    @Test
    void otherSeedsApplyABatchInOtherOrders() throws Exception {
        Set<Integer> lastApplied = new HashSet<>();
        for (long seed = 1; seed <= 8; seed++) {
            try (CustomerioSimulator s =
                    CustomerioSimulator.start(
                            SimulatorConfig.builder()
                                    .siteId(SITE)
                                    .apiKey(KEY)
                                    .threads(2)
                                    .applyLater(Duration.ZERO, seed)
                                    .build())) {
                ok(new SimulatorTestClient(s, SITE, KEY).batch(tenIdentifiesOfOnePerson()));
                s.awaitApplied();
                lastApplied.add(s.personById("p").orElseThrow().attributes().get("last").asInt());
            }
        }
        // In request order the last would always be 9; eight seeds giving one value would be a
        // 1-in-10^7 chance with a real shuffle.
        assertThat(lastApplied).hasSizeGreaterThan(1);
    }

    @Test
    void aDeletionSharingABatchWithAnEarlierIdentifyMayBeAppliedBeforeIt() throws Exception {
        // Why a forwarder sends a deletion in a request of its own: in one batch, Customer.io
        // may apply it first, and the identify then makes the person again.
        String identifyThenDelete =
                j(
                        "{'batch':[{'type':'person','identifiers':{'id':'del'},'action':'identify',"
                                + "'attributes':{'a':1}},{'type':'person','identifiers':"
                                + "{'id':'del'},'action':'delete'}]}");
        Set<Boolean> survived = new HashSet<>();
        for (long seed = 1; seed <= 16 && survived.size() < 2; seed++) {
            try (CustomerioSimulator s =
                    CustomerioSimulator.start(
                            SimulatorConfig.builder()
                                    .siteId(SITE)
                                    .apiKey(KEY)
                                    .threads(2)
                                    .applyLater(Duration.ZERO, seed)
                                    .build())) {
                ok(new SimulatorTestClient(s, SITE, KEY).batch(identifyThenDelete));
                s.awaitApplied();
                survived.add(s.personById("del").isPresent());
            }
        }
        assertThat(survived).containsExactlyInAnyOrder(true, false);
    }

    @Test
    void aBatchWithRefusedOperationsAppliesOnlyTheAcceptedOnesLater() throws Exception {
        HttpResponse<String> response =
                later.client()
                        .batch(
                                j(
                                        "{'batch':[{'type':'person','identifiers':{'id':'ok'},"
                                                + "'action':'identify','attributes':{'a':1}},"
                                                + "{'type':'person','identifiers':{'id':'bad'},"
                                                + "'action':'event'}]}"));

        assertThat(response.statusCode()).isEqualTo(207);
        assertThat(json(response).path("errors").get(0).path("batch_index").asInt()).isEqualTo(1);
        assertThat(later.simulator().people()).isEmpty();
        later.simulator().awaitApplied();
        assertThat(later.simulator().people()).extracting(Person::id).containsExactly("ok");
    }

    @Test
    void theAppApiFindsOnlyWhatIsApplied() throws Exception {
        ok(later.client().identify("app", j("{'email':'app@x.io'}")));

        assertThat(later.client().appApi("/v1/customers/app/attributes", APP_KEY).statusCode())
                .isEqualTo(404);
        later.simulator().awaitApplied();
        assertThat(later.client().appApi("/v1/customers/app/attributes", APP_KEY).statusCode())
                .isEqualTo(200);
    }

    @Test
    void theInspectionEndpointWaitsForWhatIsPending() throws Exception {
        ok(later.client().identify("insp", j("{'a':1}")));
        assertThat(json(later.client().inspect("/__simulator/applied")).path("pending").asLong())
                .isEqualTo(1);

        assertThat(
                        json(later.client().inspect("/__simulator/applied?wait_ms=30000"))
                                .path("pending")
                                .asLong())
                .isZero();
        assertThat(later.simulator().personById("insp")).isPresent();
    }

    @Test
    void aResetDropsWhatIsNotAppliedYet() throws Exception {
        ok(later.client().identify("gone", j("{'a':1}")));
        later.simulator().reset();

        later.simulator().awaitApplied();
        Thread.sleep(2_500);
        assertThat(later.simulator().people()).isEmpty();
        assertThat(later.simulator().pendingRequests()).isZero();
    }
}
