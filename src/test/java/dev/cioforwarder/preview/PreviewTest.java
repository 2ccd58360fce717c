package dev.cioforwarder.preview;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.job.ParseFunction;
import dev.cioforwarder.job.SourceRecord;
import dev.cioforwarder.mapping.MappingSettings;
import dev.cioforwarder.mparticle.BatchParser;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.settings.ForwarderSettings;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The preview reads records as the job's parse stage does, not through a copy of it. */
class PreviewTest {

    /**
     * A batch with purchases, a custom event and a session start. With
     * customerio.forward-commerce-events off the job's parse function drops the purchases (counted
     * in events_not_forwarded); the preview once kept them in the batch it gave the rules, counting
     * them nowhere, and only the event rule's own check kept them from Customer.io.
     */
    private static final String BATCH =
            "{\"mpid\":7,\"timestamp_unixtime_ms\":1764400000000,"
                    + "\"user_identities\":{\"customer_id\":\"c-7\"},\"events\":["
                    + "{\"event_type\":\"commerce_event\",\"data\":{\"source_message_id\":\"s-1\","
                    + "\"product_action\":{\"action\":\"purchase\",\"transaction_id\":\"t-1\"}}},"
                    + "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"Signed Up\"}},"
                    + "{\"event_type\":\"session_start\",\"data\":{}},"
                    + "{\"event_type\":\"commerce_event\",\"data\":{\"source_message_id\":\"s-2\","
                    + "\"promotion_action\":{\"action\":\"view\"}}}]}";

    @ParameterizedTest(name = "forward-commerce-events={0}")
    @ValueSource(booleans = {false, true})
    void handsTheRulesTheBatchTheJobsParseStageEmits(boolean forwardCommerceEvents)
            throws Exception {
        byte[] record = BATCH.getBytes(StandardCharsets.UTF_8);
        MappingSettings settings =
                ForwarderSettings.mappingSettings(
                        Map.of(
                                "customerio.forward-commerce-events",
                                Boolean.toString(forwardCommerceEvents)));

        MParticleBatch job;
        try (var h =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(
                                new ParseFunction(
                                        BatchParser.DEFAULT_MAX_RECORD_BYTES,
                                        settings.forwardCommerceEvents(),
                                        settings.environments(),
                                        settings.anonymousEvents())))) {
            h.open();
            h.processElement(
                    new StreamRecord<>(new SourceRecord(record, "mparticle-batches", 0, 1, 1L)));
            List<MParticleBatch> out = h.extractOutputValues();
            assertThat(out).hasSize(1);
            job = out.get(0);
        }

        Preview preview =
                new Preview(
                        settings,
                        BatchParser.DEFAULT_MAX_RECORD_BYTES,
                        new PreviewOutput(new ByteArrayOutputStream()));
        MParticleBatch previewed = preview.admit(record.clone()).batch();

        assertThat(previewed.events)
                .extracting(e -> e.kind + " " + e.dedupKey)
                .containsExactlyElementsOf(
                        job.events.stream().map(e -> e.kind + " " + e.dedupKey).toList());
        assertThat(previewed.events).hasSize(forwardCommerceEvents ? 3 : 1);
    }
}
