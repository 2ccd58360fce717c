package dev.cioforwarder.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.customerio.OperationEffects;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.customerio.Ulid;
import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.mapping.MappingTestSupport.Op;
import dev.cioforwarder.mapping.MappingTestSupport.User;
import dev.cioforwarder.testing.Fixtures;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The mapping rules of the design, rule by rule. Every operation the machine emits in these tests
 * is also checked against Customer.io's official Track API description.
 */
class UserStateMachineTest {

    private static final ObjectMapper MAPPER = MappingTestSupport.MAPPER;

    private static String batch(String mpid, String identities, String attributes, String events) {
        return "{\"mpid\":"
                + mpid
                + ",\"timestamp_unixtime_ms\":1764320400500"
                + (identities != null ? ",\"user_identities\":" + identities : "")
                + (attributes != null ? ",\"user_attributes\":" + attributes : "")
                + ",\"events\":["
                + (events != null ? events : "")
                + "]}";
    }

    private static String customEvent(String name, String smid) {
        return "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":"
                + MAPPER.valueToTree(name)
                + ",\"timestamp_unixtime_ms\":1764320001234,\"source_message_id\":\""
                + smid
                + "\",\"custom_attributes\":{\"k\":\"v\"}}}";
    }

    /** An opt-out at the time of {@link #customEvent}s: their order in the batch decides. */
    private static String optOut(boolean optedOut) {
        return "{\"event_type\":\"opt_out\",\"data\":{\"is_opted_out\":"
                + optedOut
                + ",\"timestamp_unixtime_ms\":1764320001234}}";
    }

    private static final String CUSTOMER = "{\"customer_id\":\"c-1\",\"email\":\"u@x.io\"}";

    @Test
    void theIosFixtureBecomesOneIdentifyThenItsScreenAndEvent() {
        List<Op> ops = new User().apply(Fixtures.text("ios-customer-and-email.json"));

        assertThat(ops)
                .extracting(Op::kind)
                .containsExactly(OperationKind.IDENTIFY, OperationKind.SCREEN, OperationKind.EVENT);
        Op identify = ops.get(0);
        assertThat(identify.person()).isEqualTo("id:cust-1001");
        assertThat(identify.timestamp()).isEqualTo(1764320400L);
        assertThat(identify.attributes().toString())
                .isEqualTo(
                        "{\"email\":\"ada@example.com\",\"first_name\":\"Ada\",\"last_name\":\"Lovelace\","
                            + "\"city\":\"London\",\"plan\":\"pro\",\"favourite_genres\":[\"jazz\",\"blues\"],"
                            + "\"lifetime_orders\":12}");

        Op screen = ops.get(1);
        assertThat(screen.body.get("action").asText()).isEqualTo("screen");
        assertThat(screen.name()).isEqualTo("Home_Screen");
        assertThat(screen.timestamp()).isEqualTo(1764320002L);
        assertThat(screen.attributes().toString()).isEqualTo("{\"referrer\":\"push\"}");

        Op event = ops.get(2);
        assertThat(event.body.get("action").asText()).isEqualTo("event");
        assertThat(event.name()).isEqualTo("Add_To_Cart");
        assertThat(event.timestamp()).isEqualTo(1764320005L);
        // Values as they are: the decimal stays a number, the string "2" stays a string.
        assertThat(event.attributes().toString())
                .isEqualTo("{\"sku\":\"A-77\",\"price\":19.99,\"quantity\":\"2\"}");
    }

    static Stream<Arguments> fixturesUnderEachUserIdType() {
        return Stream.of(
                Arguments.of(
                        "ios-customer-and-email.json",
                        UserIdType.PREFER_CUSTOMER_ID,
                        "id:cust-1001"),
                Arguments.of("ios-customer-and-email.json", UserIdType.CUSTOMER_ID, "id:cust-1001"),
                Arguments.of(
                        "ios-customer-and-email.json", UserIdType.EMAIL, "email:ada@example.com"),
                Arguments.of(
                        "ios-customer-and-email.json", UserIdType.MPID, "id:8315498751227740121"),
                Arguments.of(
                        "web-email-only-string-numbers.json",
                        UserIdType.PREFER_CUSTOMER_ID,
                        "email:grace@example.org"),
                Arguments.of("web-email-only-string-numbers.json", UserIdType.CUSTOMER_ID, null),
                Arguments.of(
                        "web-email-only-string-numbers.json",
                        UserIdType.EMAIL,
                        "email:grace@example.org"),
                Arguments.of(
                        "web-email-only-string-numbers.json",
                        UserIdType.MPID,
                        "id:264200868161219981"),
                Arguments.of("android-opt-out.json", UserIdType.PREFER_CUSTOMER_ID, "id:cust-2002"),
                Arguments.of("android-opt-out.json", UserIdType.CUSTOMER_ID, "id:cust-2002"),
                Arguments.of("android-opt-out.json", UserIdType.EMAIL, null),
                Arguments.of("android-opt-out.json", UserIdType.MPID, "id:-7636538281262557041"),
                Arguments.of("no-usable-identity.json", UserIdType.PREFER_CUSTOMER_ID, null),
                Arguments.of("no-usable-identity.json", UserIdType.CUSTOMER_ID, null),
                Arguments.of("no-usable-identity.json", UserIdType.EMAIL, null),
                Arguments.of("no-usable-identity.json", UserIdType.MPID, "id:4411223344556677889"),
                Arguments.of(
                        "eventless-attribute-update.json",
                        UserIdType.PREFER_CUSTOMER_ID,
                        "id:cust-1001"),
                Arguments.of(
                        "eventless-attribute-update.json",
                        UserIdType.EMAIL,
                        "email:ada@example.com"));
    }

    @ParameterizedTest(name = "{0} under {1} → {2}")
    @MethodSource("fixturesUnderEachUserIdType")
    void whoIsForwardedAndHowTheyAreAddressed(
            String fixture, UserIdType type, String expectedPerson) {
        User user = new User(MappingSettings.defaults().withUserIdType(type));
        List<Op> ops = user.apply(Fixtures.text(fixture));

        if (expectedPerson == null) {
            assertThat(ops).isEmpty();
            assertThat(user.last.skipped(SkipReason.NO_IDENTITY)).isEqualTo(1);
        } else {
            assertThat(ops)
                    .isNotEmpty()
                    .allSatisfy(op -> assertThat(op.person()).isEqualTo(expectedPerson));
            assertThat(ops.get(0).kind()).isEqualTo(OperationKind.IDENTIFY);
        }
    }

    @Nested
    class StickyIdentity {

        @Test
        void anEmailUserWhoGainsACustomerIdIsAttachedNotDuplicated() {
            User user = new User();
            List<Op> first =
                    user.apply(batch("7", "{\"email\":\"u@x.io\"}", null, customEvent("A", "s1")));
            assertThat(first).allSatisfy(op -> assertThat(op.person()).isEqualTo("email:u@x.io"));

            List<Op> second = user.apply(batch("7", CUSTOMER, null, customEvent("B", "s2")));
            assertThat(second).hasSize(2);
            Op attach = second.get(0);
            assertThat(attach.kind()).isEqualTo(OperationKind.IDENTIFY);
            assertThat(attach.person()).isEqualTo("email:u@x.io");
            assertThat(attach.attributes().get("id").asText()).isEqualTo("c-1");
            assertThat(second.get(1).person()).isEqualTo("id:c-1");

            List<Op> third =
                    user.apply(batch("7", CUSTOMER, "{\"plan\":\"pro\"}", customEvent("C", "s3")));
            assertThat(third).allSatisfy(op -> assertThat(op.person()).isEqualTo("id:c-1"));
            assertThat(third.get(0).attributes().has("id")).isFalse();
            assertThat(user.state.identifierKind).isEqualTo("id");
        }

        @Test
        void theAttachHappensOnceAndSurvivesBatchesWithoutIdentities() {
            User user = new User();
            user.apply(batch("7", "{\"email\":\"u@x.io\"}", null, null));
            user.apply(batch("7", CUSTOMER, null, null));
            List<Op> later = user.apply(batch("7", null, null, customEvent("A", "s1")));
            assertThat(later).extracting(Op::person).containsOnly("id:c-1");
        }

        @Test
        void aChangedCustomerIdKeepsTheFirstOneAndIsCounted() {
            User user = new User();
            user.apply(batch("7", CUSTOMER, null, null));
            List<Op> ops =
                    user.apply(
                            batch("7", "{\"customer_id\":\"c-2\"}", null, customEvent("A", "s1")));
            assertThat(ops).extracting(Op::person).containsOnly("id:c-1");
            assertThat(user.last.skipped(SkipReason.IDENTIFIER_CHANGED)).isEqualTo(1);
        }

        @Test
        void aChangedEmailOfAnIdUserIsKeptBackUnlessTheWorkspaceAllowsEmailUpdatesById() {
            // Without "Allow updates to email using ID", Customer.io answers 200 and records an
            // attribute update failure, and would do so for every later identify too.
            User user = new User();
            user.apply(batch("7", CUSTOMER, "{\"plan\":\"a\"}", null));
            List<Op> ops =
                    user.apply(
                            batch(
                                    "7",
                                    "{\"customer_id\":\"c-1\",\"email\":\"new@x.io\"}",
                                    "{\"plan\":\"b\"}",
                                    null));
            assertThat(ops).singleElement();
            assertThat(ops.get(0).person()).isEqualTo("id:c-1");
            assertThat(ops.get(0).attributes().get("email").asText()).isEqualTo("u@x.io");
            assertThat(ops.get(0).attributes().get("plan").asText()).isEqualTo("b");
            assertThat(user.last.skipped(SkipReason.EMAIL_CHANGE_NOT_APPLIED)).isEqualTo(1);

            User allowed =
                    new User(MappingSettings.defaults().toBuilder().updateEmailById(true).build());
            allowed.apply(batch("7", CUSTOMER, null, null));
            List<Op> changed =
                    allowed.apply(
                            batch(
                                    "7",
                                    "{\"customer_id\":\"c-1\",\"email\":\"new@x.io\"}",
                                    null,
                                    null));
            assertThat(changed).singleElement();
            assertThat(changed.get(0).attributes().get("email").asText()).isEqualTo("new@x.io");
            assertThat(allowed.last.skipped(SkipReason.EMAIL_CHANGE_NOT_APPLIED)).isZero();
        }

        @Test
        void anEmailGainedByAnIdUserIsSent() {
            User user = new User();
            user.apply(batch("7", "{\"customer_id\":\"c-1\"}", null, null));
            List<Op> ops = user.apply(batch("7", CUSTOMER, null, null));
            assertThat(ops).singleElement();
            assertThat(ops.get(0).attributes().get("email").asText()).isEqualTo("u@x.io");
            assertThat(user.last.skipped(SkipReason.EMAIL_CHANGE_NOT_APPLIED)).isZero();
        }

        @Test
        void aChangedEmailOfAnEmailUserCannotMoveTheProfile() {
            User user = new User();
            user.apply(batch("7", "{\"email\":\"old@x.io\"}", null, null));
            List<Op> ops =
                    user.apply(
                            batch("7", "{\"email\":\"new@x.io\"}", null, customEvent("A", "s1")));
            assertThat(ops).extracting(Op::person).containsOnly("email:old@x.io");
            assertThat(user.last.skipped(SkipReason.EMAIL_CHANGE_NOT_APPLIED)).isEqualTo(1);
        }

        @Test
        void anOverLongCustomerIdIsUnusableAndEmailIsUsedInstead() {
            String longId = "c".repeat(151);
            User user = new User();
            List<Op> ops =
                    user.apply(
                            batch(
                                    "7",
                                    "{\"customer_id\":\"" + longId + "\",\"email\":\"u@x.io\"}",
                                    null,
                                    null));
            assertThat(ops.get(0).person()).isEqualTo("email:u@x.io");
            assertThat(user.last.skipped(SkipReason.IDENTIFIER_TOO_LONG)).isEqualTo(1);
        }
    }

    @Nested
    class Events {

        @Test
        void namesAreTrimmedAndSpacesBecomeUnderscores() {
            List<Op> ops =
                    new User()
                            .apply(
                                    batch(
                                            "7",
                                            CUSTOMER,
                                            null,
                                            customEvent("  Add To  Cart \t", "s1")));
            assertThat(ops.get(1).name()).isEqualTo("Add_To__Cart");
        }

        @Test
        void aNameOfExactlyOneHundredBytesPassesAndOneMoreIsRejected() {
            String hundred = "a".repeat(100);
            User user = new User();
            List<Op> ok = user.apply(batch("7", CUSTOMER, null, customEvent(hundred, "s1")));
            assertThat(ok.get(1).name()).isEqualTo(hundred);

            List<Op> tooLong =
                    user.apply(batch("7", CUSTOMER, null, customEvent(hundred + "a", "s2")));
            assertThat(tooLong).isEmpty();
            assertThat(user.last.rejections())
                    .singleElement()
                    .satisfies(
                            r ->
                                    assertThat(r.reason())
                                            .isEqualTo(DeadLetterReason.EVENT_NAME_TOO_LONG));
        }

        @Test
        void multiByteNamesAreMeasuredInUtf8Bytes() {
            String emoji25 = "😀".repeat(25); // 4 bytes each: exactly 100 bytes
            User user = new User();
            assertThat(
                            user.apply(batch("7", CUSTOMER, null, customEvent(emoji25, "s1")))
                                    .get(1)
                                    .name())
                    .isEqualTo(emoji25);
            String accented = "é".repeat(51); // 2 bytes each: 102 bytes, 51 characters
            assertThat(user.apply(batch("7", CUSTOMER, null, customEvent(accented, "s2"))))
                    .isEmpty();
            assertThat(user.last.rejections().get(0).reason())
                    .isEqualTo(DeadLetterReason.EVENT_NAME_TOO_LONG);
            assertThat(user.last.rejections().get(0).detail()).contains("102 bytes");
        }

        @Test
        void aNameEmptyAfterTrimmingIsRejectedNeverRenamed() {
            User user = new User();
            user.apply(batch("7", CUSTOMER, null, customEvent("   ", "s1")));
            assertThat(user.last.operations())
                    .extracting(o -> o.kind)
                    .containsExactly(OperationKind.IDENTIFY);
            assertThat(user.last.rejections().get(0).reason())
                    .isEqualTo(DeadLetterReason.EVENT_NAME_EMPTY);
            assertThat(user.last.rejections().get(0).eventJson()).contains("\"position\":0");
        }

        @Test
        void anEventWithoutTimeTakesTheBatchTime() {
            List<Op> ops =
                    new User()
                            .apply(
                                    batch(
                                            "7",
                                            CUSTOMER,
                                            null,
                                            "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"x\"}}"));
            assertThat(ops.get(1).timestamp()).isEqualTo(1764320400L);
        }

        @Test
        void idsAreDeterministicDistinctAndCarryTheEventTime() {
            String json =
                    batch(
                            "7",
                            CUSTOMER,
                            null,
                            customEvent("A", "s1") + "," + customEvent("A", "s2"));
            List<Op> first = new User().apply(json);
            List<Op> replay = new User().apply(json);

            String id1 = first.get(1).raw.eventId;
            String id2 = first.get(2).raw.eventId;
            assertThat(id1).isNotEqualTo(id2);
            assertThat(replay.get(1).raw.eventId).isEqualTo(id1);
            assertThat(replay.get(2).raw.eventId).isEqualTo(id2);
            // The 48-bit time prefix is the event time (1764320001234 ms).
            assertThat(id1.substring(0, 10))
                    .isEqualTo(new Ulid().of(1764320001234L, "x", "y").substring(0, 10));
        }

        @Test
        void theSameSourceMessageIdOfAnotherUserIsAnotherEvent() {
            String a =
                    new User()
                            .apply(batch("7", CUSTOMER, null, customEvent("A", "s1")))
                            .get(1)
                            .raw
                            .eventId;
            String b =
                    new User()
                            .apply(batch("8", CUSTOMER, null, customEvent("A", "s1")))
                            .get(1)
                            .raw
                            .eventId;
            assertThat(a).isNotEqualTo(b);
        }

        @Test
        void otherEventTypesAreNotForwarded() {
            List<Op> ops =
                    new User()
                            .apply(
                                    batch(
                                            "7",
                                            CUSTOMER,
                                            null,
                                            "{\"event_type\":\"session_start\",\"data\":{}},"
                                                + "{\"event_type\":\"commerce_event\",\"data\":{\"event_name\":\"buy\"}}"));
            assertThat(ops).extracting(Op::kind).containsExactly(OperationKind.IDENTIFY);
        }

        @Test
        void eventDataOverOneHundredThousandBytesIsRejected() {
            String big = "x".repeat(990);
            StringBuilder attrs = new StringBuilder("{");
            for (int i = 0; i < 101; i++) {
                attrs.append(i == 0 ? "" : ",")
                        .append("\"k")
                        .append(i)
                        .append("\":\"")
                        .append(big)
                        .append('"');
            }
            attrs.append('}');
            String event =
                    "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"big\",\"custom_attributes\":"
                            + attrs
                            + "}}";
            User user = new User();
            user.apply(batch("7", CUSTOMER, null, event));
            assertThat(user.last.rejections())
                    .singleElement()
                    .satisfies(
                            r ->
                                    assertThat(r.reason())
                                            .isEqualTo(DeadLetterReason.EVENT_DATA_TOO_LARGE));
        }

        @Test
        void aV2OperationOver32KbIsRejectedButV1CarriesIt() {
            String event =
                    "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"big\",\"custom_attributes\":{\"k\":\""
                            + "x".repeat(40_000)
                            + "\"}}}";
            User v2 = new User();
            v2.apply(batch("7", CUSTOMER, null, event));
            assertThat(v2.last.rejections())
                    .singleElement()
                    .satisfies(
                            r ->
                                    assertThat(r.reason())
                                            .isEqualTo(DeadLetterReason.OPERATION_TOO_LARGE));

            User v1 = new User(MappingSettings.defaults().withApiMode(ApiMode.V1));
            List<Op> ops = v1.apply(batch("7", CUSTOMER, null, event));
            assertThat(ops)
                    .extracting(Op::kind)
                    .containsExactly(OperationKind.IDENTIFY, OperationKind.EVENT);
        }
    }

    @Nested
    class Profile {

        @Test
        void reservedNamesMapInAnyCasingAndOthersPassUnchanged() {
            List<Op> ops =
                    new User()
                            .apply(
                                    batch(
                                            "7",
                                            CUSTOMER,
                                            "{\"$firstname\":\"Grace\",\"$LASTNAME\":\"Hopper\",\"$Age\":85,\"$Gender\":\"f\",\"$Mobile\":\"+1555\",\"$Address\":\"1"
                                                + " Main\",\"$City\":\"NYC\",\"$State\":\"NY\","
                                                + "\"$Zip\":\"10001\",\"$Country\":\"US\",\"$Custom\":\"kept\",\"Plan\":\"pro\"}",
                                            null));
            assertThat(ops.get(0).attributes().toString())
                    .isEqualTo(
                            "{\"email\":\"u@x.io\",\"first_name\":\"Grace\",\"last_name\":\"Hopper\",\"age\":85,\"gender\":\"f\",\"phone\":\"+1555\",\"address\":\"1"
                                + " Main\",\"city\":\"NYC\","
                                + "\"state\":\"NY\",\"zip\":\"10001\",\"country\":\"US\",\"$Custom\":\"kept\","
                                + "\"Plan\":\"pro\"}");
        }

        @Test
        void withoutUserAttributesOnlyEmailAndNamesAreSent() {
            User user = new User(MappingSettings.defaults().withIncludeUserAttributes(false));
            List<Op> ops = user.apply(Fixtures.text("ios-customer-and-email.json"));
            assertThat(ops.get(0).attributes().toString())
                    .isEqualTo(
                            "{\"email\":\"ada@example.com\",\"first_name\":\"Ada\",\"last_name\":\"Lovelace\"}");
        }

        @Test
        void deletedAttributesAreSentEmpty() {
            List<Op> ops = new User().apply(Fixtures.text("eventless-attribute-update.json"));
            assertThat(ops).singleElement();
            assertThat(ops.get(0).attributes().get("favourite_genres").asText()).isEmpty();
            assertThat(ops.get(0).attributes().get("plan").asText()).isEqualTo("enterprise");
        }

        @Test
        void attributesCustomerioControlsAreNeverTakenFromUserAttributes() {
            User user = new User();
            List<Op> ops =
                    user.apply(
                            batch(
                                    "7",
                                    CUSTOMER,
                                    "{\"unsubscribed\":false,\"id\":\"other\",\"email\":\"spoof@x.io\",\"created_at\":1,\"ok\":1}",
                                    null));
            assertThat(ops.get(0).attributes().toString())
                    .isEqualTo("{\"email\":\"u@x.io\",\"ok\":1}");
            assertThat(user.last.skipped(SkipReason.ATTRIBUTE_RESERVED_NAME)).isEqualTo(4);
        }

        @Test
        void namesAndValuesAtAndOverTheirLimits() {
            String name150 = "n".repeat(150);
            String name151 = "n".repeat(151);
            String value1000 = "v".repeat(1000);
            String value1001 = "v".repeat(1001);
            String value500Accents = "é".repeat(500); // 1000 bytes
            String value501Accents = "é".repeat(501); // 1002 bytes
            User user = new User();
            List<Op> ops =
                    user.apply(
                            batch(
                                    "7",
                                    CUSTOMER,
                                    "{\""
                                            + name150
                                            + "\":1,\""
                                            + name151
                                            + "\":1,\"a\":\""
                                            + value1000
                                            + "\",\"b\":\""
                                            + value1001
                                            + "\",\"c\":\""
                                            + value500Accents
                                            + "\",\"d\":\""
                                            + value501Accents
                                            + "\"}",
                                    null));
            JsonNode attributes = ops.get(0).attributes();
            assertThat(attributes.has(name150)).isTrue();
            assertThat(attributes.has(name151)).isFalse();
            assertThat(attributes.has("a")).isTrue();
            assertThat(attributes.has("b")).isFalse();
            assertThat(attributes.has("c")).isTrue();
            assertThat(attributes.has("d")).isFalse();
            assertThat(user.last.skipped(SkipReason.ATTRIBUTE_NAME_TOO_LONG)).isEqualTo(1);
            assertThat(user.last.skipped(SkipReason.ATTRIBUTE_VALUE_TOO_LONG)).isEqualTo(2);
        }

        @ParameterizedTest
        @EnumSource(ApiMode.class)
        void aPersonHoldsAtMost300AttributesTheSameOnesEveryTime(ApiMode mode) {
            StringBuilder attrs = new StringBuilder("{\"$FirstName\":\"Ada\"");
            for (int i = 649; i >= 0; i--) {
                attrs.append(",\"a").append(String.format("%03d", i)).append("\":").append(i);
            }
            attrs.append('}');
            User user = new User(MappingSettings.defaults().withApiMode(mode));
            List<Op> ops = user.apply(batch("7", CUSTOMER, attrs.toString(), null));

            // 300 a person may hold, less created_at and unsubscribed: one identify, not three.
            assertThat(ops).singleElement();
            JsonNode attributes = ops.get(0).attributes();
            int v1Timestamp = mode == ApiMode.V1 ? 1 : 0;
            assertThat(attributes.size()).isEqualTo(298 + v1Timestamp);
            // Email and names always; then the first names in name order, whatever the input order.
            assertThat(attributes.get("email").asText()).isEqualTo("u@x.io");
            assertThat(attributes.get("first_name").asText()).isEqualTo("Ada");
            assertThat(attributes.has("a000")).isTrue();
            assertThat(attributes.has("a295")).isTrue();
            assertThat(attributes.has("a296")).isFalse();
            assertThat(user.last.skipped(SkipReason.ATTRIBUTE_LIMIT)).isEqualTo(650 - 296);
        }

        @Test
        void anIdentifyOver32KbIsSplitByBytes() {
            StringBuilder attrs = new StringBuilder("{");
            for (int i = 0; i < 60; i++) {
                attrs.append(i == 0 ? "" : ",")
                        .append("\"a")
                        .append(i)
                        .append("\":\"")
                        .append("x".repeat(900))
                        .append('"');
            }
            attrs.append('}');
            List<Op> ops = new User().apply(batch("7", CUSTOMER, attrs.toString(), null));
            assertThat(ops.size()).isGreaterThan(1);
            assertThat(ops)
                    .allSatisfy(
                            op -> assertThat(op.raw.body.length).isLessThanOrEqualTo(32 * 1024));
            assertThat(ops.stream().mapToInt(op -> op.attributes().size()).sum()).isEqualTo(61);
        }

        @Test
        void deltaIdentifySendsNothingWhenNothingChanged() {
            User user = new User();
            String json =
                    batch("7", CUSTOMER, "{\"plan\":\"pro\",\"seats\":3}", customEvent("A", "s1"));
            user.apply(json);
            assertThat(user.last.identifySent()).isEqualTo(1);

            List<Op> again = user.apply(json);
            assertThat(again).extracting(Op::kind).containsExactly(OperationKind.EVENT);
            assertThat(user.last.identifyUnchanged()).isEqualTo(1);

            // The same attributes in another order are the same profile.
            assertThat(user.apply(batch("7", CUSTOMER, "{\"seats\":3,\"plan\":\"pro\"}", null)))
                    .isEmpty();

            List<Op> changed =
                    user.apply(batch("7", CUSTOMER, "{\"plan\":\"team\",\"seats\":3}", null));
            assertThat(changed)
                    .singleElement()
                    .satisfies(op -> assertThat(op.kind()).isEqualTo(OperationKind.IDENTIFY));
            assertThat(changed.get(0).attributes().get("plan").asText()).isEqualTo("team");
        }

        @Test
        void aTypeChangeIsAChange() {
            User user = new User();
            user.apply(batch("7", CUSTOMER, "{\"n\":2}", null));
            assertThat(user.apply(batch("7", CUSTOMER, "{\"n\":\"2\"}", null))).hasSize(1);
        }

        @Test
        void theIdentifyCarriesTheBatchTimeInBothApis() {
            List<Op> v1 =
                    new User(MappingSettings.defaults().withApiMode(ApiMode.V1))
                            .apply(batch("7", CUSTOMER, null, null));
            assertThat(v1.get(0).body.get("_timestamp").asLong()).isEqualTo(1764320400L);
            List<Op> v2 = new User().apply(batch("7", CUSTOMER, null, null));
            assertThat(v2.get(0).body.get("timestamp").asLong()).isEqualTo(1764320400L);
        }
    }

    @Nested
    class LateBatches {

        private String at(long batchTimeMs, String attributes, String events) {
            return "{\"mpid\":7,\"timestamp_unixtime_ms\":"
                    + batchTimeMs
                    + ",\"user_identities\":"
                    + CUSTOMER
                    + ",\"user_attributes\":"
                    + attributes
                    + ",\"device_info\":{\"platform\":\"iOS\"},\"events\":["
                    + (events == null ? "" : events)
                    + "]}";
        }

        @Test
        void anOlderProfileThanTheNewestSentIsNotSentAgain() {
            User user = new User();
            user.apply(at(2_000_000, "{\"plan\":\"new\"}", null));
            List<Op> late = user.apply(at(1_000_000, "{\"plan\":\"old\"}", customEvent("x", "s1")));

            // Customer.io would ignore the older profile; the event still goes.
            assertThat(late).extracting(Op::kind).containsExactly(OperationKind.EVENT);
            assertThat(user.last.skipped(SkipReason.PROFILE_LATE)).isEqualTo(1);
            // The newer profile stays the reference: sending it again changes nothing.
            assertThat(user.apply(at(3_000_000, "{\"plan\":\"new\"}", null))).isEmpty();
        }

        /**
         * Found by ArrivalOrderPropertyTest (seed 20261201, case 1786): a newer batch's removal
         * waits while the user is opted out; a late batch from before the opt-out that removes the
         * same attribute must not carry it out now.
         */
        @Test
        void aLateBatchDoesNotCarryOutARemovalAnOptOutHolds() {
            User user = new User();
            user.apply(
                    at(
                            2_000_000,
                            "{\"plan\":\"pro\"}",
                            MappingTestSupport.Events.optOut(true, 1_500_000L)));
            String removePlan =
                    "{\"mpid\":7,\"timestamp_unixtime_ms\":%d,\"user_identities\":"
                            + CUSTOMER
                            + ",\"user_attributes\":{},\"deleted_user_attributes\":[\"plan\"],"
                            + "\"events\":[]}";
            assertThat(user.apply(String.format(removePlan, 3_000_000L)))
                    .as("held: opted out")
                    .isEmpty();
            assertThat(user.state.pendingDeletions).containsExactly("plan");
            assertThat(user.apply(String.format(removePlan, 1_000_000L)))
                    .as("late, from before the opt-out")
                    .isEmpty();
            assertThat(user.state.pendingDeletions).containsExactly("plan");
        }

        @Test
        void anOptOutInALateBatchStillUnsubscribesUnderTheNewestTimestamp() {
            User user = new User();
            user.apply(at(2_000_000, "{\"plan\":\"new\"}", null));
            List<Op> late = user.apply(at(1_000_000, "{\"plan\":\"old\"}", optOut(true)));

            assertThat(late)
                    .singleElement()
                    .satisfies(
                            op -> {
                                assertThat(op.attributes().toString())
                                        .isEqualTo("{\"unsubscribed\":true}");
                                assertThat(op.timestamp()).isEqualTo(2_000L);
                            });
        }

        @Test
        void anEarlierFirstSeenTimeFromALateBatchIsSentUnderTheNewestTimestamp() {
            User user = new User(MappingSettings.defaults().withSendCreatedAt(true));
            long t0 = 1_700_000_000_000L;
            String event90 =
                    "{\"event_type\":\"session_start\",\"data\":{\"timestamp_unixtime_ms\":"
                            + (t0 + 900_000)
                            + "}}";
            String event40 =
                    "{\"event_type\":\"session_start\",\"data\":{\"timestamp_unixtime_ms\":"
                            + (t0 + 400_000)
                            + "}}";
            user.apply(at(t0 + 1_000_000, "{}", event90));
            List<Op> late = user.apply(at(t0 + 500_000, "{}", event40));

            assertThat(late)
                    .singleElement()
                    .satisfies(
                            op -> {
                                assertThat(op.attributes().get("created_at").asLong())
                                        .isEqualTo(t0 / 1000 + 400L);
                                // Under the batch's own (older) time Customer.io would ignore it.
                                assertThat(op.timestamp()).isEqualTo(t0 / 1000 + 1_000L);
                            });
        }
    }

    @Nested
    class OptOut {

        @Test
        void theOptOutBatchUnsubscribesAndKeepsEarlierEvents() {
            User user = new User();
            List<Op> ops = user.apply(Fixtures.text("android-opt-out.json"));

            assertThat(ops)
                    .extracting(Op::kind)
                    .containsExactly(
                            OperationKind.IDENTIFY, OperationKind.IDENTIFY, OperationKind.EVENT);
            // The unsubscribe alone (nothing Customer.io refuses can take it down), then the
            // profile.
            assertThat(ops.get(0).attributes().get("unsubscribed").asBoolean()).isTrue();
            assertThat(ops.get(0).attributes().size()).isEqualTo(1);
            assertThat(ops.get(0).effects()).isEqualTo(OperationEffects.UNSUBSCRIBE);
            assertThat(ops.get(1).attributes().get("first_name").asText()).isEqualTo("Alan");
            assertThat(ops.get(1).attributes().has("unsubscribed")).isFalse();
            assertThat(ops.get(2).name()).isEqualTo("Viewed_Settings");
            assertThat(user.state.optedOut).isTrue();
        }

        @Test
        void eventsAfterAnOptOutWaitAndAreCounted() {
            User user = new User();
            List<Op> ops =
                    user.apply(
                            batch(
                                    "7",
                                    CUSTOMER,
                                    null,
                                    customEvent("before", "s1")
                                            + ","
                                            + optOut(true)
                                            + ","
                                            + customEvent("after", "s2")));
            assertThat(ops)
                    .extracting(op -> op.kind() == OperationKind.IDENTIFY ? "identify" : op.name())
                    .containsExactly("identify", "identify", "before");
            assertThat(user.last.skipped(SkipReason.OPTED_OUT)).isEqualTo(1);

            List<Op> later =
                    user.apply(
                            batch("7", CUSTOMER, "{\"plan\":\"x\"}", customEvent("later", "s3")));
            assertThat(later).isEmpty();
            assertThat(user.last.skipped(SkipReason.OPTED_OUT)).isEqualTo(1);
            assertThat(user.last.skipped(SkipReason.PROFILE_OPTED_OUT)).isEqualTo(1);
        }

        @Test
        void anOptInResumesForwardingWithoutResubscribingByDefault() {
            User user = new User();
            user.apply(batch("7", CUSTOMER, null, optOut(true)));
            List<Op> ops =
                    user.apply(
                            batch(
                                    "7",
                                    CUSTOMER,
                                    "{\"plan\":\"x\"}",
                                    optOut(false) + "," + customEvent("back", "s1")));

            assertThat(ops)
                    .extracting(Op::kind)
                    .containsExactly(OperationKind.IDENTIFY, OperationKind.EVENT);
            assertThat(ops.get(0).attributes().has("unsubscribed")).isFalse();
            assertThat(user.state.optedOut).isFalse();
        }

        @Test
        void resubscribeOnOptInSendsUnsubscribedFalse() {
            User user = new User(MappingSettings.defaults().withResubscribeOnOptIn(true));
            user.apply(batch("7", CUSTOMER, null, optOut(true)));
            List<Op> ops = user.apply(batch("7", CUSTOMER, null, optOut(false)));
            assertThat(ops)
                    .singleElement()
                    .satisfies(
                            op ->
                                    assertThat(op.attributes().get("unsubscribed").asBoolean())
                                            .isFalse());
        }

        @Test
        void aRepeatedOptOutSendsNothingNew() {
            User user = new User();
            user.apply(batch("7", CUSTOMER, null, optOut(true)));
            assertThat(user.apply(batch("7", CUSTOMER, null, optOut(true)))).isEmpty();
        }
    }

    @Nested
    class CreatedAt {

        private final MappingSettings createdAtOn =
                MappingSettings.defaults().withSendCreatedAt(true);

        /** Times are offsets from here: device times before 2000 are not first-seen times. */
        private static final long T0 = 1_700_000_000_000L;

        private static final long T0_SECONDS = T0 / 1000;

        private String deviceBatch(long batchTime, String platform, long eventTime, String smid) {
            return "{\"mpid\":7,\"timestamp_unixtime_ms\":"
                    + (T0 + batchTime)
                    + ",\"user_identities\":"
                    + CUSTOMER
                    + ",\"device_info\":{\"platform\":\""
                    + platform
                    + "\"},\"events\":["
                    + "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"e\",\"timestamp_unixtime_ms\":"
                    + (T0 + eventTime)
                    + ",\"source_message_id\":\""
                    + smid
                    + "\"}}]}";
        }

        private Long createdAt(List<Op> ops) {
            return ops.stream()
                    .filter(
                            op ->
                                    op.kind() == OperationKind.IDENTIFY
                                            && op.attributes().has("created_at"))
                    .map(op -> op.attributes().get("created_at").asLong())
                    .findFirst()
                    .orElse(null);
        }

        @Test
        void isOffByDefault() {
            assertThat(createdAt(new User().apply(Fixtures.text("ios-customer-and-email.json"))))
                    .isNull();
        }

        @Test
        void theFirstRunSignalIsTheFirstSeenTime() {
            List<Op> ops =
                    new User(createdAtOn).apply(Fixtures.text("ios-customer-and-email.json"));
            assertThat(createdAt(ops)).isEqualTo(1764320001L);
        }

        @Test
        void followsTheDeviceTypeLastSeenAndIsSentOnlyWhenItChanges() {
            User user = new User(createdAtOn);
            assertThat(createdAt(user.apply(deviceBatch(10_000_000, "iOS", 9_000_000, "a"))))
                    .isEqualTo(T0_SECONDS + 9_000L);
            // Same device, nothing new: no created_at, and no identify at all.
            assertThat(user.apply(deviceBatch(11_000_000, "iOS", 10_500_000, "b")))
                    .extracting(Op::kind)
                    .containsExactly(OperationKind.EVENT);
            // A second device type, first seen later: created_at follows it.
            assertThat(createdAt(user.apply(deviceBatch(20_000_000, "Android", 19_000_000, "c"))))
                    .isEqualTo(T0_SECONDS + 19_000L);
            // Back on iOS: created_at returns to iOS's first-seen time.
            assertThat(createdAt(user.apply(deviceBatch(30_000_000, "iOS", 29_000_000, "d"))))
                    .isEqualTo(T0_SECONDS + 9_000L);
            // A late batch from Android (older batch time) does not make Android the last seen.
            assertThat(createdAt(user.apply(deviceBatch(25_000_000, "Android", 18_000_000, "e"))))
                    .isNull();
            assertThat(user.devices)
                    .containsEntry("android", T0 + 18_000_000L)
                    .containsEntry("ios", T0 + 9_000_000L);
        }

        @Test
        void devicesAreTrackedBeforeTheUserHasAnIdentity() {
            User user = new User(createdAtOn);
            String anonymous =
                    "{\"mpid\":7,\"timestamp_unixtime_ms\":"
                            + (T0 + 5_000_000)
                            + ",\"device_info\":{\"platform\":\"web\"},"
                            + "\"events\":[{\"event_type\":\"session_start\",\"data\":{\"timestamp_unixtime_ms\":"
                            + (T0 + 4_000_000)
                            + "}}]}";
            assertThat(user.apply(anonymous)).isEmpty();
            assertThat(user.state).isNotNull();
            assertThat(createdAt(user.apply(deviceBatch(6_000_000, "web", 5_500_000, "x"))))
                    .isEqualTo(T0_SECONDS + 4_000L);
        }
    }

    @Nested
    class V1Requests {

        private final User user = new User(MappingSettings.defaults().withApiMode(ApiMode.V1));

        @Test
        void identifyAndEventPathsEncodeTheIdentifierAsOneSegment() {
            List<Op> ops =
                    user.apply(
                            batch("7", "{\"email\":\"a/b+c@x.io\"}", null, customEvent("A", "s1")));
            assertThat(ops.get(0).raw.method).isEqualTo("PUT");
            assertThat(ops.get(0).raw.path).isEqualTo("/api/v1/customers/a%2Fb%2Bc%40x.io");
            assertThat(ops.get(1).raw.method).isEqualTo("POST");
            assertThat(ops.get(1).raw.path).isEqualTo("/api/v1/customers/a%2Fb%2Bc%40x.io/events");
        }

        @Test
        void identifyValuesKeepTheirJsonTypes() {
            List<Op> ops =
                    user.apply(
                            batch(
                                    "7",
                                    CUSTOMER,
                                    "{\"price\":19.99,\"count\":3,\"vip\":true,\"tags\":[\"a\",\"b\"],\"big\":1e3}",
                                    null));
            JsonNode body = ops.get(0).body;
            assertThat(body.get("price").isNumber()).isTrue();
            assertThat(body.get("price").decimalValue()).isEqualByComparingTo("19.99");
            assertThat(body.get("count").isInt()).isTrue();
            assertThat(body.get("vip").isBoolean()).isTrue();
            assertThat(body.get("tags").toString()).isEqualTo("[\"a\",\"b\"]");
            assertThat(body.get("big").isNumber()).isTrue();
        }

        @Test
        void anIdThatAPathWouldReadAsAnEmailOrCioIdIsSentAsAV2Operation() {
            for (String id : new String[] {"ada@example.com", "cio_03000001", "CIO_x"}) {
                User v1 = new User(MappingSettings.defaults().withApiMode(ApiMode.V1));
                List<Op> ops =
                        v1.apply(
                                batch(
                                        "7",
                                        "{\"customer_id\":\"" + id + "\"}",
                                        null,
                                        customEvent("A", "s1")));
                assertThat(ops)
                        .as(id)
                        .allSatisfy(
                                op -> {
                                    assertThat(op.raw.method).isEqualTo("POST");
                                    assertThat(op.raw.path).isEqualTo("/api/v2/entity");
                                    assertThat(op.body.get("identifiers").get("id").asText())
                                            .isEqualTo(id);
                                });
                assertThat(v1.last.adjusted(Adjustment.V1_IDENTIFIER_SENT_AS_V2)).isEqualTo(2);
            }
            // An ordinary id, and an email addressed as one, keep the v1 path.
            User v1 = new User(MappingSettings.defaults().withApiMode(ApiMode.V1));
            assertThat(
                            v1.apply(batch("7", "{\"customer_id\":\"c-1\"}", null, null))
                                    .get(0)
                                    .raw
                                    .path)
                    .isEqualTo("/api/v1/customers/c-1");
        }

        @Test
        void screenViewsCarryTheTypeAndTheAnonymousIdTheDescriptionRequires() {
            List<Op> ops =
                    user.apply(
                            batch(
                                    "7",
                                    CUSTOMER,
                                    null,
                                    "{\"event_type\":\"screen_view\",\"data\":{\"screen_name\":\"Home\",\"custom_attributes\":{\"a\":1.5}}}"));
            JsonNode body = ops.get(1).body;
            assertThat(body.get("type").asText()).isEqualTo("screen");
            assertThat(body.get("anonymous_id").asText()).isEqualTo("7");
            assertThat(body.get("data").get("a").isDouble()).isTrue();
        }

        @Test
        void emailAttachIsTheIdField() {
            user.apply(batch("7", "{\"email\":\"u@x.io\"}", null, null));
            List<Op> ops = user.apply(batch("7", CUSTOMER, null, null));
            assertThat(ops.get(0).raw.path).isEqualTo("/api/v1/customers/u%40x.io");
            assertThat(ops.get(0).body.get("id").asText()).isEqualTo("c-1");
        }
    }

    /**
     * JSON can escape a lone UTF-16 surrogate (JavaScript makes one when it cuts a string inside an
     * emoji); no UTF-8 can carry it. It arrives as U+FFFD, in every API mode.
     */
    @Nested
    class UnpairedSurrogates {

        private static final String LIST_WITH_LONE_HIGH = "{\"tags\":[\"ok\",\"cut \\ud83d\"]}";

        @ParameterizedTest
        @EnumSource(ApiMode.class)
        void aListAttributeWithALoneSurrogateIsSentWithTheReplacementCharacter(ApiMode mode) {
            User user = new User(MappingSettings.defaults().withApiMode(mode));
            List<Op> ops = user.apply(batch("7", CUSTOMER, LIST_WITH_LONE_HIGH, null));

            JsonNode tags = ops.get(0).attributes().get("tags");
            assertThat(tags.toString()).isEqualTo("[\"ok\",\"cut \uFFFD\"]");
        }

        @ParameterizedTest
        @EnumSource(ApiMode.class)
        void anEventPropertyObjectWithALoneSurrogateIsSent(ApiMode mode) {
            User user = new User(MappingSettings.defaults().withApiMode(mode));
            List<Op> ops =
                    user.apply(
                            batch(
                                    "7",
                                    CUSTOMER,
                                    null,
                                    "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"e\\udc00\","
                                        + "\"custom_attributes\":{\"o\":{\"k\":\"\\udc00z\"}}}}"));

            Op event = ops.get(1);
            assertThat(event.name()).isEqualTo("e\uFFFD");
            assertThat(event.attributes().get("o").get("k").asText()).isEqualTo("\uFFFDz");
        }

        @Test
        void aV1PathNeverTurnsALoneSurrogateIntoAQuestionMark() {
            // "victim\ud800" must not become the identifier "victim?" of another person.
            User user = new User(MappingSettings.defaults().withApiMode(ApiMode.V1));
            List<Op> ops =
                    user.apply(batch("7", "{\"customer_id\":\"victim\\ud800\"}", null, null));
            assertThat(ops.get(0).raw.path).isEqualTo("/api/v1/customers/victim%EF%BF%BD");
        }
    }

    /**
     * Every Customer.io limit at its exact size and one byte over, in both API modes where they
     * apply; sizes in UTF-8 bytes, with multi-byte characters where they change the count.
     */
    @Nested
    class LimitsAtAndBeyond {

        private String customEventWithData(String smid, String dataValue) {
            return "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"big\",\"source_message_id\":\""
                    + smid
                    + "\",\"custom_attributes\":{\"k\":\""
                    + dataValue
                    + "\"}}}";
        }

        @ParameterizedTest
        @EnumSource(ApiMode.class)
        void anIdentifierOf150BytesIsUsedAnd151IsNot(ApiMode mode) {
            String id150 = "é".repeat(75); // 150 bytes, 75 characters
            String id151 = "é".repeat(75) + "a";
            User user = new User(MappingSettings.defaults().withApiMode(mode));
            List<Op> ops =
                    user.apply(batch("7", "{\"customer_id\":\"" + id150 + "\"}", null, null));
            assertThat(ops).hasSize(1);
            assertThat(user.last.skipped(SkipReason.IDENTIFIER_TOO_LONG)).isZero();

            User other = new User(MappingSettings.defaults().withApiMode(mode));
            assertThat(other.apply(batch("8", "{\"customer_id\":\"" + id151 + "\"}", null, null)))
                    .isEmpty();
            assertThat(other.last.skipped(SkipReason.IDENTIFIER_TOO_LONG)).isEqualTo(1);
            assertThat(other.last.skipped(SkipReason.NO_IDENTITY)).isEqualTo(1);

            String email150 = "e".repeat(138) + "@example.com";
            User byEmail = new User(MappingSettings.defaults().withApiMode(mode));
            assertThat(byEmail.apply(batch("9", "{\"email\":\"" + email150 + "\"}", null, null)))
                    .hasSize(1);
            User tooLong = new User(MappingSettings.defaults().withApiMode(mode));
            tooLong.apply(batch("10", "{\"email\":\"e" + email150 + "\"}", null, null));
            assertThat(tooLong.last.skipped(SkipReason.IDENTIFIER_TOO_LONG)).isEqualTo(1);
        }

        @Test
        void multiByteAttributeNamesAndValuesAtAndOverTheirLimits() {
            String name150 = "é".repeat(75);
            String name151 = "é".repeat(75) + "n";
            String emoji1000 = "😀".repeat(250);
            String emoji1001 = "😀".repeat(250) + "v";
            String accents1001 = "é".repeat(500) + "v";
            User user = new User();
            List<Op> ops =
                    user.apply(
                            batch(
                                    "7",
                                    CUSTOMER,
                                    "{\""
                                            + name150
                                            + "\":1,\""
                                            + name151
                                            + "\":1,\"e1000\":\""
                                            + emoji1000
                                            + "\",\"e1001\":\""
                                            + emoji1001
                                            + "\",\"a1001\":\""
                                            + accents1001
                                            + "\"}",
                                    null));
            JsonNode attributes = ops.get(0).attributes();
            assertThat(attributes.has(name150)).isTrue();
            assertThat(attributes.has(name151)).isFalse();
            assertThat(attributes.get("e1000").asText()).isEqualTo(emoji1000);
            assertThat(attributes.has("e1001")).isFalse();
            assertThat(attributes.has("a1001")).isFalse();
            assertThat(user.last.skipped(SkipReason.ATTRIBUTE_NAME_TOO_LONG)).isEqualTo(1);
            assertThat(user.last.skipped(SkipReason.ATTRIBUTE_VALUE_TOO_LONG)).isEqualTo(2);
        }

        @ParameterizedTest
        @EnumSource(ApiMode.class)
        void twoHundredNinetyEightAttributesAreKeptAndTheNextIsLeftOut(ApiMode mode) {
            // The email counts as one of them.
            for (int attributes : new int[] {297, 298}) {
                StringBuilder attrs = new StringBuilder("{");
                for (int i = 0; i < attributes; i++) {
                    attrs.append(i == 0 ? "" : ",").append("\"a").append(i).append("\":").append(i);
                }
                attrs.append('}');
                User user = new User(MappingSettings.defaults().withApiMode(mode));
                List<Op> ops = user.apply(batch("7", CUSTOMER, attrs.toString(), null));

                int v1Timestamp = mode == ApiMode.V1 ? 1 : 0;
                assertThat(ops).singleElement();
                assertThat(ops.get(0).attributes().size()).isEqualTo(298 + v1Timestamp);
                assertThat(user.last.skipped(SkipReason.ATTRIBUTE_LIMIT))
                        .isEqualTo(attributes - 297);
            }
        }

        @Test
        void removalsBeyondAFullProfileGoInASecondIdentify() {
            StringBuilder attrs = new StringBuilder("{");
            for (int i = 0; i < 297; i++) {
                attrs.append(i == 0 ? "" : ",").append("\"a").append(i).append("\":").append(i);
            }
            attrs.append('}');
            String json =
                    "{\"mpid\":7,\"timestamp_unixtime_ms\":1764320400500,\"user_identities\":"
                            + CUSTOMER
                            + ",\"user_attributes\":"
                            + attrs
                            + ",\"deleted_user_attributes\":[\"x1\",\"x2\",\"x3\",\"x4\"]}";
            List<Op> ops = new User().apply(json);
            // 298 profile fields and 4 removals: no call holds more than 300.
            assertThat(ops).hasSize(2);
            assertThat(ops.get(0).attributes().size()).isEqualTo(300);
            assertThat(ops.get(1).attributes().size()).isEqualTo(2);
            assertThat(ops.get(1).attributes().get("x4").asText()).isEmpty();
        }

        @Test
        void anEventNameOf101BytesEndingInAnEmojiIsRejected() {
            String name101 = "a" + "😀".repeat(25);
            User user = new User();
            assertThat(user.apply(batch("7", CUSTOMER, null, customEvent(name101, "s1"))))
                    .extracting(Op::kind)
                    .containsExactly(OperationKind.IDENTIFY);
            assertThat(user.last.rejections())
                    .singleElement()
                    .satisfies(
                            r -> {
                                assertThat(r.reason())
                                        .isEqualTo(DeadLetterReason.EVENT_NAME_TOO_LONG);
                                assertThat(r.detail()).contains("101 bytes");
                            });
        }

        @Test
        void eventDataOfExactly100000BytesIsSentInV1AndOneMoreIsRejected() {
            // The data object {"k":"…"} is 8 bytes around the value.
            User ok = new User(MappingSettings.defaults().withApiMode(ApiMode.V1));
            List<Op> ops =
                    ok.apply(
                            batch(
                                    "7",
                                    CUSTOMER,
                                    null,
                                    customEventWithData("s1", "d".repeat(99_992))));
            assertThat(ops)
                    .extracting(Op::kind)
                    .containsExactly(OperationKind.IDENTIFY, OperationKind.EVENT);
            assertThat(ops.get(1).attributes().toString()).hasSize(100_000);

            User over = new User(MappingSettings.defaults().withApiMode(ApiMode.V1));
            over.apply(batch("7", CUSTOMER, null, customEventWithData("s1", "d".repeat(99_993))));
            assertThat(over.last.rejections())
                    .singleElement()
                    .satisfies(
                            r ->
                                    assertThat(r.reason())
                                            .isEqualTo(DeadLetterReason.EVENT_DATA_TOO_LARGE));

            // In v2 the same event is first too large as an operation (32 KB).
            User v2 = new User();
            v2.apply(batch("7", CUSTOMER, null, customEventWithData("s1", "d".repeat(99_992))));
            assertThat(v2.last.rejections())
                    .singleElement()
                    .satisfies(
                            r ->
                                    assertThat(r.reason())
                                            .isEqualTo(DeadLetterReason.OPERATION_TOO_LARGE));
            v2.apply(batch("7", CUSTOMER, null, customEventWithData("s2", "d".repeat(99_993))));
            assertThat(v2.last.rejections())
                    .singleElement()
                    .satisfies(
                            r ->
                                    assertThat(r.reason())
                                            .isEqualTo(DeadLetterReason.EVENT_DATA_TOO_LARGE));
        }

        @Test
        void aV2EventOperationOfExactly32KbIsSentAndOneByteMoreIsRejected() {
            User probe = new User();
            int probeLength = 1_000;
            List<Op> sized =
                    probe.apply(
                            batch(
                                    "7",
                                    CUSTOMER,
                                    null,
                                    customEventWithData("s1", "d".repeat(probeLength))));
            int exact = probeLength + (32 * 1024 - sized.get(1).raw.body.length);

            User ok = new User();
            List<Op> ops =
                    ok.apply(
                            batch(
                                    "7",
                                    CUSTOMER,
                                    null,
                                    customEventWithData("s1", "d".repeat(exact))));
            assertThat(ops).hasSize(2);
            assertThat(ops.get(1).raw.body).hasSize(32 * 1024);

            User over = new User();
            over.apply(
                    batch("7", CUSTOMER, null, customEventWithData("s1", "d".repeat(exact + 1))));
            assertThat(over.last.rejections())
                    .singleElement()
                    .satisfies(
                            r -> {
                                assertThat(r.reason())
                                        .isEqualTo(DeadLetterReason.OPERATION_TOO_LARGE);
                                assertThat(r.detail()).contains(Integer.toString(32 * 1024 + 1));
                            });
        }

        @Test
        void aV2IdentifyOfExactly32KbIsOneOperationAndOneByteMoreIsSplit() {
            // 32 values of 990 bytes and a short one: one identify just under 32 KB.
            int[] lengths = new int[33];
            java.util.Arrays.fill(lengths, 990);
            lengths[32] = 100;
            List<Op> probe = new User().apply(batch("7", CUSTOMER, attributes(lengths), null));
            assertThat(probe).singleElement();
            lengths[32] += 32 * 1024 - probe.get(0).raw.body.length;
            assertThat(lengths[32]).isBetween(101, 1000);

            List<Op> exact = new User().apply(batch("7", CUSTOMER, attributes(lengths), null));
            assertThat(exact)
                    .singleElement()
                    .satisfies(op -> assertThat(op.raw.body).hasSize(32 * 1024));

            lengths[32]++;
            List<Op> over = new User().apply(batch("7", CUSTOMER, attributes(lengths), null));
            assertThat(over).hasSize(2);
            assertThat(over)
                    .allSatisfy(
                            op -> assertThat(op.raw.body.length).isLessThanOrEqualTo(32 * 1024));
            assertThat(over.stream().mapToInt(op -> op.attributes().size()).sum()).isEqualTo(34);
        }

        private String attributes(int[] lengths) {
            StringBuilder attrs = new StringBuilder("{");
            for (int i = 0; i < lengths.length; i++) {
                attrs.append(i == 0 ? "" : ",")
                        .append("\"a")
                        .append(i < 10 ? "0" : "")
                        .append(i)
                        .append("\":\"")
                        .append("x".repeat(lengths[i]))
                        .append('"');
            }
            return attrs.append('}').toString();
        }
    }

    @Test
    void aReplayedBatchRepeatsIdsAndSendsNoIdentify() {
        User user = new User();
        String json = Fixtures.text("ios-customer-and-email.json");
        List<Op> first = user.apply(json);
        List<Op> replay = user.apply(json);

        assertThat(replay)
                .extracting(Op::kind)
                .containsExactly(OperationKind.SCREEN, OperationKind.EVENT);
        assertThat(replay)
                .extracting(op -> op.raw.eventId)
                .containsExactly(first.get(1).raw.eventId, first.get(2).raw.eventId);
    }

    @Test
    void aUserNeverForwardedLeavesNoState() {
        User user = new User();
        user.apply(Fixtures.text("no-usable-identity.json"));
        assertThat(user.last.state()).isNull();
    }

    @Test
    void operationsCarryTheirOriginForDeadLetters() {
        User user = new User();
        user.apply(Fixtures.text("ios-customer-and-email.json"));
        assertThat(user.last.operations())
                .allSatisfy(
                        op -> {
                            assertThat(op.userKey).isEqualTo("8315498751227740121");
                            assertThat(op.mpid).isEqualTo("8315498751227740121");
                        });
    }
}
