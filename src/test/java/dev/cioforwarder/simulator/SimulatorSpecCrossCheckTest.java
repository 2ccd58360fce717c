package dev.cioforwarder.simulator;

import static dev.cioforwarder.simulator.SimulatorTestClient.j;
import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.JsonSchema;
import dev.cioforwarder.testing.TrackApiSpec;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The customerio.simulator() against Customer.io's official Track API description ({@link
 * TrackApiSpec}): for each body (all within the documented size limits), the customerio.simulator()
 * accepts it if and only if it conforms to the description, except where a difference is listed
 * here with its reason. A listed difference must still hold, so a change to either side shows up.
 */
class SimulatorSpecCrossCheckTest {

    private static final String SITE = "site-spec";
    private static final String KEY = "key-spec";
    private static final String ULID = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

    @RegisterExtension static final RunningSimulator customerio = new RunningSimulator(SITE, KEY);

    /** Where the customerio.simulator() deliberately or knowingly differs from the description. */
    enum Difference {
        /** Both agree. */
        NONE,
        /**
         * The description allows it, the customerio.simulator() refuses it (on purpose, see the
         * reason).
         */
        STRICTER,
        /**
         * The description refuses it, the customerio.simulator() lets it through (a gap, see the
         * reason).
         */
        LENIENT
    }

    enum Endpoint {
        V1_IDENTIFY(TrackApiSpec.V1_IDENTIFY),
        V1_EVENT(TrackApiSpec.V1_EVENT),
        V2_ENTITY(TrackApiSpec.V2_BATCH_ITEM),
        V2_BATCH(TrackApiSpec.V2_BATCH);

        final JsonSchema schema;

        Endpoint(JsonSchema schema) {
            this.schema = schema;
        }
    }

    private static Arguments agree(Endpoint endpoint, String body) {
        return Arguments.of(endpoint, j(body), Difference.NONE, "");
    }

    private static Arguments stricter(Endpoint endpoint, String body, String why) {
        return Arguments.of(endpoint, j(body), Difference.STRICTER, why);
    }

    private static Arguments lenient(Endpoint endpoint, String body, String why) {
        return Arguments.of(endpoint, j(body), Difference.LENIENT, why);
    }

    private static final String JSON_VALUES =
            "the v1 identify schema lists string, integer and boolean values only; Customer.io's"
                    + " guide to JSON in segments stores decimals, arrays and objects, as v2's open"
                    + " attributes do, and the forwarder sends them";

    private static String person(String rest) {
        return "{'type':'person','identifiers':{'id':'u1'}," + rest + "}";
    }

    static Stream<Arguments> bodies() {
        Endpoint id = Endpoint.V1_IDENTIFY;
        Endpoint ev = Endpoint.V1_EVENT;
        Endpoint v2 = Endpoint.V2_ENTITY;
        Endpoint batch = Endpoint.V2_BATCH;
        return Stream.of(
                // v1 identify
                agree(id, "{'email':'a@x.io','plan':'pro','seats':3,'vip':true}"),
                agree(id, "{}"),
                lenient(id, "{'score':1.5}", JSON_VALUES),
                lenient(id, "{'tags':['a']}", JSON_VALUES),
                lenient(id, "{'o':{'a':1}}", JSON_VALUES),
                agree(id, "{'gone':null}"),
                agree(id, "{'id':5}"),
                agree(id, "{'email':5}"),
                agree(id, "{'created_at':'1700000000'}"),
                agree(id, "{'created_at':1700000000,'_timestamp':1700000001,'_update':false}"),
                agree(id, "{'_update':'yes'}"),
                agree(id, "{'unsubscribed':true,'anonymous_id':'anon-1'}"),
                agree(id, "{'cio_subscription_preferences':{'topics':{'topic_1':true}}}"),
                stricter(
                        id,
                        "{'_timestamp':1700000000000}",
                        "milliseconds: Customer.io accepts them but they break segments"),
                stricter(
                        id,
                        "{'created_at':1700000000.0}",
                        "JSON Schema counts 1700000000.0 as an integer; the customerio.simulator()"
                                + " wants an integer literal"),
                lenient(
                        id,
                        "{'unsubscribed':'TRUE'}",
                        "the schema says boolean, its own description accepts any case of true,"
                                + " 1 or \"1\""),
                lenient(
                        id,
                        "{'cio_subscription_preferences':{'topics':{'topic_1':'yes'}}}",
                        "subscription preferences are not validated"),
                lenient(id, "{'anonymous_id':5}", "anonymous_id is not type-checked"),
                agree(id, "{'created_at':null}"),
                // v1 event
                agree(ev, "{'name':'x'}"),
                agree(ev, "{'name':'x','type':'page','data':{'a':[1,{'b':2.5}]}}"),
                agree(ev, "{'name':'x','type':'screen'}"),
                agree(ev, "{'name':'x','type':'screen','anonymous_id':'a1'}"),
                agree(ev, "{'name':'x','type':'other'}"),
                agree(ev, "{}"),
                agree(ev, "{'name':5}"),
                agree(ev, "{'name':'x','timestamp':'1700000000'}"),
                agree(ev, "{'name':'x','timestamp':1700000000.5}"),
                agree(ev, "{'name':'x','timestamp':1700000000,'id':'" + ULID + "'}"),
                agree(ev, "{'name':'x','data':[1]}"),
                agree(ev, "{'name':'x','id':12345}"),
                stricter(
                        ev,
                        "{'name':'x','timestamp':1700000000000}",
                        "milliseconds: Customer.io accepts them but they break segments"),
                stricter(
                        ev,
                        "{'name':'x','id':'not-a-ulid'}",
                        "the description's format ulid is not asserted by a JSON Schema"
                                + " validator; Customer.io requires a ULID"),
                stricter(ev, "{'name':'   '}", "Customer.io trims names: a blank name is no name"),
                lenient(ev, "{'name':'x','data':null}", "null data is taken as absent"),
                lenient(ev, "{'name':'x','id':null}", "a null id is taken as absent"),
                // v2 operations
                agree(v2, person("'action':'identify','attributes':{'d':1.5,'l':[1],'o':{'k':1}}")),
                agree(v2, "{'type':'person','identifiers':{'email':'a@x.io'},'action':'identify'}"),
                agree(v2, "{'type':'person','identifiers':{'cio_id':'1'},'action':'identify'}"),
                agree(
                        v2,
                        "{'type':'person','identifiers':{'phone':'+15550100'},"
                                + "'action':'identify'}"),
                agree(
                        v2,
                        "{'type':'person','identifiers':{'id':'u1','email':'a@x.io'},"
                                + "'action':'identify'}"),
                agree(v2, "{'type':'person','identifiers':{},'action':'identify'}"),
                agree(v2, "{'type':'person','identifiers':{'nick':'u1'},'action':'identify'}"),
                agree(v2, "{'type':'person','identifiers':{'id':5},'action':'identify'}"),
                agree(v2, "{'type':'person','action':'identify'}"),
                agree(v2, person("'action':'explode'")),
                agree(v2, person("'name':'x'")),
                agree(v2, "{'type':'human','identifiers':{'id':'u1'},'action':'identify'}"),
                agree(v2, "{'identifiers':{'id':'u1'},'action':'identify'}"),
                agree(
                        v2,
                        person(
                                "'action':'event','name':'buy','id':'"
                                        + ULID
                                        + "','timestamp':1700000000,'attributes':{'p':9.5}")),
                agree(v2, person("'action':'event'")),
                agree(v2, person("'action':'event','name':5")),
                agree(v2, person("'action':'event','name':'x','timestamp':'soon'")),
                agree(v2, person("'action':'event','name':'x','attributes':[1]")),
                agree(v2, person("'action':'identify','timestamp':1.5")),
                agree(v2, person("'action':'identify','attributes':'plan'")),
                agree(v2, person("'action':'screen','name':'home'")),
                agree(v2, person("'action':'page','name':'/','attributes':{'url':'/'}")),
                agree(v2, person("'action':'delete'")),
                stricter(
                        v2,
                        person("'action':'event','name':'x','timestamp':1700000000000"),
                        "milliseconds: Customer.io accepts them but they break segments"),
                stricter(
                        v2,
                        person("'action':'identify','attributes':{'created_at':'soon'}"),
                        "the description leaves attributes open; created_at is documented as"
                                + " Unix seconds"),
                stricter(
                        v2,
                        person("'action':'event','name':'x','id':'not-a-ulid'"),
                        "the description's format ULID is not asserted by a JSON Schema"
                                + " validator; Customer.io requires a ULID"),
                stricter(
                        v2,
                        person("'action':'event','name':'  '"),
                        "Customer.io trims names: a blank name is no name"),
                lenient(
                        v2,
                        "{'type':'object','action':'nonsense'}",
                        "object and delivery operations are accepted without validation (not"
                                + " modelled)"),
                lenient(
                        v2,
                        person("'action':'identify','attributes':null"),
                        "null attributes are taken as absent"),
                agree(v2, person("'action':'identify','timestamp':null")),
                // whole v2 batches
                agree(batch, "{'batch':[]}"),
                agree(batch, "{'batch':{}}"),
                agree(batch, "{'batch':[" + person("'action':'event','name':'x'") + "]}"),
                stricter(
                        batch,
                        "{}",
                        "the description does not require the batch array; the"
                                + " customerio.simulator() does"));
    }

    private static boolean simulatorAccepts(Endpoint endpoint, String body) throws Exception {
        HttpResponse<String> response =
                switch (endpoint) {
                    case V1_IDENTIFY -> customerio.client().identify("u1", body);
                    case V1_EVENT -> customerio.client().v1Event("u1", body);
                    case V2_ENTITY -> customerio.client().entity(body);
                    case V2_BATCH -> customerio.client().batch(body);
                };
        assertThat(response.statusCode()).as(response.body()).isIn(200, 207, 400);
        return response.statusCode() == 200;
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("bodies")
    void theSimulatorAcceptsWhatTheDescriptionAccepts(
            Endpoint endpoint, String body, Difference difference, String why) throws Exception {
        List<String> violations = TrackApiSpec.violations(endpoint.schema, body);
        boolean conforms = violations.isEmpty();
        boolean accepted = simulatorAccepts(endpoint, body);

        switch (difference) {
            case NONE ->
                    assertThat(accepted)
                            .as(
                                    "customerio.simulator() accepts %s; description violations: %s",
                                    body, violations)
                            .isEqualTo(conforms);
            case STRICTER -> {
                assertThat(conforms).as("description accepts (%s): %s", why, violations).isTrue();
                assertThat(accepted).as("customerio.simulator() refuses (%s)", why).isFalse();
            }
            case LENIENT -> {
                assertThat(conforms).as("description refuses (%s)", why).isFalse();
                assertThat(accepted).as("customerio.simulator() accepts (%s)", why).isTrue();
            }
        }
    }

    @Test
    void aNullTimestampIsRefusedNotStoredAsZero() throws Exception {
        HttpResponse<String> event =
                customerio.client().v1Event("u1", j("{'name':'x','timestamp':null}"));
        HttpResponse<String> identify =
                customerio.client().identify("u2", j("{'created_at':null}"));

        assertThat(customerio.simulator().events())
                .noneMatch(e -> Long.valueOf(0).equals(e.timestamp()));
        assertThat(customerio.simulator().people())
                .noneMatch(p -> Long.valueOf(0).equals(p.createdAt()));
        assertThat(event.statusCode()).isEqualTo(400);
        assertThat(identify.statusCode()).isEqualTo(400);
    }
}
