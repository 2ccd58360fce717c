package dev.cioforwarder.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A real Kafka broker (KRaft, single node) for integration tests, run as a separate JVM from the
 * {@code org.apache.kafka:kafka_2.13} artifacts that {@code scripts/stack/kafka/pom.xml} resolves,
 * so its dependencies never mix with the job's. Bound to 127.0.0.1 on free ports. Tests can stop,
 * kill and restart it to inject broker failures.
 */
public final class LocalKafkaBroker implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final int controllerPort;
    private final String classpath;
    private Process process;

    private LocalKafkaBroker(Path dir, int port, int controllerPort, String classpath) {
        this.dir = dir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.classpath = classpath;
    }

    /** Starts a broker whose data lives under {@code dir}. */
    public static LocalKafkaBroker start(Path dir) throws Exception {
        Files.createDirectories(dir);
        LocalKafkaBroker broker =
                new LocalKafkaBroker(
                        dir,
                        LocalResources.freeLoopbackPort(),
                        LocalResources.freeLoopbackPort(),
                        MavenClasspath.of("scripts/stack/kafka/pom.xml"));
        broker.format();
        broker.launch();
        return broker;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public Path logFile() {
        return dir.resolve("broker.log");
    }

    private void format() throws Exception {
        Path properties = dir.resolve("server.properties");
        Files.writeString(
                properties,
                String.join(
                        "\n",
                        "process.roles=broker,controller",
                        "node.id=1",
                        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                        "listeners=PLAINTEXT://127.0.0.1:"
                                + port
                                + ",CONTROLLER://127.0.0.1:"
                                + controllerPort,
                        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                        "controller.listener.names=CONTROLLER",
                        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                        "inter.broker.listener.name=PLAINTEXT",
                        "log.dirs=" + dir.resolve("data"),
                        "num.partitions=1",
                        "offsets.topic.replication.factor=1",
                        "offsets.topic.num.partitions=4",
                        "transaction.state.log.replication.factor=1",
                        "transaction.state.log.min.isr=1",
                        "transaction.state.log.num.partitions=4",
                        "group.initial.rebalance.delay.ms=0",
                        "auto.create.topics.enable=false",
                        ""),
                StandardCharsets.UTF_8);
        Files.writeString(
                dir.resolve("log4j2.properties"),
                String.join(
                        "\n",
                        "rootLogger.level=INFO",
                        "rootLogger.appenderRef.file.ref=file",
                        "appender.file.type=File",
                        "appender.file.name=file",
                        "appender.file.fileName=" + logFile(),
                        "appender.file.layout.type=PatternLayout",
                        "appender.file.layout.pattern=%d %p %c{1} - %m%n",
                        "logger.kafka.name=kafka",
                        "logger.kafka.level=WARN",
                        "logger.apache.name=org.apache.kafka",
                        "logger.apache.level=WARN",
                        ""),
                StandardCharsets.UTF_8);
        Process format =
                new ProcessBuilder(
                                java(),
                                "-cp",
                                classpath,
                                "-Dlog4j.configurationFile=" + dir.resolve("log4j2.properties"),
                                "kafka.tools.StorageTool",
                                "format",
                                "-t",
                                UUID.randomUUID().toString().replace("-", "").substring(0, 22),
                                "-c",
                                properties.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("format.log").toFile())
                        .start();
        if (!format.waitFor(2, TimeUnit.MINUTES) || format.exitValue() != 0) {
            throw new IllegalStateException(
                    "formatting the Kafka storage failed: see " + dir.resolve("format.log"));
        }
    }

    private void launch() throws Exception {
        process =
                new ProcessBuilder(
                                java(),
                                "-Xmx512m",
                                "-XX:+UseParallelGC",
                                "-cp",
                                classpath,
                                "-Dlog4j.configurationFile=" + dir.resolve("log4j2.properties"),
                                "kafka.Kafka",
                                dir.resolve("server.properties").toString())
                        .redirectErrorStream(true)
                        .redirectOutput(
                                ProcessBuilder.Redirect.appendTo(
                                        dir.resolve("stdout.log").toFile()))
                        .start();
        awaitReady(Duration.ofMinutes(2));
    }

    private void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "the Kafka broker exited (code "
                                + process.exitValue()
                                + "): see "
                                + logFile());
            }
            try (Admin admin = admin()) {
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                last = e;
                Thread.sleep(300);
            }
        }
        throw new IllegalStateException("the Kafka broker did not start: see " + logFile(), last);
    }

    /** Stops the broker gracefully (SIGTERM) and waits for it. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    /** Kills the broker (SIGKILL), as a crash would. */
    public void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor();
        }
    }

    /** Starts the broker again on the same ports and data. */
    public void restart() throws Exception {
        stop();
        launch();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    public Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        return Admin.create(p);
    }

    public void createTopic(String name, int partitions) throws Exception {
        createTopic(name, partitions, Map.of());
    }

    /**
     * Waits until every partition of a new topic is served by its leader. The controller accepts a
     * topic before the broker has applied it: a producer that writes in that moment gets
     * NOT_LEADER_OR_FOLLOWER, and an idempotent one can then stay stuck on OUT_OF_ORDER_SEQUENCE
     * for a minute. ListOffsets is answered only by a partition's ready leader.
     */
    private static void awaitPartitionsServed(Admin admin, String name, int partitions)
            throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int i = 0; i < partitions; i++) {
            latest.put(new TopicPartition(name, i), OffsetSpec.latest());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "the partitions of topic " + name + " have no leader after 60 s", e);
                }
                Thread.sleep(100);
            }
        }
    }

    /** Deletes {@code name} if it exists and creates it again, empty. */
    public void recreateTopic(String name, int partitions) throws Exception {
        try (Admin admin = admin()) {
            if (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(name)) {
                admin.deleteTopics(List.of(name)).all().get(30, TimeUnit.SECONDS);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(name)) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("topic " + name + " was not deleted");
                    }
                    Thread.sleep(200);
                }
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                createTopic(name, partitions);
                return;
            } catch (ExecutionException e) {
                // Deletion finishes asynchronously in KRaft: "topic already exists" for a moment.
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(300);
            }
        }
    }

    public KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Produces records (key, value) and waits until all are acknowledged. */
    public void produce(String topic, Collection<Map.Entry<String, byte[]>> records)
            throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (Map.Entry<String, byte[]> record : records) {
                byte[] key =
                        record.getKey() == null
                                ? null
                                : record.getKey().getBytes(StandardCharsets.UTF_8);
                sent.add(producer.send(new ProducerRecord<>(topic, key, record.getValue())));
            }
            for (java.util.concurrent.Future<?> f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Reads every committed record of {@code topic} from the beginning, waiting until at least
     * {@code atLeast} are there or the timeout passes.
     */
    public List<ConsumerRecord<byte[], byte[]>> readCommitted(
            String topic, int atLeast, Duration timeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic)
                    .forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                if (out.size() >= atLeast) {
                    // Drain what else is immediately there, so "exactly N" can be asserted.
                    for (int i = 0; i < 5; i++) {
                        consumer.poll(Duration.ofMillis(100)).forEach(out::add);
                    }
                    break;
                }
            }
            return out;
        }
    }

    /**
     * Creates a topic with topic-level settings, e.g. {@code max.message.bytes} above the broker's
     * 1 MB default for tests that produce huge records.
     */
    public void createTopic(String name, int partitions, Map<String, String> configs)
            throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            awaitPartitionsServed(admin, name, partitions);
        }
    }

    /**
     * A producer like {@link #producer()} that can send records of up to {@code maxRecordBytes}
     * (the client's {@code max.request.size} and buffer are 1 MB and 32 MB by default).
     */
    public KafkaProducer<byte[], byte[]> producer(int maxRecordBytes) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(maxRecordBytes + 4096));
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(2L * maxRecordBytes + (32 << 20)));
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * How many records of {@code topic} the consumer group has not committed yet (the Flink source
     * commits offsets when a checkpoint completes).
     */
    public long lag(String group, String topic) throws Exception {
        try (Admin admin = admin()) {
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get(30, TimeUnit.SECONDS);
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> request =
                    new java.util.HashMap<>();
            for (var info :
                    admin.describeTopics(List.of(topic))
                            .allTopicNames()
                            .get(30, TimeUnit.SECONDS)
                            .get(topic)
                            .partitions()) {
                request.put(
                        new TopicPartition(topic, info.partition()),
                        org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
            long lag = 0;
            for (var e : admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).entrySet()) {
                var c = committed.get(e.getKey());
                lag += e.getValue().offset() - (c == null ? 0 : c.offset());
            }
            return lag;
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
