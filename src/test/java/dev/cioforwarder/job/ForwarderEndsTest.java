package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.deadletter.DeadLetter;
import dev.cioforwarder.delivery.DeliveryFeedback;
import dev.cioforwarder.privacy.ErasureOutcome;
import dev.cioforwarder.settings.ForwarderSettings;
import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.junit.jupiter.api.Test;

/**
 * The job's Kafka ends: which topic each reads or writes, each sink exactly-once under its own
 * transactional id prefix, the feedback read committed only, erasures only with an erasure topic.
 * Building them reaches no broker (nothing listens at the address used here).
 */
class ForwarderEndsTest {

    private static ForwarderSettings settings(String... overrides) {
        Map<String, String> s = new HashMap<>();
        s.put("kafka.bootstrap-servers", "localhost:1");
        s.put("kafka.topic", "mparticle-batches");
        s.put("kafka.group-id", "forwarder-1");
        s.put("customerio.site-id", "site");
        s.put("dead-letter.transactional-id-prefix", "fwd");
        for (int i = 0; i < overrides.length; i += 2) {
            s.put(overrides[i], overrides[i + 1]);
        }
        return ForwarderSettings.fromMap(s);
    }

    @Test
    void theKafkaEndsReadAndWriteTheTopicsOfTheSettings() throws Exception {
        ForwarderEnds ends =
                ForwarderEnds.kafka(settings("privacy.erasure-topic", "mparticle-erasures"));

        assertThat(topics(ends.batches())).containsExactly("mparticle-batches");
        assertThat(topics(ends.feedback()))
                .containsExactly("mparticle-batches.customerio-feedback");
        assertThat(topics(ends.erasureRequests())).containsExactly("mparticle-erasures");
        assertThat(props(ends.batches())).containsEntry("group.id", "forwarder-1");

        DeadLetter letter = new DeadLetter();
        letter.mpid = "42";
        assertThat(writtenTo(ends.deadLetterSink(), letter))
                .isEqualTo("mparticle-batches.customerio-dlq");
        CustomerioOperation op = new CustomerioOperation();
        op.userKey = "u-1";
        assertThat(writtenTo(ends.feedbackSink(), DeliveryFeedback.settled(op, true, 1L)))
                .isEqualTo("mparticle-batches.customerio-feedback");
        ErasureOutcome outcome = new ErasureOutcome();
        outcome.requestId = "r-1";
        outcome.mpid = "42";
        outcome.outcome = ErasureOutcome.DONE;
        assertThat(writtenTo(ends.erasureOutcomeSink(), outcome))
                .isEqualTo("mparticle-erasures.outcomes");
    }

    @Test
    void everySinkIsExactlyOnceUnderItsOwnTransactionalIdPrefix() throws Exception {
        ForwarderEnds ends =
                ForwarderEnds.kafka(settings("privacy.erasure-topic", "mparticle-erasures"));

        List<Sink<?>> sinks =
                List.of(ends.deadLetterSink(), ends.feedbackSink(), ends.erasureOutcomeSink());
        assertThat(sinks)
                .extracting(sink -> field(sink, "transactionalIdPrefix"))
                .containsExactly("fwd", "fwd-feedback", "fwd-erasure");
        assertThat(sinks)
                .extracting(sink -> field(sink, "deliveryGuarantee"))
                .containsOnly(DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(sinks)
                .extracting(sink -> ((Properties) field(sink, "kafkaProducerConfig")))
                .allSatisfy(p -> assertThat(p).containsEntry("transaction.timeout.ms", "900000"));
    }

    @Test
    void onlyTheFeedbackIsReadCommittedOnly() throws Exception {
        ForwarderEnds ends = ForwarderEnds.kafka(settings());
        assertThat(props(ends.feedback())).containsEntry("isolation.level", "read_committed");
        assertThat(props(ends.batches())).doesNotContainKey("isolation.level");
    }

    @Test
    void withoutAnErasureTopicThereAreNoErasureEnds() {
        ForwarderEnds ends = ForwarderEnds.kafka(settings());
        assertThat(ends.hasErasures()).isFalse();
        assertThat(ends.erasureRequests()).isNull();
        assertThat(ends.erasureOutcomeSink()).isNull();
    }

    @Test
    void theOperatorNamesSayWhereTheEndsAre() {
        ForwarderEnds kafka = ForwarderEnds.kafka(settings());
        assertThat(kafka.sourceName("mParticle batches")).isEqualTo("mParticle batches (Kafka)");
        assertThat(kafka.sinkName("Dead letters")).isEqualTo("Dead letters (Kafka, exactly-once)");

        ForwarderEnds memory = InMemoryEnds.empty();
        assertThat(memory.sourceName("mParticle batches"))
                .isEqualTo("mParticle batches (in memory)");
        assertThat(memory.sinkName("Dead letters")).isEqualTo("Dead letters (in memory)");
    }

    @Test
    void endsOfTheCallersMakingGetErasuresOnlyWithBothTheirEnds() {
        ForwarderEnds ends = InMemoryEnds.empty();
        assertThat(ends.hasErasures()).isFalse();
        assertThat(ends.withErasures(InMemoryEnds.records(), InMemoryEnds.discard()).hasErasures())
                .isTrue();
        assertThat(ends.hasErasures()).as("withErasures makes new ends").isFalse();
        assertThatThrownBy(() -> ends.withErasures(InMemoryEnds.records(), null))
                .isInstanceOf(NullPointerException.class);
    }

    private static List<String> topics(Source<SourceRecord, ?, ?> source) {
        @SuppressWarnings("unchecked")
        List<String> topics = (List<String>) field(field(source, "subscriber"), "topics");
        return topics;
    }

    private static Properties props(Source<SourceRecord, ?, ?> source) {
        return (Properties) field(source, "props");
    }

    @SuppressWarnings("unchecked")
    private static <T> String writtenTo(Sink<T> sink, T element) {
        KafkaRecordSerializationSchema<T> schema =
                (KafkaRecordSerializationSchema<T>) field(sink, "recordSerializer");
        return schema.serialize(element, null, 1L).topic();
    }

    /** A private field of a connector (Kafka's source and sink have no getters for these). */
    private static Object field(Object target, String name) {
        Class<?> type =
                target instanceof KafkaSource
                        ? KafkaSource.class
                        : target instanceof KafkaSink ? KafkaSink.class : target.getClass();
        try {
            Field field = type.getDeclaredField(name);
            field.setAccessible(true);
            return field.get(target);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
