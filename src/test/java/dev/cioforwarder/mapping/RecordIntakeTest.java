package dev.cioforwarder.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.mparticle.BatchParser;
import dev.cioforwarder.mparticle.EventKind;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The parse stage's decisions on one record, which the job and the preview share. */
class RecordIntakeTest {

    private static final String PURCHASE =
            "{\"event_type\":\"commerce_event\",\"data\":{\"product_action\":{\"action\":\"purchase\"}}}";
    private static final String CUSTOM =
            "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"Signed Up\"}}";
    private static final String SESSION = "{\"event_type\":\"session_start\",\"data\":{}}";

    private static RecordIntake intake(boolean forwardCommerceEvents, Environments environments) {
        return new RecordIntake(
                BatchParser.DEFAULT_MAX_RECORD_BYTES, forwardCommerceEvents, environments, false);
    }

    private static byte[] batch(String head, String... events) {
        return ("{" + head + ",\"events\":[" + String.join(",", events) + "]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void commerceEventsLeaveTheBatchCountedWhenTheSettingIsOff() {
        RecordIntake.Intake in =
                intake(false, Environments.ALL)
                        .read(
                                batch(
                                        "\"mpid\":7,\"user_identities\":{\"customer_id\":\"c-7\"}",
                                        PURCHASE,
                                        CUSTOM,
                                        PURCHASE,
                                        SESSION),
                                1_764_400_000_000L);
        assertThat(in.batch()).isNotNull();
        assertThat(in.batch().events)
                .extracting(e -> e.kind)
                .containsExactly(EventKind.CUSTOM_EVENT);
        assertThat(in.commerceEventsNotForwarded()).isEqualTo(2);
        assertThat(in.notForwardedEventTypes()).containsExactly("session_start");
        assertThat(in.skipped()).isNull();
    }

    @Test
    void commerceEventsStayForTheRulesWhenTheSettingIsOn() {
        RecordIntake.Intake in =
                intake(true, Environments.ALL)
                        .read(
                                batch(
                                        "\"mpid\":7,\"user_identities\":{\"customer_id\":\"c-7\"}",
                                        PURCHASE,
                                        CUSTOM),
                                1_764_400_000_000L);
        assertThat(in.batch().events)
                .extracting(e -> e.kind)
                .containsExactly(EventKind.COMMERCE_EVENT, EventKind.CUSTOM_EVENT);
        assertThat(in.commerceEventsNotForwarded()).isZero();
    }

    @Test
    void aBatchOfAnotherEnvironmentStopsBeforeAnythingIsCountedNotForwarded() {
        RecordIntake.Intake in =
                intake(false, Environments.parse("production"))
                        .read(
                                batch(
                                        "\"mpid\":7,\"environment\":\"development\","
                                                + "\"user_identities\":{\"customer_id\":\"c-7\"}",
                                        PURCHASE,
                                        SESSION),
                                1_764_400_000_000L);
        assertThat(in.batch()).isNull();
        assertThat(in.skipped()).isEqualTo(SkipReason.ENVIRONMENT_NOT_FORWARDED);
        assertThat(in.mpid()).isEqualTo("7");
        assertThat(in.notForwardedEventTypes()).isEmpty();
        assertThat(in.commerceEventsNotForwarded()).isZero();
    }

    @Test
    void aBatchOfNobodyIsSkippedAfterItsEventsAreCounted() {
        RecordIntake.Intake in =
                intake(false, Environments.ALL)
                        .read(batch("\"user_attributes\":{}", PURCHASE, SESSION), 1L);
        assertThat(in.batch()).isNull();
        assertThat(in.skipped()).isEqualTo(SkipReason.NO_IDENTITY);
        assertThat(in.mpid()).isNull();
        assertThat(in.notForwardedEventTypes()).containsExactly("session_start");
        assertThat(in.commerceEventsNotForwarded()).isEqualTo(1);
    }

    @Test
    void aRecordThatIsNotABatchIsRejectedWholeAndAMalformedEventAlone() {
        RecordIntake intake = intake(true, Environments.ALL);
        RecordIntake.Intake rejected =
                intake.read("{not json".getBytes(StandardCharsets.UTF_8), 1L);
        assertThat(rejected.rejection()).isEqualTo(DeadLetterReason.INVALID_JSON);
        assertThat(rejected.batch()).isNull();
        assertThat(rejected.mpid()).isNull();
        assertThat(rejected.eventRejectionCount()).isZero();

        RecordIntake.Intake badEvent =
                intake.read(
                        batch(
                                "\"mpid\":8,\"user_identities\":{\"customer_id\":\"c-8\"}",
                                "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":{\"a\":1}}}",
                                CUSTOM),
                        1L);
        assertThat(badEvent.rejection()).isNull();
        assertThat(badEvent.eventRejectionCount()).isEqualTo(1);
        assertThat(badEvent.eventRejectionSummary()).isNotBlank();
        assertThat(badEvent.mpid()).isEqualTo("8");
        assertThat(badEvent.batch().events).hasSize(1);
    }
}
