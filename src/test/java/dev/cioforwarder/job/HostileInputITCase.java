package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.mapping.MappingRejection;
import dev.cioforwarder.mapping.MappingSettings;
import dev.cioforwarder.mapping.Transition;
import dev.cioforwarder.mapping.UserStateMachine;
import dev.cioforwarder.mparticle.BatchParser;
import dev.cioforwarder.mparticle.EventRejection;
import dev.cioforwarder.mparticle.ParseResult;
import dev.cioforwarder.simulator.StoredEvent;
import dev.cioforwarder.state.DeviceFirstSeen;
import dev.cioforwarder.state.UserState;
import dev.cioforwarder.testing.Await;
import dev.cioforwarder.testing.HostileCorpus;
import dev.cioforwarder.testing.Jobs;
import dev.cioforwarder.testing.TestBatches;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole hostile corpus, committed and generated (a 20 MB record, 5 MB values, 100,000 events,
 * 100,000 attributes, 10,000 levels of nesting), interleaved with good batches, through the
 * production topology on a real broker: every good event reaches Customer.io exactly once, every
 * bad record or event is in the dead-letter topic with its expected reason, source offset and
 * payload, nothing else is, the job never restarts, and the {@code dead_letters} metrics agree.
 */
class HostileInputITCase extends JobTestSupport {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .setConfiguration(fastMetrics())
                            .build());

    /** Room for the 20 MB record in the input topic; the dead-letter topic keeps Kafka's 1 MB. */
    private static final int INPUT_MAX_RECORD_BYTES = 24 * 1024 * 1024;

    private static final long RECORD_TIME = 1_764_320_400_000L;

    /** One produced record and what must become of it. */
    private static final class Sent {
        final String name;
        final byte[] value;
        final HostileCorpus.Outcome expected; // null for a good batch
        int partition;
        long offset;

        /** Dead letters the rules must produce for it: reason and payload kind. */
        final List<String> deadLetters = new ArrayList<>();

        Sent(String name, byte[] value, HostileCorpus.Outcome expected) {
            this.name = name;
            this.value = value;
            this.expected = expected;
        }
    }

    @Test
    void badRecordsAreDeadLetteredGoodOnesDeliveredAndTheJobNeverRestarts(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        String input = topic + "-hostile";
        kafka.createTopic(
                input, 4, Map.of("max.message.bytes", Integer.toString(INPUT_MAX_RECORD_BYTES)));

        // Good batches with a bad record between every two of them.
        TestBatches good = TestBatches.generate(11, 40, 260, 4);
        List<Sent> sent = new ArrayList<>();
        List<HostileCorpus.Entry> corpus = HostileCorpus.all();
        int g = 0;
        for (HostileCorpus.Entry entry : corpus) {
            if (g < good.records().size()) {
                sent.add(new Sent("good", good.records().get(g++).getValue(), null));
            }
            sent.add(new Sent(entry.name(), entry.bytes().get(), entry.expected()));
        }
        while (g < good.records().size()) {
            sent.add(new Sent("good", good.records().get(g++).getValue(), null));
        }
        List<String> eventOps = predict(sent);
        Set<String> expectedEventIds = new HashSet<>(eventOps);
        // A few corpus records are variants of one batch (with a BOM, surrounding whitespace…):
        // the same events again, which Customer.io drops by id.
        long expectedDuplicates = eventOps.size() - expectedEventIds.size();
        int expectedDeadLetters = sent.stream().mapToInt(s -> s.deadLetters.size()).sum();
        assertThat(expectedDeadLetters).isGreaterThan(150);

        produce(input, sent);
        JobClient job =
                startJob(
                        settings(
                                "kafka.topic", input,
                                "dead-letter.topic", deadLetterTopic,
                                "customerio.batch.linger", "20ms"));
        List<ConsumerRecord<byte[], byte[]>> letters;
        try {
            Await.until(
                    Duration.ofSeconds(60),
                    () -> customerio.summary().events() >= expectedEventIds.size(),
                    () -> customerio.summary() + " of " + expectedEventIds.size() + " events");
            letters =
                    kafka.readCommitted(
                            deadLetterTopic, expectedDeadLetters, Duration.ofSeconds(30));

            assertNeverRestarted(cluster, job);
            assertMetricsAgree(cluster, job, letters);
        } finally {
            Jobs.cancelAndWait(job);
        }

        // Every good event exactly once, and nothing else.
        List<StoredEvent> stored = customerio.events();
        assertThat(stored.stream().map(StoredEvent::id).toList()).doesNotHaveDuplicates();
        assertThat(
                        stored.stream()
                                .map(StoredEvent::id)
                                .collect(java.util.stream.Collectors.toSet()))
                .isEqualTo(expectedEventIds);
        assertThat(customerio.summary().duplicateEventsIgnored()).isEqualTo(expectedDuplicates);
        assertThat(customerio.summary().rejectedOperations()).isZero();
        Set<String> goodCustomers = good.finalBatchesSent().keySet();
        assertThat(stored.stream().filter(e -> goodCustomers.contains(e.personId())).count())
                .as("events of the good batches")
                .isEqualTo(good.expectedEvents().size());

        assertDeadLetters(input, sent, letters);
    }

    /**
     * Runs every record through the job's own parser and rules in memory (each corpus record is its
     * own user), noting the dead letters each must produce; returns the ids of the events sent to
     * Customer.io, in order.
     */
    private static List<String> predict(List<Sent> sent) {
        BatchParser parser = new BatchParser();
        UserStateMachine machine = new UserStateMachine(MappingSettings.defaults());
        Map<String, UserState> states = new HashMap<>();
        Map<String, Long> devices = new HashMap<>();
        List<String> eventIds = new ArrayList<>();
        for (Sent s : sent) {
            ParseResult parsed = parser.parse(s.value, RECORD_TIME);
            if (parsed.isRejected()) {
                s.deadLetters.add(parsed.rejection().code() + "/record");
                continue;
            }
            for (EventRejection r : parsed.eventRejections()) {
                s.deadLetters.add(r.reason().code() + "/record");
            }
            if (parsed.batch().userKey == null) {
                continue;
            }
            Transition t =
                    machine.apply(
                            states.get(parsed.batch().userKey),
                            new DeviceFirstSeen() {
                                @Override
                                public Long get(String deviceType) {
                                    return devices.get(deviceType);
                                }

                                @Override
                                public void put(String deviceType, long firstSeenMs) {
                                    devices.put(deviceType, firstSeenMs);
                                }
                            },
                            parsed.batch());
            if (t.state() != null) {
                states.put(parsed.batch().userKey, t.state());
            }
            for (MappingRejection r : t.rejections()) {
                s.deadLetters.add(r.reason().code() + "/event");
            }
            for (CustomerioOperation op : t.operations()) {
                if (op.kind != OperationKind.IDENTIFY) {
                    eventIds.add(op.eventId);
                }
            }
        }
        return eventIds;
    }

    private void produce(String input, List<Sent> sent) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer(INPUT_MAX_RECORD_BYTES)) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < sent.size(); i++) {
                byte[] key = Integer.toString(i).getBytes(StandardCharsets.UTF_8);
                acks.add(producer.send(new ProducerRecord<>(input, key, sent.get(i).value)));
            }
            for (int i = 0; i < sent.size(); i++) {
                RecordMetadata m = acks.get(i).get(60, TimeUnit.SECONDS);
                sent.get(i).partition = m.partition();
                sent.get(i).offset = m.offset();
            }
        }
    }

    private void assertDeadLetters(
            String input, List<Sent> sent, List<ConsumerRecord<byte[], byte[]>> letters)
            throws Exception {
        Map<String, Sent> bySource = new HashMap<>();
        for (Sent s : sent) {
            bySource.put(s.partition + "@" + s.offset, s);
        }
        Map<String, List<JsonNode>> found = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : letters) {
            assertThat(r.value().length)
                    .as("a dead letter fits Kafka's 1 MB")
                    .isLessThan(1_000_000);
            JsonNode letter = MAPPER.readTree(r.value());
            JsonNode source = letter.get("source");
            assertThat(source.get("topic").asText()).isEqualTo(input);
            String at = source.get("partition").asInt() + "@" + source.get("offset").asLong();
            assertThat(bySource).as("the source of %s", letter.get("detail")).containsKey(at);
            found.computeIfAbsent(at, k -> new ArrayList<>()).add(letter);
        }

        for (Sent s : sent) {
            List<JsonNode> mine = found.getOrDefault(s.partition + "@" + s.offset, List.of());
            List<String> reasons = new ArrayList<>();
            for (JsonNode letter : mine) {
                reasons.add(
                        letter.get("reason").asText() + "/" + letter.get("payload_kind").asText());
            }
            reasons.sort(null);
            List<String> expected = new ArrayList<>(s.deadLetters);
            expected.sort(null);
            assertThat(reasons).as("dead letters of %s", s.name).isEqualTo(expected);
            if (s.expected != null) {
                assertMatchesExpectation(s, mine);
            }
            for (JsonNode letter : mine) {
                assertThat(letter.get("detail").asText()).isNotBlank();
                if (letter.get("payload_kind").asText().equals("record")) {
                    assertCarriesTheRecord(s, letter);
                }
            }
        }
    }

    /** The dead letters agree with {@code expected.properties}, not only with the prediction. */
    private static void assertMatchesExpectation(Sent s, List<JsonNode> letters) {
        HostileCorpus.Outcome expected = s.expected;
        switch (expected.kind()) {
            case DEAD_LETTER:
                assertThat(letters).as(s.name).hasSize(1);
                assertThat(letters.get(0).get("reason").asText()).isEqualTo(expected.reason());
                assertThat(letters.get(0).get("stage").asText()).isEqualTo("parse");
                break;
            case EVENT_DEAD_LETTER:
                assertThat(letters)
                        .as(s.name)
                        .isNotEmpty()
                        .allSatisfy(
                                l ->
                                        assertThat(l.get("reason").asText())
                                                .isEqualTo(expected.reason()));
                break;
            default:
                assertThat(letters).as(s.name).isEmpty();
        }
    }

    private static void assertCarriesTheRecord(Sent s, JsonNode letter) {
        byte[] payload =
                letter.has("payload_text")
                        ? letter.get("payload_text").asText().getBytes(StandardCharsets.UTF_8)
                        : Base64.getDecoder().decode(letter.get("payload_base64").asText(""));
        if (letter.path("payload_truncated").asBoolean(false)) {
            assertThat(s.value.length).as(s.name).isGreaterThan(payload.length);
            assertThat(payload).isEqualTo(Arrays.copyOf(s.value, payload.length));
            assertThat(payload.length).isGreaterThan(500_000);
        } else {
            assertThat(payload).as("payload of %s", s.name).isEqualTo(s.value);
        }
        String reason = letter.get("reason").asText();
        if (reason.equals(DeadLetterReason.RECORD_TOO_LARGE.code())) {
            assertThat(letter.get("payload_truncated").asBoolean()).isTrue();
        }
    }

    /** No task ever ran a second attempt, and the job is still running. */
    private static void assertNeverRestarted(MiniCluster cluster, JobClient job) throws Exception {
        assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        for (AccessExecutionVertex vertex :
                cluster.getExecutionGraph(job.getJobID()).get().getAllExecutionVertices()) {
            assertThat(vertex.getCurrentExecutionAttempt().getAttemptNumber())
                    .as("attempt of %s", vertex.getTaskNameWithSubtaskIndex())
                    .isZero();
        }
    }

    /**
     * The {@code dead_letters} counters, summed over subtasks through the REST API, equal what the
     * dead-letter topic holds, reason by reason.
     */
    private static void assertMetricsAgree(
            MiniCluster cluster, JobClient job, List<ConsumerRecord<byte[], byte[]>> letters)
            throws Exception {
        Map<String, Long> inTopic = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : letters) {
            inTopic.merge(MAPPER.readTree(r.value()).get("reason").asText(), 1L, Long::sum);
        }
        URI rest = cluster.getRestAddress().get();
        String jobPath = "/jobs/" + job.getJobID();
        AtomicReference<Object> last = new AtomicReference<>(Map.of());
        Await.until(
                Duration.ofSeconds(30),
                () -> {
                    try {
                        Map<String, Long> metrics = deadLetterMetrics(rest, jobPath);
                        last.set(metrics);
                        return metrics.equals(inTopic);
                    } catch (Exception e) {
                        last.set(e);
                        return false;
                    }
                },
                () -> "metrics " + last.get() + ", dead-letter topic " + inTopic);
    }

    private static Map<String, Long> deadLetterMetrics(URI rest, String jobPath) throws Exception {
        // <operator>.forwarder.reason.<reason>.dead_letters
        return metricSums(
                rest,
                jobPath,
                id -> {
                    if (!id.endsWith(".dead_letters")) {
                        return null;
                    }
                    String[] parts = id.split("\\.");
                    return parts[parts.length - 2];
                });
    }
}
