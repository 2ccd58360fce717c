package dev.cioforwarder.simulator;

import static dev.cioforwarder.simulator.SimulatorTestClient.j;
import static dev.cioforwarder.simulator.SimulatorTestClient.ulid;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Events: what is stored, deduplication by ULID, and the latency probe. */
class SimulatorEventsTest {

    private static final String SITE = "site-events";
    private static final String KEY = "key-events";

    @RegisterExtension static final RunningSimulator customerio = new RunningSimulator(SITE, KEY);

    private static void ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    private static String v2Event(String id, String action, String name, String eventId)
            throws Exception {
        return j(
                "{'type':'person','identifiers':{'id':'"
                        + id
                        + "'},'action':'"
                        + action
                        + "','name':'"
                        + name
                        + "'"
                        + (eventId == null ? "" : ",'id':'" + eventId + "'")
                        + ",'timestamp':1700000001,'attributes':{'price':9.5,'tags':['a']}}");
    }

    @Test
    void anonymousEventsJoinThePersonThatIdentifiesWithTheirAnonymousId() throws Exception {
        ok(
                customerio
                        .client()
                        .track(
                                "POST",
                                "/api/v1/events",
                                j(
                                        "{'name':'seen','anonymous_id':'anon-7','id':'"
                                                + SimulatorTestClient.ulid(1)
                                                + "','timestamp':1700000001}")));
        ok(
                customerio
                        .client()
                        .track(
                                "POST",
                                "/api/v1/events",
                                j(
                                        "{'name':'other','anonymous_id':'anon-8','timestamp':1700000001}")));
        assertThat(customerio.simulator().anonymousEvents()).hasSize(2);
        assertThat(customerio.simulator().events()).isEmpty();

        // v2 identify with the anonymous_id attribute: the matching event joins the person.
        ok(
                customerio
                        .client()
                        .entity(
                                j(
                                        "{'type':'person','identifiers':{'id':'u7'},'action':'identify',"
                                            + "'attributes':{'anonymous_id':'anon-7'}}")));
        assertThat(customerio.simulator().events())
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.personId()).isEqualTo("u7");
                            assertThat(e.name()).isEqualTo("seen");
                        });
        assertThat(customerio.simulator().anonymousEvents())
                .extracting(StoredEvent::name)
                .containsExactly("other");
        // The anonymous_id is not an attribute of the person.
        assertThat(customerio.simulator().personById("u7").orElseThrow().attributes()).isEmpty();

        // Within five minutes after the identify, a later anonymous event joins at once.
        ok(
                customerio
                        .client()
                        .track(
                                "POST",
                                "/api/v1/events",
                                j(
                                        "{'name':'late','anonymous_id':'anon-7','timestamp':1700000002}")));
        assertThat(customerio.simulator().events()).extracting(StoredEvent::name).contains("late");
        // And an id seen before stays a duplicate.
        ok(
                customerio
                        .client()
                        .track(
                                "POST",
                                "/api/v1/events",
                                j(
                                        "{'name':'seen','anonymous_id':'anon-7','id':'"
                                                + SimulatorTestClient.ulid(1)
                                                + "'}")));
        assertThat(customerio.simulator().summary().duplicateEventsIgnored()).isEqualTo(1);
    }

    @Test
    void aV1EventIsStoredWithEverythingItCarries() throws Exception {
        ok(customerio.client().identify("u1", j("{'email':'u1@x.io'}")));
        ok(
                customerio
                        .client()
                        .v1Event(
                                "u1",
                                j(
                                        "{'name':'purchase','type':'page','id':'"
                                                + ulid(1)
                                                + "','timestamp':1700000000,"
                                                + "'data':{'price':9.5,'items':[1,2]}}")));

        assertThat(customerio.simulator().events()).hasSize(1);
        StoredEvent event = customerio.simulator().events().get(0);
        assertThat(event.name()).isEqualTo("purchase");
        assertThat(event.type()).isEqualTo("page");
        assertThat(event.id()).isEqualTo(ulid(1));
        assertThat(event.timestamp()).isEqualTo(1700000000L);
        assertThat(event.data().path("price").asDouble()).isEqualTo(9.5);
        assertThat(event.data().path("items").size()).isEqualTo(2);
        assertThat(event.api()).isEqualTo("v1");
        assertThat(event.personId()).isEqualTo("u1");
        assertThat(event.personEmail()).isEqualTo("u1@x.io");
        assertThat(event.cioId())
                .isEqualTo(customerio.simulator().personById("u1").orElseThrow().cioId());
        assertThat(event.receivedAtMs()).isPositive();
        assertThat(customerio.simulator().summary().events()).isEqualTo(1);
    }

    @Test
    void aV1EventWithoutATypeIsAnEvent() throws Exception {
        ok(customerio.client().v1Event("u1", j("{'name':'opened'}")));

        StoredEvent event = customerio.simulator().events().get(0);
        assertThat(event.type()).isEqualTo("event");
        assertThat(event.id()).isNull();
        assertThat(event.timestamp()).isNull();
    }

    @Test
    void v2EventsScreensAndPagesAreStoredWithTheirAttributesAsData() throws Exception {
        ok(customerio.client().entity(v2Event("u1", "event", "purchase", ulid(10))));
        ok(
                customerio
                        .client()
                        .batch(
                                "{\"batch\":["
                                        + v2Event("u1", "screen", "home", ulid(11))
                                        + ","
                                        + v2Event("u1", "page", "/pricing", ulid(12))
                                        + "]}"));

        assertThat(customerio.simulator().events())
                .extracting(StoredEvent::type, StoredEvent::name, StoredEvent::id)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("event", "purchase", ulid(10)),
                        org.assertj.core.groups.Tuple.tuple("screen", "home", ulid(11)),
                        org.assertj.core.groups.Tuple.tuple("page", "/pricing", ulid(12)));
        StoredEvent event = customerio.simulator().events().get(0);
        assertThat(event.api()).isEqualTo("v2");
        assertThat(event.timestamp()).isEqualTo(1700000001L);
        assertThat(event.data().path("price").asDouble()).isEqualTo(9.5);
        assertThat(event.data().path("tags").isArray()).isTrue();
    }

    /**
     * What Customer.io's Segment Actions destination and RudderStack send in /api/v2/batch for an
     * anonymous event: stored as anonymous, merged like the v1 form, deduplicated across both; a
     * profile action by anonymous id is refused.
     */
    @Test
    void v2EventsByAnonymousIdAreAnonymousEventsThatMerge() throws Exception {
        String anonymous =
                j(
                        "{'type':'person','identifiers':{'anonymous_id':'anon-9'},'action':'event',"
                                + "'name':'seen','id':'"
                                + ulid(30)
                                + "','timestamp':1700000001,'attributes':{'plan':'pro'}}");
        String screen =
                j(
                        "{'type':'person','identifiers':{'anonymous_id':'anon-9'},'action':'screen',"
                            + "'name':'Home','id':'"
                                + ulid(31)
                                + "','timestamp':1700000002}");
        ok(customerio.client().batch("{\"batch\":[" + anonymous + "," + screen + "]}"));
        assertThat(customerio.simulator().people()).isEmpty();
        assertThat(customerio.simulator().anonymousEvents())
                .extracting(StoredEvent::personId, StoredEvent::type, StoredEvent::api)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("anon-9", "event", "v2"),
                        org.assertj.core.groups.Tuple.tuple("anon-9", "screen", "v2"));

        // The same id again, in the v1 form: a duplicate.
        ok(
                customerio
                        .client()
                        .track(
                                "POST",
                                "/api/v1/events",
                                j(
                                        "{'name':'seen','anonymous_id':'anon-9','id':'"
                                                + ulid(30)
                                                + "'}")));
        assertThat(customerio.simulator().summary().duplicateEventsIgnored()).isEqualTo(1);

        ok(
                customerio
                        .client()
                        .entity(
                                j(
                                        "{'type':'person','identifiers':{'id':'u9'},'action':'identify',"
                                            + "'attributes':{'anonymous_id':'anon-9'}}")));
        assertThat(customerio.simulator().anonymousEvents()).isEmpty();
        assertThat(customerio.simulator().events())
                .extracting(StoredEvent::personId, StoredEvent::name)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("u9", "seen"),
                        org.assertj.core.groups.Tuple.tuple("u9", "Home"));
        assertThat(customerio.simulator().events().get(0).data().path("plan").asText())
                .isEqualTo("pro");

        HttpResponse<String> identify =
                customerio
                        .client()
                        .entity(
                                j(
                                        "{'type':'person','identifiers':{'anonymous_id':'anon-9'},"
                                                + "'action':'identify','attributes':{'a':1}}"));
        assertThat(identify.statusCode()).as(identify.body()).isEqualTo(400);
        assertThat(identify.body()).contains("anonymous_id");
    }

    @Test
    void aRepeatedIdIsIgnoredAndCounted() throws Exception {
        String body = j("{'name':'purchase','id':'" + ulid(20) + "','data':{'n':1}}");
        ok(customerio.client().v1Event("u1", body));
        ok(customerio.client().v1Event("u1", body));
        // Same id, other content: still a duplicate (the id alone decides).
        ok(customerio.client().v1Event("u1", j("{'name':'other','id':'" + ulid(20) + "'}")));

        assertThat(customerio.simulator().events()).hasSize(1);
        assertThat(customerio.simulator().events().get(0).name()).isEqualTo("purchase");
        assertThat(customerio.simulator().summary().duplicateEventsIgnored()).isEqualTo(2);
        assertThat(customerio.simulator().summary().events()).isEqualTo(1);
    }

    @Test
    void deduplicationSpansV1AndV2AndPeople() throws Exception {
        ok(customerio.client().v1Event("u1", j("{'name':'purchase','id':'" + ulid(30) + "'}")));
        ok(customerio.client().entity(v2Event("u1", "event", "purchase", ulid(30))));
        ok(
                customerio
                        .client()
                        .batch(
                                "{\"batch\":["
                                        + v2Event("u2", "page", "p", ulid(30))
                                        + ","
                                        + v2Event("u2", "page", "p", ulid(31))
                                        + ","
                                        + v2Event("u2", "page", "p", ulid(31))
                                        + "]}"));
        ok(customerio.client().v1Event("u3", j("{'name':'purchase','id':'" + ulid(31) + "'}")));

        assertThat(customerio.simulator().events())
                .extracting(StoredEvent::id)
                .containsExactly(ulid(30), ulid(31));
        assertThat(customerio.simulator().events().get(0).api()).isEqualTo("v1");
        assertThat(customerio.simulator().summary().duplicateEventsIgnored()).isEqualTo(4);
    }

    @Test
    void eventsWithoutAnIdAreAlwaysStored() throws Exception {
        for (int i = 0; i < 3; i++) {
            ok(customerio.client().v1Event("u1", j("{'name':'ping'}")));
            ok(
                    customerio
                            .client()
                            .entity(
                                    j(
                                            "{'type':'person','identifiers':{'id':'u1'},'action':'event','name':'ping'}")));
        }

        assertThat(customerio.simulator().events()).hasSize(6);
        assertThat(customerio.simulator().summary().duplicateEventsIgnored()).isZero();
    }

    @Test
    void anEventForAnUnknownPersonCreatesThem() throws Exception {
        ok(customerio.client().v1Event("new-1", j("{'name':'opened'}")));
        ok(customerio.client().v1Event("new2@x.io", j("{'name':'opened'}")));
        ok(customerio.client().entity(v2Event("new-3", "event", "opened", null)));

        assertThat(customerio.simulator().personById("new-1")).isPresent();
        assertThat(customerio.simulator().personByEmail("new2@x.io")).isPresent();
        assertThat(customerio.simulator().personById("new-3")).isPresent();
        assertThat(customerio.simulator().people()).hasSize(3);
        assertThat(customerio.simulator().events().get(1).personEmail()).isEqualTo("new2@x.io");
    }

    @Test
    void theLatencyProbeMeasuresFromTheSentTime() throws Exception {
        assertThat(customerio.simulator().summary().latencyProbe().count()).isZero();
        long now = System.currentTimeMillis();
        ok(
                customerio
                        .client()
                        .v1Event(
                                "u1",
                                j(
                                        "{'name':'probe','data':{'_probe_sent_ms':"
                                                + (now - 2000)
                                                + "}}")));
        ok(
                customerio
                        .client()
                        .entity(
                                j(
                                        "{'type':'person','identifiers':{'id':'u1'},'action':'event',"
                                            + "'name':'probe','attributes':{'_probe_sent_ms':"
                                                + (now - 4000)
                                                + "}}")));
        // A non-numeric probe is not a measurement.
        ok(
                customerio
                        .client()
                        .v1Event("u1", j("{'name':'probe','data':{'_probe_sent_ms':'soon'}}")));
        ok(customerio.client().v1Event("u1", j("{'name':'plain','data':{'x':1}}")));

        Summary.LatencyProbe probe = customerio.simulator().summary().latencyProbe();
        assertThat(probe.count()).isEqualTo(2);
        assertThat(probe.p50Ms()).isBetween(2000L, 60_000L);
        assertThat(probe.maxMs()).isGreaterThanOrEqualTo(4000L);
        assertThat(probe.p99Ms()).isEqualTo(probe.maxMs());
        assertThat(probe.maxMs()).isLessThan(60_000L);
        // Each second of arrival keeps its count and its slowest event, in the JSON the bench
        // reads.
        JsonNode seconds =
                new ObjectMapper()
                        .readTree(customerio.client().inspect("/__simulator/summary").body())
                        .path("latency_by_second");
        long events = 0;
        long slowest = 0;
        for (JsonNode second : seconds) {
            assertThat(second.get(0).asLong()).isBetween(now / 1000, now / 1000 + 60);
            events += second.get(1).asLong();
            slowest = Math.max(slowest, second.get(2).asLong());
        }
        assertThat(events).isEqualTo(2);
        assertThat(slowest).isEqualTo(probe.maxMs());

        customerio.simulator().reset();
        assertThat(customerio.simulator().summary().latencyProbe().count()).isZero();
        assertThat(customerio.simulator().summary().latencyBySecond()).isEmpty();
    }

    /**
     * The benchmark's latency comes from /batch events, most of them past the stored-events limit:
     * the probe must count for those too, by the last top-level probe field as Jackson reads a
     * repeated field; what is kept must be the data as sent, whatever the order of the fields.
     */
    @Test
    void batchEventDataIsKeptAsSentAndProbedPastTheStoredLimit() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        long now = System.currentTimeMillis();
        String keptData =
                "{'_probe_sent_ms':1,'nested':{'a':[1,{'b':null}],'_probe_sent_ms':'inner'},"
                        + "'list':[[],{}],'price':9.5,'_probe_sent_ms':"
                        + (now - 3000)
                        + ",'text':'{\\'not\\':\\'an object\\'}'}";
        try (CustomerioSimulator small =
                CustomerioSimulator.start(
                        SimulatorConfig.builder()
                                .siteId(SITE)
                                .apiKey(KEY)
                                .maxStoredEvents(1)
                                .build())) {
            SimulatorTestClient client = new SimulatorTestClient(small, SITE, KEY);
            HttpResponse<String> answer =
                    client.batch(
                            j(
                                    "{'batch':["
                                            // The data before the action that makes it an event's.
                                            + "{'attributes':"
                                            + keptData
                                            + ",'type':'person','identifiers':{'id':'u1'},"
                                            + "'action':'event','name':'kept','id':'"
                                            + ulid(60)
                                            + "'},"
                                            + "{'type':'person','identifiers':{'id':'u1'},"
                                            + "'action':'screen','name':'past the limit','id':'"
                                            + ulid(61)
                                            + "','attributes':{'_probe_sent_ms':"
                                            + (now - 5000)
                                            + "}},"
                                            + "{'type':'person','identifiers':{'id':'u1'},"
                                            + "'action':'event','name':'no probe','id':'"
                                            + ulid(62)
                                            + "','attributes':{'_probe_sent_ms':{'at':1}}},"
                                            // An identify's attributes before its action.
                                            + "{'attributes':{'plan':'pro'},'type':'person',"
                                            + "'identifiers':{'id':'u1'},'action':'identify'},"
                                            + "{'type':'person','identifiers':{'id':'u1'},"
                                            + "'action':'event','name':'bad','attributes':'x'}"
                                            + "]}"));

            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(207);
            JsonNode errors = mapper.readTree(answer.body()).path("errors");
            assertThat(errors).hasSize(1);
            assertThat(errors.get(0).path("batch_index").asInt()).isEqualTo(4);
            assertThat(errors.get(0).path("field").asText()).isEqualTo("attributes");
            assertThat(small.events()).extracting(StoredEvent::name).containsExactly("kept");
            assertThat(small.events().get(0).data()).isEqualTo(mapper.readTree(j(keptData)));
            assertThat(small.summary().events()).isEqualTo(3);
            // The last of the repeated top-level probe fields counts; the nested one does not.
            Summary.LatencyProbe probe = small.summary().latencyProbe();
            assertThat(probe.count()).isEqualTo(2);
            assertThat(probe.p50Ms()).isBetween(3000L, 60_000L);
            assertThat(probe.maxMs()).isBetween(5000L, 60_000L);
            assertThat(small.personById("u1").orElseThrow().attributes().get("plan").asText())
                    .isEqualTo("pro");
        }
    }

    @Test
    void onlyTheConfiguredNumberOfEventsIsKeptButAllAreCountedAndDeduplicated() throws Exception {
        try (CustomerioSimulator small =
                CustomerioSimulator.start(
                        SimulatorConfig.builder()
                                .siteId(SITE)
                                .apiKey(KEY)
                                .maxStoredEvents(2)
                                .build())) {
            SimulatorTestClient smallClient = new SimulatorTestClient(small, SITE, KEY);
            for (int i = 0; i < 4; i++) {
                ok(
                        smallClient.v1Event(
                                "u1", j("{'name':'e" + i + "','id':'" + ulid(40 + i) + "'}")));
            }
            ok(smallClient.v1Event("u1", j("{'name':'again','id':'" + ulid(43) + "'}")));

            assertThat(small.events()).extracting(StoredEvent::name).containsExactly("e0", "e1");
            assertThat(small.summary().events()).isEqualTo(4);
            assertThat(small.summary().duplicateEventsIgnored()).isEqualTo(1);
        }
    }
}
