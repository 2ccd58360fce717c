package dev.cioforwarder.mparticle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.json.ValueType;
import dev.cioforwarder.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BatchParserTest {

    private static final long RECORD_TIME = 1_700_000_000_000L;
    private final BatchParser parser = new BatchParser();

    private ParseResult parse(String json) {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8), RECORD_TIME);
    }

    private MParticleBatch accepted(String json) {
        ParseResult result = parse(json);
        assertThat(result.isRejected()).as("rejected: %s", result).isFalse();
        return result.batch();
    }

    @Test
    void readsTheIosFixtureCompletely() {
        ParseResult result =
                parser.parse(Fixtures.bytes("ios-customer-and-email.json"), RECORD_TIME);
        MParticleBatch batch = result.batch();

        assertThat(batch.hasMpid).isTrue();
        assertThat(batch.mpid).isEqualTo(8315498751227740121L);
        assertThat(batch.userKey).isEqualTo("8315498751227740121");
        assertThat(batch.timestampMs).isEqualTo(1764320400500L);
        assertThat(batch.batchId).isEqualTo("5541208831119043001");
        assertThat(batch.customerId).isEqualTo("cust-1001");
        assertThat(batch.email).isEqualTo("ada@example.com");
        assertThat(batch.platform).isEqualTo("iOS");
        assertThat(batch.applicationOs).isEqualTo("IOS");
        assertThat(batch.userAttributes.names)
                .containsExactly(
                        "$FirstName",
                        "$LastName",
                        "$City",
                        "plan",
                        "favourite_genres",
                        "lifetime_orders");
        assertThat(batch.userAttributes.type(4)).isEqualTo(ValueType.JSON);
        assertThat(batch.userAttributes.text(4)).isEqualTo("[\"jazz\",\"blues\"]");
        assertThat(batch.userAttributes.type(5)).isEqualTo(ValueType.NUMBER);
        assertThat(batch.userAttributes.text(5)).isEqualTo("12");
        assertThat(batch.deletedUserAttributes).isEmpty();
        // Every event time, for created_at; the first-run transition is kept as a FIRST_RUN.
        assertThat(batch.eventTimesMs)
                .containsExactly(1764320001000L, 1764320002250L, 1764320005999L, 1764320060000L);

        assertThat(batch.events).hasSize(3);
        MParticleEvent firstRun = batch.events.get(0);
        assertThat(firstRun.kind).isEqualTo(EventKind.FIRST_RUN);
        assertThat(firstRun.timestampMs).isEqualTo(1764320001000L);
        MParticleEvent screen = batch.events.get(1);
        assertThat(screen.kind).isEqualTo(EventKind.SCREEN_VIEW);
        assertThat(screen.name).isEqualTo("Home Screen");
        assertThat(screen.timestampMs).isEqualTo(1764320002250L);
        assertThat(screen.position).isEqualTo(1);
        assertThat(screen.dedupKey).isEqualTo("smid:0c1b7b3e-0e0a-4d55-8a53-6a8f0c9d1a02");
        assertThat(screen.attributes.names).containsExactly("referrer");

        MParticleEvent cart = batch.events.get(2);
        assertThat(cart.kind).isEqualTo(EventKind.CUSTOM_EVENT);
        assertThat(cart.name).isEqualTo("  Add To Cart ");
        assertThat(cart.attributes.text(1)).isEqualTo("19.99");
        assertThat(cart.attributes.type(1)).isEqualTo(ValueType.NUMBER);
        // Numbers in strings stay strings: "values as they are".
        assertThat(cart.attributes.type(2)).isEqualTo(ValueType.STRING);
        assertThat(cart.attributes.text(2)).isEqualTo("2");

        assertThat(result.notForwardedEventTypes())
                .containsExactly("application_state_transition", "session_end");
        assertThat(result.eventRejections()).isEmpty();
    }

    @Test
    void readsTheWebFixtureWithStringNumbersAndObjectIdentities() {
        MParticleBatch batch = accepted(Fixtures.text("web-email-only-string-numbers.json"));

        assertThat(batch.mpid).isEqualTo(264200868161219981L);
        assertThat(batch.timestampMs).isEqualTo(1764321000000L);
        assertThat(batch.customerId).isNull();
        assertThat(batch.email).isEqualTo("grace@example.org");
        assertThat(batch.platform).isEqualTo("web");
        assertThat(batch.events).extracting(e -> e.name).containsExactly("/pricing", "Signed Up");
        assertThat(batch.events.get(0).timestampMs).isEqualTo(1764320999000L);
        assertThat(batch.events.get(0).dedupKey).isEqualTo("eid:77120");
        assertThat(batch.events.get(0).attributes.size()).isZero();
    }

    @Test
    void readsNegativeMpidsExactly() {
        MParticleBatch batch = accepted(Fixtures.text("android-opt-out.json"));

        assertThat(batch.mpid).isEqualTo(-7636538281262557041L);
        assertThat(batch.events)
                .extracting(e -> e.kind)
                .containsExactly(EventKind.CUSTOM_EVENT, EventKind.OPT_OUT);
        assertThat(batch.events.get(1).optedOut).isTrue();
    }

    @Test
    void keepsAnEventlessBatchWithItsDeletedAttributes() {
        MParticleBatch batch = accepted(Fixtures.text("eventless-attribute-update.json"));

        assertThat(batch.events).isEmpty();
        assertThat(batch.deletedUserAttributes).containsExactly("favourite_genres");
        assertThat(batch.eventTimesMs).isEmpty();
    }

    @Test
    void mpidAtTheEdgesOfSixtyFourBits() {
        assertThat(accepted("{\"mpid\":9223372036854775807}").mpid).isEqualTo(Long.MAX_VALUE);
        assertThat(accepted("{\"mpid\":\"-9223372036854775808\"}").mpid).isEqualTo(Long.MIN_VALUE);
        assertThat(parse("{\"mpid\":9223372036854775808}").rejection())
                .isEqualTo(DeadLetterReason.MPID_INVALID);
        assertThat(parse("{\"mpid\":\"12x\"}").rejection())
                .isEqualTo(DeadLetterReason.MPID_INVALID);
        assertThat(parse("{\"mpid\":1.5}").rejection()).isEqualTo(DeadLetterReason.MPID_INVALID);
        assertThat(parse("{\"mpid\":[1]}").rejection()).isEqualTo(DeadLetterReason.MPID_INVALID);
    }

    @Test
    void digitsOfOtherScriptsAreNotAnMpidOrATime() {
        // Long.parseLong reads them: "١٢٣" (Arabic-Indic) and "１２３" (fullwidth) would be user 123.
        assertThat(parse("{\"mpid\":\"\u0661\u0662\u0663\"}").rejection())
                .isEqualTo(DeadLetterReason.MPID_INVALID);
        assertThat(parse("{\"mpid\":\"\uFF11\uFF12\uFF13\"}").rejection())
                .isEqualTo(DeadLetterReason.MPID_INVALID);
        assertThat(parse("{\"mpid\":1,\"timestamp_unixtime_ms\":\"\u0967\u0968\"}").rejection())
                .isEqualTo(DeadLetterReason.TIMESTAMP_INVALID);
        ParseResult event =
                parse(
                        "{\"mpid\":1,\"events\":[{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"a\","
                            + "\"timestamp_unixtime_ms\":\"\u0661\"}}]}");
        assertThat(event.eventRejections()).singleElement();
        assertThat(accepted("{\"mpid\":\"+42\"}").mpid).isEqualTo(42);
        assertThat(accepted("{\"mpid\":\" -42 \"}").mpid).isEqualTo(-42);
    }

    @Test
    void aBatchWithoutMpidIsKeyedByItsIdentity() {
        assertThat(accepted("{\"user_identities\":{\"customer_id\":\"c-1\"}}").userKey)
                .isEqualTo("customer_id:c-1");
        assertThat(accepted("{\"user_identities\":{\"email\":\"A@X.io\"}}").userKey)
                .isEqualTo("email:a@x.io");
        assertThat(accepted("{\"events\":[]}").userKey).isNull();
    }

    @Test
    void batchTimeFallsBackToTheRecordTime() {
        assertThat(accepted("{\"mpid\":1}").timestampMs).isEqualTo(RECORD_TIME);
        assertThat(accepted("{\"mpid\":1,\"timestamp_unixtime_ms\":null}").timestampMs)
                .isEqualTo(RECORD_TIME);
    }

    @Test
    void identityChangesAreKeptWithTheirTimeForTheRulesToWeigh() {
        MParticleBatch batch =
                accepted(
                        "{\"mpid\":5,\"user_identities\":[{\"identity_type\":\"email\",\"identity\":\"current@x.io\"}],\"events\":["
                            + "{\"event_type\":\"user_identity_change\",\"data\":{\"timestamp_unixtime_ms\":20,\"new\":{\"identity_type\":\"email\",\"identity\":\""
                            + " new@x.io \"},"
                            + "\"old\":{\"identity_type\":\"email\",\"identity\":\"old@x.io\"}}},"
                            + "{\"event_type\":\"user_identity_change\",\"data\":{\"timestamp_unixtime_ms\":15,"
                            + "\"new\":{\"identity_type\":\"customer_id\",\"identity\":null}}}]}");

        assertThat(batch.email).isEqualTo("current@x.io");
        assertThat(batch.customerId).isNull();
        assertThat(batch.events)
                .extracting(
                        e -> e.kind + " " + e.identityType + " " + e.identity + " " + e.timestampMs)
                .containsExactly(
                        "IDENTITY_CHANGE email new@x.io 20", "IDENTITY_CHANGE customer_id null 15");
    }

    @Test
    void aBatchWithoutMpidOrUserIdentitiesIsKeyedByTheIdentityItsChangesAnnounce() {
        MParticleBatch batch =
                accepted(
                        "{\"events\":[{\"event_type\":\"user_identity_change\",\"data\":{"
                            + "\"new\":{\"identity_type\":\"customerid\",\"identity\":\"c-9\"}}}]}");
        assertThat(batch.userKey).isEqualTo("customer_id:c-9");
        assertThat(batch.customerId).isNull();
    }

    @Test
    void blankIdentitiesAreAbsent() {
        MParticleBatch batch =
                accepted(
                        "{\"mpid\":5,\"user_identities\":{\"customer_id\":\"  \",\"email\":\"\"}}");
        assertThat(batch.customerId).isNull();
        assertThat(batch.email).isNull();
    }

    @Test
    void keepsPlatformAndOsAsSentForTheRulesToInterpret() {
        MParticleBatch both =
                accepted(
                        "{\"mpid\":1,\"device_info\":{\"platform\":\"SmartTV\"},"
                                + "\"application_info\":{\"os\":\"MobileWeb\"}}");
        assertThat(both.platform).isEqualTo("SmartTV");
        assertThat(both.applicationOs).isEqualTo("MobileWeb");
        assertThat(accepted("{\"mpid\":1,\"device_info\":null}").platform).isNull();
    }

    @Test
    void keepsPushTokensAndRegistrationsAsSentForTheRulesToInterpret() {
        MParticleBatch batch =
                accepted(
                        "{\"mpid\":1,\"device_info\":{\"platform\":\"iOS\",\"push_token\":\"apns-1\"},"
                            + "\"events\":["
                            + "{\"event_type\":\"push_registration\",\"data\":{\"register\":true,"
                            + "\"registration_token\":\"apns-2\"}},"
                            + "{\"event_type\":\"push_registration\",\"data\":{\"register\":\"false\","
                            + "\"registration_token\":\"apns-1\"}},"
                            + "{\"event_type\":\"uninstall\",\"data\":{}}]}");
        assertThat(batch.platform).isEqualTo("iOS");
        assertThat(batch.pushToken).isEqualTo("apns-1");
        assertThat(batch.events)
                .extracting(e -> e.kind)
                .containsExactly(
                        EventKind.PUSH_REGISTRATION,
                        EventKind.PUSH_REGISTRATION,
                        EventKind.UNINSTALL);
        assertThat(batch.events).extracting(e -> e.pushRegister).containsExactly(true, false, null);
        assertThat(batch.events)
                .extracting(e -> e.pushToken)
                .containsExactly("apns-2", "apns-1", null);
    }

    /** The device details of mParticle's Android sample (conformance corpus custom-event.json). */
    @Test
    void keepsTheDeviceDetailsOfABatchWithAPushToken() {
        MParticleBatch batch =
                accepted(
                        "{\"mpid\":1,\"device_info\":{\"platform\":\"Android\",\"os_version\":\"34\",\"device_model\":\"Pixel"
                            + " 8 Pro\",\"locale_language\":\"en\","
                            + "\"locale_country\":\"GB\",\"push_token\":\"fcm-1\"},"
                            + "\"application_info\":{\"application_version\":\"4.2.0\",\"os\":\"Android\"}}");
        assertThat(batch.osVersion).isEqualTo("34");
        assertThat(batch.deviceModel).isEqualTo("Pixel 8 Pro");
        assertThat(batch.localeLanguage).isEqualTo("en");
        assertThat(batch.localeCountry).isEqualTo("GB");
        assertThat(batch.applicationVersion).isEqualTo("4.2.0");
        assertThat(batch.applicationOs).isEqualTo("Android");

        // A registration event says something about a token too; a number is a detail as text.
        MParticleBatch registration =
                accepted(
                        "{\"mpid\":1,\"device_info\":{\"platform\":\"iOS\",\"os_version\":17.2},"
                                + "\"events\":[{\"event_type\":\"push_registration\",\"data\":"
                                + "{\"register\":true,\"registration_token\":\"apns-1\"}}]}");
        assertThat(registration.osVersion).isEqualTo("17.2");

        // Read again after the pass (only batches with push data pay for the strings): escapes,
        // spacing and a number at the object's end come out as in a single pass.
        MParticleBatch spaced =
                accepted(
                        "{\"mpid\":1,\"device_info\": { \"push_token\":\"t\", \"device_model\" : "
                            + " \"Pixel\\u00208\", \"locale_language\":\"en\\\"\", \"os_version\":"
                            + " 34 }}");
        assertThat(spaced.deviceModel).isEqualTo("Pixel 8");
        assertThat(spaced.localeLanguage).isEqualTo("en\"");
        assertThat(spaced.osVersion).isEqualTo("34");
    }

    @Test
    void deviceDetailsAreNotCarriedByABatchWithoutPushDataAndOddOnesAreNoDetails() {
        MParticleBatch noPush =
                accepted(
                        "{\"mpid\":1,\"device_info\":{\"platform\":\"Android\",\"os_version\":\"34\","
                            + "\"device_model\":\"Pixel\"},\"application_info\":"
                            + "{\"application_version\":\"4.2.0\"}}");
        assertThat(noPush.osVersion).isNull();
        assertThat(noPush.deviceModel).isNull();
        assertThat(noPush.applicationVersion).isNull();

        // Never read before device attributes: no value of them rejects a batch.
        ParseResult odd =
                parse(
                        "{\"mpid\":1,\"device_info\":{\"push_token\":\"t\",\"os_version\":{\"a\":1},\"device_model\":\""
                            + "  \",\"locale_language\":true,\"locale_country\":\""
                                + "x".repeat(MParticleBatch.MAX_DEVICE_DETAIL_CHARS + 1)
                                + "\"},\"application_info\":{\"application_version\":[1]}}");
        assertThat(odd.isRejected()).isFalse();
        assertThat(odd.batch().osVersion).isNull();
        assertThat(odd.batch().deviceModel).isNull();
        assertThat(odd.batch().localeLanguage).isNull();
        assertThat(odd.batch().localeCountry).isNull();
        assertThat(odd.batch().applicationVersion).isNull();
        assertThat(odd.batch().pushToken).isEqualTo("t");
    }

    @Test
    void pushFieldsOfAnotherTypeAreAbsentNotARejection() {
        // Read leniently: before push devices existed these members were never read, so no batch
        // or event that was accepted then may be refused now. The rules count what they skip.
        ParseResult result =
                parse(
                        "{\"mpid\":1,\"device_info\":{\"platform\":\"Android\",\"push_token\":{\"a\":1}},"
                            + "\"events\":["
                            + "{\"event_type\":\"push_registration\",\"data\":{\"register\":5,"
                            + "\"registration_token\":[\"x\"]}},"
                            + "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"a\","
                            + "\"register\":{},\"registration_token\":7}}]}");
        assertThat(result.isRejected()).isFalse();
        assertThat(result.eventRejections()).isEmpty();
        MParticleBatch batch = result.batch();
        assertThat(batch.pushToken).isNull();
        assertThat(batch.events.get(0).pushRegister).isNull();
        assertThat(batch.events.get(0).pushToken).isNull();
        assertThat(batch.events.get(1).kind).isEqualTo(EventKind.CUSTOM_EVENT);
        assertThat(accepted("{\"mpid\":1,\"device_info\":{\"push_token\":\"  \"}}").pushToken)
                .isNull();
    }

    @Test
    void keepsFirstRunSignalsAndEveryEventTime() {
        MParticleBatch batch =
                accepted(
                        "{\"mpid\":1,\"timestamp_unixtime_ms\":9000,\"events\":["
                            + "{\"event_type\":\"session_start\",\"data\":{\"timestamp_unixtime_ms\":5000}},"
                            + "{\"event_type\":\"first_run\",\"data\":{\"timestamp_unixtime_ms\":7000}},"
                            + "{\"event_type\":\"application_state_transition\",\"data\":{\"is_first_run\":false,\"timestamp_unixtime_ms\":8000}}]}");
        assertThat(batch.eventTimesMs).containsExactly(5000L, 7000L, 8000L);
        assertThat(batch.events).extracting(e -> e.kind).containsExactly(EventKind.FIRST_RUN);
        assertThat(batch.events.get(0).timestampMs).isEqualTo(7000);
    }

    @Test
    void eventsWithoutIdsGetStablePositionKeys() {
        String json =
                "{\"mpid\":1,\"batch_id\":\"b-7\",\"events\":["
                        + "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"a\"}},"
                        + "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"b\"}}]}";
        MParticleBatch first = accepted(json);
        MParticleBatch again = accepted(json);

        assertThat(first.events)
                .extracting(e -> e.dedupKey)
                .containsExactly("batch:b-7#0", "batch:b-7#1");
        assertThat(again.events)
                .extracting(e -> e.dedupKey)
                .containsExactlyElementsOf(first.events.stream().map(e -> e.dedupKey).toList());
    }

    @Test
    void withoutABatchIdTheBatchTimeAndPositionKeyAnEventAsBefore() {
        String json =
                "{\"mpid\":1,\"timestamp_unixtime_ms\":9000,\"events\":["
                        + "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"a\"}}]}";
        // The key events got before record times were kept out of it: ids must not change.
        for (long recordTime : new long[] {RECORD_TIME, RECORD_TIME + 60_000}) {
            MParticleBatch batch =
                    parser.parse(json.getBytes(StandardCharsets.UTF_8), recordTime).batch();
            assertThat(batch.events.get(0).dedupKey).isEqualTo("batch:9000#0");
            assertThat(batch.timestampFromRecord).isFalse();
        }
    }

    @Test
    void withoutAnyIdOrBatchTimeTheEventsOwnBytesKeyItNeverTheRecordTime() throws Exception {
        String a = "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"a\"}}";
        String b = "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"b\"}}";
        String json = "{\"mpid\":1,\"events\":[" + a + "," + a + "," + b + "]}";
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);

        MParticleBatch first = parser.parse(bytes, RECORD_TIME).batch();
        // The same bytes replayed to the topic: a new offset and a new record time.
        MParticleBatch replay = parser.parse(bytes, RECORD_TIME + 86_400_000).batch();

        assertThat(first.timestampFromRecord).isTrue();
        assertThat(first.timestampMs).isEqualTo(RECORD_TIME);
        assertThat(replay.events)
                .extracting(e -> e.dedupKey)
                .containsExactlyElementsOf(first.events.stream().map(e -> e.dedupKey).toList());
        assertThat(first.events)
                .extracting(e -> e.dedupKey)
                .allMatch(key -> key.matches("content:[0-9a-f]{32}#[0-9]+"))
                .doesNotHaveDuplicates()
                .noneMatch(key -> key.contains(Long.toString(RECORD_TIME)));
        // The same event at two positions: the same content, told apart by the position.
        assertThat(first.events.get(0).dedupKey.substring(0, 40))
                .isEqualTo(first.events.get(1).dedupKey.substring(0, 40));
        // The content is exactly the event's bytes, brace to brace: ids already in Customer.io
        // depend on it, so no version may hash other bytes.
        assertThat(first.events.get(0).dedupKey).isEqualTo("content:" + sha256Prefix(a) + "#0");
        assertThat(first.events.get(2).dedupKey).isEqualTo("content:" + sha256Prefix(b) + "#2");

        // Another event, or the same one in other whitespace, is another content; the events
        // around it keep their keys.
        String changed =
                "{\"mpid\":1,\"events\":[" + a + "," + a + ", " + b.replace("b", "c") + "]}";
        MParticleBatch other = accepted(changed);
        assertThat(other.events.get(0).dedupKey).isEqualTo(first.events.get(0).dedupKey);
        assertThat(other.events.get(1).dedupKey).isEqualTo(first.events.get(1).dedupKey);
        assertThat(other.events.get(2).dedupKey).isNotEqualTo(first.events.get(2).dedupKey);
    }

    @Test
    void theContentKeyIsTheEventsBytesWhereverTheEventStands() {
        String event = "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"a\"}}";
        MParticleBatch plain = accepted("{\"mpid\":1,\"events\":[" + event + "]}");
        MParticleBatch padded =
                accepted(
                        "{\"ip\":\"1.2.3.4\",\"events\":[ \n "
                                + event
                                + " ],\"mpid\":\"1\",\"user_attributes\":{\"x\":1}}");
        assertThat(padded.events.get(0).dedupKey).isEqualTo(plain.events.get(0).dedupKey);
        // A user tag or attribute outside the event never changes it, but the event's own time
        // does: it is part of the event.
        MParticleBatch timed =
                accepted(
                        "{\"mpid\":1,\"events\":["
                                + event.replace("}}", ",\"timestamp_unixtime_ms\":5}}")
                                + "]}");
        assertThat(timed.events.get(0).dedupKey).isNotEqualTo(plain.events.get(0).dedupKey);
    }

    @Test
    void sourceMessageIdWinsOverEventId() {
        MParticleBatch batch =
                accepted(
                        "{\"mpid\":1,\"events\":[{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"a\","
                            + "\"event_id\":123,\"source_message_id\":\"s-1\"}}]}");
        assertThat(batch.events.get(0).dedupKey).isEqualTo("smid:s-1");
    }

    @Test
    void unknownFieldsAndEventTypesAreIgnoredButCounted() {
        ParseResult result =
                parse(
                        "{\"mpid\":1,\"context\":{\"deep\":{\"er\":[1,2,{\"x\":null}]}},\"ip\":\"1.2.3.4\","
                            + "\"events\":[{\"event_type\":\"brand_new_type\",\"data\":{\"anything\":[1]}}]}");
        assertThat(result.isRejected()).isFalse();
        assertThat(result.batch().events).isEmpty();
        assertThat(result.notForwardedEventTypes()).containsExactly("brand_new_type");
    }

    @Test
    void nullPartsAreAbsentParts() {
        MParticleBatch batch =
                accepted(
                        "{\"mpid\":1,\"user_identities\":null,\"user_attributes\":null,"
                            + "\"deleted_user_attributes\":null,\"events\":null,\"device_info\":null}");
        assertThat(batch.userAttributes.size()).isZero();
        assertThat(batch.events).isEmpty();
    }

    @Test
    void aNullUserAttributeIsAUserTagAndANullEventAttributeIsSkipped() {
        MParticleBatch batch =
                accepted(
                        "{\"mpid\":1,\"user_attributes\":{\"vip\":null,\"b\":true},"
                            + "\"events\":[{\"event_type\":\"custom_event\",\"data\":"
                            + "{\"event_name\":\"e\",\"custom_attributes\":{\"x\":null,\"y\":1}}}]}");
        assertThat(batch.userAttributes.names).containsExactly("vip", "b");
        assertThat(batch.userAttributes.type(0)).isEqualTo(ValueType.NULL);
        assertThat(batch.userAttributes.type(1)).isEqualTo(ValueType.BOOLEAN);
        assertThat(batch.events.get(0).attributes.names).containsExactly("y");
    }

    @Test
    void userAttributeChangeValuesOfEveryTypeAreAccepted() {
        for (String value :
                new String[] {"\"Test value\"", "42", "true", "[\"a\",\"b\"]", "null"}) {
            ParseResult result =
                    parse(
                            "{\"mpid\":1,\"events\":[{\"event_type\":\"user_attribute_change\","
                                    + "\"data\":{\"user_attribute_name\":\"plan\",\"new\":"
                                    + value
                                    + ",\"old\":"
                                    + value
                                    + ",\"deleted\":false,\"is_new_attribute\":false}}]}");
            assertThat(result.eventRejections()).as("new = %s", value).isEmpty();
            assertThat(result.notForwardedEventTypes()).containsExactly("user_attribute_change");
        }
    }

    @Test
    void aUserIdentityChangeStillNeedsAnObjectAsNewWhateverTheMemberOrder() {
        ParseResult dataFirst =
                parse(
                        "{\"mpid\":1,\"events\":[{\"data\":{\"new\":\"x\"},"
                                + "\"event_type\":\"user_identity_change\"}]}");
        assertThat(dataFirst.eventRejections()).hasSize(1);
        assertThat(dataFirst.eventRejections().get(0).detail())
                .isEqualTo(
                        "events[0].data.new: expected an object, found a string (line 1, column 37,"
                                + " byte 36)");
    }

    @Test
    void optionalFieldsOfScreenViewsAndOptOutsMayBeMissing() {
        MParticleBatch batch =
                accepted(
                        "{\"mpid\":1,\"events\":[{\"event_type\":\"screen_view\",\"data\":{}},"
                            + "{\"event_type\":\"opt_out\",\"data\":{}},"
                            + "{\"event_type\":\"screen_view\",\"data\":{\"screen_name\":\"Cart\","
                            + "\"activity_type\":\"activity_stopped\"}}]}");
        assertThat(batch.events)
                .extracting(e -> e.kind)
                .containsExactly(EventKind.SCREEN_VIEW, EventKind.OPT_OUT, EventKind.SCREEN_VIEW);
        assertThat(batch.events.get(0).name).isNull();
        assertThat(batch.events.get(1).optedOut).isNull();
        assertThat(batch.events.get(2).activityType).isEqualTo("activity_stopped");
    }

    @Test
    void optOutAcceptsBooleanStrings() {
        MParticleBatch batch =
                accepted(
                        "{\"mpid\":1,\"events\":[{\"event_type\":\"opt_out\",\"data\":{\"is_opted_out\":\"false\"}}]}");
        assertThat(batch.events.get(0).optedOut).isFalse();
    }

    static Stream<Arguments> rejectedRecords() {
        return Stream.of(
                Arguments.of("", DeadLetterReason.EMPTY_RECORD),
                Arguments.of("   ", DeadLetterReason.INVALID_JSON),
                Arguments.of("[1,2]", DeadLetterReason.NOT_AN_OBJECT),
                Arguments.of("\"text\"", DeadLetterReason.NOT_AN_OBJECT),
                Arguments.of("42", DeadLetterReason.NOT_AN_OBJECT),
                Arguments.of("{\"mpid\":1", DeadLetterReason.INVALID_JSON),
                Arguments.of("{\"mpid\":1}{}", DeadLetterReason.INVALID_JSON),
                Arguments.of("{\"mpid\":1,\"mpid\":2}", DeadLetterReason.INVALID_JSON),
                Arguments.of("{mpid:1}", DeadLetterReason.INVALID_JSON),
                Arguments.of(
                        "{\"mpid\":1,\"timestamp_unixtime_ms\":\"soon\"}",
                        DeadLetterReason.TIMESTAMP_INVALID),
                Arguments.of(
                        "{\"mpid\":1,\"timestamp_unixtime_ms\":-5}",
                        DeadLetterReason.TIMESTAMP_INVALID),
                Arguments.of(
                        "{\"mpid\":1,\"user_identities\":\"x\"}",
                        DeadLetterReason.USER_IDENTITIES_INVALID),
                Arguments.of(
                        "{\"mpid\":1,\"user_identities\":[1]}",
                        DeadLetterReason.USER_IDENTITIES_INVALID),
                Arguments.of(
                        "{\"mpid\":1,\"user_attributes\":[]}",
                        DeadLetterReason.USER_ATTRIBUTES_INVALID),
                Arguments.of(
                        "{\"mpid\":1,\"deleted_user_attributes\":[1]}",
                        DeadLetterReason.DELETED_USER_ATTRIBUTES_INVALID),
                Arguments.of(
                        "{\"mpid\":1,\"device_info\":\"ios\"}",
                        DeadLetterReason.DEVICE_INFO_INVALID),
                Arguments.of(
                        "{\"mpid\":1,\"application_info\":5}",
                        DeadLetterReason.APPLICATION_INFO_INVALID),
                Arguments.of("{\"mpid\":1,\"events\":{}}", DeadLetterReason.EVENTS_INVALID));
    }

    @ParameterizedTest
    @MethodSource("rejectedRecords")
    void rejectsUnusableRecordsWithAPreciseReason(String json, DeadLetterReason reason) {
        ParseResult result = parse(json);
        assertThat(result.isRejected()).isTrue();
        assertThat(result.rejection()).isEqualTo(reason);
        assertThat(result.rejectionDetail()).isNotBlank();
    }

    @Test
    void detailsSayWhereTheProblemIs() {
        ParseResult result = parse("{\"mpid\":1,\n\"user_attributes\":[\"secret-value\"]}");
        assertThat(result.rejectionDetail())
                .startsWith("user_attributes: expected an object, found an array")
                .contains("line 2");
    }

    @Test
    void malformedUtf8IsInvalidJson() {
        byte[] bytes = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        ParseResult result = parser.parse(bytes, RECORD_TIME);
        assertThat(result.rejection()).isEqualTo(DeadLetterReason.INVALID_JSON);
    }

    static Stream<Arguments> invalidUtf8JacksonWouldDecode() {
        return Stream.of(
                Arguments.of("overlong NUL", new int[] {0xC0, 0x80}, "an overlong encoding"),
                Arguments.of("overlong slash", new int[] {0xC0, 0xAF}, "an overlong encoding"),
                Arguments.of(
                        "three-byte overlong",
                        new int[] {0xE0, 0x80, 0xAF},
                        "an overlong encoding"),
                Arguments.of(
                        "four-byte overlong",
                        new int[] {0xF0, 0x80, 0x80, 0xAF},
                        "an overlong encoding"),
                Arguments.of(
                        "encoded high surrogate",
                        new int[] {0xED, 0xA0, 0x80},
                        "a UTF-16 surrogate encoded in UTF-8"),
                Arguments.of(
                        "encoded surrogate pair",
                        new int[] {0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80},
                        "a UTF-16 surrogate encoded in UTF-8"),
                Arguments.of(
                        "above U+10FFFF",
                        new int[] {0xF4, 0x90, 0x80, 0x80},
                        "a code point above U+10FFFF"),
                Arguments.of(
                        "F5 lead",
                        new int[] {0xF5, 0x80, 0x80, 0x80},
                        "a byte that never appears in UTF-8"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidUtf8JacksonWouldDecode")
    void invalidUtf8ThatJacksonWouldDecodeIsInvalidJson(String name, int[] bad, String why) {
        byte[] prefix =
                "{\"mpid\":1,\"user_attributes\":{\"a\":\"".getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[prefix.length + bad.length + 3];
        System.arraycopy(prefix, 0, bytes, 0, prefix.length);
        for (int i = 0; i < bad.length; i++) {
            bytes[prefix.length + i] = (byte) bad[i];
        }
        bytes[bytes.length - 3] = '"';
        bytes[bytes.length - 2] = '}';
        bytes[bytes.length - 1] = '}';

        ParseResult result = parser.parse(bytes, RECORD_TIME);

        assertThat(result.rejection()).isEqualTo(DeadLetterReason.INVALID_JSON);
        assertThat(result.rejectionDetail())
                .isEqualTo("the record is not valid UTF-8: byte " + prefix.length + " is " + why);
    }

    @Test
    void utf16AndUtf32AreNotGuessedButRejected() {
        for (java.nio.charset.Charset charset :
                new java.nio.charset.Charset[] {
                    StandardCharsets.UTF_16LE,
                    StandardCharsets.UTF_16BE,
                    StandardCharsets.UTF_16,
                    java.nio.charset.Charset.forName("UTF-32LE")
                }) {
            ParseResult result = parser.parse("{\"mpid\":1}".getBytes(charset), RECORD_TIME);
            assertThat(result.rejection())
                    .as("%s", charset)
                    .isEqualTo(DeadLetterReason.INVALID_JSON);
            assertThat(result.rejectionDetail()).contains("not valid UTF-8");
        }
    }

    @Test
    void wellFormedMultiByteTextAndAByteOrderMarkAreAccepted() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] json =
                "{\"mpid\":1,\"user_attributes\":{\"a\":\"é€😀\uD7FF\uE000\uFFFD\"}}"
                        .getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[bom.length + json.length];
        System.arraycopy(bom, 0, bytes, 0, 3);
        System.arraycopy(json, 0, bytes, 3, json.length);
        MParticleBatch batch = parser.parse(bytes, RECORD_TIME).batch();
        assertThat(batch.userAttributes.text(0)).isEqualTo("é€😀\uD7FF\uE000\uFFFD");
    }

    @Test
    void unpairedSurrogateEscapesBecomeTheReplacementCharacterAndPairsStay() {
        MParticleBatch batch =
                accepted(
                        "{\"mpid\":1,\"user_identities\":{\"customer_id\":\"c\\ud800\"},"
                            + "\"user_attributes\":{\"k\\udfff\":\"\\ud83d\\ude00\\ude00\\ud83d\","
                            + "\"l\":[\"\\ud800x\"]},\"deleted_user_attributes\":[\"\\udc00\"],"
                            + "\"events\":[{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"\\ud83d\","
                            + "\"source_message_id\":\"s\\udbff\"}}]}");
        assertThat(batch.customerId).isEqualTo("c\uFFFD");
        assertThat(batch.userAttributes.name(0)).isEqualTo("k\uFFFD");
        assertThat(batch.userAttributes.text(0)).isEqualTo("😀\uFFFD\uFFFD");
        assertThat(batch.userAttributes.text(1)).isEqualTo("[\"\uFFFDx\"]");
        assertThat(batch.deletedUserAttributes).containsExactly("\uFFFD");
        assertThat(batch.events.get(0).name).isEqualTo("\uFFFD");
        assertThat(batch.events.get(0).dedupKey).isEqualTo("smid:s\uFFFD");
    }

    @Test
    void deepNestingIsRejectedWithoutAStackOverflow() {
        String deep = "{\"mpid\":1,\"context\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        ParseResult result = parse(deep);
        assertThat(result.rejection()).isEqualTo(DeadLetterReason.INVALID_JSON);
        assertThat(result.rejectionDetail()).contains("limit exceeded");
    }

    @Test
    void recordsOverTheSizeLimitAreRejectedBeforeParsing() {
        BatchParser small = new BatchParser(100);
        ParseResult result = small.parse(new byte[101], RECORD_TIME);
        assertThat(result.rejection()).isEqualTo(DeadLetterReason.RECORD_TOO_LARGE);
        assertThat(result.rejectionDetail()).contains("101").contains("100");
    }

    @Test
    void aMultiMegabyteBatchWithManyEventsParses() {
        StringBuilder json = new StringBuilder("{\"mpid\":7,\"events\":[");
        for (int i = 0; i < 20_000; i++) {
            if (i > 0) {
                json.append(',');
            }
            json.append("{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"e")
                    .append(i)
                    .append("\",\"custom_attributes\":{\"k\":\"")
                    .append("v".repeat(100))
                    .append("\"}}}");
        }
        json.append("]}");
        assertThat(json.length()).isGreaterThan(2_000_000);
        MParticleBatch batch = accepted(json.toString());
        assertThat(batch.events).hasSize(20_000);
    }

    @Test
    void aMalformedEventIsRejectedAloneAndTheRestOfTheBatchKept() {
        ParseResult result =
                parse(
                        "{\"mpid\":1,\"events\":["
                            + "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":{\"no\":1}}},"
                            + "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"good\"}},\"not"
                            + " an event\","
                            + "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"x\",\"custom_attributes\":\"str\"}},"
                            + "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"y\",\"timestamp_unixtime_ms\":true}},"
                            + "{\"event_type\":\"custom_event\",\"data\":{}},"
                            + "{\"data\":{\"event_name\":\"typeless\"}}]}");

        assertThat(result.isRejected()).isFalse();
        assertThat(result.batch().events).extracting(e -> e.name).containsExactly("good");
        assertThat(result.eventRejections())
                .extracting(EventRejection::position)
                .containsExactly(0, 2, 3, 4, 5, 6);
        assertThat(result.eventRejections())
                .allSatisfy(r -> assertThat(r.reason()).isEqualTo(DeadLetterReason.EVENT_INVALID));
        assertThat(result.eventRejections().get(0).detail())
                .startsWith("events[0].data.event_name: expected a string");
        assertThat(result.eventRejections().get(4).detail())
                .isEqualTo("events[5].data.event_name: missing");
    }

    @Test
    void jacksonsQuotesOfTheInputAreLeftOutOfDetails() {
        // An email whose quotes were lost is an "unrecognized token"; Jackson quotes it.
        assertThat(
                        parse("{\"mpid\":1,\"user_identities\":{\"email\":adaSecret@x.io}}")
                                .rejectionDetail())
                .startsWith("Unrecognized token (not quoted here): was expecting")
                .doesNotContain("adaSecret");
        assertThat(parse("{\"mpid\":1} trailingSecret").rejectionDetail())
                .doesNotContain("trailingSecret");
        // Any key of the payload can be duplicated; only the format's own names are named.
        assertThat(
                        parse(
                                        "{\"mpid\":1,\"user_attributes\":{\"ada@secret.io\":1,\"ada@secret.io\":2}}")
                                .rejectionDetail())
                .startsWith("Duplicate field (a key of the payload, not quoted here)")
                .doesNotContain("secret");
        assertThat(parse("{\"mpid\":1,\"mpid\":2}").rejectionDetail())
                .startsWith("Duplicate field 'mpid' (line 1");
    }

    @Test
    void anInboundIdentityIsNamedOnlyByAKnownType() {
        assertThat(parse("{\"mpid\":1,\"user_identities\":{\"email\":[\"a\"]}}").rejectionDetail())
                .startsWith("user_identities.email: expected a string, found an array");
        String key = "ada@secret.io".repeat(1_000);
        String detail =
                parse("{\"mpid\":1,\"user_identities\":{\"" + key + "\":{}}}").rejectionDetail();
        assertThat(detail)
                .startsWith("user_identities.(a member): expected a string, found an object")
                .doesNotContain("secret")
                .hasSizeLessThan(200);
    }

    @Test
    void aDecimalWhereAnIntegerBelongsIsCalledADecimal() {
        assertThat(parse("{\"mpid\":1.5}").rejectionDetail())
                .startsWith(
                        "mpid: expected an integer or a string of digits, found a decimal number");
        assertThat(parse("{\"mpid\":1,\"timestamp_unixtime_ms\":1.7e12}").rejectionDetail())
                .startsWith(
                        "timestamp_unixtime_ms: expected integer milliseconds as a number or a"
                                + " string, found a decimal number");
    }

    @Test
    void detailsNameEachLocationOnceAndWithoutJacksonsNoise() {
        assertThat(parse("{\"mpid\":1,\"events\":[").rejectionDetail())
                .isEqualTo(
                        "Unexpected end-of-input: expected close marker for Array (start marker at"
                                + " [line: 1, column: 20]) (line 1, column 21, byte 20)");
        ParseResult negative =
                parse(
                        "{\"mpid\":1,\"events\":[{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"x\","
                            + "\"timestamp_unixtime_ms\":-5}}]}");
        assertThat(negative.eventRejections().get(0).detail())
                .isEqualTo(
                        "events[0].data.timestamp_unixtime_ms: the time is outside 0 .. 2^48 ms"
                                + " (line 1, column 101, byte 100)");
    }

    @Test
    void rejectionDetailsNeverQuotePayloadValues() {
        ParseResult result =
                parse(
                        "{\"mpid\":1,\"user_identities\":[{\"identity_type\":\"email\",\"identity\":{\"x\":\"ada@secret.io\"}}]}");
        assertThat(result.rejectionDetail()).doesNotContain("ada@secret.io");
    }

    @Test
    void millionsOfMalformedEventsCostACounterNotMillionsOfObjects() {
        StringBuilder json = new StringBuilder("{\"mpid\":1,\"events\":[");
        for (int i = 0; i < 200_000; i++) {
            json.append(i == 0 ? "0" : ",0");
        }
        json.append(",{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"kept\"}}]}");
        ParseResult result = parse(json.toString());

        assertThat(result.batch().events).extracting(e -> e.name).containsExactly("kept");
        assertThat(result.eventRejectionCount()).isEqualTo(200_000);
        assertThat(result.eventRejections()).hasSize(ParseResult.MAX_DESCRIBED_EVENT_REJECTIONS);
        assertThat(result.eventRejectionSummary())
                .startsWith(
                        "200000 malformed events were dropped; the rest of the batch is forwarded:"
                                + " events[0]")
                .endsWith("; and 199980 more");
    }

    // Commerce events: every part optional, read leniently; the rules decide what they are.

    private static String commerceBatch(String data) {
        return "{\"mpid\":7,\"events\":[{\"event_type\":\"commerce_event\",\"data\":"
                + data
                + "}]}";
    }

    @Test
    void readsACommerceEventsPartsAsReceived() throws java.io.IOException {
        byte[] purchase;
        try (var in =
                BatchParserTest.class.getResourceAsStream(
                        "/mparticle/conformance/commerce-event-purchase.json")) {
            purchase = in.readAllBytes();
        }
        ParseResult result = parser.parse(purchase, RECORD_TIME);
        MParticleEvent event = result.batch().events.get(0);
        assertThat(event.kind).isEqualTo(EventKind.COMMERCE_EVENT);
        assertThat(event.dedupKey).isEqualTo("smid:a0edd872-5d25-4383-b65a-ae600a9dc658");
        assertThat(event.name).isEqualTo("eCommerce - Purchase");
        CommerceData c = event.commerce;
        assertThat(c.productAction).isEqualTo("purchase");
        // Nulls are left out; the rest keeps its JSON type and exact text.
        assertThat(c.actionFields.names)
                .containsExactly(
                        "checkout_step",
                        "transaction_id",
                        "total_amount",
                        "tax_amount",
                        "shipping_amount");
        assertThat(c.actionFields.type(3)).isEqualTo(ValueType.NUMBER);
        assertThat(c.actionFields.text(3)).isEqualTo("9.92");
        assertThat(c.currencyCode).isEqualTo("GBP");
        assertThat(c.products).singleElement();
        assertThat(c.products.get(0).names)
                .containsExactly(
                        "id",
                        "name",
                        "category",
                        "variant",
                        "position",
                        "price",
                        "quantity",
                        "total_product_amount",
                        "custom_attributes");
        assertThat(c.products.get(0).text(8)).isEqualTo("{\"material\":\"canvas\"}");
        assertThat(event.attributes.names).containsExactly("Transaction Id", "Total Amount");
        // Forwarded or not is the rules' decision (customerio.forward-commerce-events).
        assertThat(result.notForwardedEventTypes()).isEmpty();
    }

    @Test
    void commercePartsOfAnotherShapeAreLeftOutAndTheEventKept() {
        ParseResult result =
                new BatchParser()
                        .parse(
                                commerceBatch(
                                                "{\"product_action\":{\"action\":7,"
                                                        + "\"total_amount\":{},\"products\":"
                                                        + "{\"id\":1}},\"promotion_action\":\"x\","
                                                        + "\"product_impressions\":[1,null,"
                                                        + "{\"product_impression_list\":[],"
                                                        + "\"products\":\"none\"},{\"products\":"
                                                        + "[{\"id\":\"S\",\"attributes\":{\"a\":1},"
                                                        + "\"custom_attributes\":{\"b\":2}}]}],"
                                                        + "\"currency_code\":false}")
                                        .getBytes(StandardCharsets.UTF_8),
                                RECORD_TIME);
        assertThat(result.isRejected()).isFalse();
        assertThat(result.eventRejections()).isEmpty();
        CommerceData c = result.batch().events.get(0).commerce;
        assertThat(c.productAction).isNull();
        assertThat(c.actionFields.size()).isZero();
        assertThat(c.products).isEmpty();
        assertThat(c.promotionAction).isNull();
        assertThat(c.currencyCode).isNull();
        assertThat(c.impressions).singleElement();
        // Both spellings of a product's attributes: the first one stands, no duplicate key.
        assertThat(c.impressions.get(0).products.get(0).names)
                .containsExactly("id", "custom_attributes");
        assertThat(c.impressions.get(0).products.get(0).text(1)).isEqualTo("{\"a\":1}");
    }

    @Test
    void keepsAtMostMaxProductsPerEventAndCountsTheRest() {
        StringBuilder products = new StringBuilder("[");
        int count = CommerceData.MAX_PRODUCTS + 5;
        for (int i = 0; i < count; i++) {
            products.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append('}');
        }
        String half = products.append(']').toString();
        ParseResult result =
                new BatchParser()
                        .parse(
                                commerceBatch(
                                                "{\"product_action\":{\"action\":\"purchase\","
                                                        + "\"products\":"
                                                        + half
                                                        + "},\"product_impressions\":[{"
                                                        + "\"products\":[{\"id\":1},[]]}]}")
                                        .getBytes(StandardCharsets.UTF_8),
                                RECORD_TIME);
        CommerceData c = result.batch().events.get(0).commerce;
        assertThat(c.products).hasSize(CommerceData.MAX_PRODUCTS);
        // An impression left with neither a list name nor products is not kept; its product is
        // counted, the array beside it is not a product.
        assertThat(c.impressions).isEmpty();
        assertThat(c.productsNotKept).isEqualTo(6);
    }

    /** The first 128 bits of the SHA-256 of {@code text}'s UTF-8 bytes, in lower-case hex. */
    private static String sha256Prefix(String text) throws Exception {
        byte[] digest =
                java.security.MessageDigest.getInstance("SHA-256")
                        .digest(text.getBytes(StandardCharsets.UTF_8));
        return java.util.HexFormat.of().formatHex(digest, 0, 16);
    }
}
