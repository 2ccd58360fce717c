package dev.cioforwarder.simulator;

import static dev.cioforwarder.simulator.SimulatorTestClient.j;
import static dev.cioforwarder.simulator.SimulatorTestClient.json;
import static dev.cioforwarder.simulator.SimulatorTestClient.segment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Refusals by person: one operation refused the way Customer.io refuses it (a 207 entry in a batch,
 * a 400 alone), or the whole request answered with another status as a proxy that chokes on one
 * user does; filtered by action and attribute, healing after {@code times}, and counted.
 */
class SimulatorRefusalsTest {

    private static final String SITE = "site-refusals";
    private static final String KEY = "key-refusals";

    @RegisterExtension static final RunningSimulator customerio = new RunningSimulator(SITE, KEY);

    private static String event(String id, String name) {
        return j(
                "{'type':'person','identifiers':{'id':'"
                        + id
                        + "'},'action':'event','name':'"
                        + name
                        + "'}");
    }

    private static String identify(String id, String attributes) {
        return j(
                "{'type':'person','identifiers':{'id':'"
                        + id
                        + "'},'action':'identify','attributes':"
                        + attributes
                        + "}");
    }

    private static String batch(String... ops) {
        return "{\"batch\":[" + String.join(",", ops) + "]}";
    }

    private static List<Integer> batchIndexes(HttpResponse<String> response) {
        List<Integer> indexes = new ArrayList<>();
        json(response).path("errors").forEach(e -> indexes.add(e.path("batch_index").asInt()));
        return indexes;
    }

    private static List<String> eventNames() {
        return customerio.simulator().events().stream().map(StoredEvent::name).toList();
    }

    private static List<Long> refusalHits() {
        return customerio.simulator().faultHits().refusals();
    }

    private static int lastStatus() {
        List<RequestLogEntry> log = customerio.simulator().requests();
        return log.get(log.size() - 1).status();
    }

    @Test
    void inABatchOnlyThePersonsOperationIsRefusedWith207AndTheRestIsStored() throws Exception {
        customerio.simulator().setFaults(Faults.none().refusals(Refusal.person("u2")));

        HttpResponse<String> response =
                customerio
                        .client()
                        .batch(
                                batch(
                                        event("u1", "a"),
                                        identify("u3", j("{'plan':'pro'}")),
                                        event("u2", "poisoned"),
                                        event("u3", "b")));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(207);
        JsonNode errors = json(response).path("errors");
        assertThat(errors.size()).isEqualTo(1);
        JsonNode error = errors.get(0);
        assertThat(error.path("batch_index").asInt()).isEqualTo(2);
        assertThat(error.path("reason").asText()).isEqualTo("invalid");
        assertThat(error.path("field").asText()).isEqualTo("identifiers");
        assertThat(error.path("message").asText()).contains("refusals[0]");
        assertThat(eventNames()).containsExactly("a", "b");
        assertThat(customerio.simulator().personById("u3").orElseThrow().attributes())
                .containsKey("plan");
        assertThat(customerio.simulator().personById("u2")).isEmpty();
        assertThat(refusalHits()).containsExactly(1L);
        assertThat(customerio.simulator().summary().rejectedOperations()).isEqualTo(1);
        assertThat(lastStatus()).isEqualTo(207);
    }

    @Test
    void everyOperationOfThePersonInABatchIsListedWithItsIndex() throws Exception {
        customerio.simulator().setFaults(Faults.none().refusals(Refusal.person("u2")));

        HttpResponse<String> response =
                customerio
                        .client()
                        .batch(
                                batch(
                                        identify("u2", j("{'plan':'pro'}")),
                                        event("u1", "a"),
                                        event("u2", "b")));

        assertThat(response.statusCode()).isEqualTo(207);
        assertThat(batchIndexes(response)).containsExactly(0, 2);
        assertThat(eventNames()).containsExactly("a");
        assertThat(customerio.simulator().people()).extracting(Person::id).containsExactly("u1");
        assertThat(refusalHits()).containsExactly(2L);
    }

    @Test
    void aloneTheRefusalIsA400ForV1AndEntityAndNothingIsStored() throws Exception {
        customerio.simulator().setFaults(Faults.none().refusals(Refusal.person("u2")));

        HttpResponse<String> v1Identify = customerio.client().identify("u2", j("{'plan':'pro'}"));
        HttpResponse<String> v1Event = customerio.client().v1Event("u2", j("{'name':'x'}"));
        HttpResponse<String> entity = customerio.client().entity(event("u2", "y"));

        assertThat(v1Identify.statusCode()).isEqualTo(400);
        assertThat(json(v1Identify).path("meta").path("errors").get(0).asText())
                .contains("refusals[0]");
        assertThat(v1Event.statusCode()).isEqualTo(400);
        // /entity answers in the description's shape: errors with reason, field and message.
        assertThat(entity.statusCode()).isEqualTo(400);
        JsonNode error = json(entity).path("errors").get(0);
        assertThat(error.path("field").asText()).isEqualTo("identifiers");
        assertThat(error.path("message").asText()).contains("refusals[0]");
        assertThat(customerio.simulator().people()).isEmpty();
        assertThat(customerio.simulator().events()).isEmpty();
        assertThat(refusalHits()).containsExactly(3L);

        // Other people pass.
        assertThat(customerio.client().identify("u1", j("{'plan':'pro'}")).statusCode())
                .isEqualTo(200);
        assertThat(customerio.client().entity(event("u1", "z")).statusCode()).isEqualTo(200);
        assertThat(customerio.simulator().requests())
                .extracting(RequestLogEntry::status)
                .containsExactly(400, 400, 400, 200, 200);
    }

    @Test
    void thePersonIsMatchedByEveryKindOfIdentifier() throws Exception {
        customerio.client().identify("known@x.io", j("{'plan':'pro'}")); // cio_id 1
        customerio
                .simulator()
                .setFaults(
                        Faults.none()
                                .refusals(
                                        Refusal.person("a+b@x.io"),
                                        Refusal.person("cio_1"),
                                        Refusal.person("anon-1"),
                                        Refusal.person("a/b")));

        // v1: the decoded path segment, '+' a plus, '%2F' a slash, cio_ prefix included.
        assertThat(customerio.client().identify("a+b@x.io", "{}").statusCode()).isEqualTo(400);
        assertThat(customerio.client().identify("cio_1", "{}").statusCode()).isEqualTo(400);
        assertThat(customerio.client().identify("a/b", "{}").statusCode()).isEqualTo(400);
        assertThat(
                        customerio
                                .client()
                                .track(
                                        "POST",
                                        "/api/v1/events",
                                        j("{'name':'seen','anonymous_id':'anon-1'}"))
                                .statusCode())
                .isEqualTo(400);
        assertThat(refusalHits()).containsExactly(1L, 1L, 1L, 1L);

        // v2: identifiers.email, identifiers.cio_id (no prefix), identifiers.anonymous_id and an
        // anonymous event's anonymous_id.
        HttpResponse<String> response =
                customerio
                        .client()
                        .batch(
                                batch(
                                        j(
                                                "{'type':'person','identifiers':{'email':'a+b@x.io'},"
                                                    + "'action':'identify','attributes':{}}"),
                                        j(
                                                "{'type':'person','identifiers':{'cio_id':'1'},"
                                                        + "'action':'identify','attributes':{}}"),
                                        j(
                                                "{'type':'person','identifiers':{'anonymous_id':"
                                                        + "'anon-1'},'action':'event','name':'e'}"),
                                        j(
                                                "{'type':'person','anonymous_id':'anon-1',"
                                                        + "'action':'event','name':'e'}"),
                                        event("u1", "fine")));

        assertThat(response.statusCode()).isEqualTo(207);
        assertThat(batchIndexes(response)).containsExactly(0, 1, 2, 3);
        assertThat(refusalHits()).containsExactly(2L, 2L, 3L, 1L);
        assertThat(eventNames()).containsExactly("fine");
        assertThat(customerio.simulator().people()).hasSize(2); // known@x.io and u1
    }

    @Test
    void theAttributeFilterRefusesOnlyTheIdentifyThatCarriesIt() throws Exception {
        customerio.client().identify("u2", j("{'plan':'free'}"));
        customerio
                .simulator()
                .setFaults(Faults.none().refusals(Refusal.person("u2").attribute("unsubscribed")));

        HttpResponse<String> response =
                customerio
                        .client()
                        .batch(
                                batch(
                                        identify("u2", j("{'plan':'pro'}")),
                                        identify("u2", j("{'unsubscribed':true}")),
                                        event("u2", "opened")));

        assertThat(response.statusCode()).isEqualTo(207);
        assertThat(batchIndexes(response)).containsExactly(1);
        assertThat(json(response).path("errors").get(0).path("field").asText())
                .isEqualTo("attributes.unsubscribed");
        Person u2 = customerio.simulator().personById("u2").orElseThrow();
        assertThat(u2.attributes().get("plan").asText()).isEqualTo("pro");
        assertThat(u2.unsubscribed()).isFalse();
        assertThat(eventNames()).containsExactly("opened");

        // v1: the body's fields are the attributes.
        HttpResponse<String> v1 =
                customerio.client().identify("u2", j("{'unsubscribed':true,'plan':'max'}"));
        assertThat(v1.statusCode()).isEqualTo(400);
        assertThat(json(v1).path("meta").path("errors").get(0).asText())
                .startsWith("unsubscribed: ");
        assertThat(customerio.client().identify("u2", j("{'plan':'max'}")).statusCode())
                .isEqualTo(200);
        u2 = customerio.simulator().personById("u2").orElseThrow();
        assertThat(u2.attributes().get("plan").asText()).isEqualTo("max");
        assertThat(u2.unsubscribed()).isFalse();
        assertThat(refusalHits()).containsExactly(2L);
    }

    @Test
    void v1RequestsMapToTheV2ActionNames() throws Exception {
        String u2 = "/api/v1/customers/" + segment("u2");
        customerio.client().identify("u2", j("{'plan':'pro'}"));
        customerio
                .client()
                .track("PUT", u2 + "/devices", j("{'device':{'id':'tok-1','platform':'ios'}}"));

        customerio
                .simulator()
                .setFaults(
                        Faults.none()
                                .refusals(
                                        Refusal.person("u2")
                                                .actions(
                                                        "screen",
                                                        "add_device",
                                                        "delete_device",
                                                        "delete")));
        assertThat(
                        customerio
                                .client()
                                .v1Event(
                                        "u2",
                                        j("{'name':'home','type':'screen','anonymous_id':'a1'}"))
                                .statusCode())
                .isEqualTo(400);
        assertThat(
                        customerio
                                .client()
                                .track(
                                        "PUT",
                                        u2 + "/devices",
                                        j("{'device':{'id':'tok-2','platform':'ios'}}"))
                                .statusCode())
                .isEqualTo(400);
        assertThat(customerio.client().track("DELETE", u2 + "/devices/tok-1", null).statusCode())
                .isEqualTo(400);
        assertThat(customerio.client().track("DELETE", u2, null).statusCode()).isEqualTo(400);
        // Actions the rule leaves out pass: identify, and an event of type event.
        assertThat(customerio.client().identify("u2", j("{'plan':'max'}")).statusCode())
                .isEqualTo(200);
        assertThat(customerio.client().v1Event("u2", j("{'name':'opened'}")).statusCode())
                .isEqualTo(200);

        Person person = customerio.simulator().personById("u2").orElseThrow();
        assertThat(person.devices())
                .extracting(d -> d.path("token").asText())
                .containsExactly("tok-1");
        assertThat(eventNames()).containsExactly("opened");
        assertThat(refusalHits()).containsExactly(4L);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {404, 405, 409, 410, 500, 503})
    void anotherStatusAnswersTheWholeRequestAndAppliesNothingOfIt(int status) throws Exception {
        customerio
                .simulator()
                .setFaults(Faults.none().refusals(Refusal.person("u2").status(status)));

        HttpResponse<String> inBatch =
                customerio
                        .client()
                        .batch(batch(event("u1", "a"), event("u2", "b"), event("u3", "c")));
        HttpResponse<String> v1 = customerio.client().identify("u2", j("{'plan':'pro'}"));
        HttpResponse<String> entity = customerio.client().entity(event("u2", "d"));

        for (HttpResponse<String> response : List.of(inBatch, v1, entity)) {
            assertThat(response.statusCode()).isEqualTo(status);
            assertThat(response.headers().firstValue("Location")).isEmpty();
        }
        if (status < 500) {
            assertThat(json(v1).path("meta").path("error").asText()).contains("refusals[0]");
        } else {
            assertThat(v1.body()).isEmpty();
        }
        assertThat(customerio.simulator().people()).isEmpty();
        assertThat(customerio.simulator().events()).isEmpty();
        assertThat(refusalHits()).containsExactly(3L);
        assertThat(customerio.simulator().summary().responsesByStatus()).containsEntry(status, 3L);

        // Requests without the person pass.
        assertThat(customerio.client().batch(batch(event("u1", "a"))).statusCode()).isEqualTo(200);
        assertThat(customerio.client().identify("u1", "{}").statusCode()).isEqualTo(200);
    }

    @Test
    void aRedirectForThePoisonedPersonPointsToTheOtherRegion() throws Exception {
        customerio
                .simulator()
                .setFaults(
                        Faults.none()
                                .refusals(
                                        Refusal.person("u2").status(301),
                                        Refusal.person("u3")
                                                .status(302)
                                                .locationBase("http://127.0.0.1:1")));

        HttpResponse<String> v1 = customerio.client().v1Event("u2", j("{'name':'x'}"));
        HttpResponse<String> inBatch =
                customerio.client().batch(batch(event("u1", "a"), event("u3", "b")));

        assertThat(v1.statusCode()).isEqualTo(301);
        assertThat(v1.headers().firstValue("Location"))
                .hasValue("https://track-eu.customer.io/api/v1/customers/u2/events");
        assertThat(inBatch.statusCode()).isEqualTo(302);
        assertThat(inBatch.headers().firstValue("Location"))
                .hasValue("http://127.0.0.1:1/api/v2/batch");
        assertThat(customerio.simulator().events()).isEmpty();
        assertThat(refusalHits()).containsExactly(1L, 1L);
    }

    @Test
    void wholeRequestRulesComeFirstAndNothingIsRefusedAloneThen() throws Exception {
        customerio
                .simulator()
                .setFaults(
                        Faults.none()
                                .refusals(Refusal.person("u1"), Refusal.person("u2").status(503)));

        HttpResponse<String> response =
                customerio.client().batch(batch(event("u1", "a"), event("u2", "b")));

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(refusalHits()).containsExactly(0L, 1L);
        assertThat(customerio.simulator().events()).isEmpty();
    }

    @Test
    void timesHealsTheRuleAfterThatManyRefusals() throws Exception {
        customerio.simulator().setFaults(Faults.none().refusals(Refusal.person("u2").times(2)));

        HttpResponse<String> first =
                customerio
                        .client()
                        .batch(batch(event("u2", "a"), event("u2", "b"), event("u2", "c")));
        HttpResponse<String> after = customerio.client().v1Event("u2", j("{'name':'d'}"));

        assertThat(first.statusCode()).isEqualTo(207);
        assertThat(batchIndexes(first)).containsExactly(0, 1);
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(eventNames()).containsExactly("c", "d");
        assertThat(refusalHits()).containsExactly(2L);

        // A whole-request rule counts requests: one 503, then the same request passes.
        customerio
                .simulator()
                .setFaults(Faults.none().refusals(Refusal.person("u2").status(503).times(1)));
        assertThat(refusalHits()).containsExactly(0L);
        String retried = batch(event("u1", "e"), event("u2", "f"));
        assertThat(customerio.client().batch(retried).statusCode()).isEqualTo(503);
        assertThat(customerio.client().batch(retried).statusCode()).isEqualTo(200);
        assertThat(eventNames()).containsExactly("c", "d", "e", "f");
        assertThat(refusalHits()).containsExactly(1L);
        assertThat(customerio.simulator().requests())
                .extracting(RequestLogEntry::status)
                .containsExactly(207, 200, 503, 200);
    }

    @Test
    void refusalsSetOverHttpAreInForceAndTheirHitsCanBeRead() throws Exception {
        HttpResponse<String> set =
                customerio
                        .client()
                        .setFaults(
                                j(
                                        "{'refusals':[{'person':'u2','actions':['identify'],"
                                                + "'attribute':'unsubscribed','times':1},"
                                                + "{'person':'u3','status':302}]}"));

        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        JsonNode rules = json(set).path("refusals");
        assertThat(rules.size()).isEqualTo(2);
        assertThat(rules.get(0).path("person").asText()).isEqualTo("u2");
        assertThat(rules.get(0).path("status").asInt()).isEqualTo(400);
        assertThat(rules.get(0).path("attribute").asText()).isEqualTo("unsubscribed");
        assertThat(rules.get(1).path("location_base").isMissingNode()).isTrue();
        Refusal first = customerio.simulator().faults().refusals.get(0);
        assertThat(first.actions).containsExactly("identify");
        assertThat(first.times).isEqualTo(1);

        assertThat(customerio.client().identify("u2", j("{'unsubscribed':true}")).statusCode())
                .isEqualTo(400);
        assertThat(customerio.client().identify("u2", j("{'unsubscribed':true}")).statusCode())
                .isEqualTo(200);
        assertThat(customerio.client().identify("u3", "{}").statusCode()).isEqualTo(302);

        JsonNode hits = json(customerio.client().inspect("/__simulator/fault-hits"));
        assertThat(hits.path("refusals").toString()).isEqualTo("[1,1]");
        JsonNode log = json(customerio.client().inspect("/__simulator/requests"));
        List<Integer> statuses = new ArrayList<>();
        log.forEach(e -> statuses.add(e.path("status").asInt()));
        assertThat(statuses).containsExactly(400, 200, 302);

        // {} clears them, and their hits with them.
        assertThat(customerio.client().setFaults("{}").statusCode()).isEqualTo(200);
        assertThat(json(customerio.client().inspect("/__simulator/fault-hits")).toString())
                .isEqualTo("{\"refusals\":[],\"path_statuses\":[]}");
        assertThat(customerio.client().identify("u3", "{}").statusCode()).isEqualTo(200);
    }

    @Test
    void anUnusableRuleIsRefusedNamingItAndChangesNothing() throws Exception {
        customerio.simulator().setFaults(Faults.none().refusals(Refusal.person("u9")));
        String[][] cases = {
            {"{'refusals':[{'actions':['event']}]}", "refusals[0].person"},
            {"{'refusals':[{'person':'u1'},{'person':'u2','actions':['idenitfy']}]}", "idenitfy"},
            {
                "{'refusals':[{'person':'u1','actions':['event'],'attribute':'unsubscribed'}]}",
                "refusals[0].attribute"
            },
            {"{'refusals':[{'person':'u1','status':99}]}", "refusals[0].status"},
            {"{'refusals':[{'person':'u1','times':-1}]}", "refusals[0].times"},
            {"{'refusals':[{'persn':'u1'}]}", "persn"},
        };
        for (String[] c : cases) {
            HttpResponse<String> response = customerio.client().setFaults(j(c[0]));

            assertThat(response.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(json(response).path("error").asText()).as(c[0]).contains(c[1]);
        }
        assertThat(customerio.simulator().faults().refusals)
                .extracting(r -> r.person)
                .containsExactly("u9");
        assertThatThrownBy(
                        () ->
                                customerio
                                        .simulator()
                                        .setFaults(
                                                Faults.none()
                                                        .refusals(Refusal.person("u1").status(42))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("refusals[0].status");
    }
}
