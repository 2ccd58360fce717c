package dev.cioforwarder.mapping;

import static dev.cioforwarder.mapping.MappingTestSupport.T;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.mapping.MappingTestSupport.Batch;
import dev.cioforwarder.mapping.MappingTestSupport.Events;
import dev.cioforwarder.mapping.MappingTestSupport.Op;
import dev.cioforwarder.mapping.MappingTestSupport.User;
import dev.cioforwarder.privacy.ErasureRequest;
import dev.cioforwarder.testing.OperationChecks;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The anonymous MPIDs the device index gave a known user, merged into their person ({@link
 * AnonymousMerges}): each an identify carrying only {@code anonymous_id}, addressed like the user's
 * events, never before the person exists, never for an erased person.
 */
class AnonymousMergesTest {

    private static MappingSettings settings(ApiMode mode) {
        return MappingSettings.builder().anonymousEvents(true).apiMode(mode).build();
    }

    private static AnonymousStitch given(String userKey, long timeMs, String... mpids) {
        AnonymousStitch s = new AnonymousStitch();
        s.userKey = userKey;
        s.mpid = userKey;
        s.anonymousMpids = List.of(mpids);
        s.timeMs = timeMs;
        return s;
    }

    private static Batch ada() {
        return Batch.batch().mpid("1").customerId("ada");
    }

    /** "identify person anonymous_id" of each operation, checked against the description. */
    private static List<String> merges(List<Op> ops, ApiMode mode) {
        return ops.stream()
                .peek(
                        o ->
                                assertThat(OperationChecks.violations(o.raw, mode, true))
                                        .as(o.body.toString())
                                        .isEmpty())
                .map(
                        o ->
                                o.label()
                                        + " "
                                        + o.person()
                                        + (o.attributes().has("anonymous_id")
                                                ? " " + o.attributes().get("anonymous_id").asText()
                                                : ""))
                .collect(Collectors.toList());
    }

    @ParameterizedTest
    @EnumSource(ApiMode.class)
    void aKnownUserGetsOneIdentifyPerAnonymousMpidOfTheirDevice(ApiMode mode) {
        User user = new User(settings(mode));
        user.apply(ada().at(T));
        List<Op> ops = user.stitch(given("1", T + 1_000, "11", "12"));
        String person = mode == ApiMode.V2_BATCH ? "id:ada" : "/api/v1/customers/ada";
        assertThat(merges(ops, mode))
                .containsExactly("identify " + person + " 11", "identify " + person + " 12");
        assertThat(ops)
                .allSatisfy(
                        o ->
                                assertThat(o.attributes().size())
                                        .as("nothing but anonymous_id (and v1's _timestamp)")
                                        .isLessThanOrEqualTo(2));
        assertThat(user.last.anonymousMerged()).isEqualTo(2);
    }

    /** The stitch came faster than the batch that made the user known: it waits for it. */
    @ParameterizedTest
    @EnumSource(ApiMode.class)
    void givenBeforeThePersonExistsTheMergeGoesAfterTheFirstIdentify(ApiMode mode) {
        User user = new User(settings(mode));
        assertThat(user.stitch(given("1", T, "11"))).isEmpty();
        assertThat(user.state.pendingAnonymousMerges).containsExactly("11");
        List<String> ops = merges(user.apply(ada().at(T)), mode);
        assertThat(ops).hasSize(2);
        assertThat(ops.get(1)).endsWith(" 11");
        assertThat(user.state.pendingAnonymousMerges).isNull();
    }

    @ParameterizedTest
    @EnumSource(ApiMode.class)
    void anOptedOutUsersMergeWaitsForTheOptIn(ApiMode mode) {
        User user = new User(settings(mode));
        user.apply(ada().at(T).events(Events.optOut(true, T)));
        assertThat(user.stitch(given("1", T + 1_000, "11"))).isEmpty();
        List<String> afterOptIn =
                merges(
                        user.apply(ada().at(T + 2_000).events(Events.optOut(false, T + 2_000))),
                        mode);
        assertThat(afterOptIn.get(afterOptIn.size() - 1)).endsWith(" 11");
    }

    @ParameterizedTest
    @EnumSource(ApiMode.class)
    void nothingIsMergedIntoAPersonErasedSinceOrWithoutAnonymousEvents(ApiMode mode) {
        User user = new User(settings(mode));
        user.apply(ada().at(T));
        ErasureRequest request = new ErasureRequest();
        request.requestId = "r-1";
        request.hasMpid = true;
        request.mpid = 1;
        request.timeMs = T + 5_000;
        user.erase(request);
        assertThat(user.stitch(given("1", T + 1_000, "11"))).isEmpty();
        assertThat(user.last.skipped(SkipReason.ERASED)).isEqualTo(1);

        User off = new User(MappingSettings.builder().apiMode(mode).build());
        off.apply(ada().at(T));
        assertThat(off.stitch(given("1", T + 1_000, "11"))).isEmpty();
    }
}
