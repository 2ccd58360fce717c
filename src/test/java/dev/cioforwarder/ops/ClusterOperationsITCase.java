package dev.cioforwarder.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cioforwarder.simulator.Person;
import dev.cioforwarder.simulator.StoredEvent;
import dev.cioforwarder.simulator.Summary;
import dev.cioforwarder.testing.Await;
import dev.cioforwarder.testing.LocalResources;
import dev.cioforwarder.testing.MavenClasspath;
import dev.cioforwarder.testing.RepoScripts;
import dev.cioforwarder.testing.RepoScripts.ScriptResult;
import dev.cioforwarder.testing.TestBatches;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations scripts against the real thing: the local stack (Kafka broker, Flink standalone
 * cluster with the adaptive scheduler, Customer.io simulator, each its own process, started by
 * {@code scripts/stack.sh} on free ports with its own state directory under {@code target/}),
 * driven only through {@code scripts/run-local.sh}, {@code submit.sh}, {@code savepoint.sh}, {@code
 * upgrade.sh}, {@code rescale.sh} and {@code resume.sh}.
 *
 * <p>The job run-local.sh starts can be upgraded. Then, while batches keep flowing, a job is
 * submitted, upgraded to a second jar, rescaled from 2 to 1 in place (the adaptive scheduler:
 * rescaling by savepoint is the upgrade's path, tested with it), and after a JobManager kill and
 * restart resumed from its newest checkpoint; after each step the job runs and Customer.io (the
 * simulator) holds every event produced so far exactly once. At the end nobody has a second
 * profile, and created_at and the sticky identities prove that the per-user state crossed every
 * restart. Upgrades that fail (a new job Flink refuses, a new job that fails at run time) roll back
 * to the previous jar from the same savepoint and exit 2; the scripts say plainly when a job does
 * not exist or the cluster cannot be reached.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterOperationsITCase {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterOperationsITCase.class);
    private static final ObjectMapper MAPPER =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final Path REPO = MavenClasspath.projectDir();
    private static final Path STATE_DIR = REPO.resolve("target/ops-itcase-stack");
    private static final Path WORK = STATE_DIR.resolve("itcase");
    private static final String TOPIC = "mparticle-batches";
    private static final String SITE_ID = "ops-it-site";
    private static final Duration DELIVERY_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(5);

    /**
     * The users' batches, produced in phases around the operations. Seq numbers and batch counts
     * run across phases, so a lost or repeated user state would show.
     */
    private static final TestBatches BATCHES = TestBatches.generate(41, 120, 1_200, 5);

    /** Users first known by email who gain a Customer ID after the upgrade (sticky identity). */
    private static final int IDENTITY_USERS = 12;

    /** first-seen time of every generated user's iOS device: its first batch's first event. */
    private static final long CREATED_AT_SECONDS = (1_764_000_000_000L + 60_000) / 1000;

    private static final Map<String, String> ENV = new LinkedHashMap<>();
    private static RepoScripts scripts;
    private static final HttpClient HTTP =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();

    private static int kafkaPort;
    private static int flinkPort;
    private static int simulatorPort;
    private static Path firstJar;
    private static Path secondJar;
    private static boolean stackStarted;

    /** The job running after each step, as the scripts printed it. */
    private static String jobId;

    // -------------------------------------------------------------------------------------
    // The stack

    @BeforeAll
    static void startTheLocalStack() throws Exception {
        kafkaPort = LocalResources.freeLoopbackPort();
        flinkPort = LocalResources.freeLoopbackPort();
        simulatorPort = LocalResources.freeLoopbackPort();
        ENV.put("CIO_STATE_DIR", STATE_DIR.toString());
        ENV.put("KAFKA_PORT", Integer.toString(kafkaPort));
        ENV.put("KAFKA_CONTROLLER_PORT", Integer.toString(LocalResources.freeLoopbackPort()));
        ENV.put("FLINK_REST_PORT", Integer.toString(flinkPort));
        ENV.put("FLINK_RPC_PORT", Integer.toString(LocalResources.freeLoopbackPort()));
        ENV.put("SIMULATOR_PORT", Integer.toString(simulatorPort));
        ENV.put("SIMULATOR_SITE_ID", SITE_ID);
        // A smaller TaskManager than the reference 4 GB (this machine also runs the build),
        // checkpoints every 5 s so that "completed a checkpoint after the restore" comes sooner,
        // the adaptive scheduler so that rescale.sh rescales in place, and TaskManagers that
        // notice a killed JobManager within 20 s instead of 50.
        ENV.put(
                "FLINK_PROPERTIES",
                "taskmanager.memory.process.size=2048m execution.checkpointing.interval=5s"
                        + " jobmanager.scheduler=adaptive heartbeat.interval=4000"
                        + " heartbeat.timeout=20000");
        ENV.put("START_TIMEOUT", "180");
        ENV.put("JAVA_HOME", System.getProperty("java.home"));
        String mavenHome = System.getProperty("maven.home");
        if (mavenHome != null && Files.isExecutable(Path.of(mavenHome, "bin", "mvn"))) {
            ENV.put("MVN", Path.of(mavenHome, "bin", "mvn").toString());
        }
        scripts = new RepoScripts(REPO, ENV, STATE_DIR.resolve("itcase-script-logs"));

        firstJar = RepoScripts.jobJar(REPO);
        // A fresh stack: no topics, checkpoints, savepoints or job records of an earlier run
        // (whose processes, should a crashed run have left any, are stopped first).
        if (Files.isDirectory(STATE_DIR.resolve("pids"))) {
            run(Duration.ofMinutes(3), "scripts/stack.sh", "stop");
        }
        LocalResources.deleteRecursively(STATE_DIR);
        Files.createDirectories(WORK);
        seedClasspaths();
        Runtime.getRuntime().addShutdownHook(new Thread(ClusterOperationsITCase::stopStackQuietly));
        stackStarted = true;
        run(Duration.ofMinutes(6), "scripts/stack.sh", "start").assertSuccess("stack.sh start");
        run(Duration.ofMinutes(2), "scripts/stack.sh", "create-topics")
                .assertSuccess("create-topics");
    }

    /**
     * stack.sh resolves classpaths with Maven and recompiles the test classes when it finds no
     * stamp newer than the sources. This build has just compiled them, and recompiling the target
     * directory of a running build would pull classes from under it: hand stack.sh the classpaths
     * (resolved and cached like the other integration tests' helper processes) and the stamp.
     */
    private static void seedClasspaths() throws Exception {
        Path classpaths = STATE_DIR.resolve("classpath");
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

    @AfterAll
    static void stopTheLocalStack() throws Exception {
        if (stackStarted) {
            run(Duration.ofMinutes(3), "scripts/stack.sh", "stop").assertSuccess("stack.sh stop");
            stackStarted = false;
        }
    }

    private static void stopStackQuietly() {
        if (stackStarted) {
            try {
                run(Duration.ofMinutes(3), "scripts/stack.sh", "stop");
            } catch (Exception e) {
                LOG.warn("stopping the local stack failed", e);
            }
        }
    }

    // -------------------------------------------------------------------------------------
    // Failures that need no job

    @Test
    @Order(1)
    void aScriptPointedAtADeadAddressSaysTheClusterIsUnreachable() throws Exception {
        int dead = LocalResources.freeLoopbackPort();
        ScriptResult result =
                run(SCRIPT_TIMEOUT, "scripts/savepoint.sh", "--flink", "http://127.0.0.1:" + dead);
        assertThat(result.exitCode()).as(result.describe()).isNotZero();
        assertThat(result.stderr())
                .contains("the Flink cluster at http://127.0.0.1:" + dead + " is unreachable");
        assertThat(result.stdout()).isBlank();

        ScriptResult upgrade =
                run(
                        SCRIPT_TIMEOUT,
                        "scripts/upgrade.sh",
                        firstJar.toString(),
                        "--flink",
                        "http://127.0.0.1:" + dead);
        assertThat(upgrade.exitCode()).as(upgrade.describe()).isEqualTo(1);
        assertThat(upgrade.stderr()).contains("is unreachable");
    }

    @Test
    @Order(2)
    void submitRefusesAnApiKeyAndSaysWhereItBelongs() throws Exception {
        ScriptResult result =
                run(
                        SCRIPT_TIMEOUT,
                        "scripts/submit.sh",
                        "--jar",
                        firstJar.toString(),
                        "--set",
                        "customerio.api-key=not-a-real-key");
        assertThat(result.exitCode()).as(result.describe()).isNotZero();
        assertThat(result.stderr())
                .contains("customerio.api-key")
                .contains("CUSTOMERIO_API_KEY")
                .contains("TaskManagers")
                .doesNotContain("not-a-real-key");
        // Refused before anything reached the cluster.
        assertThat(get("/jars").path("files")).isEmpty();
    }

    @Test
    @Order(3)
    void aSavepointOfAnUnknownJobSaysTheJobWasNotFound() throws Exception {
        String unknown = "0123456789abcdef0123456789abcdef";
        ScriptResult result = run(SCRIPT_TIMEOUT, "scripts/savepoint.sh", "--job", unknown);
        assertThat(result.exitCode()).as(result.describe()).isNotZero();
        assertThat(result.stderr()).contains("job " + unknown + " not found");
        ScriptResult none = run(SCRIPT_TIMEOUT, "scripts/savepoint.sh");
        assertThat(none.exitCode()).as(none.describe()).isNotZero();
        assertThat(none.stderr())
                .contains("no running job named \"mparticle-customerio-forwarder\"");
    }

    // -------------------------------------------------------------------------------------
    // The quick start's job can be operated

    @Test
    @Order(5)
    void theJobOfRunLocalHasARecordAndCanBeUpgraded() throws Exception {
        // run-local.sh as a new user runs it, on a topic of its own (the flow below has its own).
        ScriptResult runLocal =
                scripts.run(
                        Duration.ofMinutes(6),
                        "scripts/run-local.sh",
                        List.of(),
                        Map.of("INPUT_TOPIC", "run-local-samples"));
        runLocal.assertSuccess("run-local.sh");
        List<String> running = runningJobs();
        assertThat(running).hasSize(1);
        String quickStart = running.get(0);
        assertThat(recordDir(quickStart).resolve("settings.properties")).isRegularFile();
        assertThat(recordedSettings(quickStart).getProperty("kafka.topic"))
                .isEqualTo("run-local-samples");

        // What the issue saw refused: "there is no record of how job ... was started".
        ScriptResult upgrade = run(SCRIPT_TIMEOUT, "scripts/upgrade.sh", firstJar.toString());
        upgrade.assertSuccess("upgrade.sh of run-local.sh's job");
        assertReplaced(quickStart, upgrade.lastLine(), 2, upgrade);

        // Out of the way of the flow below: its job cancelled, an empty Customer.io.
        assertThat(ops("cancel").exitCode()).isZero();
        resetSimulator();
    }

    // -------------------------------------------------------------------------------------
    // Submit, upgrade, rescale and resume while batches flow

    @Test
    @Order(10)
    void upgradeRescaleAndResumeWhileBatchesFlowDeliverEveryEventExactlyOnce() throws Exception {
        List<List<Map.Entry<String, byte[]>>> phases = phases();

        // Submit as run-local.sh does, through the tool: settings from a file read by the
        // script, one more with --set.
        Path settings = WORK.resolve("forwarder.properties");
        Files.writeString(
                settings,
                "# the local stack's Kafka and simulator\n"
                        + "kafka.bootstrap-servers = 127.0.0.1:"
                        + kafkaPort
                        + "\n"
                        + "kafka.topic: "
                        + TOPIC
                        + "\n"
                        + "customerio.site-id="
                        + SITE_ID
                        + "\n"
                        + "customerio.endpoint=http://127.0.0.1:"
                        + simulatorPort
                        + "\n"
                        + "customerio.batch.linger=50ms\n");
        ScriptResult submit =
                run(
                        SCRIPT_TIMEOUT,
                        "scripts/submit.sh",
                        "--jar",
                        firstJar.toString(),
                        "--settings",
                        settings.toString(),
                        "--set",
                        "customerio.send-created-at=true",
                        "--parallelism",
                        "2");
        submit.assertSuccess("submit.sh");
        jobId = submit.lastLine();
        assertThat(jobId).matches("[0-9a-f]{32}");
        assertJobState(jobId, "RUNNING");
        assertThat(submit.stderr()).contains("/#/job/running/" + jobId);
        Properties recorded = recordedSettings(jobId);
        assertThat(recorded.getProperty("customerio.send-created-at")).isEqualTo("true");
        assertThat(recorded.getProperty("kafka.bootstrap-servers"))
                .isEqualTo("127.0.0.1:" + kafkaPort);

        produce(phases.get(0), 1, 0);
        awaitExactlyOnceSoFar(phases, 1);
        // A savepoint of the running job, which keeps running.
        ScriptResult savepoint = run(SCRIPT_TIMEOUT, "scripts/savepoint.sh");
        savepoint.assertSuccess("savepoint.sh");
        assertThat(Path.of(URI.create(savepoint.lastLine()))).isDirectory();
        assertJobState(jobId, "RUNNING");

        // Upgrade to the second build while the second phase is being produced.
        secondJar = secondBuild();
        CompletableFuture<Void> phase2 = produceInBackground(phases.get(1));
        ScriptResult upgrade = run(SCRIPT_TIMEOUT, "scripts/upgrade.sh", secondJar.toString());
        phase2.get(2, TimeUnit.MINUTES);
        upgrade.assertSuccess("upgrade.sh");
        String upgraded = upgrade.lastLine();
        assertReplaced(jobId, upgraded, 2, upgrade);
        assertThat(recordField(upgraded, "jar")).endsWith("-" + secondJar.getFileName());
        assertThat(recordedSettings(upgraded)).isEqualTo(recorded);
        jobId = upgraded;
        awaitExactlyOnceSoFar(phases, 2);

        // Rescale 2 → 1 while the third phase is being produced: in place, the same job.
        CompletableFuture<Void> phase3 = produceInBackground(phases.get(2));
        ScriptResult rescale = run(SCRIPT_TIMEOUT, "scripts/rescale.sh", "1");
        phase3.get(2, TimeUnit.MINUTES);
        rescale.assertSuccess("rescale.sh");
        assertRescaledInPlace(jobId, 1, rescale);
        awaitExactlyOnceSoFar(phases, 3);

        // The JobManager killed while the fourth phase is being produced: without HA it forgets
        // the job; started again, resume.sh restarts it from its newest retained checkpoint.
        CompletableFuture<Void> phase4 = produceInBackground(phases.get(3));
        run(Duration.ofMinutes(2), "scripts/stack.sh", "kill-jobmanager")
                .assertSuccess("kill-jobmanager");
        run(Duration.ofMinutes(5), "scripts/stack.sh", "start", "jobmanager")
                .assertSuccess("start jobmanager");
        ScriptResult resume = run(Duration.ofMinutes(8), "scripts/resume.sh", "--timeout", "420");
        phase4.get(2, TimeUnit.MINUTES);
        resume.assertSuccess("resume.sh");
        String lost = jobId;
        jobId = resume.lastLine();
        assertResumed(lost, jobId, resume);

        awaitEvents(BATCHES.expectedEvents().size());
        assertExactlyOnceWithStateIntact();
    }

    /**
     * Rescaled in place by the adaptive scheduler: the same job, now with the given parallelism,
     * restored from one of its own checkpoints, its record saying so for resume.sh.
     */
    private static void assertRescaledInPlace(String job, int parallelism, ScriptResult r)
            throws Exception {
        assertThat(r.lastLine()).as(r.describe()).isEqualTo(job);
        assertThat(r.stderr()).contains("Rescaled in place: job " + job);
        assertJobState(job, "RUNNING");
        for (JsonNode vertex : get("/jobs/" + job).path("vertices")) {
            assertThat(vertex.path("parallelism").asInt()).isEqualTo(parallelism);
        }
        assertThat(
                        get("/jobs/" + job + "/checkpoints")
                                .path("latest")
                                .path("restored")
                                .path("external_path")
                                .asText())
                .contains("/checkpoints/" + job + "/chk-");
        assertThat(recordField(job, "parallelism")).isEqualTo(Integer.toString(parallelism));
    }

    /**
     * Resumed after the JobManager was lost: a new job with the lost one's jar, settings and
     * parallelism, restored from the lost one's newest retained checkpoint.
     */
    private static void assertResumed(String lost, String resumed, ScriptResult r)
            throws Exception {
        assertThat(resumed).as(r.describe()).matches("[0-9a-f]{32}").isNotEqualTo(lost);
        assertThat(r.stderr()).contains("Resuming from checkpoint chk-");
        assertThat(runningJobs()).containsExactly(resumed);
        for (JsonNode vertex : get("/jobs/" + resumed).path("vertices")) {
            assertThat(vertex.path("parallelism").asInt()).isEqualTo(1);
        }
        String restored =
                get("/jobs/" + resumed + "/checkpoints")
                        .path("latest")
                        .path("restored")
                        .path("external_path")
                        .asText();
        assertThat(restored).contains("/checkpoints/" + lost + "/chk-");
        assertThat(recordField(resumed, "jar")).isEqualTo(recordField(lost, "jar"));
        assertThat(recordedSettings(resumed)).isEqualTo(recordedSettings(lost));
    }

    /**
     * The old job ended with a savepoint (FINISHED), the new one runs with the given parallelism,
     * was restored from that savepoint and has completed a checkpoint of its own.
     */
    private static void assertReplaced(String old, String now, int parallelism, ScriptResult r)
            throws Exception {
        assertThat(now).as(r.describe()).matches("[0-9a-f]{32}").isNotEqualTo(old);
        assertJobState(old, "FINISHED");
        assertJobState(now, "RUNNING");
        JsonNode job = get("/jobs/" + now);
        assertThat(job.path("vertices")).isNotEmpty();
        for (JsonNode vertex : job.path("vertices")) {
            assertThat(vertex.path("parallelism").asInt()).isEqualTo(parallelism);
        }
        JsonNode checkpoints = get("/jobs/" + now + "/checkpoints");
        assertThat(checkpoints.path("counts").path("completed").asLong()).isPositive();
        String restored =
                checkpoints.path("latest").path("restored").path("external_path").asText();
        assertThat(restored).contains("/savepoints/savepoint-" + old.substring(0, 6));
        assertThat(r.stderr()).contains("restored from " + restored);
        assertThat(recordField(now, "restored-from")).isEqualTo(restored);
        assertThat(recordField(now, "previous-job")).isEqualTo(old);
    }

    /**
     * After each step: every event of the first {@code phaseCount} phases in Customer.io, none
     * twice and nothing else (keys as in {@link #assertExactlyOnceWithStateIntact}).
     */
    private static void awaitExactlyOnceSoFar(
            List<List<Map.Entry<String, byte[]>>> phases, int phaseCount) throws Exception {
        awaitEvents(expectedEventsOfPhases(phases, phaseCount));
        Thread.sleep(2_000); // anything still arriving would be a duplicate or an extra
        List<String> keys = new ArrayList<>();
        for (StoredEvent e : events()) {
            keys.add(eventKey(e));
        }
        assertThat(keys).doesNotHaveDuplicates();
        assertThat(keys).hasSize((int) expectedEventsOfPhases(phases, phaseCount));
    }

    private static String eventKey(StoredEvent e) {
        return e.personId() + "/" + e.data().path("seq").asLong() + "/" + e.type() + "/" + e.name();
    }

    /**
     * Exactly once in Customer.io: every produced event once (by person, sequence number, type and
     * name: deduplication by id could not hide an event sent twice under two ids), nothing else;
     * one profile per user with its final attributes; created_at still the first-seen time from
     * before the restarts (lost device state would have sent a later one); users first known by
     * email still one profile each, now with their Customer ID (lost identity state would have
     * created a second profile addressed by the Customer ID).
     */
    private static void assertExactlyOnceWithStateIntact() throws Exception {
        Thread.sleep(3_000); // anything still arriving would be a duplicate or an extra
        List<StoredEvent> stored = events();
        List<String> storedKeys = new ArrayList<>();
        for (StoredEvent e : stored) {
            storedKeys.add(eventKey(e));
        }
        Set<String> expectedKeys = new HashSet<>();
        for (TestBatches.ExpectedEvent e : BATCHES.expectedEvents()) {
            expectedKeys.add(e.customerId() + "/" + e.seq() + "/" + e.type() + "/" + e.name());
        }
        assertThat(storedKeys).doesNotHaveDuplicates();
        assertThat(new HashSet<>(storedKeys)).isEqualTo(expectedKeys);
        assertThat(stored).hasSameSizeAs(BATCHES.expectedEvents());

        List<Person> people = people();
        Map<String, Person> byId = new HashMap<>();
        Set<String> cioIds = new HashSet<>();
        for (Person p : people) {
            assertThat(cioIds.add(p.cioId())).as("cio_id %s twice", p.cioId()).isTrue();
            if (p.id() != null) {
                assertThat(byId.put(p.id(), p)).as("two profiles with id %s", p.id()).isNull();
            }
        }
        assertThat(people).hasSize(BATCHES.finalBatchesSent().size() + IDENTITY_USERS);
        BATCHES.finalBatchesSent()
                .forEach(
                        (customerId, count) -> {
                            Person p = byId.get(customerId);
                            assertThat(p).as("profile of %s", customerId).isNotNull();
                            assertThat(p.attributes().get("batches_sent").asInt())
                                    .as("batches_sent of %s", customerId)
                                    .isEqualTo(count);
                            assertThat(p.createdAt())
                                    .as("created_at of %s", customerId)
                                    .isEqualTo(CREATED_AT_SECONDS);
                        });
        for (int i = 0; i < IDENTITY_USERS; i++) {
            String email = identityEmail(i);
            List<Person> withEmail =
                    people.stream()
                            .filter(p -> email.equals(p.email()))
                            .collect(Collectors.toList());
            assertThat(withEmail).as("profiles with email %s", email).hasSize(1);
            assertThat(withEmail.get(0).id()).isEqualTo(identityCustomerId(i));
            assertThat(withEmail.get(0).attributes().get("plan").asText()).isEqualTo("gold");
        }
        Summary summary = summary();
        assertThat(summary.rejectedOperations()).as(summary.toString()).isZero();
    }

    // -------------------------------------------------------------------------------------
    // Upgrades that fail roll back

    @Test
    @Order(20)
    void anUpgradeFlinkRefusesRollsBackToThePreviousJar() throws Exception {
        assertThat(jobId).as("needs the job of the previous test").isNotNull();
        String before = jobId;
        ScriptResult upgrade =
                run(
                        SCRIPT_TIMEOUT,
                        "scripts/upgrade.sh",
                        secondJar.toString(),
                        "--set",
                        "customerio.region=mars");
        assertThat(upgrade.exitCode()).as(upgrade.describe()).isEqualTo(2);
        assertThat(upgrade.stderr())
                .contains("Flink refused to run the job")
                .contains("setting customerio.region: \"mars\" is not valid; expected us, eu")
                .contains("rolled back");
        assertRolledBack(before, upgrade);
    }

    @Test
    @Order(21)
    void anUpgradeThatFailsAtRunTimeIsCancelledAndRolledBack() throws Exception {
        assertThat(jobId).as("needs the job of the previous test").isNotNull();
        String before = jobId;
        // The new job starts, and its tasks fail on the TaskManagers: the key variable it is told
        // to read is not there. Flink would restart it forever; the upgrade gives up at once.
        ScriptResult upgrade =
                run(
                        SCRIPT_TIMEOUT,
                        "scripts/upgrade.sh",
                        secondJar.toString(),
                        "--set",
                        "customerio.api-key-env=CIO_ITCASE_MISSING_KEY");
        assertThat(upgrade.exitCode()).as(upgrade.describe()).isEqualTo(2);
        assertThat(upgrade.stderr())
                .contains("the environment variable CIO_ITCASE_MISSING_KEY is not set")
                .contains("Cancelling job")
                .contains("rolled back");
        assertRolledBack(before, upgrade);

        // The rolled-back job carries on where the old one stopped.
        TestBatches more = TestBatches.generate(42, 1, 0, 1);
        for (int i = 0; i < 60; i++) {
            more.addBatch(3_000_000L + i % 20, 1 + i % 3, null); // users of their own
        }
        produce(more.records(), 4, 0);
        long expected = BATCHES.expectedEvents().size() + (long) more.expectedEvents().size();
        awaitEvents(expected);
        Thread.sleep(2_000);
        assertThat(events()).hasSize((int) expected);
    }

    /** Back on the previous jar, settings and parallelism, restored from the upgrade savepoint. */
    private static void assertRolledBack(String before, ScriptResult upgrade) throws Exception {
        String after = upgrade.lastLine();
        assertThat(after).as(upgrade.describe()).matches("[0-9a-f]{32}").isNotEqualTo(before);
        assertJobState(before, "FINISHED");
        assertJobState(after, "RUNNING");
        assertThat(runningJobs()).containsExactly(after);
        assertThat(recordField(after, "jar")).isEqualTo(recordField(before, "jar"));
        assertThat(recordedSettings(after)).isEqualTo(recordedSettings(before));
        String restored =
                get("/jobs/" + after + "/checkpoints")
                        .path("latest")
                        .path("restored")
                        .path("external_path")
                        .asText();
        assertThat(restored).contains("/savepoints/savepoint-" + before.substring(0, 6));
        JsonNode vertices = get("/jobs/" + after).path("vertices");
        assertThat(vertices).isNotEmpty();
        for (JsonNode vertex : vertices) {
            assertThat(vertex.path("parallelism").asInt()).isEqualTo(1);
        }
        jobId = after;
    }

    // -------------------------------------------------------------------------------------
    // Data

    /** Four phases of records: a quarter of the generated batches each, plus identity users. */
    private static List<List<Map.Entry<String, byte[]>>> phases() {
        List<Map.Entry<String, byte[]>> all = BATCHES.records();
        int quarter = all.size() / 4;
        List<List<Map.Entry<String, byte[]>>> phases = new ArrayList<>();
        phases.add(new ArrayList<>(all.subList(0, quarter)));
        phases.add(new ArrayList<>(all.subList(quarter, 2 * quarter)));
        phases.add(new ArrayList<>(all.subList(2 * quarter, 3 * quarter)));
        phases.add(new ArrayList<>(all.subList(3 * quarter, all.size())));
        for (int i = 0; i < IDENTITY_USERS; i++) {
            long mpid = 2_000_000L + i;
            // Before the upgrade: known by email only, so Customer.io addresses them by email.
            phases.get(0).add(identityBatch(mpid, i, false, 1_764_100_000_000L, "silver"));
            // After every restart: the Customer ID arrives. Restored state sends one identify
            // addressed by the email that sets id; without it, a second profile by id.
            phases.get(3).add(identityBatch(mpid, i, true, 1_764_200_000_000L, "gold"));
        }
        return phases;
    }

    private static Map.Entry<String, byte[]> identityBatch(
            long mpid, int i, boolean withCustomerId, long time, String plan) {
        String identities =
                "{\"identity_type\":\"email\",\"identity\":\"" + identityEmail(i) + "\"}";
        if (withCustomerId) {
            identities +=
                    ",{\"identity_type\":\"customer_id\",\"identity\":\""
                            + identityCustomerId(i)
                            + "\"}";
        }
        String json =
                "{\"mpid\":"
                        + mpid
                        + ",\"timestamp_unixtime_ms\":"
                        + time
                        + ",\"user_identities\":["
                        + identities
                        + "],\"user_attributes\":{\"$FirstName\":\"Ida"
                        + i
                        + "\",\"plan\":\""
                        + plan
                        + "\"}}";
        return new AbstractMap.SimpleEntry<>(
                Long.toString(mpid), json.getBytes(StandardCharsets.UTF_8));
    }

    private static String identityEmail(int i) {
        return "ida" + i + "@example.com";
    }

    private static String identityCustomerId(int i) {
        return "ida-" + i;
    }

    /** Events in the first {@code count} phases (generated records carry one id per event). */
    private static long expectedEventsOfPhases(
            List<List<Map.Entry<String, byte[]>>> phases, int count) {
        long events = 0;
        for (int p = 0; p < count; p++) {
            for (Map.Entry<String, byte[]> record : phases.get(p)) {
                String json = new String(record.getValue(), StandardCharsets.UTF_8);
                events += json.split("\"source_message_id\"", -1).length - 1;
            }
        }
        return events;
    }

    private static void produce(List<Map.Entry<String, byte[]>> records, int chunks, long pauseMs)
            throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + kafkaPort);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            int chunk = Math.max(1, (records.size() + chunks - 1) / chunks);
            for (int i = 0; i < records.size(); i += chunk) {
                List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
                for (Map.Entry<String, byte[]> r :
                        records.subList(i, Math.min(records.size(), i + chunk))) {
                    sent.add(
                            producer.send(
                                    new ProducerRecord<>(
                                            TOPIC,
                                            r.getKey().getBytes(StandardCharsets.UTF_8),
                                            r.getValue())));
                }
                for (java.util.concurrent.Future<?> f : sent) {
                    f.get(60, TimeUnit.SECONDS);
                }
                if (pauseMs > 0) {
                    Thread.sleep(pauseMs);
                }
            }
        }
    }

    /** Spread over ~12 s: long enough to span the stop, the restore and the new job's start. */
    private static CompletableFuture<Void> produceInBackground(
            List<Map.Entry<String, byte[]>> records) {
        return CompletableFuture.runAsync(
                () -> {
                    try {
                        produce(records, 30, 400);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
    }

    /**
     * The same code under a new name and with a manifest entry of its own ({@code Forwarder-Build:
     * 2}), so Flink gets a different jar (another file, other bytes) and the records can tell which
     * one runs. Building the project a second time inside its own build would only change the file
     * name too; what this proves is the mechanics of an upgrade (stop with savepoint, restore into
     * another jar by uid, first checkpoint, rollback), not a state schema change, which
     * UserStateFunctionTest's snapshot/restore covers.
     */
    private static Path secondBuild() throws IOException {
        Path second = WORK.resolve("mparticle-customerio-flink-build-2.jar");
        Files.copy(firstJar, second, StandardCopyOption.REPLACE_EXISTING);
        try (FileSystem zip = FileSystems.newFileSystem(second)) {
            Path manifestPath = zip.getPath("META-INF", "MANIFEST.MF");
            Manifest manifest;
            try (var in = Files.newInputStream(manifestPath)) {
                manifest = new Manifest(in);
            }
            manifest.getMainAttributes().put(new Attributes.Name("Forwarder-Build"), "2");
            try (var out = Files.newOutputStream(manifestPath)) {
                manifest.write(out);
            }
        }
        return second;
    }

    // -------------------------------------------------------------------------------------
    // The simulator and Flink, over HTTP

    private static void awaitEvents(long expected) throws InterruptedException {
        Await.until(
                DELIVERY_TIMEOUT,
                () -> summary().events() >= expected,
                () -> "simulator " + summary() + ", expected " + expected + " events");
    }

    private static Summary summary() {
        return simulator("/__simulator/summary", new TypeReference<Summary>() {});
    }

    private static List<StoredEvent> events() {
        return simulator("/__simulator/events", new TypeReference<List<StoredEvent>>() {});
    }

    private static List<Person> people() {
        return simulator("/__simulator/people", new TypeReference<List<Person>>() {});
    }

    private static <T> T simulator(String path, TypeReference<T> type) {
        try {
            return MAPPER.readValue(
                    httpGet("http://127.0.0.1:" + simulatorPort + path).body(), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode get(String path) throws IOException {
        return MAPPER.readTree(httpGet("http://127.0.0.1:" + flinkPort + path).body());
    }

    private static HttpResponse<String> httpGet(String url) {
        try {
            return HTTP.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(30))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The job's state is as expected, or becomes so within seconds: Flink's REST API serves a job's
     * details from a cache refreshed every {@code web.refresh-interval} (3 s), shared by /jobs/{id}
     * and /jobs/{id}/exceptions, so a job the tool saw running through /jobs/overview can still be
     * CREATED here if the tool asked for its exceptions while it was starting.
     */
    private static void assertJobState(String id, String expected) throws InterruptedException {
        Await.until(
                Duration.ofSeconds(15),
                () -> {
                    try {
                        return expected.equals(jobState(id));
                    } catch (IOException e) {
                        return false;
                    }
                },
                () -> {
                    try {
                        return "job " + id + " is " + jobState(id) + ", expected " + expected;
                    } catch (IOException e) {
                        return e.toString();
                    }
                });
    }

    private static String jobState(String id) throws IOException {
        return get("/jobs/" + id).path("state").asText();
    }

    private static List<String> runningJobs() throws IOException {
        List<String> running = new ArrayList<>();
        for (JsonNode job : get("/jobs/overview").path("jobs")) {
            if (!Set.of("FINISHED", "CANCELED", "FAILED").contains(job.path("state").asText())) {
                running.add(job.path("jid").asText());
            }
        }
        return running;
    }

    // -------------------------------------------------------------------------------------
    // Job records (written by the scripts)

    private static Path recordDir(String job) {
        return STATE_DIR.resolve("ops/jobs").resolve(job);
    }

    private static Properties recordedSettings(String job) throws IOException {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(recordDir(job).resolve("settings.properties"))) {
            p.load(in);
        }
        return p;
    }

    private static String recordField(String job, String field) throws IOException {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(recordDir(job).resolve("job.properties"))) {
            p.load(in);
        }
        return p.getProperty(field);
    }

    // -------------------------------------------------------------------------------------
    // Running scripts

    private static ScriptResult run(Duration timeout, String script, String... args)
            throws Exception {
        return scripts.run(timeout, script, args);
    }

    /** The operations tool in-process, on this stack (for what has no script: cancel). */
    private static OpsRunResult ops(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> env = new LinkedHashMap<>(ENV);
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = OpsCommand.run(args, env, o, e);
        }
        LOG.info("ops {} exited {}\n{}", String.join(" ", args), exit, err);
        return new OpsRunResult(exit, out.toString(StandardCharsets.UTF_8));
    }

    private record OpsRunResult(int exitCode, String stdout) {}

    private static void resetSimulator() {
        try {
            HttpResponse<String> response =
                    HTTP.send(
                            HttpRequest.newBuilder(
                                            URI.create(
                                                    "http://127.0.0.1:"
                                                            + simulatorPort
                                                            + "/__simulator/reset"))
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString("{}"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
