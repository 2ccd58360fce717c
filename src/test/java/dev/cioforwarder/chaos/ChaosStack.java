package dev.cioforwarder.chaos;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cioforwarder.ops.Console;
import dev.cioforwarder.ops.FlinkRestClient;
import dev.cioforwarder.ops.JobControl;
import dev.cioforwarder.ops.JobEnd;
import dev.cioforwarder.ops.JobRecords;
import dev.cioforwarder.simulator.Person;
import dev.cioforwarder.simulator.StoredEvent;
import dev.cioforwarder.simulator.Summary;
import dev.cioforwarder.testing.LocalResources;
import dev.cioforwarder.testing.MavenClasspath;
import dev.cioforwarder.testing.RepoScripts;
import dev.cioforwarder.testing.RepoScripts.ScriptResult;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real local stack ({@code scripts/stack.sh}: a Kafka broker, a Flink standalone cluster and
 * the Customer.io simulator, each its own process) in its own state directory and on its own ports,
 * driven only through the project's scripts and the services' own APIs. Operations on the job
 * (submit, resume, cancel) go through the operations tool, the one implementation of them; Flink's
 * REST API is otherwise only read, for the suite's checks (checkpoint history and counts).
 */
final class ChaosStack {

    private static final Logger LOG = LoggerFactory.getLogger(ChaosStack.class);
    static final ObjectMapper MAPPER =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Path repo;
    private final Path stateDir;
    private final Map<String, String> env;
    private final RepoScripts scripts;
    private final HttpClient http =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
    private boolean startedHere;

    private ChaosStack(Path repo, Path stateDir, Map<String, String> env) {
        this.repo = repo;
        this.stateDir = stateDir;
        this.env = env;
        this.scripts = new RepoScripts(repo, env, stateDir.resolve("chaos-script-logs"));
    }

    /**
     * A stack in {@code stateDir} on the ports of the environment variables {@code stack.sh} reads
     * (KAFKA_PORT, KAFKA_CONTROLLER_PORT, FLINK_REST_PORT, FLINK_RPC_PORT, SIMULATOR_PORT), each
     * defaulting to the given one; 0 picks a free port.
     */
    static ChaosStack of(
            Path stateDir, Map<String, String> environment, Map<String, Integer> defaultPorts) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CIO_STATE_DIR", stateDir.toAbsolutePath().toString());
        for (Map.Entry<String, Integer> port : defaultPorts.entrySet()) {
            String given = environment.get(port.getKey());
            int value =
                    given != null && !given.isBlank()
                            ? Integer.parseInt(given.trim())
                            : port.getValue();
            env.put(
                    port.getKey(),
                    Integer.toString(value == 0 ? LocalResources.freeLoopbackPort() : value));
        }
        for (String passed :
                List.of(
                        "SIMULATOR_SITE_ID",
                        "FLINK_PROPERTIES",
                        "START_TIMEOUT",
                        "KAFKA_HEAP_OPTS",
                        "SIMULATOR_JAVA_OPTS")) {
            if (environment.containsKey(passed)) {
                env.put(passed, environment.get(passed));
            }
        }
        env.putIfAbsent("START_TIMEOUT", "180");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        String mavenHome = System.getProperty("maven.home");
        if (mavenHome != null && Files.isExecutable(Path.of(mavenHome, "bin", "mvn"))) {
            env.put("MVN", Path.of(mavenHome, "bin", "mvn").toString());
        }
        // The Prometheus reporter listens on all interfaces: never on the local stack.
        env.put("FLINK_PROMETHEUS", "false");
        return new ChaosStack(MavenClasspath.projectDir(), stateDir.toAbsolutePath(), env);
    }

    static Map<String, Integer> freePorts() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String name :
                List.of(
                        "KAFKA_PORT",
                        "KAFKA_CONTROLLER_PORT",
                        "FLINK_REST_PORT",
                        "FLINK_RPC_PORT",
                        "SIMULATOR_PORT")) {
            ports.put(name, 0);
        }
        return ports;
    }

    Path stateDir() {
        return stateDir;
    }

    Path repo() {
        return repo;
    }

    Map<String, String> env() {
        return env;
    }

    int port(String name) {
        return Integer.parseInt(env.get(name));
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port("KAFKA_PORT");
    }

    String simulatorUrl() {
        return "http://127.0.0.1:" + port("SIMULATOR_PORT");
    }

    String flinkUrl() {
        return "http://127.0.0.1:" + port("FLINK_REST_PORT");
    }

    String siteId() {
        return env.getOrDefault("SIMULATOR_SITE_ID", "local-site");
    }

    /** The directory of the job's checkpoints ({@code stack.sh} points Flink there). */
    Path checkpointDir() {
        return stateDir.resolve("checkpoints");
    }

    // -------------------------------------------------------------------------------------
    // Start and stop

    /** Whether any service of this state dir runs (its pid file points at a live process). */
    boolean anyServiceRunning() throws IOException {
        return !runningPids().isEmpty();
    }

    /**
     * Starts every service that is not running yet ({@code stack.sh start} leaves running ones
     * alone). Remembers whether it started anything, so that {@link #stopIfStartedHere} leaves a
     * stack someone else started running.
     */
    void start() throws Exception {
        startedHere = !anyServiceRunning();
        Files.createDirectories(stateDir);
        seedClasspaths();
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopQuietlyIfStartedHere));
        script(Duration.ofMinutes(8), "scripts/stack.sh", "start").assertSuccess();
    }

    /**
     * stack.sh resolves classpaths with Maven and recompiles the test classes when it finds no
     * stamp newer than the sources; this JVM runs from those classes, which must not change under
     * it. Hand stack.sh the classpaths (resolved once and cached in target/classpath) and a fresh
     * stamp, as ClusterOperationsITCase does.
     */
    private void seedClasspaths() throws Exception {
        Path classpaths = stateDir.resolve("classpath");
        Files.createDirectories(classpaths);
        Files.writeString(
                classpaths.resolve("kafka.classpath"),
                MavenClasspath.of("scripts/stack/kafka/pom.xml"));
        Files.writeString(
                classpaths.resolve("flink.classpath"),
                MavenClasspath.of("scripts/stack/flink/pom.xml"));
        Files.writeString(
                classpaths.resolve("project-test.classpath"), MavenClasspath.of("pom.xml"));
        Files.writeString(classpaths.resolve("test-compile.stamp"), "");
    }

    boolean startedHere() {
        return startedHere;
    }

    /** Leave the stack running at the end, even when it was started here. */
    void keepRunning() {
        startedHere = false;
    }

    void stop() throws Exception {
        script(Duration.ofMinutes(4), "scripts/stack.sh", "stop").assertSuccess();
        startedHere = false;
    }

    void stopIfStartedHere() throws Exception {
        if (startedHere) {
            stop();
        }
    }

    private void stopQuietlyIfStartedHere() {
        try {
            stopIfStartedHere();
        } catch (Exception e) {
            LOG.warn("stopping the local stack failed", e);
        }
    }

    /**
     * Pids of this state dir's services, by service name (kafka, jobmanager, taskmanager-1, ...).
     */
    Map<String, Long> runningPids() throws IOException {
        Map<String, Long> pids = new LinkedHashMap<>();
        Path dir = stateDir.resolve("pids");
        if (!Files.isDirectory(dir)) {
            return pids;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files.sorted()::iterator) {
                String name = file.getFileName().toString();
                if (!name.endsWith(".pid")) {
                    continue;
                }
                String text = Files.readString(file).trim();
                if (!text.matches("[0-9]+")) {
                    continue;
                }
                long pid = Long.parseLong(text);
                String service = name.substring(0, name.length() - 4);
                String cmdline = commandLine(pid);
                // Only our own process (stack.sh's marker), not a reused pid.
                if (cmdline.contains("-Dcio.stack.dir=" + stateDir + " ")
                        && cmdline.contains("-Dcio.stack.service=" + service + " ")) {
                    pids.put(service, pid);
                }
            }
        }
        return pids;
    }

    static String commandLine(long pid) {
        try {
            byte[] bytes = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(bytes, StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    // -------------------------------------------------------------------------------------
    // Scripts

    ScriptResult script(Duration timeout, String script, String... args) throws Exception {
        return scripts.run(timeout, script, args);
    }

    // -------------------------------------------------------------------------------------
    // HTTP: Flink's REST API and the simulator

    JsonNode flink(String path) {
        return json(flinkUrl() + path);
    }

    /**
     * The sum over a job's subtasks of the metric whose id ends in {@code "." + name}, or null
     * while Flink's REST metric store lacks any vertex's metrics (it fills asynchronously, and a
     * sum over the vertices it already holds would undercount) or no vertex reports the metric.
     */
    Long subtaskMetricSum(String jobId, String name) {
        long sum = 0;
        boolean any = false;
        for (JsonNode vertex : flink("/jobs/" + jobId).path("vertices")) {
            String path = "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText();
            JsonNode available = flink(path + "/subtasks/metrics");
            if (available.isEmpty()) {
                return null;
            }
            List<String> ids = new ArrayList<>();
            for (JsonNode m : available) {
                if (m.path("id").asText().endsWith("." + name)) {
                    ids.add(m.path("id").asText());
                }
            }
            if (ids.isEmpty()) {
                continue;
            }
            for (JsonNode m :
                    flink(
                            path
                                    + "/subtasks/metrics?agg=sum&get="
                                    + URLEncoder.encode(
                                            String.join(",", ids), StandardCharsets.UTF_8))) {
                sum += (long) m.path("sum").asDouble();
                any = true;
            }
        }
        return any ? sum : null;
    }

    Summary summary() {
        return simulator("/__simulator/summary", new TypeReference<Summary>() {});
    }

    List<StoredEvent> events() {
        return simulator("/__simulator/events", new TypeReference<List<StoredEvent>>() {});
    }

    List<Person> people() {
        return simulator("/__simulator/people", new TypeReference<List<Person>>() {});
    }

    /** Cancels the job through the operations tool, and waits until it has ended. */
    void cancel(String jobId) {
        new JobEnd(
                        new JobControl(
                                new FlinkRestClient(flinkUrl(), Duration.ofSeconds(60)),
                                new Console(System.out, System.err),
                                new JobRecords(stateDir.resolve("ops")),
                                Duration.ofSeconds(1),
                                Duration.ofMinutes(15),
                                true))
                .cancelAndAwait(jobId);
    }

    void setFaults(String json) {
        post(simulatorUrl() + "/__simulator/faults", json);
    }

    void resetSimulator() {
        post(simulatorUrl() + "/__simulator/reset", "{}");
    }

    private <T> T simulator(String path, TypeReference<T> type) {
        try {
            return MAPPER.readValue(get(simulatorUrl() + path), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode json(String url) {
        try {
            return MAPPER.readTree(get(url));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    private void post(String url, String body) {
        send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private String send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response =
                    http.send(
                            request.timeout(Duration.ofSeconds(60)).build(),
                            HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(
                        response.request().uri()
                                + " answered "
                                + response.statusCode()
                                + ": "
                                + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // -------------------------------------------------------------------------------------
    // Kafka

    private Properties adminProperties() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
        return p;
    }

    void createTopics(String input, int partitions, String deadLetters) throws Exception {
        try (Admin admin = Admin.create(adminProperties())) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(input, partitions, (short) 1),
                                    new NewTopic(deadLetters, 1, (short) 1)))
                    .all()
                    .get(2, TimeUnit.MINUTES);
        }
    }

    /**
     * The sum of a topic's end offsets as written (read_uncommitted): any record ever written, even
     * in an aborted transaction, moves it.
     */
    long endOffset(String topic) throws Exception {
        long sum = 0;
        for (long offset : endOffsets(topic).values()) {
            sum += offset;
        }
        return sum;
    }

    /** A topic's end offsets by partition, as written (read_uncommitted). */
    Map<Integer, Long> endOffsets(String topic) throws Exception {
        try (Admin admin = Admin.create(adminProperties())) {
            var partitions =
                    admin.describeTopics(List.of(topic))
                            .allTopicNames()
                            .get(1, TimeUnit.MINUTES)
                            .get(topic)
                            .partitions();
            Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
            for (var p : partitions) {
                request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
            }
            Map<Integer, Long> offsets = new TreeMap<>();
            for (var e : admin.listOffsets(request).all().get(1, TimeUnit.MINUTES).entrySet()) {
                offsets.put(e.getKey().partition(), e.getValue().offset());
            }
            return offsets;
        }
    }

    /**
     * The committed records of a topic (read_committed) from the given offsets (a partition not
     * named: from its beginning) up to its end offsets as of this call, as text; waits at most
     * {@code timeout} for records of transactions still open to be decided.
     */
    List<String> readCommittedFrom(String topic, Map<Integer, Long> from, Duration timeout)
            throws Exception {
        Map<Integer, Long> end = endOffsets(topic);
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int partition : end.keySet()) {
                partitions.add(new TopicPartition(topic, partition));
            }
            consumer.assign(partitions);
            for (TopicPartition tp : partitions) {
                consumer.seek(tp, from.getOrDefault(tp.partition(), 0L));
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    records.add(new String(r.value(), StandardCharsets.UTF_8));
                }
                boolean atEnd = true;
                for (TopicPartition tp : partitions) {
                    atEnd &= consumer.position(tp) >= end.get(tp.partition());
                }
                if (atEnd) {
                    break;
                }
            }
        }
        return records;
    }

    /** The committed records of a topic (read_committed), as text, at most {@code max}. */
    List<String> readCommitted(String topic, int max) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic)
                    .forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (records.size() < max && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    records.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return records;
    }

    /**
     * A producer that outlives a broker restart: it keeps what it is given in its buffer while the
     * broker is away and sends it when the broker is back (idempotent, so nothing twice).
     */
    KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.toString(30 * 60_000));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Integer.toString(30 * 60_000));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
