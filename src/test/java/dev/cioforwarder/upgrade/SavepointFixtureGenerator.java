package dev.cioforwarder.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.delivery.DeliveryFeedback;
import dev.cioforwarder.delivery.DeliveryFeedbackCodec;
import dev.cioforwarder.job.JobTestSupport;
import dev.cioforwarder.simulator.Faults;
import dev.cioforwarder.simulator.Refusal;
import dev.cioforwarder.state.DeliveryLane;
import dev.cioforwarder.testing.Await;
import dev.cioforwarder.testing.LocalResources;
import dev.cioforwarder.testing.MavenClasspath;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Makes a savepoint fixture: runs the job over {@link SavepointFixtures#before(String)} and commits
 * its stop-with-savepoint under {@code src/test/resources/savepoints/<version>}. Run it once per
 * state version, before changing the state, and commit the result:
 *
 * <pre>
 * mvn -B verify -Dtest=NONE -Dit.test=SavepointFixtureGenerator -Dsavepoint.fixture.version=state-v5
 * </pre>
 *
 * {@code SavepointMigrationITCase} then restores every committed fixture with the current code.
 */
@EnabledIfSystemProperty(named = "savepoint.fixture.version", matches = "state-v\\d+")
class SavepointFixtureGenerator extends JobTestSupport {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    /**
     * Leo's probes parked before the savepoint: after the 4th, the next probe waits 8 to 16 s
     * (UserLane's backoff), time enough for the savepoint to find his lane backing off.
     */
    private static final int LEO_PROBES_PARKED = 4;

    /** How long Customer.io takes to answer Mia's request (under customerio.request-timeout). */
    private static final long MIA_LATENCY_MS = 25_000;

    @Test
    void generate(@InjectMiniCluster MiniCluster cluster) throws Exception {
        String version = System.getProperty("savepoint.fixture.version");
        int stateVersion = SavepointFixtures.versionOf(version);
        Path target =
                MavenClasspath.projectDir()
                        .resolve("src/test/resources/savepoints")
                        .resolve(version);
        kafka.recreateTopic(SavepointFixtures.TOPIC, 1);
        kafka.recreateTopic(SavepointFixtures.DEAD_LETTER_TOPIC, 1);
        kafka.recreateTopic(SavepointFixtures.FEEDBACK_TOPIC, 1);
        // Leo's and Mia's batches (state version 5) follow once the others are delivered: in a
        // request with theirs, another user's operations would be refused or held with them.
        kafka.produce(SavepointFixtures.TOPIC, SavepointFixtures.settledBefore(version));
        List<Map.Entry<String, byte[]>> erasures = SavepointFixtures.erasureRequests(version);
        if (SavepointFixtures.versionOf(version) >= 4) {
            kafka.recreateTopic(SavepointFixtures.ERASURE_TOPIC, 1);
            kafka.recreateTopic(SavepointFixtures.ERASURE_OUTCOME_TOPIC, 1);
        }

        JobClient job = startJob(settings(SavepointFixtures.settings(version)), 2);
        Await.until(
                Duration.ofMinutes(2),
                () -> customerio.summary().events() >= SavepointFixtures.eventsBefore(version),
                () -> customerio.summary().toString());
        if (!erasures.isEmpty()) {
            // Erase Ken once Customer.io knows him, so the outcome is "done", not "not_found".
            Await.until(
                    Duration.ofMinutes(1),
                    () -> customerio.personById("cust-9009").isPresent(),
                    () -> customerio.people().toString());
            kafka.produce(SavepointFixtures.ERASURE_TOPIC, erasures);
            assertThat(
                            kafka.readCommitted(
                                    SavepointFixtures.ERASURE_OUTCOME_TOPIC,
                                    erasures.size(),
                                    Duration.ofMinutes(1)))
                    .hasSize(erasures.size());
        }
        if (stateVersion >= 6) {
            // Nina's anonymous event, and Pia's email, which follows the email index's answer.
            // (With anonymous events on, Nobody's event before his identity is anonymous too.)
            Await.until(
                    Duration.ofMinutes(1),
                    () ->
                            customerio.anonymousEvents().stream()
                                            .anyMatch(e -> e.name().equals("Nina_Browsed"))
                                    && customerio
                                            .personById("cust-16016")
                                            .map(
                                                    p ->
                                                            SavepointFixtures.PIAS_EMAIL.equals(
                                                                    p.email()))
                                            .orElse(false),
                    () -> customerio.anonymousEvents() + " " + customerio.people());
        }
        // Let the last identify land and a checkpoint complete, then stop with a savepoint.
        Thread.sleep(3_000);
        if (stateVersion >= 5) {
            makeLeoWaitAndMiasRequestPending(version, cluster.getRestAddress().get(), job);
        }
        String savepoint =
                job.stopWithSavepoint(
                                false,
                                dir.resolve("savepoints").toUri().toString(),
                                SavepointFormatType.CANONICAL)
                        .get();
        Path source = Path.of(URI.create(savepoint));
        if (stateVersion >= 5) {
            checkLeoAndMiaAreInTheSavepoint(source);
        }

        LocalResources.deleteRecursively(target);
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path copy = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy);
                }
            }
        }
        // What UserStateSchemaTest holds every later version to.
        for (Map.Entry<String, Class<?>> recorded : UserStateSchemaTest.RECORDED.entrySet()) {
            Files.write(
                    target.resolve(recorded.getKey()),
                    UserStateSchemaTest.fieldsOf(recorded.getValue()),
                    StandardCharsets.UTF_8);
        }
        Files.writeString(
                target.resolve("FIXTURE.md"),
                "Savepoint of the forwarder at state version "
                        + version
                        + ", made by SavepointFixtureGenerator on "
                        + Instant.now()
                        + " with Flink "
                        + org.apache.flink.runtime.util.EnvironmentInformation.getVersion()
                        + ", RocksDB, parallelism 2, max parallelism 720.\n"
                        + "Input: SavepointFixtures.before(\""
                        + version
                        + "\") and SavepointFixtures.erasureRequests(\""
                        + version
                        + "\"); settings: SavepointFixtures.settings(\""
                        + version
                        + "\").\n"
                        + (stateVersion >= 5
                                ? "At the savepoint: Leo's "
                                        + SavepointFixtures.LEO_WAITING
                                        + " operations wait in his state (Customer.io answered"
                                        + " 503 for him; lane backing off after "
                                        + LEO_PROBES_PARKED
                                        + " parked probes, delivery's parked-user mark on him),"
                                        + " Mia's request is in delivery's AsyncIO queue (a "
                                        + MIA_LATENCY_MS / 1000
                                        + " s answer), everything else delivered.\n"
                                : ""),
                StandardCharsets.UTF_8);
    }

    /**
     * State version 5: Customer.io refuses Leo with 503 until his operations wait in his state and
     * his lane backs off after {@link #LEO_PROBES_PARKED} parked probes (delivery then holds a
     * parked-user mark for him); then Mia's request goes out to a Customer.io that answers after
     * {@link #MIA_LATENCY_MS}, and the savepoint is taken while it waits.
     */
    private void makeLeoWaitAndMiasRequestPending(String version, URI rest, JobClient job)
            throws Exception {
        String jobPath = "/jobs/" + job.getJobID();
        Await.until(
                Duration.ofMinutes(1),
                () -> waiting(rest, jobPath).equals(Map.of("operations", 0L, "users", 0L)),
                () -> "waiting before Leo: " + waiting(rest, jobPath));
        Refusal leo = Refusal.person(SavepointFixtures.LEO_ID).status(503);
        customerio.setFaults(Faults.none().refusals(leo));
        kafka.produce(SavepointFixtures.TOPIC, SavepointFixtures.waitingBefore(version));
        Await.until(
                Duration.ofMinutes(2),
                () ->
                        waiting(rest, jobPath)
                                .equals(
                                        Map.of(
                                                "operations",
                                                (long) SavepointFixtures.LEO_WAITING,
                                                "users",
                                                1L)),
                () -> "waiting: " + waiting(rest, jobPath));
        // The feedback topic says when his lane starts backing off: a probe parked, read back.
        try (KafkaConsumer<byte[], byte[]> feedback = feedbackConsumer()) {
            int parked = 0;
            List<String> seen = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (parked < LEO_PROBES_PARKED) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(
                            "Leo's probes parked: "
                                    + parked
                                    + "; his feedback: "
                                    + seen
                                    + "; requests: "
                                    + customerio.requests());
                }
                for (ConsumerRecord<byte[], byte[]> r : feedback.poll(Duration.ofMillis(100))) {
                    DeliveryFeedback f = DeliveryFeedbackCodec.decode(r.value());
                    if (!Long.toString(SavepointFixtures.LEO).equals(f.userKey)) {
                        continue;
                    }
                    seen.add(
                            f.kind
                                    + "/"
                                    + f.reason
                                    + "/"
                                    + f.operation.kind
                                    + " seq="
                                    + f.operation.seq
                                    + " ep="
                                    + f.operation.episode
                                    + " waits="
                                    + f.operation.waits);
                    // After the take-over (episode 1) only probes go out: each parked one
                    // starts the next episode and a longer backoff.
                    if (f.kind == DeliveryFeedback.Kind.PARKED
                            && !f.operation.isSeal()
                            && f.operation.episode > 0) {
                        parked++;
                    }
                }
            }
        }
        // The job reads it as this consumer did (within the 2 s below, far within the backoff);
        // then Mia's request goes out and waits for its answer.
        customerio.setFaults(Faults.none().refusals(leo).latencyMs(MIA_LATENCY_MS));
        kafka.produce(SavepointFixtures.TOPIC, SavepointFixtures.inFlightBefore(version));
        Thread.sleep(2_000);
    }

    /** The user-state operator's waiting gauges, summed over its subtasks. */
    private static Map<String, Long> waiting(URI rest, String jobPath) {
        try {
            return metricSums(
                    rest,
                    jobPath,
                    id ->
                            id.endsWith(".operations_waiting")
                                    ? "operations"
                                    : id.endsWith(".users_waiting") ? "users" : null);
        } catch (Exception e) {
            return Map.of();
        }
    }

    private static KafkaConsumer<byte[], byte[]> feedbackConsumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        TopicPartition partition = new TopicPartition(SavepointFixtures.FEEDBACK_TOPIC, 0);
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        return consumer;
    }

    /**
     * A savepoint taken a moment too early or too late would not hold what state version 5 is
     * about: refuse to commit it (run the generator again).
     */
    private static void checkLeoAndMiaAreInTheSavepoint(Path savepoint) throws Exception {
        FixtureState state = FixtureState.read(savepoint);
        Map<String, FixtureState.RestoredUser> users = state.users();
        FixtureState.RestoredUser leo = users.get(Long.toString(SavepointFixtures.LEO));
        assertThat(leo.state.lane).as("Leo's lane").isNotNull();
        assertThat(leo.state.lane.phase).as("Leo's lane phase").isEqualTo(DeliveryLane.BACKOFF);
        assertThat(leo.state.lane.waiting).isEqualTo(SavepointFixtures.LEO_WAITING);
        assertThat(leo.waiting).hasSize(SavepointFixtures.LEO_WAITING);
        for (FixtureState.RestoredUser u : users.values()) {
            if (!u.key.equals(leo.key)) {
                assertThat(u.state.lane).as("the lane of %s", u.key).isNull();
                assertThat(u.waiting).as("what waits for %s", u.key).isEmpty();
            }
        }
        assertThat(state.parkedUsers())
                .as("delivery's parked-user marks")
                .extracting(p -> p.userKey)
                .containsExactly(Long.toString(SavepointFixtures.LEO));
        assertThat(state.deliveryQueue())
                .as("delivery's queue")
                .flatExtracting(r -> r.operations)
                .extracting(op -> op.userKey)
                .containsOnly(Long.toString(SavepointFixtures.MIA))
                .isNotEmpty();
    }
}
