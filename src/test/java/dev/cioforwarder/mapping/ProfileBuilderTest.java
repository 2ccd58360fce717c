package dev.cioforwarder.mapping;

import static dev.cioforwarder.mapping.MappingTestSupport.Batch.batch;
import static dev.cioforwarder.mapping.MappingTestSupport.Batch.customer;
import static dev.cioforwarder.mapping.MappingTestSupport.T;
import static dev.cioforwarder.mapping.MappingTestSupport.quote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.mapping.MappingTestSupport.Events;
import dev.cioforwarder.mapping.MappingTestSupport.Op;
import dev.cioforwarder.mapping.MappingTestSupport.User;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The person's profile in Customer.io's names and limits, and its removals. */
class ProfileBuilderTest {

    private static final MappingSettings NAMES_ONLY =
            MappingSettings.defaults().withIncludeUserAttributes(false);

    private static JsonNode profileOf(MappingSettings settings, String attributes) {
        List<Op> ops = new User(settings).apply(customer().attributes(attributes));
        assertThat(ops).singleElement();
        return ops.get(0).attributes();
    }

    @Nested
    class WhatIsSent {

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"$FirstName", "$firstname", "$FIRSTNAME", "$fIRSTnAME"})
        void firstAndLastNameAreAlwaysSentInAnyCasing(String firstName) {
            String last =
                    firstName
                            .replace("First", "Last")
                            .replace("first", "last")
                            .replace("FIRST", "LAST")
                            .replace("fIRST", "lAST");
            JsonNode profile =
                    profileOf(
                            NAMES_ONLY,
                            "{"
                                    + quote(firstName)
                                    + ":\"Ada\","
                                    + quote(last)
                                    + ":\"Lovelace\",\"$City\":\"London\",\"plan\":\"pro\"}");
            assertThat(profile.toString())
                    .isEqualTo(
                            "{\"email\":\"u@x.io\",\"first_name\":\"Ada\",\"last_name\":\"Lovelace\"}");
        }

        @ParameterizedTest(name = "include-user-attributes={0}")
        @ValueSource(booleans = {false, true})
        void otherAttributesOnlyWithIncludeUserAttributes(boolean include) {
            User user = new User(MappingSettings.defaults().withIncludeUserAttributes(include));
            JsonNode profile =
                    user.apply(
                                    customer()
                                            .attributes(
                                                    "{\"$City\":\"London\",\"plan\":\"pro\",\"vip\":null}"))
                            .get(0)
                            .attributes();
            assertThat(profile.has("city")).isEqualTo(include);
            assertThat(profile.has("plan")).isEqualTo(include);
            assertThat(profile.has("vip")).isEqualTo(include);
            assertThat(profile.get("email").asText()).isEqualTo("u@x.io");
            // Left out by the setting is not a limit or a refusal: nothing counted.
            for (SkipReason reason : SkipReason.values()) {
                assertThat(user.last.skipped(reason)).as(reason.code()).isZero();
            }
        }

        @ParameterizedTest(name = "{0} → {1}")
        @CsvSource({
            "$Age, age",
            "$Gender, gender",
            "$Mobile, phone",
            "$Address, address",
            "$City, city",
            "$State, state",
            "$Zip, zip",
            "$Country, country",
            "$country, country",
            "$Custom, $Custom",
            "Plan, Plan"
        })
        void reservedDollarNamesAreMapped(String mparticle, String customerio) {
            JsonNode profile =
                    profileOf(MappingSettings.defaults(), "{" + quote(mparticle) + ":\"v\"}");
            assertThat(profile.get(customerio).asText()).isEqualTo("v");
            assertThat(profile.size()).isEqualTo(2);
        }

        @Test
        void valuesKeepTheirJsonTypeAndAUserTagIsTrue() {
            JsonNode profile =
                    profileOf(
                            MappingSettings.defaults(),
                            "{\"s\":\"2\",\"n\":2,\"d\":19.99,\"b\":false,\"l\":[\"a\",\"b\"],"
                                    + "\"tag\":null}");
            assertThat(profile.get("s").isTextual()).isTrue();
            assertThat(profile.get("n").isIntegralNumber()).isTrue();
            assertThat(profile.get("d").decimalValue()).isEqualByComparingTo("19.99");
            assertThat(profile.get("b").isBoolean()).isTrue();
            assertThat(profile.get("l").toString()).isEqualTo("[\"a\",\"b\"]");
            // setUserTag: Customer.io segments on its presence.
            assertThat(profile.get("tag").isBoolean()).isTrue();
            assertThat(profile.get("tag").asBoolean()).isTrue();
        }

        @Test
        void twoNamesForOneCustomerioNameSendTheFirst() {
            JsonNode profile =
                    profileOf(
                            MappingSettings.defaults(),
                            "{\"$City\":\"London\",\"city\":\"Paris\",\"$firstname\":\"Ada\","
                                    + "\"$FirstName\":\"Grace\"}");
            assertThat(profile.get("city").asText()).isEqualTo("London");
            assertThat(profile.get("first_name").asText()).isEqualTo("Ada");
        }
    }

    @Nested
    class RefusedNames {

        @ParameterizedTest(name = "{0}")
        @ValueSource(
                strings = {
                    "id",
                    "email",
                    "cio_id",
                    "created_at",
                    "unsubscribed",
                    "_timestamp",
                    "_update",
                    "anonymous_id",
                    "cio_relationships",
                    "cio_subscription_preferences",
                    "cio_subscription_preferences.topics.topic_1",
                    "unsubscribed.x",
                    "cio_anything"
                })
        void aNameCustomerioGivesAMeaningIsNeverSetNorRemovedAndIsCounted(String name) {
            User user = new User();
            List<Op> ops =
                    user.apply(
                            customer()
                                    .attributes("{" + quote(name) + ":false,\"ok\":1}")
                                    .deleted(name));
            assertThat(ops.get(0).attributes().toString())
                    .isEqualTo("{\"email\":\"u@x.io\",\"ok\":1}");
            // Once as an attribute, once as a removal.
            assertThat(user.last.skipped(SkipReason.ATTRIBUTE_RESERVED_NAME)).isEqualTo(2);
        }
    }

    @Nested
    class Limits {

        static Stream<Arguments> attributes() {
            return Stream.of(
                    Arguments.of("n".repeat(150), "1", true, null),
                    Arguments.of("é".repeat(75), "1", true, null),
                    Arguments.of("n".repeat(151), "1", false, SkipReason.ATTRIBUTE_NAME_TOO_LONG),
                    Arguments.of(
                            "é".repeat(75) + "n", "1", false, SkipReason.ATTRIBUTE_NAME_TOO_LONG),
                    Arguments.of("", "1", false, SkipReason.ATTRIBUTE_NAME_TOO_LONG),
                    Arguments.of("v", quote("v".repeat(1000)), true, null),
                    Arguments.of("v", quote("é".repeat(500)), true, null),
                    Arguments.of(
                            "v",
                            quote("v".repeat(1001)),
                            false,
                            SkipReason.ATTRIBUTE_VALUE_TOO_LONG),
                    Arguments.of(
                            "v",
                            quote("é".repeat(501)),
                            false,
                            SkipReason.ATTRIBUTE_VALUE_TOO_LONG),
                    // A list is measured as its JSON text: ["…"] is 4 bytes around the string.
                    Arguments.of("l", "[" + quote("x".repeat(996)) + "]", true, null),
                    Arguments.of(
                            "l",
                            "[" + quote("x".repeat(997)) + "]",
                            false,
                            SkipReason.ATTRIBUTE_VALUE_TOO_LONG));
        }

        @ParameterizedTest
        @MethodSource("attributes")
        void namesOver150BytesAndValuesOver1000AreLeftOutAndCounted(
                String name, String value, boolean sent, SkipReason reason) {
            User user = new User();
            JsonNode profile =
                    user.apply(customer().attributes("{" + quote(name) + ":" + value + "}"))
                            .get(0)
                            .attributes();
            assertThat(profile.has(name)).isEqualTo(sent);
            for (SkipReason r : SkipReason.values()) {
                assertThat(user.last.skipped(r)).as(r.code()).isEqualTo(r == reason ? 1 : 0);
            }
        }

        static Stream<Arguments> inputOrders() {
            List<Integer> ascending = IntStream.range(0, 400).boxed().toList();
            List<Integer> descending = new ArrayList<>(ascending);
            Collections.reverse(descending);
            List<Integer> shuffled = new ArrayList<>(ascending);
            Collections.shuffle(shuffled, new Random(7));
            return Stream.of(
                    Arguments.of("ascending", ascending, true),
                    Arguments.of("descending", descending, false),
                    Arguments.of("shuffled", shuffled, false));
        }

        @ParameterizedTest(name = "{0}, names first: {2}")
        @MethodSource("inputOrders")
        void aPersonHoldsAt300TheSameAttributesWhateverTheInputOrder(
                String order, List<Integer> indexes, boolean namesFirst) {
            StringBuilder attrs = new StringBuilder("{");
            String names = "\"$FirstName\":\"Ada\",\"$LastName\":\"Lovelace\"";
            if (namesFirst) {
                attrs.append(names).append(',');
            }
            for (int i : indexes) {
                attrs.append(String.format("\"a%03d\":%d,", i, i));
            }
            if (!namesFirst) {
                attrs.append(names).append(',');
            }
            attrs.setLength(attrs.length() - 1);
            User user = new User(MappingSettings.defaults().withSendCreatedAt(true));
            List<Op> ops =
                    user.apply(
                            customer()
                                    .platform("iOS")
                                    .attributes(attrs.append('}').toString())
                                    .events(Events.optOut(true, T - 1_000)));

            // unsubscribed alone, then 298 of the profile and created_at: the person's 300.
            assertThat(ops).hasSize(2);
            assertThat(ops.get(0).attributes().toString()).isEqualTo("{\"unsubscribed\":true}");
            JsonNode profile = ops.get(1).attributes();
            assertThat(profile.size()).isEqualTo(299);
            assertThat(profile.has("created_at")).isTrue();
            assertThat(profile.has("unsubscribed")).isFalse();
            assertThat(profile.get("email").asText()).isEqualTo("u@x.io");
            assertThat(profile.get("first_name").asText()).isEqualTo("Ada");
            assertThat(profile.get("last_name").asText()).isEqualTo("Lovelace");
            // The others in name order: a000 … a294.
            List<String> kept = new ArrayList<>();
            profile.fieldNames().forEachRemaining(kept::add);
            assertThat(kept.stream().filter(n -> n.startsWith("a")).sorted().toList())
                    .isEqualTo(
                            IntStream.range(0, 295)
                                    .mapToObj(i -> String.format("a%03d", i))
                                    .toList());
            assertThat(user.last.skipped(SkipReason.ATTRIBUTE_LIMIT)).isEqualTo(400 - 295);
        }
    }

    @Nested
    class Removals {

        @Test
        void deletedAttributesAreSentEmptyExceptThoseTheProfileSets() {
            User user = new User();
            List<Op> ops =
                    user.apply(
                            customer()
                                    .attributes("{\"plan\":\"pro\"}")
                                    .deleted("plan", "seats", "seats", "$City", "$LastName"));
            assertThat(ops.get(0).attributes().toString())
                    .isEqualTo(
                            "{\"email\":\"u@x.io\",\"plan\":\"pro\",\"seats\":\"\",\"city\":\"\","
                                    + "\"last_name\":\"\"}");
        }

        @Test
        void withoutIncludeUserAttributesOnlyNamesAreRemoved() {
            List<Op> ops =
                    new User(NAMES_ONLY).apply(customer().deleted("plan", "$City", "$LastName"));
            assertThat(ops.get(0).attributes().toString())
                    .isEqualTo("{\"email\":\"u@x.io\",\"last_name\":\"\"}");
        }

        @Test
        void aRemovalIsARemovalEvenWhenTheProfileIsUnchanged() {
            User user = new User();
            user.apply(customer().at(T).attributes("{\"plan\":\"pro\"}"));
            List<Op> ops =
                    user.apply(
                            customer()
                                    .at(T + 1_000)
                                    .attributes("{\"plan\":\"pro\"}")
                                    .deleted("seats"));
            assertThat(ops).singleElement();
            assertThat(ops.get(0).attributes().get("seats").asText()).isEmpty();
        }

        @Test
        void removalsOfAnOptedOutUsersHeldProfileGoOutWithTheNextProfileSent() {
            User user = new User();
            user.apply(
                    customer()
                            .at(T)
                            .attributes("{\"plan\":\"pro\",\"seats\":3,\"team\":\"a\"}")
                            .events(Events.optOut(true, T - 1_000)));
            assertThat(
                            user.apply(
                                    customer()
                                            .at(T + 10_000)
                                            .attributes("{\"plan\":\"pro\"}")
                                            .deleted("seats", "team")))
                    .isEmpty();
            assertThat(user.last.skipped(SkipReason.PROFILE_OPTED_OUT)).isEqualTo(1);
            // Set again while still held: no longer a removal.
            user.apply(customer().at(T + 15_000).attributes("{\"plan\":\"pro\",\"team\":\"b\"}"));

            List<Op> ops =
                    user.apply(
                            customer()
                                    .at(T + 20_000)
                                    .attributes("{\"plan\":\"pro\"}")
                                    .events(Events.optOut(false, T + 19_000)));
            assertThat(ops).singleElement();
            JsonNode profile = ops.get(0).attributes();
            assertThat(profile.get("seats").asText()).isEmpty();
            assertThat(profile.has("team")).isFalse();
            // Gone with it: not sent again.
            assertThat(user.apply(customer().at(T + 30_000).attributes("{\"plan\":\"x\"}")))
                    .singleElement()
                    .satisfies(op -> assertThat(op.attributes().has("seats")).isFalse());
        }

        @Test
        void removalsOfAUserWithoutIdentityGoOutWithTheirFirstProfile() {
            User user = new User();
            assertThat(user.apply(batch().at(T).deleted("plan", "unsubscribed"))).isEmpty();
            assertThat(user.last.skipped(SkipReason.ATTRIBUTE_RESERVED_NAME)).isEqualTo(1);

            List<Op> ops = user.apply(customer().at(T + 10_000).attributes("{\"seats\":3}"));
            assertThat(ops).singleElement();
            assertThat(ops.get(0).attributes().toString())
                    .isEqualTo("{\"email\":\"u@x.io\",\"seats\":3,\"plan\":\"\"}");
        }

        @Test
        void aLateBatchDoesNotReleaseTheRemovalsOfAProfileHeldSinceAndStillHeld() {
            User user = new User();
            user.apply(
                    customer()
                            .at(T)
                            .attributes("{\"plan\":\"pro\",\"seats\":3}")
                            .events(Events.optOut(true, T)));
            user.apply(customer().at(T + 10_000).attributes("{\"plan\":\"pro\"}").deleted("seats"));

            // From before the opt-out: its event goes, the removal made while opted out does not.
            List<Op> late =
                    user.apply(
                            customer()
                                    .at(T - 5_000)
                                    .attributes("{\"plan\":\"pro\",\"seats\":3}")
                                    .events(Events.custom("early", T - 6_000, "s1")));
            assertThat(late).extracting(Op::label).containsExactly("early");

            // It goes with the first profile sent once the user opts back in.
            List<Op> ops =
                    user.apply(
                            customer()
                                    .at(T + 20_000)
                                    .attributes("{\"plan\":\"pro\"}")
                                    .events(Events.optOut(false, T + 19_000)));
            assertThat(ops).singleElement();
            assertThat(ops.get(0).attributes().get("seats").asText()).isEmpty();
        }

        @Test
        void aRemovalMadeBeforeTheUserHadAnIdentityOutlivesAnOlderFirstProfile() {
            User user = new User();
            user.apply(batch().at(T + 10_000).deleted("plan"));

            // A late upload from when the user still had the attribute makes them known.
            List<Op> late = user.apply(customer().at(T).attributes("{\"plan\":\"pro\"}"));
            assertThat(late).singleElement();
            assertThat(late.get(0).attributes().get("plan").asText()).isEqualTo("pro");

            // The removal, newer than that profile, still goes out with the next one.
            List<Op> ops = user.apply(customer().at(T + 20_000).attributes("{\"seats\":3}"));
            assertThat(ops).singleElement();
            assertThat(ops.get(0).attributes().get("plan").asText()).isEmpty();
        }

        @ParameterizedTest(name = "newest profile has seats: {0}")
        @ValueSource(booleans = {false, true})
        void aLateRemovalGoesOutOnlyWhereTheNewestProfileNoLongerHasTheAttribute(
                boolean newestHasIt) {
            User user = new User();
            user.apply(
                    customer()
                            .at(T + 10_000)
                            .attributes(
                                    newestHasIt
                                            ? "{\"plan\":\"pro\",\"seats\":4}"
                                            : "{\"plan\":\"pro\"}"));

            List<Op> late =
                    user.apply(customer().at(T).attributes("{\"plan\":\"old\"}").deleted("seats"));
            if (newestHasIt) {
                assertThat(late).isEmpty();
            } else {
                assertThat(late).singleElement();
                assertThat(late.get(0).attributes().toString()).isEqualTo("{\"seats\":\"\"}");
                // Under the batch's own time Customer.io would ignore it.
                assertThat(late.get(0).timestamp()).isEqualTo((T + 10_000) / 1000);
            }
            assertThat(user.last.skipped(SkipReason.PROFILE_LATE)).isEqualTo(1);
        }
    }

    /**
     * A hostile batch can list 100,000 names in {@code deleted_user_attributes}: a batch
     * contributes at most 300 removals and a user keeps at most 300 while their profile is held,
     * the first in order; the rest are counted. Quadratic list scans took minutes on such a batch.
     */
    @Nested
    class RemovalLimits {

        private static final int HOSTILE = 100_000;
        private static final Duration FAST = Duration.ofSeconds(5);

        /** {@code prefix0}, {@code prefix1}…: never in name order past 10, so order is seen. */
        private static String[] names(String prefix, int count) {
            return IntStream.range(0, count).mapToObj(i -> prefix + i).toArray(String[]::new);
        }

        private static List<String> first(String[] names, int count) {
            return List.of(names).subList(0, count);
        }

        /** The names every identify of {@code ops} removes (sets to ""), in order. */
        private static List<String> removed(List<Op> ops) {
            List<String> out = new ArrayList<>();
            for (Op op : ops) {
                assertThat(op.kind()).isEqualTo(OperationKind.IDENTIFY);
                op.attributes()
                        .fields()
                        .forEachRemaining(
                                f -> {
                                    if (f.getValue().isTextual()
                                            && f.getValue().asText().isEmpty()) {
                                        out.add(f.getKey());
                                    }
                                });
            }
            return out;
        }

        @Test
        void aBatchOf100000DeletedNamesSendsTheFirst300AndCountsTheRest() {
            String[] names = names("n", HOSTILE);
            User user = new User();
            // Again at the end: a kept name listed twice is no more left out than it was before.
            String[] listed = Arrays.copyOf(names, HOSTILE + 1);
            listed[HOSTILE] = names[7];
            String json = customer().deleted(listed).json();

            List<Op> ops = assertTimeoutPreemptively(FAST, () -> user.apply(json));

            assertThat(removed(ops)).containsExactlyElementsOf(first(names, 300));
            assertThat(user.last.skipped(SkipReason.DELETED_ATTRIBUTES_LIMIT))
                    .isEqualTo(HOSTILE - 300);
            // The email and 300 removals: two identifies, as for any identify over 300 fields.
            assertThat(ops).hasSize(2);
        }

        @Test
        void aUserKeepsAtMost300HeldRemovalsTheEarliestInTheirOrder() {
            String[] names = names("n", HOSTILE);
            User user = new User();
            String json = batch().at(T).deleted(names).json();

            assertThat(assertTimeoutPreemptively(FAST, () -> user.apply(json))).isEmpty();
            assertThat(user.state.pendingDeletions)
                    .isInstanceOf(ArrayList.class)
                    .containsExactlyElementsOf(first(names, 300));
            assertThat(user.last.skipped(SkipReason.DELETED_ATTRIBUTES_LIMIT))
                    .isEqualTo(HOSTILE - 300);

            // Still held: the earliest stay, newer ones past the 300 are left out and counted.
            assertThat(user.apply(batch().at(T + 1_000).deleted("late1", names[3], "late2")))
                    .isEmpty();
            assertThat(user.state.pendingDeletions).containsExactlyElementsOf(first(names, 300));
            assertThat(user.last.skipped(SkipReason.DELETED_ATTRIBUTES_LIMIT)).isEqualTo(2);

            // The first profile sent carries them, less one it sets again; then they are gone.
            List<Op> ops = user.apply(customer().at(T + 2_000).attributes("{\"n5\":1}"));
            List<String> expected = new ArrayList<>(first(names, 300));
            expected.remove("n5");
            assertThat(removed(ops)).containsExactlyElementsOf(expected);
            assertThat(user.state.pendingDeletions).isNull();
        }

        @Test
        void heldRemovalsFromBeforeTheLimitAreCutToTheEarliest300() {
            String[] names = names("n", 400);
            User user = new User();
            user.apply(batch().at(T).deleted("x"));
            // A state written before the limit existed.
            user.state.pendingDeletions = new ArrayList<>(List.of(names));

            user.apply(batch().at(T + 1_000).deleted("y"));
            assertThat(user.state.pendingDeletions).containsExactlyElementsOf(first(names, 300));
            assertThat(user.last.skipped(SkipReason.DELETED_ATTRIBUTES_LIMIT)).isEqualTo(101);
        }

        @Test
        void upTo300RemovalsOfABatchAreAllSentInTheirOrder() {
            String[] names = names("n", 300);
            User user = new User();
            assertThat(removed(user.apply(customer().deleted(names))))
                    .containsExactlyElementsOf(List.of(names));
            assertThat(user.last.skipped(SkipReason.DELETED_ATTRIBUTES_LIMIT)).isZero();
        }
    }
}
