package dev.cioforwarder.mapping;

import static dev.cioforwarder.mapping.MappingTestSupport.Batch.batch;
import static dev.cioforwarder.mapping.MappingTestSupport.T;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.mapping.MappingTestSupport.Events;
import dev.cioforwarder.mapping.MappingTestSupport.Op;
import dev.cioforwarder.mapping.MappingTestSupport.User;
import dev.cioforwarder.privacy.ErasureOutcome;
import dev.cioforwarder.privacy.ErasureRequest;
import dev.cioforwarder.state.UserState;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Erasure: the person is deleted in Customer.io by the identifier it knows them by, nothing
 * personal stays in the user's state, and no batch older than the request brings them back.
 */
class ErasureRuleTest {

    private static ErasureRequest request(String id, Long mpid, long timeMs) {
        ErasureRequest r = new ErasureRequest();
        r.requestId = id;
        if (mpid != null) {
            r.hasMpid = true;
            r.mpid = mpid;
        }
        r.timeMs = timeMs;
        return r;
    }

    /** A user known by Customer ID c-1 and email u@x.io, opted out, seen on iOS. */
    private static User knownUser(MappingSettings settings) {
        User user = new User(settings);
        user.apply(
                MappingTestSupport.Batch.customer()
                        .at(T)
                        .platform("iOS")
                        .attributes("{\"$firstname\":\"Ann\"}")
                        .events(
                                Events.firstRun(T - 60_000),
                                Events.optOut(true, T - 1_000),
                                Events.custom("Signed Up", T - 2_000, "s1"))
                        .json());
        assertThat(user.state.identifier).isEqualTo("c-1");
        return user;
    }

    private static final MappingSettings V1 = MappingSettings.defaults().withApiMode(ApiMode.V1);

    private static final MappingSettings V1_WITH_CREATED_AT =
            V1.toBuilder().sendCreatedAt(true).build();

    @Test
    void deletesAKnownPersonByTheirIdentifierAndKeepsNothingButTheRequestTime() {
        User user = knownUser(V1_WITH_CREATED_AT);
        assertThat(user.devices).isNotEmpty();

        List<Op> ops = user.erase(request("r-1", 7L, T + 60_000));

        assertThat(ops)
                .singleElement()
                .satisfies(
                        op -> {
                            assertThat(op.kind()).isEqualTo(OperationKind.DELETE);
                            assertThat(op.raw.method).isEqualTo("DELETE");
                            assertThat(op.raw.path).isEqualTo("/api/v1/customers/c-1");
                            assertThat(op.raw.erasureRequestId).isEqualTo("r-1");
                            assertThat(op.raw.mpid).isEqualTo("7");
                            // Alone in its request, and nothing of the user after it goes
                            // before Customer.io has answered it.
                            assertThat(op.raw.needsOwnRequest()).isTrue();
                            assertThat(op.raw.confirmRequired).isTrue();
                        });
        assertThat(user.last.erasuresRequested()).isEqualTo(1);
        assertThat(user.last.erasureOutcomes()).isEmpty();
        // Nothing personal stays: a fresh state but for the request's time, and no devices.
        UserState expected = new UserState();
        expected.erasedBeforeMs = T + 60_000;
        assertThat(user.state).usingRecursiveComparison().isEqualTo(expected);
        assertThat(user.devices).isEmpty();
    }

    @Test
    void aBatchOlderThanTheRequestNeverBringsThePersonBack() {
        User user = knownUser(MappingSettings.defaults());
        user.erase(request("r-1", 7L, T + 60_000));

        List<Op> late =
                user.apply(
                        MappingTestSupport.Batch.customer()
                                .at(T + 59_000)
                                .events(Events.custom("Late", T + 58_000, "s2"))
                                .json());

        assertThat(late).isEmpty();
        assertThat(user.last.skipped(SkipReason.ERASED)).isEqualTo(1);
        assertThat(user.state.identifier).isNull();
    }

    @Test
    void aNewerBatchStartsANewPersonWithNoneOfTheOldHistory() {
        User user = knownUser(MappingSettings.defaults());
        user.erase(request("r-1", 7L, T + 60_000));

        List<Op> ops =
                user.apply(
                        batch().at(T + 120_000)
                                .customerId("c-2")
                                .events(Events.custom("Came Back", T + 119_000, "s3"))
                                .json());

        // The old opt-out is forgotten with everything else: the new person gets their event.
        assertThat(ops).extracting(Op::label).containsExactly("identify", "Came_Back");
        assertThat(ops).extracting(Op::person).containsOnly("id:c-2");
        assertThat(user.state.erasedBeforeMs).isEqualTo(T + 60_000);
    }

    @Test
    void aPersonTheForwarderNeverKnewIsDeletedByTheIdentityTheRequestNames() {
        User user = new User(V1);
        ErasureRequest r = request("r-2", null, T);
        r.email = "Someone@X.io";

        List<Op> ops = user.erase(r);

        assertThat(ops)
                .singleElement()
                .satisfies(
                        op -> {
                            assertThat(op.raw.path).isEqualTo("/api/v1/customers/Someone%40X.io");
                            assertThat(op.raw.mpid).isNull();
                        });
    }

    @Test
    void withNobodyToDeleteByTheOutcomeIsNotFoundAtOnce() {
        User user = new User();
        user.apply(batch().at(T).events(Events.custom("Anonymous", T, "s1")).json());

        List<Op> ops = user.erase(request("r-3", 7L, T + 1_000));

        assertThat(ops).isEmpty();
        assertThat(user.last.erasureOutcomes())
                .singleElement()
                .satisfies(
                        o -> {
                            assertThat(o.requestId).isEqualTo("r-3");
                            assertThat(o.mpid).isEqualTo("7");
                            assertThat(o.outcome).isEqualTo(ErasureOutcome.NOT_FOUND);
                        });
        assertThat(user.state.erasedBeforeMs).isEqualTo(T + 1_000);
    }

    @Test
    void anImplausibleEmailInTheRequestAddressesNobody() {
        ErasureRequest r = request("r-4", null, T);
        r.email = "not an email";
        User user = new User();

        assertThat(user.erase(r)).isEmpty();
        assertThat(user.last.erasureOutcomes())
                .extracting(o -> o.outcome)
                .containsExactly(ErasureOutcome.NOT_FOUND);
    }

    @Test
    void inV2BatchModeTheDeletionIsTheDeleteActionOfThePerson() {
        User user = knownUser(MappingSettings.defaults());

        List<Op> ops = user.erase(request("r-5", 7L, T + 60_000));

        assertThat(ops)
                .singleElement()
                .satisfies(
                        op -> {
                            assertThat(op.raw.path).isNull();
                            assertThat(op.body.get("action").asText()).isEqualTo("delete");
                            assertThat(op.body.get("type").asText()).isEqualTo("person");
                            assertThat(op.person()).isEqualTo("id:c-1");
                        });
    }

    @Test
    void anIdentifierThatCannotBeAV1PathIsDeletedThroughTheV2Entity() {
        User user = new User(V1);
        user.apply(batch().at(T).customerId("team/a@b").json());

        List<Op> ops = user.erase(request("r-6", 7L, T + 1_000));

        assertThat(ops)
                .singleElement()
                .satisfies(
                        op -> {
                            assertThat(op.raw.path).isEqualTo("/api/v2/entity");
                            assertThat(op.body.get("action").asText()).isEqualTo("delete");
                            assertThat(op.person()).isEqualTo("id:team/a@b");
                        });
    }

    @Test
    void aSecondRequestNeverMovesTheBarrierBack() {
        User user = knownUser(MappingSettings.defaults());
        user.erase(request("r-1", 7L, T + 60_000));
        user.erase(request("r-0", 7L, T + 30_000));

        assertThat(user.state.erasedBeforeMs).isEqualTo(T + 60_000);
        assertThat(user.last.erasureOutcomes())
                .extracting(o -> o.outcome)
                .containsExactly(ErasureOutcome.NOT_FOUND);
    }

    /**
     * Found by ArrivalOrderPropertyTest (seed 20261201, case 792): a batch newer than the request
     * opted the user out, and arrived before the request. The erasure must not forget that promise:
     * in time order the batch would have come after it, and the user's later events are held.
     */
    @Test
    void aLateRequestKeepsTheOptOutOfABatchNewerThanIt() {
        User user = new User(MappingSettings.defaults());
        user.apply(
                MappingTestSupport.Batch.customer()
                        .at(T + 120_000)
                        .events(Events.optOut(true, T + 110_000))
                        .json());
        user.erase(request("r-late", 7L, T + 60_000));
        assertThat(user.state.optedOut).isTrue();

        List<Op> later =
                user.apply(
                        MappingTestSupport.Batch.customer()
                                .at(T + 180_000)
                                .events(Events.custom("After", T + 170_000, "a1"))
                                .json());
        assertThat(later).noneMatch(op -> op.kind() == OperationKind.EVENT);
        assertThat(user.last.skipped(SkipReason.OPTED_OUT)).isEqualTo(1);

        // A request in time keeps nothing: the opt-out of an older batch went with the person.
        User inTime = new User(MappingSettings.defaults());
        inTime.apply(
                MappingTestSupport.Batch.customer()
                        .at(T)
                        .events(Events.optOut(true, T - 1_000))
                        .json());
        inTime.erase(request("r-in-time", 7L, T + 60_000));
        assertThat(inTime.state.optedOut).isFalse();
        assertThat(inTime.state.optOutChanges).isNull();
    }
}
