package dev.cioforwarder.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.PersonIdentifier;
import org.junit.jupiter.api.Test;

/**
 * What one step of the state machine produced: operations, rejections and counts per reason. The
 * machine reuses one, so a reset must leave nothing of the step before.
 */
class TransitionTest {

    @Test
    void countsEachSkipAndAdjustmentByItsReason() {
        Transition t = new Transition();
        t.skip(SkipReason.OPTED_OUT);
        t.skip(SkipReason.OPTED_OUT);
        t.skip(SkipReason.ERASED);
        t.adjust(Adjustment.COMMERCE_ATTRIBUTE_REPLACED);
        assertThat(t.skipped(SkipReason.OPTED_OUT)).isEqualTo(2);
        assertThat(t.skipped(SkipReason.ERASED)).isEqualTo(1);
        assertThat(t.skipped(SkipReason.NO_IDENTITY)).isZero();
        assertThat(t.adjusted(Adjustment.COMMERCE_ATTRIBUTE_REPLACED)).isEqualTo(1);
        assertThat(t.adjusted(Adjustment.V1_IDENTIFIER_SENT_AS_V2)).isZero();
    }

    @Test
    void aResetLeavesNothingOfTheStepBefore() {
        Transition t = new Transition();
        t.operations.add(new CustomerioOperation());
        t.skip(SkipReason.OPTED_OUT);
        t.adjust(Adjustment.V1_IDENTIFIER_SENT_AS_V2);
        t.identifySent = 1;
        t.identifyUnchanged = 2;
        t.eventsForwarded = 3;
        t.screensForwarded = 4;
        t.anonymousEvents = 5;
        t.commerceEventsForwarded = 6;
        t.commerceProductsTrimmed = 7;
        t.erasuresRequested = 8;
        t.devicesAdded = 9;
        t.devicesRefreshed = 10;
        t.anonymousMerged = 11;
        t.devicesDeleted = 12;
        t.readdressFrom = PersonIdentifier.email("old@example.com");
        t.readdressTo = PersonIdentifier.email("new@example.com");

        t.reset();

        assertThat(t.state()).isNull();
        assertThat(t.operations()).isEmpty();
        assertThat(t.rejections()).isEmpty();
        assertThat(t.erasureOutcomes()).isEmpty();
        for (SkipReason reason : SkipReason.values()) {
            assertThat(t.skipped(reason)).as(reason.code()).isZero();
        }
        for (Adjustment adjustment : Adjustment.values()) {
            assertThat(t.adjusted(adjustment)).isZero();
        }
        assertThat(t.identifySent()).isZero();
        assertThat(t.identifyUnchanged()).isZero();
        assertThat(t.eventsForwarded()).isZero();
        assertThat(t.screensForwarded()).isZero();
        assertThat(t.anonymousEvents()).isZero();
        assertThat(t.commerceEventsForwarded()).isZero();
        assertThat(t.commerceProductsTrimmed()).isZero();
        assertThat(t.erasuresRequested()).isZero();
        assertThat(t.devicesAdded()).isZero();
        assertThat(t.devicesRefreshed()).isZero();
        assertThat(t.anonymousMerged()).isZero();
        assertThat(t.devicesDeleted()).isZero();
        assertThat(t.readdressFrom()).isNull();
        assertThat(t.readdressTo()).isNull();
    }
}
