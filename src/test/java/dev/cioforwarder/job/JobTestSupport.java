package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cioforwarder.settings.ForwarderSettings;
import dev.cioforwarder.simulator.CustomerioSimulator;
import dev.cioforwarder.simulator.SimulatorConfig;
import dev.cioforwarder.simulator.StoredEvent;
import dev.cioforwarder.testing.FlinkTestConfig;
import dev.cioforwarder.testing.LocalKafkaBroker;
import dev.cioforwarder.testing.SharedKafka;
import dev.cioforwarder.testing.TestBatches;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the job's integration tests share: a real broker, a simulator with its own credentials,
 * fresh topics per test, and the production topology built from settings.
 *
 * <p>A test of the job's rules, which has nothing to do with Kafka, runs on in-memory topics
 * instead ({@link #onBroker} false): the same topology, with {@link InMemoryEnds} in place of the
 * Kafka source and sinks, and no broker to start, create topics on or read back from. It writes
 * with {@link #produce} and reads with {@link #deadLetters}, which go where the job's ends are.
 */
public abstract class JobTestSupport {

    protected static final ObjectMapper MAPPER = new ObjectMapper();
    protected static final String SITE_ID = "it-site";

    /**
     * One HTTP client for the JVM's tests. A client per request, as tests polling metrics once
     * made, keeps a selector thread and its file descriptors until the garbage collector finds it:
     * thousands pile up in a JVM that ran many polling tests.
     */
    protected static final HttpClient HTTP = HttpClient.newHttpClient();

    /** A recognisable key, so the secret test can search for it everywhere. */
    protected static final String API_KEY = "it-secret-key-" + UUID.randomUUID();

    protected static LocalKafkaBroker kafka;
    protected static CustomerioSimulator customerio;

    @TempDir protected Path dir;
    private final List<String> inMemoryTopics = new ArrayList<>();
    protected String topic;
    protected String deadLetterTopic;
    protected String feedbackTopic;

    @BeforeAll
    static void startServices() throws Exception {
        customerio =
                CustomerioSimulator.start(
                        SimulatorConfig.builder()
                                .port(0)
                                .siteId(SITE_ID)
                                .apiKey(API_KEY)
                                .region("us")
                                .build());
    }

    @AfterAll
    static void stopSimulator() {
        if (customerio != null) {
            customerio.close();
        }
    }

    @BeforeEach
    void freshTopics() throws Exception {
        if (onBroker()) {
            kafka = SharedKafka.get();
        }
        customerio.reset();
        newTopics();
    }

    @AfterEach
    void forgetInMemoryTopics() {
        inMemoryTopics.forEach(InMemoryTopic::delete);
        inMemoryTopics.clear();
    }

    /**
     * Whether the job reads and writes Kafka (a real broker, shared by the JVM's tests) or
     * in-memory topics: false for a test of the job's rules that does not restart the job.
     */
    protected boolean onBroker() {
        return true;
    }

    /**
     * Points {@link #topic}, {@link #deadLetterTopic} and {@link #feedbackTopic} at new, empty
     * topics: for a second job of the same test that must share nothing with the first.
     */
    protected void newTopics() throws Exception {
        topic = "mparticle-" + UUID.randomUUID().toString().substring(0, 8);
        deadLetterTopic = topic + ".customerio-dlq";
        feedbackTopic = topic + ".customerio-feedback";
        if (!onBroker()) {
            inMemoryTopics.addAll(List.of(topic, deadLetterTopic, feedbackTopic));
            return;
        }
        kafka.createTopic(topic, 4);
        kafka.createTopic(deadLetterTopic, 1);
        // The job creates it when missing; created here so the broker has its leaders ready.
        kafka.createTopic(feedbackTopic, 4);
    }

    protected Map<String, String> settings(String... overrides) throws Exception {
        Path keyFile = dir.resolve("customerio-api-key");
        Files.writeString(keyFile, API_KEY);
        Map<String, String> s = new HashMap<>();
        // In memory, nothing connects to it: the discard port, should anything try.
        s.put("kafka.bootstrap-servers", onBroker() ? kafka.bootstrapServers() : "127.0.0.1:9");
        s.put("kafka.topic", topic);
        s.put("kafka.group-id", "it-" + topic);
        s.put("kafka.starting-offsets", "earliest");
        s.put("customerio.site-id", SITE_ID);
        s.put("customerio.api-key-file", keyFile.toString());
        s.put("customerio.endpoint", customerio.baseUrl());
        s.put("customerio.batch.linger", "50ms");
        s.put("customerio.rate-limit", "1000");
        s.put("dead-letter.transactional-id-prefix", "it-" + topic);
        for (int i = 0; i < overrides.length; i += 2) {
            s.put(overrides[i], overrides[i + 1]);
        }
        return s;
    }

    protected JobClient startJob(Map<String, String> settings) throws Exception {
        return startJob(settings, 2);
    }

    protected JobClient startJob(Map<String, String> settings, int parallelism) throws Exception {
        return startJob(settings, parallelism, null);
    }

    /** Starts the production topology, restored from {@code savepoint} when it is not null. */
    protected JobClient startJob(Map<String, String> settings, int parallelism, Path savepoint)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        org.apache.flink.configuration.Configuration config =
                FlinkTestConfig.job(dir.resolve("checkpoints"), Duration.ofSeconds(1));
        configure(config);
        if (savepoint != null) {
            config.set(
                    org.apache.flink.configuration.StateRecoveryOptions.SAVEPOINT_PATH,
                    savepoint.toUri().toString());
        }
        env.configure(config);
        env.setParallelism(parallelism);
        ForwarderSettings parsed = ForwarderSettings.fromMap(settings);
        ForwarderJob.build(
                env, parsed, onBroker() ? ForwarderEnds.kafka(parsed) : inMemory(parsed));
        return env.executeAsync("forwarder-it");
    }

    /** In-memory ends on the topics {@code settings} name. */
    private ForwarderEnds inMemory(ForwarderSettings settings) {
        ForwarderEnds ends =
                InMemoryEnds.topics(
                        settings.topics().get(0),
                        settings.deadLetterTopic(),
                        settings.feedbackTopic());
        inMemoryTopics.addAll(List.of(settings.deadLetterTopic(), settings.feedbackTopic()));
        if (settings.erasureTopic() != null) {
            inMemoryTopics.addAll(List.of(settings.erasureTopic(), settings.erasureOutcomeTopic()));
            ends =
                    InMemoryEnds.withErasures(
                            ends, settings.erasureTopic(), settings.erasureOutcomeTopic());
        }
        return ends;
    }

    /** Creates {@code name} on the broker; in memory, a topic is there once named. */
    protected void createTopic(String name, int partitions) throws Exception {
        if (onBroker()) {
            kafka.createTopic(name, partitions);
        } else {
            inMemoryTopics.add(name);
        }
    }

    /** Writes {@code records} (key, value) to {@link #topic}. */
    protected void produce(Collection<Map.Entry<String, byte[]>> records) throws Exception {
        produce(topic, records);
    }

    /**
     * Writes {@code records} (key, value) to {@code topicName}: to the broker, or in memory, where
     * the records keep the order given (as each key's do in its Kafka partition).
     */
    protected void produce(String topicName, Collection<Map.Entry<String, byte[]>> records)
            throws Exception {
        if (onBroker()) {
            kafka.produce(topicName, records);
            return;
        }
        InMemoryTopic target = InMemoryTopic.named(topicName);
        inMemoryTopics.add(topicName);
        for (Map.Entry<String, byte[]> record : records) {
            target.append(record.getValue(), System.currentTimeMillis());
        }
    }

    /**
     * The values written to {@code topicName}, from its start, once at least {@code atLeast} are
     * there or {@code timeout} has passed; read_committed on the broker.
     */
    protected List<byte[]> read(String topicName, int atLeast, Duration timeout) throws Exception {
        List<byte[]> values = new ArrayList<>();
        if (onBroker()) {
            for (ConsumerRecord<byte[], byte[]> r :
                    kafka.readCommitted(topicName, atLeast, timeout)) {
                values.add(r.value());
            }
            return values;
        }
        InMemoryTopic source = InMemoryTopic.named(topicName);
        inMemoryTopics.add(topicName);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (source.records().size() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        // As on the broker: what else arrives right after, so "exactly N" can be asserted.
        Thread.sleep(500);
        for (SourceRecord r : source.records()) {
            values.add(r.value);
        }
        return values;
    }

    /** A test class's own cluster-side settings for its jobs (checkpoint timeout, ...). */
    protected void configure(org.apache.flink.configuration.Configuration config) {}

    protected List<JsonNode> deadLetters(int atLeast, Duration timeout) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (byte[] value : read(deadLetterTopic, atLeast, timeout)) {
            out.add(MAPPER.readTree(value));
        }
        return out;
    }

    /**
     * A MiniCluster configuration whose REST API fetches metrics every 500 ms (instead of 10 s),
     * for tests that read the job's metrics while it runs.
     */
    protected static org.apache.flink.configuration.Configuration fastMetrics() {
        org.apache.flink.configuration.Configuration c =
                new org.apache.flink.configuration.Configuration();
        c.set(
                org.apache.flink.configuration.MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL,
                Duration.ofMillis(500));
        return c;
    }

    /**
     * The stored events are exactly the expected events of {@code batches}, each once (by person,
     * sequence number and name), and each person's arrived in sequence order.
     */
    protected static void assertExactlyOnceInOrder(
            List<StoredEvent> stored, TestBatches... batches) {
        Set<String> expected = new HashSet<>();
        for (TestBatches b : batches) {
            for (TestBatches.ExpectedEvent e : b.expectedEvents()) {
                expected.add(e.customerId() + "/" + e.seq() + "/" + e.name());
            }
        }
        List<String> keys = new ArrayList<>();
        Map<String, List<Long>> order = new HashMap<>();
        for (StoredEvent e : stored) {
            long seq = e.data().get("seq").asLong();
            keys.add(e.personId() + "/" + seq + "/" + e.name());
            order.computeIfAbsent(e.personId(), k -> new ArrayList<>()).add(seq);
        }
        assertThat(keys).doesNotHaveDuplicates().hasSize(expected.size());
        assertThat(new HashSet<>(keys)).isEqualTo(expected);
        order.forEach((user, seqs) -> assertThat(seqs).as("arrival order of %s", user).isSorted());
    }

    /** The job's {@code operations_parked} for {@code reason}, summed; 0 while unreadable. */
    protected static long parkedOperations(URI rest, JobClient job, String reason) {
        try {
            return metricSums(
                            rest,
                            "/jobs/" + job.getJobID(),
                            m ->
                                    m.contains("." + reason + ".")
                                                    && m.endsWith(".operations_parked")
                                            ? "parked"
                                            : null)
                    .getOrDefault("parked", 0L);
        } catch (Exception e) {
            return 0;
        }
    }

    /**
     * The job's metrics from Flink's REST API, summed over subtasks and vertices: {@code nameOf}
     * maps a metric id (e.g. {@code 0.Per-user_state.forwarder.devices_added}) to the name to sum
     * it under, or to null to leave it out. Throws while Flink's REST API has not fetched the
     * metrics of every vertex yet (callers poll).
     */
    protected static Map<String, Long> metricSums(
            URI rest, String jobPath, Function<String, String> nameOf) throws Exception {
        Map<String, Long> sums = new TreeMap<>();
        for (JsonNode vertex : restGet(rest, jobPath).get("vertices")) {
            String metricsPath =
                    jobPath + "/vertices/" + vertex.get("id").asText() + "/subtasks/metrics";
            JsonNode available = restGet(rest, metricsPath);
            if (available.isEmpty()) {
                // The REST metric store fills asynchronously: summing the vertices it already
                // holds would undercount, so the caller asks again.
                throw new IllegalStateException(
                        "no metrics fetched yet for " + vertex.get("name").asText());
            }
            List<String> ids = new ArrayList<>();
            for (JsonNode metric : available) {
                if (nameOf.apply(metric.get("id").asText()) != null) {
                    ids.add(metric.get("id").asText());
                }
            }
            if (ids.isEmpty()) {
                continue;
            }
            String query =
                    "?get="
                            + URLEncoder.encode(String.join(",", ids), StandardCharsets.UTF_8)
                            + "&agg=sum";
            for (JsonNode metric : restGet(rest, metricsPath + query)) {
                sums.merge(
                        nameOf.apply(metric.get("id").asText()),
                        (long) metric.get("sum").asDouble(),
                        Long::sum);
            }
        }
        return sums;
    }

    /**
     * How many of the job's execution vertices run an attempt other than their first: 0 when the
     * job never restarted a task.
     */
    protected static int restartedVertices(MiniCluster cluster, JobClient job) throws Exception {
        int restarted = 0;
        for (var vertex :
                cluster.getExecutionGraph(job.getJobID()).get().getAllExecutionVertices()) {
            if (vertex.getCurrentExecutionAttempt().getAttemptNumber() > 0) {
                restarted++;
            }
        }
        return restarted;
    }

    protected static JsonNode restGet(URI rest, String path) throws Exception {
        HttpResponse<String> response =
                HTTP.send(
                        HttpRequest.newBuilder(rest.resolve(path)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
        return MAPPER.readTree(response.body());
    }
}
