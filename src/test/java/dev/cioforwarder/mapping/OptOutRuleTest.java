package dev.cioforwarder.mapping;

import static dev.cioforwarder.mapping.MappingTestSupport.Batch.batch;
import static dev.cioforwarder.mapping.MappingTestSupport.Batch.customer;
import static dev.cioforwarder.mapping.MappingTestSupport.T;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.mapping.MappingTestSupport.Batch;
import dev.cioforwarder.mapping.MappingTestSupport.Events;
import dev.cioforwarder.mapping.MappingTestSupport.Op;
import dev.cioforwarder.mapping.MappingTestSupport.User;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Opt-out is a privacy promise, kept whatever order batches arrive in: each {@code opt_out} is a
 * change at its own time, and what is held back is decided by the user's timeline.
 */
class OptOutRuleTest {

    private static final MappingSettings RESUBSCRIBE =
            MappingSettings.defaults().withResubscribeOnOptIn(true);

    private static String event(String name, long timeMs) {
        return Events.custom(name, timeMs, "smid-" + name);
    }

    /** Labels of what a batch sent: "identify" or the event name. */
    private static List<String> sent(List<Op> ops) {
        return ops.stream().map(Op::label).toList();
    }

    static Stream<Arguments> withinOneBatch() {
        return Stream.of(
                Arguments.of(
                        "timed: time order",
                        List.of(
                                event("before", T - 3_000),
                                Events.optOut(true, T - 2_000),
                                event("after", T - 1_000)),
                        List.of("identify", "identify", "before")),
                Arguments.of(
                        "timed, out of position: still time order",
                        List.of(
                                Events.optOut(true, T - 2_000),
                                event("before", T - 3_000),
                                event("after", T - 1_000)),
                        List.of("identify", "identify", "before")),
                Arguments.of(
                        "same time: position order",
                        List.of(
                                event("before", T - 2_000),
                                Events.optOut(true, T - 2_000),
                                event("after", T - 2_000)),
                        List.of("identify", "identify", "before")),
                Arguments.of(
                        // Without a time of its own the opt-out would sit at the batch time,
                        // after every event: its place in the batch is what the SDK recorded.
                        "an opt-out without time: position order",
                        List.of(
                                event("before", T - 1_000),
                                Events.optOut(true, null),
                                event("after", T - 2_000)),
                        List.of("identify", "identify", "before")),
                Arguments.of(
                        "an event without time: position order",
                        List.of(
                                Events.custom("before", null, "s-b"),
                                Events.optOut(true, T - 2_000),
                                Events.custom("after", null, "s-a")),
                        List.of("identify", "identify", "before")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("withinOneBatch")
    void eventsBeforeTheOptOutGoAndEventsAfterItAreHeldAndCounted(
            String order, List<String> events, List<String> expected) {
        User user = new User();
        List<Op> ops = user.apply(customer().events(events.toArray(String[]::new)));

        assertThat(sent(ops)).isEqualTo(expected);
        // The unsubscribe goes alone, so that no refused attribute can take it down; the batch
        // that opts out still sends its profile, after it.
        assertThat(ops.get(0).attributes().get("unsubscribed").asBoolean()).isTrue();
        assertThat(ops.get(0).attributes().size()).isEqualTo(1);
        assertThat(ops.get(1).attributes().get("email").asText()).isEqualTo("u@x.io");
        assertThat(ops.get(1).attributes().has("unsubscribed")).isFalse();
        assertThat(user.last.skipped(SkipReason.OPTED_OUT)).isEqualTo(1);
    }

    @Test
    void laterBatchesOfAnOptedOutUserAreHeldAndCounted() {
        User user = new User();
        user.apply(customer().at(T).events(Events.optOut(true, T - 1_000)));

        List<Op> ops =
                user.apply(
                        customer()
                                .at(T + 10_000)
                                .attributes("{\"plan\":\"pro\"}")
                                .events(event("a", T + 9_000), event("b", T + 9_500)));
        assertThat(ops).isEmpty();
        assertThat(user.last.skipped(SkipReason.OPTED_OUT)).isEqualTo(2);
        assertThat(user.last.skipped(SkipReason.PROFILE_OPTED_OUT)).isEqualTo(1);
    }

    @Test
    void aRefusedUnsubscribeIsSentAgainWithTheNextBatch() {
        User user = new User();
        List<Op> ops = user.apply(customer().at(T).events(Events.optOut(true, T - 1_000)));
        Op unsubscribe = ops.get(0);
        assertThat(unsubscribe.attributes().get("unsubscribed").asBoolean()).isTrue();

        // Customer.io refused it: the state forgets it was told.
        user.machine.applyRefusal(user.state, unsubscribe.raw);
        List<Op> next = user.apply(customer().at(T + 10_000).attributes("{\"plan\":\"pro\"}"));
        assertThat(next)
                .singleElement()
                .satisfies(
                        op -> assertThat(op.attributes().get("unsubscribed").asBoolean()).isTrue());
        assertThat(user.state.unsubscribedSent).isTrue();
    }

    @ParameterizedTest(name = "resubscribe-on-opt-in={0}")
    @ValueSource(booleans = {false, true})
    void anOlderOptInArrivingAfterANewerOptOutChangesNothing(boolean resubscribe) {
        User user = new User(MappingSettings.defaults().withResubscribeOnOptIn(resubscribe));
        user.apply(customer().at(T).events(Events.optOut(true, T - 1_000)));

        // A late upload: the user opted in before they opted out. Its event between the two
        // changes was made while they were opted in, so it goes; nothing else does.
        List<Op> late =
                user.apply(
                        customer()
                                .at(T - 5_000)
                                .events(
                                        Events.optOut(false, T - 8_000),
                                        event("opted-in", T - 6_000)));
        assertThat(sent(late)).containsExactly("opted-in");
        assertThat(user.state.optedOut).isTrue();

        assertThat(user.apply(customer().at(T + 10_000).events(event("later", T + 9_000))))
                .isEmpty();
        assertThat(user.last.skipped(SkipReason.OPTED_OUT)).isEqualTo(1);
    }

    @Test
    void aLateOptOutStillUnsubscribesUnderTheNewestTimestamp() {
        User user = new User();
        user.apply(customer().at(T + 10_000).attributes("{\"plan\":\"new\"}"));

        List<Op> late =
                user.apply(
                        customer()
                                .at(T)
                                .attributes("{\"plan\":\"old\"}")
                                .events(
                                        event("before", T - 2_000),
                                        Events.optOut(true, T - 1_000),
                                        event("after", T - 500)));
        assertThat(sent(late)).containsExactly("identify", "before");
        // Only the unsubscribe: the late profile is older than the one Customer.io has, and
        // under the batch's own time Customer.io would ignore the unsubscribe too.
        assertThat(late.get(0).attributes().toString()).isEqualTo("{\"unsubscribed\":true}");
        assertThat(late.get(0).timestamp()).isEqualTo((T + 10_000) / 1000);
        assertThat(user.last.skipped(SkipReason.OPTED_OUT)).isEqualTo(1);

        assertThat(user.apply(customer().at(T + 20_000).events(event("later", T + 19_000))))
                .isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {"{\"customer_id\":\"c-1\",\"email\":\"u@x.io\"}", "{\"email\":\"u@x.io\"}"})
    void anOptOutSeenBeforeTheUserHasAnIdentityGoesOutWithTheirFirstIdentify(String identities) {
        String person = identities.contains("c-1") ? "id:c-1" : "email:u@x.io";
        User user = new User();
        assertThat(
                        user.apply(
                                batch().at(T)
                                        .attributes("{\"plan\":\"pro\"}")
                                        .events(
                                                Events.optOut(true, T - 1_000),
                                                event("x", T - 500))))
                .isEmpty();
        assertThat(user.last.skipped(SkipReason.NO_IDENTITY)).isEqualTo(1);
        assertThat(user.state).as("the opt-out is remembered").isNotNull();

        List<Op> ops =
                user.apply(
                        batch().identities(identities)
                                .at(T + 10_000)
                                .attributes("{\"$FirstName\":\"Ada\",\"plan\":\"pro\"}")
                                .events(event("a", T + 9_000)));
        assertThat(ops).hasSize(person.startsWith("id:") ? 2 : 1);
        assertThat(ops).allSatisfy(op -> assertThat(op.person()).isEqualTo(person));
        // The unsubscribe goes alone; the profile waits; identifiers do not (the unsubscribe must
        // reach every address).
        assertThat(ops.get(0).attributes().toString()).isEqualTo("{\"unsubscribed\":true}");
        if (person.startsWith("id:")) {
            assertThat(ops.get(1).attributes().toString()).isEqualTo("{\"email\":\"u@x.io\"}");
        }
        assertThat(user.last.skipped(SkipReason.OPTED_OUT)).isEqualTo(1);
        assertThat(user.last.skipped(SkipReason.PROFILE_OPTED_OUT)).isEqualTo(1);

        // Told once, not again.
        assertThat(
                        user.apply(
                                batch().identities(identities)
                                        .at(T + 20_000)
                                        .attributes("{\"$FirstName\":\"Ada\",\"plan\":\"team\"}")
                                        .events(event("b", T + 19_000))))
                .isEmpty();
    }

    @Test
    void resubscribeOnOptInSendsUnsubscribedFalseUnderTheOptInsOwnTime() {
        User user = new User(RESUBSCRIBE);
        user.apply(customer().at(T).events(Events.optOut(true, T - 1_000)));

        List<Op> ops =
                user.apply(
                        customer()
                                .at(T + 10_000)
                                .attributes("{\"plan\":\"pro\"}")
                                .events(Events.optOut(false, T + 5_000), event("back", T + 6_000)));
        assertThat(sent(ops)).containsExactly("identify", "identify", "back");
        Op optIn = ops.get(0);
        assertThat(optIn.attributes().toString()).isEqualTo("{\"unsubscribed\":false}");
        // Never under a newer time: it must not undo an unsubscribe the person made later from
        // an email link.
        assertThat(optIn.timestamp()).isEqualTo((T + 5_000) / 1000);
        Op profile = ops.get(1);
        assertThat(profile.attributes().has("unsubscribed")).isFalse();
        assertThat(profile.attributes().get("plan").asText()).isEqualTo("pro");
        assertThat(profile.timestamp()).isEqualTo((T + 10_000) / 1000);
    }

    @Test
    void withoutTheSettingAnOptInResumesForwardingAndNeverResubscribes() {
        User user = new User();
        user.apply(customer().at(T).events(Events.optOut(true, T - 1_000)));

        List<Op> ops =
                user.apply(
                        customer()
                                .at(T + 10_000)
                                .events(Events.optOut(false, T + 5_000), event("back", T + 6_000)));
        assertThat(sent(ops)).containsExactly("back");
        assertThat(user.state.optedOut).isFalse();
    }

    @Test
    void anOptInWithoutAnOptOutBeforeSendsNothingEvenWithTheSetting() {
        User user = new User(RESUBSCRIBE);
        List<Op> ops = user.apply(customer().events(Events.optOut(false, T - 1_000)));
        assertThat(ops).singleElement();
        assertThat(ops.get(0).attributes().has("unsubscribed")).isFalse();
    }

    @Test
    void aSecondOptOutAfterAnOptInUnsubscribesAgain() {
        // Between the two, the person may have resubscribed from an email's preference link:
        // the new opt-out is a new request, and Customer.io must hear it.
        User user = new User();
        user.apply(customer().at(T).events(Events.optOut(true, T - 1_000)));
        user.apply(customer().at(T + 10_000).events(Events.optOut(false, T + 5_000)));

        List<Op> ops =
                user.apply(
                        customer()
                                .at(T + 20_000)
                                .events(Events.optOut(true, T + 15_000), event("x", T + 16_000)));
        assertThat(ops).singleElement();
        assertThat(ops.get(0).attributes().get("unsubscribed").asBoolean()).isTrue();
        assertThat(user.last.skipped(SkipReason.OPTED_OUT)).isEqualTo(1);
    }

    static Stream<String> optOutsWithoutValue() {
        return Stream.of(
                Events.optOut(null, T + 5_000),
                "{\"event_type\":\"opt_out\",\"data\":{\"is_opted_out\":null,"
                        + "\"timestamp_unixtime_ms\":"
                        + (T + 5_000)
                        + "}}");
    }

    @ParameterizedTest
    @MethodSource("optOutsWithoutValue")
    void anOptOutWithoutIsOptedOutIsAnOptInAndCounted(String optOut) {
        // mParticle's reference: is_opted_out is "suggested, false by default".
        User user = new User();
        user.apply(customer().at(T).events(Events.optOut(true, T - 1_000)));

        List<Op> ops =
                user.apply(customer().at(T + 10_000).events(optOut, event("back", T + 6_000)));
        assertThat(sent(ops)).containsExactly("back");
        assertThat(user.state.optedOut).isFalse();
        assertThat(user.last.adjusted(Adjustment.OPT_OUT_VALUE_DEFAULTED)).isEqualTo(1);
    }

    @Test
    void aReplayedOptOutChangesNothing() {
        User user = new User();
        Batch optOut = customer().at(T).events(Events.optOut(true, null));
        user.apply(optOut);
        user.apply(customer().at(T + 10_000).events(Events.optOut(false, T + 5_000)));

        assertThat(user.apply(optOut)).isEmpty();
        assertThat(user.state.optedOut).isFalse();
        assertThat(user.state.optOutChanges).hasSize(2);
        assertThat(sent(user.apply(customer().at(T + 20_000).events(event("x", T + 19_000)))))
                .containsExactly("x");
    }

    /**
     * More changes than a user keeps: the oldest fold into the state before the timeline, and a
     * late event between the last folded change and the first kept one is still judged right.
     */
    @ParameterizedTest(name = "{0} changes")
    @ValueSource(ints = {OptOutRule.MAX_CHANGES + 1, OptOutRule.MAX_CHANGES + 8, 100})
    void moreChangesThanKeptKeepTheOldestStateCorrectly(int changes) {
        // Change i at T + i s: an opt-out when i is even, an opt-in when odd.
        User user = new User();
        for (int i = 0; i < changes; i++) {
            user.apply(
                    customer()
                            .at(T + i * 1_000L)
                            .events(Events.optOut(i % 2 == 0, T + i * 1_000L)));
        }
        assertThat(user.state.optOutChanges).hasSize(OptOutRule.MAX_CHANGES);
        int lastFolded = changes - OptOutRule.MAX_CHANGES - 1;

        // A late batch with an event just after each change from the last folded one on.
        List<String> events = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = lastFolded; i < changes; i++) {
            events.add(event("after-" + i, T + i * 1_000L + 500));
            if (i % 2 == 1) {
                expected.add("after-" + i);
            }
        }
        List<Op> late = user.apply(customer().at(T + 500).events(events.toArray(String[]::new)));
        assertThat(sent(late)).isEqualTo(expected);
    }

    @Test
    void anOldOptInArrivingAfterAFoldNeverClearsAFoldedOptOut() {
        // Changes arriving newest first: change i at T + i s, an opt-out when i is odd. Change 1
        // is folded first, then change 0, older, arrives and is folded too.
        int changes = OptOutRule.MAX_CHANGES + 2;
        User user = new User();
        for (int i = changes - 1; i >= 0; i--) {
            user.apply(
                    customer()
                            .at(T + i * 1_000L)
                            .events(Events.optOut(i % 2 == 1, T + i * 1_000L)));
        }
        assertThat(user.state.optOutChanges).hasSize(OptOutRule.MAX_CHANGES);

        // Made after change 1, an opt-out: held.
        assertThat(user.apply(customer().at(T + 500).events(event("after-1", T + 1_500))))
                .isEmpty();
        assertThat(user.last.skipped(SkipReason.OPTED_OUT)).isEqualTo(1);
    }

    @Test
    void changesArrivingInAnyOrderWithinTheKeptOnesGiveTheSameTimeline() {
        int changes = OptOutRule.MAX_CHANGES + 4;
        List<Integer> order = new ArrayList<>(IntStream.range(0, changes).boxed().toList());
        // Oldest first for the first four, then the rest shuffled by a fixed rule.
        List<Integer> rest = new ArrayList<>(order.subList(4, changes));
        java.util.Collections.shuffle(rest, new java.util.Random(42));
        User inOrder = new User();
        User shuffled = new User();
        for (int i = 0; i < changes; i++) {
            inOrder.apply(
                    customer()
                            .at(T + i * 1_000L)
                            .events(Events.optOut(i % 2 == 0, T + i * 1_000L)));
        }
        for (int i : order.subList(0, 4)) {
            shuffled.apply(
                    customer()
                            .at(T + i * 1_000L)
                            .events(Events.optOut(i % 2 == 0, T + i * 1_000L)));
        }
        for (int i : rest) {
            shuffled.apply(
                    customer()
                            .at(T + i * 1_000L)
                            .events(Events.optOut(i % 2 == 0, T + i * 1_000L)));
        }
        assertThat(shuffled.state.optOutChanges).isEqualTo(inOrder.state.optOutChanges);
        assertThat(shuffled.state.optedOutBeforeChanges)
                .isEqualTo(inOrder.state.optedOutBeforeChanges);
        assertThat(shuffled.state.optedOut).isEqualTo(inOrder.state.optedOut);
    }
}
