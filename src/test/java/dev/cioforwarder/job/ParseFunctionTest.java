package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.deadletter.DeadLetter;
import dev.cioforwarder.mparticle.BatchParser;
import dev.cioforwarder.mparticle.EventKind;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The parse stage in Flink's operator harness: where the Kafka record's coordinates and time enter
 * a batch, and where not; what goes to the main output, what to the dead-letter side output, and
 * what is counted.
 */
class ParseFunctionTest {

    /**
     * A record replayed to the topic ({@code scripts/dead-letters.sh replay}) has the same bytes at
     * another offset with another record time: its events keep their dedup keys, whatever ids they
     * carry or lack.
     */
    @Test
    void aReplayedRecordsEventsKeepTheirKeys() throws Exception {
        String json =
                "{\"mpid\":7,\"user_identities\":{\"customer_id\":\"c-1\"},\"events\":["
                    + "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"a\"}},"
                    + "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"a\",\"source_message_id\":\"s-1\"}},"
                    + "{\"event_type\":\"screen_view\",\"data\":{\"screen_name\":\"Home\",\"timestamp_unixtime_ms\":5}}]}";
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        try (var h =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(
                                new ParseFunction(BatchParser.DEFAULT_MAX_RECORD_BYTES, true)))) {
            h.open();
            h.processElement(
                    new StreamRecord<>(
                            new SourceRecord(
                                    bytes, "mparticle-batches", 0, 41, 1_764_400_000_000L)));
            h.processElement(
                    new StreamRecord<>(
                            new SourceRecord(
                                    bytes.clone(),
                                    "mparticle-batches",
                                    3,
                                    9_001,
                                    1_764_999_000_000L)));
            List<MParticleBatch> out = h.extractOutputValues();
            assertThat(out).hasSize(2);
            MParticleBatch first = out.get(0);
            MParticleBatch replay = out.get(1);
            assertThat(replay.sourceOffset).isNotEqualTo(first.sourceOffset);
            assertThat(replay.timestampMs).isNotEqualTo(first.timestampMs);
            assertThat(replay.events)
                    .extracting(e -> e.dedupKey)
                    .containsExactlyElementsOf(first.events.stream().map(e -> e.dedupKey).toList())
                    .doesNotHaveDuplicates()
                    .noneMatch(
                            key -> key.contains("1764400000000") || key.contains("1764999000000"));
        }
    }

    /**
     * mparticle.environments=production: a development batch goes no further and is counted; its
     * malformed events are still dead-lettered; a production batch goes on.
     */
    @Test
    void aBatchOfAnEnvironmentNotForwardedGoesNoFurther() throws Exception {
        String development =
                "{\"mpid\":7,\"environment\":\"development\",\"user_identities\":{\"customer_id\":\"c-1\"},"
                    + "\"events\":[{\"event_type\":\"custom_event\",\"data\":{\"event_name\":{\"a\":1}}}]}";
        String production =
                "{\"mpid\":8,\"environment\":\"production\",\"user_identities\":{\"customer_id\":\"c-2\"},"
                    + "\"events\":[]}";
        try (var h =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(
                                new ParseFunction(
                                        BatchParser.DEFAULT_MAX_RECORD_BYTES,
                                        true,
                                        dev.cioforwarder.mapping.Environments.parse(
                                                "production"))))) {
            h.open();
            h.processElement(
                    new StreamRecord<>(
                            new SourceRecord(
                                    development.getBytes(StandardCharsets.UTF_8), "in", 0, 1, 1L)));
            h.processElement(
                    new StreamRecord<>(
                            new SourceRecord(
                                    production.getBytes(StandardCharsets.UTF_8), "in", 0, 2, 1L)));
            List<MParticleBatch> out = h.extractOutputValues();
            assertThat(out).singleElement().satisfies(b -> assertThat(b.mpid).isEqualTo(8));
            assertThat(h.getSideOutput(DeadLetterOutput.TAG))
                    .as("the development batch's malformed event")
                    .hasSize(1);
        }
    }

    private static final String TOPIC = "mparticle-batches";
    private static final long NOW = 1_764_400_000_000L;

    private static byte[] hostile(String name) throws Exception {
        try (var in = ParseFunctionTest.class.getResourceAsStream("/hostile/" + name)) {
            return in.readAllBytes();
        }
    }

    /** The parse function in the operator harness, reporting its metrics to {@code metrics}. */
    private static OneInputStreamOperatorTestHarness<SourceRecord, MParticleBatch> harness(
            ParseFunction function, MockEnvironment environment) throws Exception {
        var h =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(function), environment);
        h.setProcessingTime(NOW);
        h.open();
        return h;
    }

    /** What went to the dead-letter side output (the harness has no list before the first). */
    private static List<DeadLetter> deadLetters(
            OneInputStreamOperatorTestHarness<SourceRecord, MParticleBatch> h) {
        var side = h.getSideOutput(DeadLetterOutput.TAG);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    /**
     * A valid sample batch goes to the main output with its Kafka coordinates, its first run,
     * screen and custom event; the two event types that are not forwarded are counted by type.
     */
    @Test
    void aValidSampleBatchGoesOnWithItsCoordinatesAndIsCounted() throws Exception {
        HarnessMetrics metrics = new HarnessMetrics();
        try (MockEnvironment env = metrics.environment();
                var h =
                        harness(
                                new ParseFunction(BatchParser.DEFAULT_MAX_RECORD_BYTES, true),
                                env)) {
            h.processElement(
                    new StreamRecord<>(
                            new SourceRecord(
                                    Fixtures.bytes("ios-customer-and-email.json"),
                                    TOPIC,
                                    2,
                                    4_711,
                                    1_764_320_400_900L)));

            MParticleBatch batch = h.extractOutputValues().get(0);
            assertThat(h.extractOutputValues()).hasSize(1);
            assertThat(batch.mpid).isEqualTo(8315498751227740121L);
            assertThat(batch.customerId).isEqualTo("cust-1001");
            assertThat(batch.email).isEqualTo("ada@example.com");
            assertThat(batch.timestampMs).isEqualTo(1_764_320_400_500L);
            assertThat(batch.sourceTopic).isEqualTo(TOPIC);
            assertThat(batch.sourcePartition).isEqualTo(2);
            assertThat(batch.sourceOffset).isEqualTo(4_711);
            assertThat(batch.events)
                    .extracting(e -> e.kind)
                    .containsExactly(
                            EventKind.FIRST_RUN, EventKind.SCREEN_VIEW, EventKind.CUSTOM_EVENT);
            assertThat(deadLetters(h)).isEmpty();

            assertThat(metrics.count("forwarder", "records_in")).isEqualTo(1);
            assertThat(metrics.count("forwarder", "batches_parsed")).isEqualTo(1);
            assertThat(metrics.count("forwarder", "events_rejected")).isZero();
            assertThat(
                            metrics.count(
                                    "forwarder",
                                    "event_type",
                                    "application_state_transition",
                                    "events_not_forwarded"))
                    .isEqualTo(1);
            assertThat(
                            metrics.count(
                                    "forwarder",
                                    "event_type",
                                    "session_end",
                                    "events_not_forwarded"))
                    .isEqualTo(1);
            assertThat(metrics.has("forwarder", "reason", "invalid_json", "dead_letters"))
                    .isFalse();
        }
    }

    /**
     * A record that is not JSON goes to the dead-letter side output, whole, with its reason and
     * coordinates, and is counted by reason; the good batch after it still goes on.
     */
    @Test
    void aRecordThatIsNotJsonIsDeadLetteredWithItsReasonAndCounted() throws Exception {
        byte[] garbage = hostile("binary-garbage.json");
        HarnessMetrics metrics = new HarnessMetrics();
        try (MockEnvironment env = metrics.environment();
                var h =
                        harness(
                                new ParseFunction(BatchParser.DEFAULT_MAX_RECORD_BYTES, true),
                                env)) {
            h.processElement(
                    new StreamRecord<>(
                            new SourceRecord(garbage, TOPIC, 1, 99, 1_764_320_000_000L)));
            h.processElement(
                    new StreamRecord<>(
                            new SourceRecord(
                                    Fixtures.bytes("web-email-only-string-numbers.json"),
                                    TOPIC,
                                    1,
                                    100,
                                    1_764_320_000_000L)));

            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(b -> assertThat(b.sourceOffset).isEqualTo(100));
            List<DeadLetter> deadLetters = deadLetters(h);
            assertThat(deadLetters).hasSize(1);
            DeadLetter letter = deadLetters.get(0);
            assertThat(letter.reason).isEqualTo("invalid_json");
            assertThat(letter.stage).isEqualTo("parse");
            assertThat(letter.sourceTopic).isEqualTo(TOPIC);
            assertThat(letter.sourcePartition).isEqualTo(1);
            assertThat(letter.sourceOffset).isEqualTo(99);
            assertThat(letter.mpid).isNull();
            assertThat(letter.payloadKind).isEqualTo("record");
            assertThat(letter.payload).isEqualTo(garbage);
            assertThat(letter.payloadTruncated).isFalse();
            assertThat(letter.deadLetteredAtMs).isEqualTo(NOW);

            assertThat(metrics.count("forwarder", "records_in")).isEqualTo(2);
            assertThat(metrics.count("forwarder", "batches_parsed")).isEqualTo(1);
            assertThat(metrics.count("forwarder", "reason", "invalid_json", "dead_letters"))
                    .isEqualTo(1);
        }
    }

    /**
     * A malformed event of a good batch: the batch goes on with the good event, the record goes to
     * the dead-letter side output once as {@code event_invalid} with the batch's MPID, and the
     * rejected event is counted; the detail names the event, not its value.
     */
    @Test
    void aMalformedEventIsDeadLetteredAndTheRestOfItsBatchGoesOn() throws Exception {
        byte[] record = hostile("event-name-object.json");
        HarnessMetrics metrics = new HarnessMetrics();
        try (MockEnvironment env = metrics.environment();
                var h =
                        harness(
                                new ParseFunction(BatchParser.DEFAULT_MAX_RECORD_BYTES, true),
                                env)) {
            h.processElement(new StreamRecord<>(new SourceRecord(record, TOPIC, 0, 7, 1L)));

            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(
                            b -> {
                                assertThat(b.mpid).isEqualTo(7100091L);
                                assertThat(b.events)
                                        .singleElement()
                                        .satisfies(
                                                e -> assertThat(e.name).isEqualTo("Hostile Good"));
                            });
            assertThat(deadLetters(h))
                    .singleElement()
                    .satisfies(
                            letter -> {
                                assertThat(letter.reason).isEqualTo("event_invalid");
                                assertThat(letter.stage).isEqualTo("parse");
                                assertThat(letter.mpid).isEqualTo("7100091");
                                assertThat(letter.sourceOffset).isEqualTo(7);
                                assertThat(letter.payload).isEqualTo(record);
                                assertThat(letter.detail)
                                        .contains("events[1]")
                                        .doesNotContain("PII");
                            });
            assertThat(metrics.count("forwarder", "records_in")).isEqualTo(1);
            assertThat(metrics.count("forwarder", "batches_parsed")).isEqualTo(1);
            assertThat(metrics.count("forwarder", "events_rejected")).isEqualTo(1);
            assertThat(metrics.count("forwarder", "reason", "event_invalid", "dead_letters"))
                    .isEqualTo(1);
        }
    }

    /**
     * A batch with neither MPID nor identity goes nowhere and is counted as skipped, not
     * dead-lettered; an event type mParticle does not document is counted as "other", never under
     * its own (untrusted) name.
     */
    @Test
    void skipsAndUnknownEventTypesAreCountedWithoutADeadLetter() throws Exception {
        HarnessMetrics metrics = new HarnessMetrics();
        try (MockEnvironment env = metrics.environment();
                var h =
                        harness(
                                new ParseFunction(BatchParser.DEFAULT_MAX_RECORD_BYTES, true),
                                env)) {
            h.processElement(
                    new StreamRecord<>(
                            new SourceRecord(
                                    hostile("no-mpid-and-no-identity.json"), TOPIC, 0, 1, 1L)));
            h.processElement(
                    new StreamRecord<>(
                            new SourceRecord(hostile("event-type-unknown.json"), TOPIC, 0, 2, 1L)));

            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(b -> assertThat(b.mpid).isEqualTo(7100120L));
            assertThat(deadLetters(h)).isEmpty();
            assertThat(metrics.count("forwarder", "reason", "no_identity", "skipped")).isEqualTo(1);
            assertThat(metrics.count("forwarder", "event_type", "other", "events_not_forwarded"))
                    .isEqualTo(1);
            assertThat(metrics.has("forwarder", "event_type", "PII-brand-new")).isFalse();
            assertThat(metrics.count("forwarder", "records_in")).isEqualTo(2);
            assertThat(metrics.count("forwarder", "batches_parsed")).isEqualTo(1);
        }
    }
}
