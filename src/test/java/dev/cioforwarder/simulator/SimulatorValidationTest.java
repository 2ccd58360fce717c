package dev.cioforwarder.simulator;

import static dev.cioforwarder.simulator.SimulatorTestClient.batchOfSize;
import static dev.cioforwarder.simulator.SimulatorTestClient.identifyOfSize;
import static dev.cioforwarder.simulator.SimulatorTestClient.j;
import static dev.cioforwarder.simulator.SimulatorTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every validation rule of the customerio.simulator() at and just over its limit, over real HTTP,
 * and the shapes of its error answers.
 */
class SimulatorValidationTest {

    private static final String SITE = "site-validation";
    private static final String KEY = "key-validation";
    private static final String VALID_ULID = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
    private static final String EMOJI = "\uD83D\uDE00"; // 😀, 4 bytes in UTF-8

    @RegisterExtension static final RunningSimulator customerio = new RunningSimulator(SITE, KEY);

    // -------------------------------------------------------------------------------------
    // Helpers

    /** Asserts {@code 200 {}}. */
    private static void assertAccepted(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(json(response).isObject()).isTrue();
        assertThat(json(response).size()).isZero();
    }

    /**
     * Asserts the v1 and {@code /entity} refusal, {@code 400 {"meta":{"errors":[...]}}}, with an
     * error that mentions {@code fragment}.
     */
    private static void assertMetaErrors(HttpResponse<String> response, String fragment) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode errors = json(response).path("meta").path("errors");
        assertThat(errors.isArray()).as(response.body()).isTrue();
        assertThat(errors.size()).isPositive();
        List<String> messages = new ArrayList<>();
        errors.forEach(e -> messages.add(e.asText()));
        assertThat(messages).as(response.body()).anySatisfy(m -> assertThat(m).contains(fragment));
    }

    /** Asserts a whole-{@code /batch} refusal, {@code 400 {"errors":[{reason,field,message}]}}. */
    private static void assertBatchRefused(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode errors = json(response).path("errors");
        assertThat(errors.isArray()).as(response.body()).isTrue();
        assertThat(errors.size()).isEqualTo(1);
        assertThat(errors.get(0).has("reason")).isTrue();
        assertThat(errors.get(0).has("field")).isTrue();
        assertThat(errors.get(0).path("message").asText()).isNotEmpty();
        assertThat(errors.get(0).has("batch_index")).isFalse();
    }

    /**
     * Sends one v2 operation to {@code /entity} and, alone in a batch, to {@code /batch}; both must
     * agree (200 and 200, or 400 and 207 with batch_index 0). Returns whether it was accepted.
     */
    private static boolean v2Accepted(String op) throws Exception {
        HttpResponse<String> entity = customerio.client().entity(op);
        HttpResponse<String> batch = customerio.client().batch("{\"batch\":[" + op + "]}");
        if (entity.statusCode() == 200) {
            assertThat(batch.statusCode()).as(batch.body()).isEqualTo(200);
            return true;
        }
        assertThat(entity.statusCode()).as(entity.body()).isEqualTo(400);
        assertThat(json(entity).path("meta").path("errors").size()).isPositive();
        assertThat(batch.statusCode()).as(batch.body()).isEqualTo(207);
        assertThat(json(batch).path("errors").size()).isEqualTo(1);
        assertThat(json(batch).path("errors").get(0).path("batch_index").asInt()).isZero();
        return false;
    }

    private static String v2Identify(String id, String attributesJson) {
        return "{\"type\":\"person\",\"identifiers\":{\"id\":"
                + quote(id)
                + "},\"action\":\"identify\",\"attributes\":"
                + attributesJson
                + "}";
    }

    private static String v2Event(String name, String extra) {
        return "{\"type\":\"person\",\"identifiers\":{\"id\":\"u1\"},\"action\":\"event\","
                + "\"name\":"
                + quote(name)
                + extra
                + "}";
    }

    private static String quote(String s) {
        try {
            return SimulatorTestClient.MAPPER.writeValueAsString(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String attributes(int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> "\"attr" + i + "\":" + i)
                .collect(Collectors.joining(",", "{", "}"));
    }

    // -------------------------------------------------------------------------------------
    // Identifiers

    @Test
    void aV1IdentifierMayHave150BytesNot151() throws Exception {
        assertAccepted(customerio.client().identify("a".repeat(150), "{}"));
        assertMetaErrors(customerio.client().identify("a".repeat(151), "{}"), "identifier");
        // Bytes, not characters: "é" is two bytes.
        assertAccepted(customerio.client().identify("é".repeat(75), "{}"));
        assertMetaErrors(customerio.client().identify("é".repeat(75) + "a", "{}"), "identifier");
        assertMetaErrors(
                customerio.client().v1Event("b".repeat(151), j("{'name':'x'}")), "identifier");

        assertThat(customerio.simulator().personById("a".repeat(150))).isPresent();
        assertThat(customerio.simulator().personById("é".repeat(75))).isPresent();
        assertThat(customerio.simulator().people()).hasSize(2);
    }

    @Test
    void aV2IdentifierMayHave150BytesNot151() throws Exception {
        assertThat(v2Accepted(v2Identify("a".repeat(150), "{}"))).isTrue();
        assertThat(v2Accepted(v2Identify("a".repeat(151), "{}"))).isFalse();
        String email150 = "e".repeat(145) + "@x.io";
        assertThat(
                        v2Accepted(
                                j(
                                        "{'type':'person','identifiers':{'email':'"
                                                + email150
                                                + "'},'action':'identify'}")))
                .isTrue();
        assertThat(
                        v2Accepted(
                                j(
                                        "{'type':'person','identifiers':{'email':'e"
                                                + email150
                                                + "'},'action':'identify'}")))
                .isFalse();
        assertThat(customerio.simulator().people()).hasSize(2);
    }

    // -------------------------------------------------------------------------------------
    // Attributes

    @Test
    void anAttributeNameMayHave150BytesNot151() throws Exception {
        String name150 = "n".repeat(150);
        assertAccepted(customerio.client().identify("u1", "{\"" + name150 + "\":\"x\"}"));
        assertMetaErrors(
                customerio.client().identify("u1", "{\"" + name150 + "n\":\"x\"}"),
                "attribute name over 150");
        assertThat(v2Accepted(v2Identify("u2", "{\"" + "é".repeat(75) + "\":1}"))).isTrue();
        assertThat(v2Accepted(v2Identify("u2", "{\"" + "é".repeat(75) + "n\":1}"))).isFalse();

        assertThat(customerio.simulator().personById("u1").orElseThrow().attributes())
                .containsKey(name150);
        assertThat(customerio.simulator().personById("u1").orElseThrow().attributes()).hasSize(1);
    }

    @Test
    void anAttributeValueMayHave1000BytesNot1001CountingUtf8() throws Exception {
        assertAccepted(customerio.client().identify("u1", "{\"a\":\"" + "v".repeat(1000) + "\"}"));
        assertMetaErrors(
                customerio.client().identify("u1", "{\"b\":\"" + "v".repeat(1001) + "\"}"),
                "attribute value over 1000");
        assertAccepted(customerio.client().identify("u1", "{\"c\":\"" + "é".repeat(500) + "\"}"));
        assertMetaErrors(
                customerio.client().identify("u1", "{\"d\":\"" + "é".repeat(501) + "\"}"),
                "attribute value over 1000");

        assertThat(v2Accepted(v2Identify("u2", "{\"a\":\"" + "é".repeat(500) + "\"}"))).isTrue();
        assertThat(v2Accepted(v2Identify("u2", "{\"a\":\"" + "é".repeat(501) + "\"}"))).isFalse();
        // A non-string value counts its JSON: ["…"] is the text plus 4 bytes.
        assertThat(v2Accepted(v2Identify("u2", "{\"l\":[\"" + "v".repeat(996) + "\"]}"))).isTrue();
        assertThat(v2Accepted(v2Identify("u2", "{\"l\":[\"" + "v".repeat(997) + "\"]}"))).isFalse();

        assertThat(customerio.simulator().personById("u1").orElseThrow().attributes())
                .containsOnlyKeys("a", "c");
    }

    @Test
    void anIdentifyMayCarry300AttributesNot301() throws Exception {
        // The named fields (email, created_at, _timestamp, unsubscribed) are not attributes.
        String v1With300 =
                attributes(300)
                        .replaceFirst(
                                "^\\{",
                                j(
                                        "{'email':'u1@x.io','created_at':1700000000,"
                                                + "'_timestamp':1700000000,'unsubscribed':false,"));
        assertAccepted(customerio.client().identify("u1", v1With300));
        assertMetaErrors(customerio.client().identify("u1", attributes(301)), "301 attributes");
        assertThat(v2Accepted(v2Identify("u2", attributes(300)))).isTrue();
        assertThat(v2Accepted(v2Identify("u2", attributes(301)))).isFalse();

        assertThat(customerio.simulator().personById("u1").orElseThrow().attributes()).hasSize(300);
        assertThat(customerio.simulator().personById("u2").orElseThrow().attributes()).hasSize(300);
    }

    @Test
    void v1IdentifyValuesKeepTheirJsonTypesButAreNeverNull() throws Exception {
        // Customer.io stores decimals, arrays and objects (its guide to JSON in segments), though
        // the description's v1 schema lists strings, integers and booleans only.
        assertAccepted(
                customerio
                        .client()
                        .identify(
                                "u1",
                                j("{'s':'text','i':42,'b':true,'d':1.5,'a':['x'],'o':{'k':1}}")));
        assertMetaErrors(customerio.client().identify("u1", j("{'n':null}")), "must not be null");

        assertThat(customerio.simulator().personById("u1").orElseThrow().attributes())
                .containsOnlyKeys("s", "i", "b", "d", "a", "o");
        assertThat(
                        customerio
                                .simulator()
                                .personById("u1")
                                .orElseThrow()
                                .attributes()
                                .get("a")
                                .toString())
                .isEqualTo("[\"x\"]");
    }

    @Test
    void v2AttributesAcceptDecimalsArraysAndObjectsWithTheirJsonTypes() throws Exception {
        assertThat(v2Accepted(v2Identify("u1", j("{'d':1.5,'a':['x',2],'o':{'k':true}}"))))
                .isTrue();

        Person person = customerio.simulator().personById("u1").orElseThrow();
        assertThat(person.attributes().get("d").isDouble()).isTrue();
        assertThat(person.attributes().get("a").isArray()).isTrue();
        assertThat(person.attributes().get("a").size()).isEqualTo(2);
        assertThat(person.attributes().get("o").path("k").asBoolean()).isTrue();
    }

    // -------------------------------------------------------------------------------------
    // Events

    @Test
    void anEventNameMayHave100BytesNot101() throws Exception {
        assertAccepted(customerio.client().v1Event("u1", "{\"name\":\"" + "e".repeat(100) + "\"}"));
        assertMetaErrors(
                customerio.client().v1Event("u1", "{\"name\":\"" + "e".repeat(101) + "\"}"),
                "event name over 100");
        // 25 emoji are 25 × 4 = 100 bytes (50 UTF-16 chars): accepted; one more byte is not.
        assertAccepted(
                customerio.client().v1Event("u1", "{\"name\":\"" + EMOJI.repeat(25) + "\"}"));
        assertMetaErrors(
                customerio.client().v1Event("u1", "{\"name\":\"" + EMOJI.repeat(25) + "e\"}"),
                "event name over 100");

        assertThat(v2Accepted(v2Event(EMOJI.repeat(25), ""))).isTrue();
        assertThat(v2Accepted(v2Event(EMOJI.repeat(25) + "e", ""))).isFalse();
        assertThat(v2Accepted(v2Event("e".repeat(101), ""))).isFalse();

        assertThat(customerio.simulator().events())
                .extracting(StoredEvent::name)
                .containsExactly(
                        "e".repeat(100), EMOJI.repeat(25), EMOJI.repeat(25), EMOJI.repeat(25));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{'name':''}", "{'name':'   '}", "{}", "{'name':null}", "{'name':7}"})
    void anEventNeedsANonBlankName(String body) throws Exception {
        assertMetaErrors(customerio.client().v1Event("u1", j(body)), "name");
        String op =
                j("{'type':'person','identifiers':{'id':'u1'},'action':'event',")
                        + j(body).substring(1);
        if (op.endsWith(",}")) {
            op = op.substring(0, op.length() - 2) + "}";
        }
        assertThat(v2Accepted(op)).isFalse();
        assertThat(customerio.simulator().events()).isEmpty();
    }

    @Test
    void eventDataMayHave100000BytesNot100001() throws Exception {
        // {"k":"…"} is the text plus 8 bytes.
        String data = "{\"k\":\"" + "d".repeat(100_000 - 8) + "\"}";
        assertThat(data).hasSize(100_000);
        assertAccepted(
                customerio.client().v1Event("u1", "{\"name\":\"big\",\"data\":" + data + "}"));
        String over = "{\"k\":\"" + "d".repeat(100_000 - 7) + "\"}";
        assertMetaErrors(
                customerio.client().v1Event("u1", "{\"name\":\"bigger\",\"data\":" + over + "}"),
                "event data over 100000");

        assertThat(customerio.simulator().events()).hasSize(1);
        assertThat(customerio.simulator().events().get(0).data().path("k").asText())
                .hasSize(100_000 - 8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1]", "'text'", "5"})
    void eventDataMustBeAnObject(String data) throws Exception {
        assertMetaErrors(
                customerio.client().v1Event("u1", j("{'name':'x','data':" + data + "}")), "data");
        assertThat(v2Accepted(v2Event("x", j(",'attributes':" + data)))).isFalse();
    }

    @Test
    void aV1ScreenEventNeedsAnAnonymousId() throws Exception {
        assertMetaErrors(
                customerio.client().v1Event("u1", j("{'name':'home','type':'screen'}")),
                "anonymous_id");
        assertAccepted(
                customerio
                        .client()
                        .v1Event(
                                "u1",
                                j("{'name':'home','type':'screen','anonymous_id':'anon-1'}")));
        assertAccepted(customerio.client().v1Event("u1", j("{'name':'home','type':'page'}")));
        assertMetaErrors(
                customerio.client().v1Event("u1", j("{'name':'home','type':'click'}")), "type");
        // v2 screens have no such rule.
        assertThat(
                        v2Accepted(
                                j(
                                        "{'type':'person','identifiers':{'id':'u1'},"
                                                + "'action':'screen','name':'home'}")))
                .isTrue();

        assertThat(customerio.simulator().events())
                .extracting(StoredEvent::type)
                .containsExactly("screen", "page", "screen", "screen");
    }

    @Test
    void anAnonymousV1EventNeedsAnAnonymousId() throws Exception {
        assertMetaErrors(
                customerio.client().track("POST", "/api/v1/events", j("{'name':'visit'}")),
                "anonymous_id");
        assertAccepted(
                customerio
                        .client()
                        .track(
                                "POST",
                                "/api/v1/events",
                                j("{'name':'visit','anonymous_id':'a1'}")));
    }

    // -------------------------------------------------------------------------------------
    // ULIDs and timestamps

    @Test
    void eventIdsMustBeUlids() throws Exception {
        assertAccepted(
                customerio.client().v1Event("u1", j("{'name':'x','id':'" + VALID_ULID + "'}")));
        assertAccepted(
                customerio
                        .client()
                        .v1Event("u1", j("{'name':'x','id':'7ZZZZZZZZZZZZZZZZZZZZZZZZZ'}")));
        assertThat(v2Accepted(v2Event("x", j(",'id':'01BX5ZZKBKACTAV9WEVGEMMVRZ'")))).isTrue();

        String[] invalid = {
            VALID_ULID.toLowerCase(), // lowercase
            "01ARZ3NDEKTSV4RRFFQ69G5FAI", // I is not Crockford base 32
            "01ARZ3NDEKTSV4RRFFQ69G5FAL", // nor L
            "01ARZ3NDEKTSV4RRFFQ69G5FAO", // nor O
            "01ARZ3NDEKTSV4RRFFQ69G5FAU", // nor U
            "81ARZ3NDEKTSV4RRFFQ69G5FAV", // over 128 bits
            VALID_ULID.substring(1), // 25 characters
            VALID_ULID + "0", // 27 characters
            "01ARZ3NDEK-SV4RRFFQ69G5FAV"
        };
        for (String id : invalid) {
            assertMetaErrors(
                    customerio.client().v1Event("u1", j("{'name':'x','id':'" + id + "'}")), "ULID");
            assertThat(v2Accepted(v2Event("x", j(",'id':'" + id + "'")))).as(id).isFalse();
        }
        assertMetaErrors(customerio.client().v1Event("u1", j("{'name':'x','id':12345}")), "ULID");

        assertThat(customerio.simulator().events()).hasSize(3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"'1700000000'", "1700000000.5", "1700000000.0", "1700000000000", "-1"})
    void timestampsAreIntegerUnixSeconds(String bad) throws Exception {
        assertMetaErrors(
                customerio.client().v1Event("u1", j("{'name':'x','timestamp':" + bad + "}")),
                "timestamp");
        assertMetaErrors(
                customerio.client().identify("u1", j("{'_timestamp':" + bad + "}")), "_timestamp");
        assertMetaErrors(
                customerio.client().identify("u1", j("{'created_at':" + bad + "}")), "created_at");
        assertThat(v2Accepted(v2Event("x", j(",'timestamp':" + bad)))).isFalse();
        assertThat(
                        v2Accepted(
                                j(
                                        "{'type':'person','identifiers':{'id':'u1'},"
                                                + "'action':'identify','timestamp':"
                                                + bad
                                                + "}")))
                .isFalse();
        assertThat(v2Accepted(v2Identify("u1", j("{'created_at':" + bad + "}")))).isFalse();
        assertThat(customerio.simulator().people()).isEmpty();

        // The same calls in seconds pass.
        assertAccepted(customerio.client().v1Event("u1", j("{'name':'x','timestamp':1700000000}")));
        assertAccepted(
                customerio
                        .client()
                        .identify("u1", j("{'_timestamp':1700000000,'created_at':1600000000}")));
        assertThat(v2Accepted(v2Event("x", j(",'timestamp':1700000000")))).isTrue();
        assertThat(v2Accepted(v2Identify("u1", j("{'created_at':1600000000}")))).isTrue();
        assertThat(customerio.simulator().personById("u1").orElseThrow().createdAt())
                .isEqualTo(1600000000L);
    }

    // -------------------------------------------------------------------------------------
    // v2 structure

    @ParameterizedTest
    @ValueSource(
            strings = {
                "'identifiers':{'id':'u1','email':'u1@x.io'},",
                "'identifiers':{},",
                "",
                "'identifiers':{'nickname':'u1'},",
                "'identifiers':{'id':7},",
                "'identifiers':{'id':''},",
                "'identifiers':'u1',"
            })
    void aV2PersonOperationHasExactlyOneKnownIdentifier(String identifiers) throws Exception {
        String op = j("{'type':'person'," + identifiers + "'action':'identify'}");

        assertThat(v2Accepted(op)).isFalse();
        assertThat(customerio.simulator().people()).isEmpty();
    }

    @Test
    void unknownActionsAndTypesAreRefused() throws Exception {
        assertMetaErrors(
                customerio
                        .client()
                        .entity(
                                j(
                                        "{'type':'person','identifiers':{'id':'u1'},'action':'explode'}")),
                "unknown action");
        assertMetaErrors(
                customerio.client().entity(j("{'type':'person','identifiers':{'id':'u1'}}")),
                "unknown action");
        assertMetaErrors(
                customerio
                        .client()
                        .entity(
                                j(
                                        "{'type':'human','identifiers':{'id':'u1'},'action':'identify'}")),
                "type");
        assertThat(customerio.simulator().people()).isEmpty();
    }

    // -------------------------------------------------------------------------------------
    // Sizes of v2 requests

    @Test
    void anEntityRequestMustBeUnder32KB() throws Exception {
        assertAccepted(customerio.client().entity(identifyOfSize("under", 32 * 1024 - 1)));
        assertMetaErrors(customerio.client().entity(identifyOfSize("at", 32 * 1024)), "32 KB");

        assertThat(customerio.simulator().personById("under")).isPresent();
        assertThat(customerio.simulator().personById("at")).isEmpty();
    }

    @Test
    void aBatchRequestMustBeUnder500KB() throws Exception {
        String under = batchOfSize("under-", 500 * 1024 - 1);
        int operations = json(under).path("batch").size();
        assertThat(operations).isGreaterThan(10);

        assertAccepted(customerio.client().batch(under));
        assertThat(customerio.simulator().people()).hasSize(operations);

        customerio.simulator().reset();
        assertBatchRefused(customerio.client().batch(batchOfSize("at-", 500 * 1024)));
        assertThat(customerio.simulator().people()).isEmpty();
    }

    @Test
    void anOperationOver32KBInsideABatchIsRefusedAloneWith207() throws Exception {
        String body =
                "{\"batch\":["
                        + v2Identify("small-0", "{}")
                        + ","
                        + identifyOfSize("huge", 32 * 1024 + 1)
                        + ","
                        + identifyOfSize("exact", 32 * 1024)
                        + ","
                        + v2Identify("small-3", "{}")
                        + "]}";
        HttpResponse<String> response = customerio.client().batch(body);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(207);
        JsonNode errors = json(response).path("errors");
        assertThat(errors.size()).isEqualTo(1);
        assertThat(errors.get(0).path("batch_index").asInt()).isEqualTo(1);
        assertThat(errors.get(0).path("message").asText()).contains("32768");
        // Each operation may have up to 32 KB inside a batch, so "exact" passes.
        assertThat(customerio.simulator().people())
                .extracting(Person::id)
                .containsExactlyInAnyOrder("small-0", "exact", "small-3");
    }

    // -------------------------------------------------------------------------------------
    // Error shapes

    @Test
    void aBodyThatIsNotJsonIs400() throws Exception {
        assertMetaErrors(customerio.client().identify("u1", "{not json"), "not JSON");
        assertMetaErrors(customerio.client().v1Event("u1", "name=x"), "not JSON");
        assertMetaErrors(customerio.client().entity("<xml/>"), "not JSON");
        assertBatchRefused(customerio.client().batch("{\"batch\":[{]}"));
        assertBatchRefused(customerio.client().batch(j("{'operations':[]}")));
        assertBatchRefused(customerio.client().batch(j("{'batch':{}}")));
        assertThat(customerio.simulator().summary().operations()).isEqualTo(3);
        assertThat(customerio.simulator().summary().responsesByStatus()).containsEntry(400, 6L);
    }

    @Test
    void aBatchWithSomeBadOperationsIs207AndAppliesTheOthers() throws Exception {
        String body =
                j(
                        "{'batch':["
                                + "{'type':'person','identifiers':{'id':'u1'},'action':'identify',"
                                + "'attributes':{'plan':'pro'}},"
                                + "{'type':'person','identifiers':{'id':'u1'},'action':'event',"
                                + "'name':'bad','id':'not-a-ulid'},"
                                + "{'type':'person','identifiers':{'id':'u1'},'action':'event',"
                                + "'name':'good','id':'"
                                + VALID_ULID
                                + "'},"
                                + "{'type':'person','identifiers':{'id':'u2'},'action':'dance'},"
                                + "'not an object'"
                                + "]}");
        HttpResponse<String> response = customerio.client().batch(body);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(207);
        JsonNode errors = json(response).path("errors");
        assertThat(errors.size()).isEqualTo(3);
        List<Integer> indexes = new ArrayList<>();
        for (JsonNode error : errors) {
            indexes.add(error.path("batch_index").asInt(-1));
            assertThat(error.path("reason").asText()).isNotEmpty();
            assertThat(error.has("field")).isTrue();
            assertThat(error.path("message").asText()).isNotEmpty();
        }
        assertThat(indexes).containsExactly(1, 3, 4);
        assertThat(errors.get(0).path("field").asText()).isEqualTo("id");
        assertThat(errors.get(1).path("field").asText()).isEqualTo("action");

        assertThat(customerio.simulator().personById("u1").orElseThrow().attributes())
                .containsKey("plan");
        assertThat(customerio.simulator().personById("u2")).isEmpty();
        assertThat(customerio.simulator().events())
                .extracting(StoredEvent::name)
                .containsExactly("good");
        assertThat(customerio.simulator().summary().operations()).isEqualTo(5);
        assertThat(customerio.simulator().summary().rejectedOperations()).isEqualTo(3);
    }

    @Test
    void anEmptyBatchIsAccepted() throws Exception {
        assertAccepted(customerio.client().batch(j("{'batch':[]}")));
    }
}
