package dev.cioforwarder.mparticle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.deadletter.DeadLetterReason;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What parsing a record gave: a batch (with the malformed events it dropped, summed up in one
 * {@code event_invalid} dead letter describing the first ones and counting the rest), or the
 * record's rejection.
 */
class ParseResultTest {

    private static MParticleBatch batch() {
        MParticleBatch batch = new MParticleBatch();
        batch.userKey = "7";
        batch.events.add(new MParticleEvent());
        return batch;
    }

    private static EventRejection invalid(String detail, int position) {
        return new EventRejection(DeadLetterReason.EVENT_INVALID, detail, position);
    }

    @Test
    void anAcceptedBatch() {
        ParseResult result = ParseResult.accepted(batch(), List.of(), 0, List.of("crash_report"));
        assertThat(result.isRejected()).isFalse();
        assertThat(result.batch().userKey).isEqualTo("7");
        assertThat(result.rejection()).isNull();
        assertThat(result.rejectionDetail()).isNull();
        assertThat(result.eventRejectionCount()).isZero();
        assertThat(result.notForwardedEventTypes()).containsExactly("crash_report");
        assertThat(result).hasToString("accepted 7 events=1");
    }

    @Test
    void aRejectedRecord() {
        ParseResult result = ParseResult.rejected(DeadLetterReason.INVALID_JSON, "line 1");
        assertThat(result.isRejected()).isTrue();
        assertThat(result.batch()).isNull();
        assertThat(result.rejection()).isEqualTo(DeadLetterReason.INVALID_JSON);
        assertThat(result.rejectionDetail()).isEqualTo("line 1");
        assertThat(result.eventRejections()).isEmpty();
        assertThat(result.notForwardedEventTypes()).isEmpty();
        assertThat(result).hasToString("rejected invalid_json: line 1");
    }

    @Test
    void oneDroppedEventIsSummedUpInTheSingular() {
        ParseResult result =
                ParseResult.accepted(
                        batch(), List.of(invalid("events[2]: no event_type", 2)), 1, List.of());
        assertThat(result.eventRejectionSummary())
                .isEqualTo(
                        "1 malformed event was dropped; the rest of the batch is forwarded:"
                                + " events[2]: no event_type");
    }

    @Test
    void theDescribedEventsAreListedAndTheRestCounted() {
        ParseResult result =
                ParseResult.accepted(
                        batch(),
                        List.of(invalid("events[0]: a", 0), invalid("events[3]: b", 3)),
                        25,
                        List.of());
        assertThat(result.eventRejectionCount()).isEqualTo(25);
        assertThat(result.eventRejections())
                .extracting(EventRejection::position)
                .containsExactly(0, 3);
        assertThat(result.eventRejectionSummary())
                .isEqualTo(
                        "25 malformed events were dropped; the rest of the batch is forwarded:"
                                + " events[0]: a; events[3]: b; and 23 more");
    }

    @Test
    void atMostTwentyAreDescribed() {
        assertThat(ParseResult.MAX_DESCRIBED_EVENT_REJECTIONS).isEqualTo(20);
    }
}
