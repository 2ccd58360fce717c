package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.mparticle.BatchParser;
import dev.cioforwarder.mparticle.MParticleBatch;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The parse stage: where the Kafka record's coordinates and time enter a batch, and where not. */
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
}
