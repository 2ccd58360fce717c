package dev.cioforwarder.simulator;

import static dev.cioforwarder.simulator.SimulatorTestClient.j;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Customer.io's identity rules as the customerio.simulator() models them: who is one person, who is
 * two.
 */
class SimulatorPeopleTest {

    private static final String SITE = "site-people";
    private static final String KEY = "key-people";

    @RegisterExtension static final RunningSimulator customerio = new RunningSimulator(SITE, KEY);

    private static void ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    private static HttpResponse<String> v2Identify(String kind, String value, String rest)
            throws Exception {
        return customerio
                .client()
                .entity(
                        j(
                                "{'type':'person','identifiers':{'"
                                        + kind
                                        + "':'"
                                        + value
                                        + "'},'action':'identify'"
                                        + rest
                                        + "}"));
    }

    @Test
    void anIdentifyByIdCreatesOnePersonAndLaterOnesUpdateIt() throws Exception {
        ok(customerio.client().identify("u1", j("{'plan':'free','age':30}")));
        ok(customerio.client().identify("u1", j("{'plan':'pro'}")));
        ok(v2Identify("id", "u1", j(",'attributes':{'score':2.5}")));

        assertThat(customerio.simulator().people()).hasSize(1);
        Person person = customerio.simulator().personById("u1").orElseThrow();
        assertThat(person.attributes().get("plan").asText()).isEqualTo("pro");
        assertThat(person.attributes().get("age").asInt()).isEqualTo(30);
        assertThat(person.attributes().get("score").asDouble()).isEqualTo(2.5);
        assertThat(person.email()).isNull();
        assertThat(customerio.simulator().summary().people()).isEqualTo(1);
    }

    @Test
    void anEmailAddressedIdentifySettingAnIdAttachesItToThatPerson() throws Exception {
        ok(customerio.client().identify("ann@x.io", j("{'plan':'free'}")));
        assertThat(customerio.simulator().people()).hasSize(1);
        assertThat(customerio.simulator().personByEmail("ann@x.io").orElseThrow().id()).isNull();

        ok(customerio.client().identify("ann@x.io", j("{'id':'ann'}")));

        assertThat(customerio.simulator().people()).hasSize(1);
        Person person = customerio.simulator().personById("ann").orElseThrow();
        assertThat(person.email()).isEqualTo("ann@x.io");
        assertThat(person.attributes()).containsKey("plan");

        // From now on the id addresses the same person.
        ok(customerio.client().identify("ann", j("{'plan':'pro'}")));
        ok(v2Identify("id", "ann", j(",'attributes':{'seats':3}")));
        assertThat(customerio.simulator().people()).hasSize(1);
        Person updated = customerio.simulator().personByEmail("ann@x.io").orElseThrow();
        assertThat(updated.cioId()).isEqualTo(person.cioId());
        assertThat(updated.attributes().get("plan").asText()).isEqualTo("pro");
        assertThat(updated.attributes().get("seats").asInt()).isEqualTo(3);
        assertThat(customerio.simulator().summary().attributeUpdateFailures()).isZero();
    }

    @Test
    void aFirstIdentifyByEmailWithAnIdCreatesOnePersonWithBoth() throws Exception {
        ok(customerio.client().identify("bob@x.io", j("{'id':'bob','plan':'free'}")));
        ok(customerio.client().identify("bob", j("{'plan':'pro'}")));

        assertThat(customerio.simulator().people()).hasSize(1);
        Person person = customerio.simulator().people().get(0);
        assertThat(person.id()).isEqualTo("bob");
        assertThat(person.email()).isEqualTo("bob@x.io");
        assertThat(person.attributes().get("plan").asText()).isEqualTo("pro");
    }

    @Test
    void anEmailAddressedIdentifyNamingAKnownIdGivesThatPersonTheEmail() throws Exception {
        ok(customerio.client().identify("cat", j("{'plan':'free'}")));
        ok(customerio.client().identify("cat@x.io", j("{'id':'cat','seats':2}")));

        assertThat(customerio.simulator().people()).hasSize(1);
        Person person = customerio.simulator().personById("cat").orElseThrow();
        assertThat(person.email()).isEqualTo("cat@x.io");
        assertThat(person.attributes()).containsKeys("plan", "seats");
    }

    @Test
    void anIdOwnedByAnotherPersonIs200ButCountedAndNothingMerges() throws Exception {
        ok(customerio.client().identify("dan", j("{'plan':'free'}")));
        ok(customerio.client().identify("eve@x.io", j("{'plan':'pro'}")));

        HttpResponse<String> response =
                customerio.client().identify("eve@x.io", j("{'id':'dan','seats':9}"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(customerio.simulator().summary().attributeUpdateFailures()).isEqualTo(1);
        assertThat(customerio.simulator().people()).hasSize(2);
        Person dan = customerio.simulator().personById("dan").orElseThrow();
        Person eve = customerio.simulator().personByEmail("eve@x.io").orElseThrow();
        assertThat(dan.email()).isNull();
        assertThat(eve.id()).isNull();
        assertThat(dan.attributes()).doesNotContainKey("seats");
        assertThat(eve.attributes()).doesNotContainKey("seats");
        assertThat(eve.attributes().get("plan").asText()).isEqualTo("pro");
    }

    @Test
    void anEmailOwnedByAnotherPersonIs200ButCountedAndNothingMerges() throws Exception {
        ok(customerio.client().identify("fay", j("{'email':'fay@x.io'}")));
        ok(customerio.client().identify("gus", j("{'plan':'pro'}")));

        ok(customerio.client().identify("gus", j("{'email':'FAY@x.io','seats':9}")));
        ok(v2Identify("id", "gus", j(",'attributes':{'email':'fay@x.io','seats':9}")));

        assertThat(customerio.simulator().summary().attributeUpdateFailures()).isEqualTo(2);
        assertThat(customerio.simulator().people()).hasSize(2);
        assertThat(customerio.simulator().personById("gus").orElseThrow().email()).isNull();
        assertThat(customerio.simulator().personById("gus").orElseThrow().attributes())
                .doesNotContainKey("seats");
        assertThat(customerio.simulator().personByEmail("fay@x.io").orElseThrow().id())
                .isEqualTo("fay");
    }

    @Test
    void anIdNobodyHasWithAKnownPersonsEmailGivesThatPersonTheNewId() throws Exception {
        // Customer.io's description of identify: "you send an identify call with a new `id` but
        // an `email` that already belongs to someone, we update the existing person rather than
        // creating a new one. The existing person gets the new `id`."
        ok(customerio.client().identify("old-id", j("{'email':'rex@x.io','plan':'free'}")));
        String cioId = customerio.simulator().personById("old-id").orElseThrow().cioId();

        ok(customerio.client().identify("new-id", j("{'email':'REX@x.io','seats':2}")));

        assertThat(customerio.simulator().people()).hasSize(1);
        Person rex = customerio.simulator().personById("new-id").orElseThrow();
        assertThat(rex.cioId()).isEqualTo(cioId);
        assertThat(rex.email()).isEqualTo("rex@x.io");
        assertThat(rex.attributes()).containsKeys("plan", "seats");
        assertThat(customerio.simulator().personById("old-id")).isEmpty();
        assertThat(customerio.simulator().summary().attributeUpdateFailures()).isZero();

        // The same by v2, again: each new id re-keys the one person.
        ok(v2Identify("id", "newer-id", j(",'attributes':{'email':'rex@x.io'}")));
        assertThat(customerio.simulator().people()).hasSize(1);
        assertThat(customerio.simulator().personByEmail("rex@x.io").orElseThrow().id())
                .isEqualTo("newer-id");
        assertThat(customerio.simulator().personById("new-id")).isEmpty();

        // The old id is free: what is still addressed by it makes a new person.
        ok(customerio.client().identify("old-id", j("{'plan':'other'}")));
        assertThat(customerio.simulator().people()).hasSize(2);
        assertThat(customerio.simulator().personById("old-id").orElseThrow().cioId())
                .isNotEqualTo(cioId);
    }

    @Test
    void anIdNobodyHasWithTheEmailOfAPersonWithoutIdGivesThemTheId() throws Exception {
        ok(customerio.client().identify("sid@x.io", j("{'plan':'free'}")));

        ok(v2Identify("id", "sid", j(",'attributes':{'email':'sid@x.io','seats':1}")));

        assertThat(customerio.simulator().people()).hasSize(1);
        Person sid = customerio.simulator().personByEmail("sid@x.io").orElseThrow();
        assertThat(sid.id()).isEqualTo("sid");
        assertThat(sid.attributes()).containsKeys("plan", "seats");
    }

    @Test
    void aReKeyingIdentifyOlderThanThePersonsNewestIsIgnored() throws Exception {
        ok(v2Identify("id", "tom", j(",'timestamp':2000,'attributes':{'email':'tom@x.io'}")));

        ok(v2Identify("id", "tom-2", j(",'timestamp':1000,'attributes':{'email':'tom@x.io'}")));

        assertThat(customerio.simulator().summary().staleUpdatesIgnored()).isEqualTo(1);
        assertThat(customerio.simulator().personByEmail("tom@x.io").orElseThrow().id())
                .isEqualTo("tom");
        assertThat(customerio.simulator().people()).hasSize(1);
    }

    @Test
    void anEmailAddressedIdentifyAddsAnIdButChangesOneOnlyThroughCioId() throws Exception {
        // The description's `id` body field: "You can set a person's ID if you identify them by
        // email (in the path); you can update this value if you identify a person by `cio_id`."
        ok(customerio.client().identify("uma@x.io", j("{'plan':'free'}")));
        ok(customerio.client().identify("uma@x.io", j("{'id':'uma'}")));
        assertThat(customerio.simulator().personByEmail("uma@x.io").orElseThrow().id())
                .isEqualTo("uma");

        ok(customerio.client().identify("uma@x.io", j("{'id':'uma-2','plan':'pro'}")));
        ok(v2Identify("email", "uma@x.io", j(",'attributes':{'id':'uma-3'}")));

        assertThat(customerio.simulator().summary().attributeUpdateFailures()).isEqualTo(2);
        Person uma = customerio.simulator().personByEmail("uma@x.io").orElseThrow();
        assertThat(uma.id()).isEqualTo("uma");
        assertThat(uma.attributes().get("plan").asText()).isEqualTo("free");
        assertThat(customerio.simulator().personById("uma-2")).isEmpty();

        // Through the person's cio_id the id changes.
        ok(customerio.client().identify("cio_" + uma.cioId(), j("{'id':'uma-2'}")));
        assertThat(customerio.simulator().personByEmail("uma@x.io").orElseThrow().id())
                .isEqualTo("uma-2");
        assertThat(customerio.simulator().personById("uma")).isEmpty();
        assertThat(customerio.simulator().people()).hasSize(1);
    }

    @Test
    void inAnIdOnlyWorkspaceANewIdWithAKnownEmailIsANewPerson() throws Exception {
        try (CustomerioSimulator idOnly =
                CustomerioSimulator.start(
                        SimulatorConfig.builder()
                                .siteId(SITE)
                                .apiKey(KEY)
                                .idOnlyWorkspace(true)
                                .build())) {
            SimulatorTestClient c = new SimulatorTestClient(idOnly, SITE, KEY);
            ok(c.identify("vic", j("{'email':'vic@x.io'}")));
            ok(c.identify("vic-2", j("{'email':'vic@x.io'}")));
            assertThat(idOnly.people()).hasSize(2);
            assertThat(idOnly.personById("vic")).isPresent();
        }
    }

    @Test
    void anEmailInAnIdAddressedIdentifySetsTheEmailButChangesItOnlyIfTheWorkspaceAllows()
            throws Exception {
        ok(customerio.client().identify("hal", j("{'email':'hal@x.io'}")));
        assertThat(customerio.simulator().personByEmail("hal@x.io").orElseThrow().id())
                .isEqualTo("hal");

        // "Allow updates to email using ID" is off by default: 200, an attribute update failure,
        // and nothing of the update applied.
        ok(customerio.client().identify("hal", j("{'email':'hal@y.io','plan':'pro'}")));
        ok(v2Identify("id", "hal", j(",'attributes':{'email':'hal@z.io'}")));
        assertThat(customerio.simulator().summary().attributeUpdateFailures()).isEqualTo(2);
        assertThat(customerio.simulator().personById("hal").orElseThrow().email())
                .isEqualTo("hal@x.io");
        assertThat(customerio.simulator().personById("hal").orElseThrow().attributes()).isEmpty();
        // The same email in any case is no change.
        ok(customerio.client().identify("hal", j("{'email':'HAL@x.io','plan':'pro'}")));
        assertThat(customerio.simulator().personById("hal").orElseThrow().attributes())
                .containsKey("plan");
    }

    @Test
    void withEmailUpdatesByIdAllowedAChangeReindexesThePerson() throws Exception {
        try (CustomerioSimulator allowing =
                CustomerioSimulator.start(
                        SimulatorConfig.builder()
                                .siteId(SITE)
                                .apiKey(KEY)
                                .allowEmailUpdatesById(true)
                                .build())) {
            SimulatorTestClient c = new SimulatorTestClient(allowing, SITE, KEY);
            ok(c.identify("hal", j("{'email':'hal@x.io'}")));
            ok(c.identify("hal", j("{'email':'hal@y.io'}")));
            assertThat(allowing.personByEmail("hal@y.io").orElseThrow().id()).isEqualTo("hal");
            assertThat(allowing.personByEmail("hal@x.io")).isEmpty();
            assertThat(allowing.people()).hasSize(1);
            // The email is an identifier, not an attribute.
            assertThat(allowing.personById("hal").orElseThrow().attributes()).isEmpty();
        }
    }

    @Test
    void anAttributeSetToAnEmptyStringIsRemoved() throws Exception {
        ok(customerio.client().identify("ida", j("{'plan':'pro','seats':3}")));
        ok(customerio.client().identify("ida", j("{'plan':''}")));
        ok(v2Identify("id", "ida", j(",'attributes':{'seats':''}")));
        assertThat(customerio.simulator().personById("ida").orElseThrow().attributes()).isEmpty();
    }

    @Test
    void emailsAreCaseInsensitive() throws Exception {
        ok(customerio.client().identify("Ivy@X.io", j("{'a':1}")));
        ok(customerio.client().identify("ivy@x.io", j("{'b':2}")));
        ok(v2Identify("email", "IVY@x.IO", j(",'attributes':{'c':3}")));

        assertThat(customerio.simulator().people()).hasSize(1);
        assertThat(customerio.simulator().people().get(0).attributes())
                .containsOnlyKeys("a", "b", "c");
    }

    @Test
    void aV1UpdateOlderThanTheNewestIsIgnoredAndCounted() throws Exception {
        ok(customerio.client().identify("jon", j("{'plan':'pro','_timestamp':2000}")));
        ok(customerio.client().identify("jon", j("{'plan':'free','seats':1,'_timestamp':1000}")));

        Person person = customerio.simulator().personById("jon").orElseThrow();
        assertThat(person.attributes().get("plan").asText()).isEqualTo("pro");
        assertThat(person.attributes()).doesNotContainKey("seats");
        assertThat(person.attributes()).doesNotContainKey("_timestamp");
        assertThat(customerio.simulator().summary().staleUpdatesIgnored()).isEqualTo(1);

        // Equal and newer timestamps apply.
        ok(customerio.client().identify("jon", j("{'seats':2,'_timestamp':2000}")));
        ok(customerio.client().identify("jon", j("{'plan':'team','_timestamp':3000}")));
        person = customerio.simulator().personById("jon").orElseThrow();
        assertThat(person.attributes().get("plan").asText()).isEqualTo("team");
        assertThat(person.attributes().get("seats").asInt()).isEqualTo(2);
        assertThat(customerio.simulator().summary().staleUpdatesIgnored()).isEqualTo(1);
    }

    @Test
    void aV2UpdateOlderThanTheNewestIsIgnoredAndCountedAcrossApis() throws Exception {
        ok(v2Identify("id", "kim", j(",'timestamp':2000,'attributes':{'plan':'pro'}")));
        ok(v2Identify("id", "kim", j(",'timestamp':1500,'attributes':{'plan':'free'}")));
        // v1's _timestamp and v2's timestamp order the same profile.
        ok(customerio.client().identify("kim", j("{'plan':'v1-old','_timestamp':1999}")));

        assertThat(
                        customerio
                                .simulator()
                                .personById("kim")
                                .orElseThrow()
                                .attributes()
                                .get("plan")
                                .asText())
                .isEqualTo("pro");
        assertThat(customerio.simulator().summary().staleUpdatesIgnored()).isEqualTo(2);
    }

    @Test
    void anUpdateOnlyIdentifyDoesNotCreateAPerson() throws Exception {
        ok(customerio.client().identify("leo", j("{'_update':true,'plan':'pro'}")));
        ok(v2Identify("id", "leo", j(",'attributes':{'_update':true,'plan':'pro'}")));
        ok(customerio.client().identify("leo@x.io", j("{'_update':true,'plan':'pro'}")));
        assertThat(customerio.simulator().people()).isEmpty();

        // It does update one that exists.
        ok(customerio.client().identify("leo", j("{'plan':'free'}")));
        ok(customerio.client().identify("leo", j("{'_update':true,'plan':'pro'}")));
        assertThat(customerio.simulator().people()).hasSize(1);
        assertThat(
                        customerio
                                .simulator()
                                .personById("leo")
                                .orElseThrow()
                                .attributes()
                                .get("plan")
                                .asText())
                .isEqualTo("pro");
        assertThat(customerio.simulator().personById("leo").orElseThrow().attributes())
                .doesNotContainKey("_update");
    }

    @Test
    void unsubscribedAndCreatedAtLandOnThePerson() throws Exception {
        ok(customerio.client().identify("mia", j("{'unsubscribed':true,'created_at':1600000000}")));
        Person person = customerio.simulator().personById("mia").orElseThrow();
        assertThat(person.unsubscribed()).isTrue();
        assertThat(person.createdAt()).isEqualTo(1600000000L);
        assertThat(person.attributes()).isEmpty();

        ok(customerio.client().identify("mia", j("{'unsubscribed':false}")));
        assertThat(customerio.simulator().personById("mia").orElseThrow().unsubscribed()).isFalse();

        ok(
                v2Identify(
                        "id",
                        "ned",
                        j(",'attributes':{'unsubscribed':true,'created_at':1500000000}")));
        Person ned = customerio.simulator().personById("ned").orElseThrow();
        assertThat(ned.unsubscribed()).isTrue();
        assertThat(ned.createdAt()).isEqualTo(1500000000L);
        assertThat(ned.attributes()).isEmpty();
    }

    @Test
    void pathIdentifiersAreDecodedAsOneSegment() throws Exception {
        ok(customerio.client().track("PUT", "/api/v1/customers/a%2Fb%40x.io", j("{'plan':'pro'}")));
        ok(customerio.client().track("PUT", "/api/v1/customers/c%2Fd", j("{'plan':'pro'}")));
        ok(customerio.client().track("PUT", "/api/v1/customers/e+f@x.io", j("{'plan':'pro'}")));
        ok(
                customerio
                        .client()
                        .track("POST", "/api/v1/customers/c%2Fd/events", j("{'name':'opened'}")));

        assertThat(customerio.simulator().personByEmail("a/b@x.io")).isPresent();
        assertThat(customerio.simulator().personById("c/d")).isPresent();
        // A "+" in a path is a plus, not a space.
        assertThat(customerio.simulator().personByEmail("e+f@x.io")).isPresent();
        assertThat(customerio.simulator().people()).hasSize(3);
        assertThat(customerio.simulator().events().get(0).personId()).isEqualTo("c/d");
    }

    @Test
    void cioIdPathsAddressTheExistingPerson() throws Exception {
        ok(customerio.client().identify("oli", j("{'plan':'free'}")));
        String cioId = customerio.simulator().personById("oli").orElseThrow().cioId();

        ok(customerio.client().identify("cio_" + cioId, j("{'plan':'pro'}")));
        ok(v2Identify("cio_id", cioId, j(",'attributes':{'seats':4}")));

        assertThat(customerio.simulator().people()).hasSize(1);
        Person person = customerio.simulator().personById("oli").orElseThrow();
        assertThat(person.attributes().get("plan").asText()).isEqualTo("pro");
        assertThat(person.attributes().get("seats").asInt()).isEqualTo(4);
    }

    @Test
    void deleteRemovesThePerson() throws Exception {
        ok(customerio.client().identify("pam", j("{'email':'pam@x.io'}")));
        ok(customerio.client().track("DELETE", "/api/v1/customers/pam", null));
        assertThat(customerio.simulator().people()).isEmpty();
        assertThat(customerio.simulator().personByEmail("pam@x.io")).isEmpty();

        ok(customerio.client().identify("pam", j("{'plan':'new'}")));
        ok(
                customerio
                        .client()
                        .entity(
                                j(
                                        "{'type':'person','identifiers':{'id':'pam'},'action':'delete'}")));
        assertThat(customerio.simulator().people()).isEmpty();
    }

    // -------------------------------------------------------------------------------------
    // Doubtful behaviour, shown and reported

    @Test
    void aStaleIdentifyChangesNothing() throws Exception {
        ok(customerio.client().identify("quinn", j("{'email':'old@x.io','_timestamp':2000}")));

        ok(customerio.client().identify("new@x.io", j("{'id':'quinn','_timestamp':1000}")));

        assertThat(customerio.simulator().summary().staleUpdatesIgnored()).isEqualTo(1);
        assertThat(customerio.simulator().personById("quinn").orElseThrow().email())
                .isEqualTo("old@x.io");
        assertThat(customerio.simulator().personByEmail("new@x.io")).isEmpty();
    }

    @Test
    void aFailedUpdateDoesNotAdvanceTheNewestTimestamp() throws Exception {
        ok(customerio.client().identify("rae", j("{'plan':'free','_timestamp':1000}")));
        ok(customerio.client().identify("sam@x.io", j("{}")));
        // Fails: the email belongs to someone else. Nothing of it is applied...
        ok(
                customerio
                        .client()
                        .identify("rae", j("{'email':'sam@x.io','plan':'x','_timestamp':3000}")));
        assertThat(customerio.simulator().summary().attributeUpdateFailures()).isEqualTo(1);

        // ...so an update stamped 2000 is the newest applied and must land.
        ok(customerio.client().identify("rae", j("{'plan':'pro','_timestamp':2000}")));

        assertThat(customerio.simulator().summary().staleUpdatesIgnored()).isZero();
        assertThat(
                        customerio
                                .simulator()
                                .personById("rae")
                                .orElseThrow()
                                .attributes()
                                .get("plan")
                                .asText())
                .isEqualTo("pro");
    }

    @Test
    void repeatedIdentifiesByPhoneAreOnePerson() throws Exception {
        ok(v2Identify("phone", "+15550100", j(",'attributes':{'a':1}")));
        ok(v2Identify("phone", "+15550100", j(",'attributes':{'b':2}")));

        assertThat(customerio.simulator().people()).hasSizeLessThanOrEqualTo(1);
    }
}
