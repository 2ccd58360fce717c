package dev.cioforwarder.mapping;

import static dev.cioforwarder.mapping.MappingTestSupport.Batch.batch;
import static dev.cioforwarder.mapping.MappingTestSupport.T;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.mapping.MappingTestSupport.Events;
import dev.cioforwarder.mapping.MappingTestSupport.Op;
import dev.cioforwarder.mapping.MappingTestSupport.User;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** customerio.anonymous-events: activity before login reaches the person it belongs to. */
class AnonymousEventsTest {

    private static MappingSettings on(ApiMode mode) {
        return MappingSettings.defaults().toBuilder().anonymousEvents(true).apiMode(mode).build();
    }

    @ParameterizedTest
    @EnumSource(ApiMode.class)
    void eventsOfAnAnonymousUserGoByMpidAndTheFirstIdentifyCarriesIt(ApiMode mode) {
        User user = new User(on(mode));
        List<Op> anonymous =
                user.apply(
                        batch().at(T)
                                .events(
                                        Events.custom("Browsed", T - 2_000, "a1"),
                                        Events.screen("Home", null, T - 1_000, "a2"))
                                .json());
        assertThat(anonymous).hasSize(2);
        for (Op op : anonymous) {
            if (mode == ApiMode.V2_BATCH) {
                // An operation of the batch, addressed by anonymous id (the Op checks the rest
                // of it against the description's batch item).
                assertThat(op.raw.path).isNull();
                assertThat(op.body.get("identifiers").toString())
                        .isEqualTo("{\"anonymous_id\":\"7\"}");
            } else {
                // v1 has one form for it: a request of its own.
                assertThat(op.raw.method).isEqualTo("POST");
                assertThat(op.raw.path).isEqualTo("/api/v1/events");
                assertThat(op.body.get("anonymous_id").asText()).isEqualTo("7");
            }
        }
        assertThat(anonymous.get(0).body.get("name").asText()).isEqualTo("Browsed");
        assertThat(anonymous.get(1).body.get(mode == ApiMode.V2_BATCH ? "action" : "type").asText())
                .isEqualTo("screen");
        assertThat(user.last.anonymousEvents()).isEqualTo(2);
        assertThat(user.last.skipped(SkipReason.NO_IDENTITY)).isEqualTo(1);

        List<Op> known = user.apply(batch().at(T + 10_000).customerId("c-1").json());
        assertThat(known).singleElement();
        assertThat(known.get(0).attributes().get("anonymous_id").asText()).isEqualTo("7");

        // Only the identify that makes the user known carries it.
        List<Op> later =
                user.apply(
                        batch().at(T + 20_000)
                                .customerId("c-1")
                                .attributes("{\"plan\":\"pro\"}")
                                .json());
        assertThat(later.get(0).attributes().has("anonymous_id")).isFalse();
    }

    /** customerio.anonymous-events-in-batch=false: for a workspace that refuses the v2 form. */
    @Test
    void withoutTheBatchFormAnonymousEventsGoToV1EventsInV2Mode() {
        User user =
                new User(on(ApiMode.V2_BATCH).toBuilder().anonymousEventsInBatch(false).build());
        List<Op> anonymous =
                user.apply(batch().at(T).events(Events.custom("Browsed", T - 2_000, "a1")).json());
        assertThat(anonymous).singleElement();
        assertThat(anonymous.get(0).raw.method).isEqualTo("POST");
        assertThat(anonymous.get(0).raw.path).isEqualTo("/api/v1/events");
        assertThat(anonymous.get(0).body.get("anonymous_id").asText()).isEqualTo("7");
        assertThat(anonymous.get(0).body.has("identifiers")).isFalse();
    }

    @Test
    void anAnonymousBatchArrivingAfterTheIdentifyGoesToThePerson() {
        User user = new User(on(ApiMode.V2_BATCH));
        user.apply(batch().at(T + 10_000).customerId("c-1").json());
        List<Op> late =
                user.apply(batch().at(T).events(Events.custom("Browsed", T - 1, "a1")).json());
        // Merging would have attached it had it arrived in time; it goes to the person now.
        assertThat(late).singleElement();
        assertThat(late.get(0).kind()).isEqualTo(OperationKind.EVENT);
        assertThat(late.get(0).person()).isEqualTo("id:c-1");
        assertThat(user.last.skipped(SkipReason.NO_IDENTITY)).isZero();
    }

    @Test
    void anOptedOutAnonymousUserSendsNothing() {
        User user = new User(on(ApiMode.V2_BATCH));
        assertThat(
                        user.apply(
                                batch().at(T)
                                        .events(
                                                Events.optOut(true, T - 3_000),
                                                Events.custom("Browsed", T - 2_000, "a1"))
                                        .json()))
                .isEmpty();
        assertThat(user.last.skipped(SkipReason.OPTED_OUT)).isEqualTo(1);
    }

    @Test
    void offByDefault() {
        User user = new User();
        assertThat(user.apply(batch().at(T).events(Events.custom("Browsed", T - 1, "a1")).json()))
                .isEmpty();
        assertThat(
                        user.apply(batch().at(T + 1).customerId("c-1").json())
                                .get(0)
                                .attributes()
                                .has("anonymous_id"))
                .isFalse();
    }

    /**
     * Customer.io keeps anonymous events up to 30 days and merges them into whoever is identified
     * with their anonymous id: after an erasure the MPID's new anonymous activity goes under
     * another id, so the erased person's history never joins the next person.
     */
    @Test
    void afterAnErasureTheMpidsAnonymousActivityGoesUnderAnotherAnonymousId() {
        User user = new User(on(ApiMode.V2_BATCH));
        user.apply(batch().at(T).events(Events.custom("Browsed", T - 1_000, "a1")).json());
        dev.cioforwarder.privacy.ErasureRequest erasure =
                new dev.cioforwarder.privacy.ErasureRequest();
        erasure.requestId = "r-1";
        erasure.hasMpid = true;
        erasure.mpid = 7;
        erasure.timeMs = T + 5_000;
        user.erase(erasure);

        List<Op> after =
                user.apply(
                        batch().at(T + 10_000)
                                .events(Events.custom("Browsed again", T + 9_000, "a2"))
                                .json());
        assertThat(after).singleElement();
        String anonymousId = after.get(0).body.get("identifiers").get("anonymous_id").asText();
        assertThat(anonymousId).isNotEqualTo("7").startsWith("7-");

        List<Op> known = user.apply(batch().at(T + 20_000).customerId("c-2").json());
        assertThat(known.get(0).attributes().get("anonymous_id").asText()).isEqualTo(anonymousId);
    }
}
