package dev.cioforwarder.mapping;

import static dev.cioforwarder.mapping.MappingTestSupport.Batch.batch;
import static dev.cioforwarder.mapping.MappingTestSupport.Batch.customer;
import static dev.cioforwarder.mapping.MappingTestSupport.T;
import static dev.cioforwarder.mapping.MappingTestSupport.quote;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.customerio.Ulid;
import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.mapping.MappingTestSupport.Batch;
import dev.cioforwarder.mapping.MappingTestSupport.Events;
import dev.cioforwarder.mapping.MappingTestSupport.Op;
import dev.cioforwarder.mapping.MappingTestSupport.User;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Custom events and screen views as Customer.io events. */
class EventMappingTest {

    private static final MappingSettings V1 = MappingSettings.defaults().withApiMode(ApiMode.V1);

    /** The operations of one batch of the customer with these events, after their identify. */
    private static List<Op> eventsOf(MappingSettings settings, String... events) {
        List<Op> ops = new User(settings).apply(customer().events(events));
        assertThat(ops.get(0).kind()).isEqualTo(OperationKind.IDENTIFY);
        return ops.subList(1, ops.size());
    }

    private static List<Op> eventsOf(String... events) {
        return eventsOf(MappingSettings.defaults(), events);
    }

    @Nested
    class Names {

        static Stream<Arguments> names() {
            return Stream.of(
                    Arguments.of("Add To Cart", "Add_To_Cart"),
                    Arguments.of("  Add To Cart ", "Add_To_Cart"),
                    Arguments.of("Add  To   Cart", "Add__To___Cart"),
                    Arguments.of("\tSearch\n", "Search"),
                    Arguments.of("already_snake", "already_snake"),
                    Arguments.of("Ünïcödé Nämé", "Ünïcödé_Nämé"));
        }

        @ParameterizedTest(name = "{0} → {1}")
        @MethodSource("names")
        void areTrimmedAndEverySpaceBecomesAnUnderscore(String raw, String sent) {
            List<Op> ops =
                    eventsOf(
                            Events.custom(raw, T - 1_000, "s1"),
                            Events.screen(raw, null, T - 1_000, "s2"));
            assertThat(ops).extracting(Op::name).containsExactly(sent, sent);
        }

        static Stream<Arguments> rejected() {
            return Stream.of(
                    Arguments.of("", DeadLetterReason.EVENT_NAME_EMPTY),
                    Arguments.of("   ", DeadLetterReason.EVENT_NAME_EMPTY),
                    Arguments.of("\t\n", DeadLetterReason.EVENT_NAME_EMPTY),
                    Arguments.of("a".repeat(101), DeadLetterReason.EVENT_NAME_TOO_LONG),
                    Arguments.of(" " + "a".repeat(101) + " ", DeadLetterReason.EVENT_NAME_TOO_LONG),
                    Arguments.of("é".repeat(51), DeadLetterReason.EVENT_NAME_TOO_LONG),
                    Arguments.of("a" + "😀".repeat(25), DeadLetterReason.EVENT_NAME_TOO_LONG));
        }

        @ParameterizedTest
        @MethodSource("rejected")
        void anEmptyOrOver100ByteNameIsDeadLetteredNeverTruncated(
                String name, DeadLetterReason reason) {
            for (String event :
                    List.of(
                            Events.custom(name, T - 1_000, "s1"),
                            Events.screen(name, null, T - 1_000, "s1"))) {
                User user = new User();
                List<Op> ops = user.apply(customer().events(event));
                assertThat(ops).extracting(Op::kind).containsExactly(OperationKind.IDENTIFY);
                assertThat(user.last.rejections())
                        .singleElement()
                        .satisfies(
                                r -> {
                                    assertThat(r.reason()).isEqualTo(reason);
                                    assertThat(r.eventJson()).contains("\"position\":0");
                                });
            }
        }

        static Stream<String> upTo100Bytes() {
            return Stream.of("a", "a".repeat(100), "😀".repeat(25), "é".repeat(50));
        }

        @ParameterizedTest
        @MethodSource("upTo100Bytes")
        void aNameOfUpTo100BytesIsSent(String name) {
            assertThat(eventsOf(Events.custom(name, T, "s1"), Events.screen(name, null, T, "s2")))
                    .extracting(Op::name)
                    .containsExactly(name, name);
        }
    }

    @Nested
    class ScreenViews {

        static Stream<Arguments> screens() {
            return Stream.of(
                    Arguments.of("named", "Home", null, true, null),
                    Arguments.of("an activity started", "Home", "activity_started", true, null),
                    Arguments.of(
                            "an activity stopped",
                            "Home",
                            "activity_stopped",
                            false,
                            SkipReason.SCREEN_EXIT),
                    Arguments.of(
                            "without a name", null, null, false, SkipReason.SCREEN_NAME_MISSING),
                    Arguments.of(
                            "without a name, activity started",
                            null,
                            "activity_started",
                            false,
                            SkipReason.SCREEN_NAME_MISSING));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("screens")
        void aScreenViewIsAScreenUnlessItHasNoNameOrRecordsLeavingIt(
                String what, String name, String activity, boolean sent, SkipReason reason) {
            User user = new User();
            List<Op> ops = user.apply(customer().events(Events.screen(name, activity, T, "s1")));
            if (sent) {
                assertThat(ops)
                        .extracting(Op::kind)
                        .containsExactly(OperationKind.IDENTIFY, OperationKind.SCREEN);
                assertThat(ops.get(1).body.get("action").asText()).isEqualTo("screen");
                assertThat(user.last.screensForwarded()).isEqualTo(1);
            } else {
                assertThat(ops).extracting(Op::kind).containsExactly(OperationKind.IDENTIFY);
                // Specified behaviour, not an error: counted, not dead-lettered.
                assertThat(user.last.rejections()).isEmpty();
            }
            for (SkipReason r : SkipReason.values()) {
                assertThat(user.last.skipped(r)).as(r.code()).isEqualTo(r == reason ? 1 : 0);
            }
        }
    }

    @Nested
    class RoutingProperties {

        static Stream<Arguments> properties() {
            return Stream.of(
                    Arguments.of(
                            false,
                            "{\"recipient\":\"a@x.io\",\"from_address\":\"b@x.io\",\"reply_to\":\"c@x.io\",\"sku\":\"A\"}",
                            "{\"mp_recipient\":\"a@x.io\",\"mp_from_address\":\"b@x.io\",\"mp_reply_to\":\"c@x.io\",\"sku\":\"A\"}",
                            3),
                    Arguments.of(
                            true,
                            "{\"recipient\":\"a@x.io\",\"from_address\":\"b@x.io\",\"reply_to\":\"c@x.io\",\"sku\":\"A\"}",
                            "{\"recipient\":\"a@x.io\",\"from_address\":\"b@x.io\",\"reply_to\":\"c@x.io\",\"sku\":\"A\"}",
                            0),
                    // The app's own mp_ property stands; the routing one is dropped, still counted.
                    Arguments.of(
                            false,
                            "{\"recipient\":\"a@x.io\",\"mp_recipient\":\"app\"}",
                            "{\"mp_recipient\":\"app\"}",
                            1),
                    Arguments.of(
                            false,
                            "{\"mp_recipient\":\"app\",\"recipient\":\"a@x.io\"}",
                            "{\"mp_recipient\":\"app\"}",
                            1),
                    // Names are exact: these route nothing.
                    Arguments.of(
                            false,
                            "{\"Recipient\":\"a\",\"recipients\":\"b\",\"reply-to\":\"c\"}",
                            "{\"Recipient\":\"a\",\"recipients\":\"b\",\"reply-to\":\"c\"}",
                            0));
        }

        @ParameterizedTest(name = "allowed={0}: {1}")
        @MethodSource("properties")
        void messageRoutingPropertiesAreRenamedUnlessAllowed(
                boolean allowed, String properties, String sent, int renamed) {
            MappingSettings settings =
                    MappingSettings.defaults().toBuilder()
                            .allowMessageRoutingProperties(allowed)
                            .build();
            User user = new User(settings);
            List<Op> ops =
                    user.apply(
                            customer()
                                    .events(
                                            Events.custom("e", T, "s1", properties),
                                            "{\"event_type\":\"screen_view\",\"data\":{\"screen_name\":\"S\","
                                                + "\"custom_attributes\":"
                                                    + properties
                                                    + "}}"));
            assertThat(ops.subList(1, 3))
                    .allSatisfy(op -> assertThat(op.attributes().toString()).isEqualTo(sent));
            assertThat(user.last.adjusted(Adjustment.EVENT_PROPERTY_RENAMED))
                    .isEqualTo(2 * renamed);
        }
    }

    @Nested
    class Ids {

        static Stream<Arguments> sameEvent() {
            return Stream.of(
                    Arguments.of(
                            "source_message_id",
                            (Supplier<Batch>)
                                    () -> customer().events(Events.custom("A", T - 1, "smid-1"))),
                    Arguments.of(
                            "event_id",
                            (Supplier<Batch>)
                                    () ->
                                            customer()
                                                    .events(
                                                            "{\"event_type\":\"custom_event\",\"data\":{"
                                                                + "\"event_name\":\"A\",\"event_id\":\"77\","
                                                                + "\"timestamp_unixtime_ms\":"
                                                                    + (T - 1)
                                                                    + "}}")),
                    Arguments.of(
                            "batch id and position",
                            (Supplier<Batch>)
                                    () ->
                                            customer()
                                                    .batchId("b-1")
                                                    .events(Events.custom("A", T - 1, null))),
                    Arguments.of(
                            "batch time and position",
                            (Supplier<Batch>)
                                    () -> customer().events(Events.custom("A", T - 1, null))));
        }

        @ParameterizedTest(name = "keyed by {0}")
        @MethodSource("sameEvent")
        void theSameEventAlwaysGetsTheSameUlidAndAnotherUserAnother(
                String key, Supplier<Batch> batch) {
            String first = new User().apply(batch.get()).get(1).raw.eventId;
            String replay = new User().apply(batch.get()).get(1).raw.eventId;
            String otherUser = new User().apply(batch.get().mpid("8")).get(1).raw.eventId;

            assertThat(replay).isEqualTo(first);
            assertThat(otherUser).isNotEqualTo(first);
            // The time part is the event time.
            assertThat(first.substring(0, 10))
                    .isEqualTo(new Ulid().of(T - 1, "x", "y").substring(0, 10));
        }

        static Stream<Arguments> replayed() {
            return Stream.of(
                    Arguments.of(
                            "source_message_id",
                            customer().events(Events.custom("A", T - 1, "s-1"))),
                    Arguments.of(
                            "source_message_id, no time anywhere",
                            customer().withoutTime().events(Events.custom("A", null, "s-1"))),
                    Arguments.of(
                            "batch id, no time anywhere",
                            customer()
                                    .withoutTime()
                                    .batchId("b-1")
                                    .events(Events.custom("A", null, null))),
                    Arguments.of("batch time", customer().events(Events.custom("A", null, null))),
                    Arguments.of(
                            "event time only",
                            customer().withoutTime().events(Events.custom("A", T - 1, null))),
                    Arguments.of(
                            "nothing but the event",
                            customer()
                                    .withoutTime()
                                    .events(
                                            Events.custom("A", null, null),
                                            Events.custom("A", null, null))));
        }

        /**
         * {@code scripts/dead-letters.sh replay} produces the same bytes again: a new offset and a
         * new record time. The ids must not change, or Customer.io would count the events twice.
         */
        @ParameterizedTest(name = "keyed by {0}")
        @MethodSource("replayed")
        void aBatchReplayedToTheTopicLaterGetsTheSameIds(String key, Batch batch) {
            List<String> first =
                    new User()
                            .apply(batch.json(), 1_764_400_000_000L).stream()
                                    .skip(1)
                                    .map(op -> op.raw.eventId)
                                    .toList();
            List<String> replay =
                    new User()
                            .apply(batch.json(), 1_764_999_999_999L).stream()
                                    .skip(1)
                                    .map(op -> op.raw.eventId)
                                    .toList();
            assertThat(first).isNotEmpty().doesNotContainNull().doesNotHaveDuplicates();
            assertThat(replay).isEqualTo(first);
        }

        /**
         * The ids of events keyed by an id or a batch time, pinned: an upgrade that changed them
         * would send a replay across it to Customer.io a second time.
         */
        @Test
        void idsKeyedByAnIdOrABatchTimeNeverChange() {
            String eventId =
                    "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"A\",\"event_id\":\"77\"}}";
            assertThat(eventsOf(Events.custom("A", T - 1, "s-1")).get(0).raw.eventId)
                    .isEqualTo(new Ulid().of(T - 1, "7", "smid:s-1"))
                    .isEqualTo("01KB4V1N3KJ1WTT4H1GJQEVTYD");
            assertThat(eventsOf(eventId).get(0).raw.eventId)
                    .isEqualTo(new Ulid().of(T, "7", "eid:77"));
            List<Op> batchId =
                    new User()
                            .apply(
                                    customer()
                                            .batchId("b-1")
                                            .events(Events.custom("A", null, null)));
            assertThat(batchId.get(batchId.size() - 1).raw.eventId)
                    .isEqualTo(new Ulid().of(T, "7", "batch:b-1#0"));
            assertThat(eventsOf(Events.custom("A", null, null)).get(0).raw.eventId)
                    .isEqualTo(new Ulid().of(T, "7", "batch:" + T + "#0"));
        }

        @Test
        void withoutAnyTimeTheIdsTimePartIsZeroAndTheEventStillHasTheRecordTime() {
            List<Op> ops =
                    new User()
                            .apply(
                                    customer()
                                            .withoutTime()
                                            .events(Events.custom("A", null, "s-1"))
                                            .json(),
                                    1_764_400_000_000L);
            Op event = ops.get(ops.size() - 1);
            assertThat(event.raw.eventId).isEqualTo(new Ulid().of(0, "7", "smid:s-1"));
            assertThat(event.raw.eventId).startsWith("0000000000");
            assertThat(event.timestamp()).isEqualTo(1_764_400_000L);
        }

        @Test
        void eventsOfOneBatchGetDistinctIds() {
            List<Op> ops =
                    eventsOf(
                            Events.custom("A", T, null),
                            Events.custom("A", T, null),
                            Events.custom("A", T, "s1"),
                            Events.custom("A", T, "s2"));
            assertThat(ops).extracting(op -> op.raw.eventId).doesNotHaveDuplicates().hasSize(4);
        }

        @Test
        void theTimeIsTheEventsOwnFlooredToSecondsElseTheBatchTime() {
            List<Op> ops =
                    eventsOf(
                            Events.custom("timed", 1_764_320_001_999L, "s1"),
                            Events.custom("untimed", null, "s2"));
            assertThat(ops.get(0).timestamp()).isEqualTo(1_764_320_001L);
            assertThat(ops.get(1).timestamp()).isEqualTo(T / 1000);
        }
    }

    @Nested
    class Sizes {

        /** A custom event whose data is {"k":"…"}: 8 bytes around the value. */
        private String eventWithData(int valueBytes) {
            return Events.custom("big", T, "s1", "{\"k\":" + quote("d".repeat(valueBytes)) + "}");
        }

        @Test
        void eventDataOfUpTo100000BytesIsSentAndMoreIsDeadLettered() {
            assertThat(eventsOf(V1, eventWithData(99_992))).hasSize(1);

            User over = new User(V1);
            over.apply(customer().events(eventWithData(99_993)));
            assertThat(over.last.rejections())
                    .singleElement()
                    .satisfies(
                            r -> {
                                assertThat(r.reason())
                                        .isEqualTo(DeadLetterReason.EVENT_DATA_TOO_LARGE);
                                assertThat(r.detail()).contains("100001 bytes");
                            });
        }

        @Test
        void aV2OperationOver32KbIsDeadLetteredWhereV1CarriesIt() {
            User v2 = new User();
            v2.apply(customer().events(eventWithData(40_000)));
            assertThat(v2.last.rejections())
                    .singleElement()
                    .satisfies(
                            r ->
                                    assertThat(r.reason())
                                            .isEqualTo(DeadLetterReason.OPERATION_TOO_LARGE));
            assertThat(eventsOf(V1, eventWithData(40_000))).hasSize(1);
        }

        @Test
        void aV1EventSentAsV2IsHeldToTheV2Limit() {
            User user = new User(V1);
            user.apply(batch().customerId("cio_x").events(eventWithData(40_000)));
            assertThat(user.last.rejections())
                    .singleElement()
                    .satisfies(
                            r ->
                                    assertThat(r.reason())
                                            .isEqualTo(DeadLetterReason.OPERATION_TOO_LARGE));
        }
    }

    @Nested
    class V1Addressing {

        static Stream<Arguments> identifiers() {
            return Stream.of(
                    Arguments.of(UserIdType.CUSTOMER_ID, "ada@example.com", true),
                    Arguments.of(UserIdType.CUSTOMER_ID, "cio_03000001", true),
                    Arguments.of(UserIdType.CUSTOMER_ID, "CIO_x", true),
                    Arguments.of(UserIdType.CUSTOMER_ID, "Cio_y", true),
                    Arguments.of(UserIdType.EMAIL, "cio_person@x.io", true),
                    Arguments.of(UserIdType.EMAIL, "CIO_person@x.io", true),
                    Arguments.of(UserIdType.CUSTOMER_ID, "c-1", false),
                    Arguments.of(UserIdType.CUSTOMER_ID, "cio-1", false),
                    Arguments.of(UserIdType.CUSTOMER_ID, "my_cio_1", false),
                    Arguments.of(UserIdType.EMAIL, "u@x.io", false));
        }

        @ParameterizedTest(name = "{0} {1} → v2: {2}")
        @MethodSource("identifiers")
        void anIdentifierAV1PathWouldMisreadGoesAsAV2OperationAndIsCounted(
                UserIdType type, String identifier, boolean asV2) {
            User user = new User(V1.withUserIdType(type));
            Batch batch =
                    type == UserIdType.EMAIL
                            ? batch().email(identifier)
                            : batch().customerId(identifier);
            List<Op> ops =
                    user.apply(
                            batch.events(
                                    Events.custom("A", T, "s1"),
                                    Events.screen("S", null, T, "s2")));

            assertThat(ops).hasSize(3);
            String kind = type == UserIdType.EMAIL ? "email" : "id";
            for (Op op : ops) {
                if (asV2) {
                    assertThat(op.raw.method).isEqualTo("POST");
                    assertThat(op.raw.path).isEqualTo("/api/v2/entity");
                    assertThat(op.person()).isEqualTo(kind + ":" + identifier);
                } else {
                    assertThat(op.raw.path).startsWith("/api/v1/customers/");
                }
            }
            assertThat(user.last.adjusted(Adjustment.V1_IDENTIFIER_SENT_AS_V2))
                    .isEqualTo(asV2 ? 3 : 0);
        }

        @ParameterizedTest
        @EnumSource(ApiMode.class)
        void customEventsAreEventsAndScreenViewsScreensInEitherMode(ApiMode mode) {
            List<Op> ops =
                    eventsOf(
                            MappingSettings.defaults().withApiMode(mode),
                            Events.custom("A", T, "s1", "{\"n\":1.5,\"s\":\"2\"}"),
                            Events.screen("S", null, T, "s2"));
            assertThat(ops)
                    .extracting(Op::kind)
                    .containsExactly(OperationKind.EVENT, OperationKind.SCREEN);
            assertThat(ops.get(0).attributes().get("n").isNumber()).isTrue();
            assertThat(ops.get(0).attributes().get("s").isTextual()).isTrue();
        }
    }
}
