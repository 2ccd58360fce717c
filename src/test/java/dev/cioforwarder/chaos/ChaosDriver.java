package dev.cioforwarder.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.simulator.Person;
import dev.cioforwarder.simulator.StoredEvent;
import dev.cioforwarder.simulator.Summary;
import dev.cioforwarder.testing.RepoScripts;
import dev.cioforwarder.testing.RepoScripts.ScriptResult;
import dev.cioforwarder.testing.TestBatches;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs fault scenarios against the forwarder on a {@link ChaosStack}: one job for the whole run
 * (its own topics, consumer group and dead-letter transactional ids), and for each scenario fresh
 * users, batches produced at a steady rate from before the fault until its end, the fault injected
 * through the scripts and the services' own controls, then every check of the delivery guarantees
 * against Customer.io's (the simulator's) deduplicated store, and the figures.
 *
 * <p>The same code serves {@code ChaosITCase} (short spans) and {@code scripts/chaos.sh} (minutes).
 */
final class ChaosDriver implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChaosDriver.class);

    /** The job's settings that matter for the faults (docs/settings.md). */
    static final String REQUEST_TIMEOUT = "2s";

    static final String AUTH_RETRY_INTERVAL = "5s";

    private final ChaosStack stack;
    private final String runId;
    private final KafkaProducer<byte[], byte[]> producer;
    private String topic;
    private String deadLetterTopic;

    /** Whether the running job has the defaults (no shortened timeouts). */
    private boolean jobDefaults;

    private int jobsStarted;
    private volatile String jobId;

    /** Each scenario produces its own users: MPIDs from index times this. */
    static final long MPIDS_PER_SCENARIO = 100_000_000L;

    private int scenarios;

    /** When the running scenario reset the simulator. */
    private long scenarioStartMs;

    /** The events the previous scenario's check found, by key, with their ids. */
    private Map<String, String> previousScenarioIds = Map.of();

    ChaosDriver(ChaosStack stack) {
        this.stack = stack;
        this.runId = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        this.producer = stack.producer();
    }

    String jobId() {
        return jobId;
    }

    /** The running job's settings, as submitted (read by submit.sh, recorded for resume.sh). */
    String settings() {
        return settings(jobDefaults, topic);
    }

    /** The settings of the first job of a kind (the suite's, or the defaults). */
    String settings(boolean defaults) {
        return settings(defaults, topicFor(defaults, 1));
    }

    private String topicFor(boolean defaults, int job) {
        return "chaos-" + runId + (defaults ? "-defaults" : "") + (job > 1 ? "-" + job : "");
    }

    /**
     * The suite's job has a 2 s request timeout (latency-timeouts answers after 3-4 s) and a 5 s
     * auth retry interval, so that short faults show their effect; a job with the defaults sets
     * nothing but where it reads, writes and sends.
     */
    private String settings(boolean defaults, String topic) {
        List<String> lines =
                new ArrayList<>(
                        List.of(
                                defaults
                                        ? "# The chaos suite's forwarder with the defaults of the"
                                                + " job: its own topics, group and transactional"
                                                + " ids."
                                        : "# The chaos suite's forwarder: its own topics, group"
                                                + " and transactional ids.",
                                "kafka.bootstrap-servers=" + stack.bootstrapServers(),
                                "kafka.topic=" + topic,
                                "kafka.group-id=" + topic,
                                "dead-letter.topic=" + topic + ".customerio-dlq",
                                "dead-letter.transactional-id-prefix=" + topic + "-dlq",
                                "customerio.site-id=" + stack.siteId(),
                                "customerio.endpoint=" + stack.simulatorUrl()));
        if (!defaults) {
            lines.add("customerio.request-timeout=" + REQUEST_TIMEOUT);
            lines.add("customerio.auth-retry-interval=" + AUTH_RETRY_INTERVAL);
        }
        lines.add("");
        return String.join("\n", lines);
    }

    /** Creates the run's topics and submits the job (the suite's settings). */
    void startJob() throws Exception {
        startJob(false);
    }

    /**
     * Creates a job's topics and submits it with scripts/submit.sh: with the suite's settings, or
     * with the job's defaults.
     */
    void startJob(boolean defaults) throws Exception {
        jobsStarted++;
        jobDefaults = defaults;
        topic = topicFor(defaults, jobsStarted);
        deadLetterTopic = topic + ".customerio-dlq";
        stack.createTopics(topic, 4, deadLetterTopic);
        Path settings = stack.stateDir().resolve(topic + ".properties");
        Files.writeString(settings, settings());
        jobId =
                stack.script(
                                Duration.ofMinutes(10),
                                "scripts/submit.sh",
                                "--jar",
                                RepoScripts.jobJar(stack.repo()).toString(),
                                "--settings",
                                settings.toString(),
                                "--parallelism",
                                "2",
                                "--timeout",
                                "600")
                        .assertSuccess()
                        .lastLine();
        LOG.info("chaos job {} runs; topic {}", jobId, topic);
        awaitCheckpointTriggeredAfter(System.currentTimeMillis(), Duration.ofMinutes(3));
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(30));
    }

    /** Cancels the job (its checkpoints stay: RETAIN_ON_CANCELLATION). */
    void cancelJob() {
        if (jobId != null) {
            try {
                stack.cancel(jobId);
            } catch (RuntimeException e) {
                LOG.warn("cancelling job {} failed", jobId, e);
            }
        }
    }

    // -------------------------------------------------------------------------------------
    // One scenario

    ScenarioResult run(Fault fault, Spans spans) throws Exception {
        if (jobId == null || fault.usesJobDefaults() != jobDefaults) {
            if (jobId != null) {
                LOG.info(
                        "{} needs a job with {}: cancelling job {}",
                        fault.key,
                        fault.usesJobDefaults() ? "the defaults" : "the suite's settings",
                        jobId);
                cancelJob();
            }
            startJob(fault.usesJobDefaults());
        }
        int index = ++scenarios;
        ScenarioResult result = new ScenarioResult();
        result.fault = fault.key;
        result.description = fault.description;
        result.jobSettings = settings();
        LOG.info("=== scenario {}: {} ({})", index, fault.key, spans.describe());

        stack.resetSimulator();
        scenarioStartMs = System.currentTimeMillis();
        JsonNode checkpointsBefore = checkpoints(jobId);
        TestBatches batches = TestBatches.generate(index, 1, 0, 1);
        Production production =
                new Production(batches, spans, MPIDS_PER_SCENARIO * index, 31L * index + 7);
        OutageScenario outage =
                fault == Fault.CUSTOMERIO_OUTAGE
                        ? new OutageScenario(stack, spans, jobId, RepoScripts.jobJar(stack.repo()))
                        : null;
        Monitor monitor = new Monitor();
        monitor.start();
        try {
            if (outage != null) {
                outage.start(result);
            }
            return run(
                    fault, spans, result, batches, production, monitor, checkpointsBefore, outage);
        } finally {
            monitor.stop();
            if (outage != null) {
                outage.stopSampling();
                result.outage = outage.figures();
            }
        }
    }

    private ScenarioResult run(
            Fault fault,
            Spans spans,
            ScenarioResult result,
            TestBatches batches,
            Production production,
            Monitor monitor,
            JsonNode checkpointsBefore,
            OutageScenario outage)
            throws Exception {
        String jobBefore = jobId;
        Map<Integer, Long> deadLettersBefore = stack.endOffsets(deadLetterTopic);
        production.start();
        Thread.sleep(spans.lead().toMillis());
        if (outage != null) {
            outage.beforeOutage(production::inject, result);
        }

        long faultStart = System.currentTimeMillis();
        long faultEnd;
        try {
            if (outage != null) {
                try {
                    faultEnd = outage.outage(production::inject);
                } finally {
                    jobId = outage.jobId();
                }
            } else {
                faultEnd = inject(fault, spans, result);
            }
        } finally {
            production.stop();
        }
        result.faultSeconds = (faultEnd - faultStart) / 1000.0;
        production.awaitSent(Duration.ofMinutes(30));
        result.batchesSent = production.sent.get();
        result.eventsSent = batches.expectedEvents().size();
        result.check(
                production.failed.get() == 0,
                "the suite's own producer could not write "
                        + production.failed.get()
                        + " batches to Kafka (a test problem, not the job's): "
                        + production.firstError);
        // Events dead-lettered on purpose never reach Customer.io.
        long expected = result.eventsSent - production.specials.size();
        LOG.info(
                "{}: fault {} s, {} batches / {} events produced ({} to be dead-lettered); waiting"
                        + " for delivery",
                fault.key,
                result.faultSeconds,
                result.batchesSent,
                result.eventsSent,
                production.specials.size());

        Duration drainTimeout =
                outage != null && spans.fault().compareTo(spans.drainTimeout()) > 0
                        ? spans.fault()
                        : spans.drainTimeout();
        Long drainedAt =
                monitor.awaitUntil(drainTimeout, () -> monitor.last().events() >= expected);
        Thread.sleep(2_000);
        monitor.stop();

        long reference = fault.kind == Fault.Kind.CRASH ? faultStart : faultEnd;
        if (drainedAt != null) {
            result.drainedSeconds = (drainedAt - reference) / 1000.0;
        }
        // Resumed: the first request Customer.io accepts after the fault ended. After a crash
        // that is the replacement's first (the old job's tasks may deliver for a while after
        // their JobManager died, until their TaskManager notices); if it delivered its backlog
        // within the first sample, the moment it ran. After a period fault that was already
        // delivered by its end (a broker answers before stack.sh's readiness check does), the end
        // of the longest stall of accepted requests during it.
        Long resumedAt = monitor.firstAcceptedAfter(faultEnd);
        if (resumedAt == null && fault.kind == Fault.Kind.CRASH) {
            resumedAt = faultEnd;
        } else if (resumedAt == null) {
            resumedAt = monitor.endOfLongestStall(faultStart, faultEnd);
        }
        if (resumedAt != null) {
            result.resumedSeconds = Math.max(0, resumedAt - reference) / 1000.0;
        }
        if (fault == Fault.UNAUTHORIZED && result.resumedSeconds != null) {
            // The job retries refused requests every customerio.auth-retry-interval (+20 %):
            // once the key works again, deliveries resume within that (plus a loaded machine).
            double bound =
                    org.apache.flink.util.TimeUtils.parseDuration(AUTH_RETRY_INTERVAL).toMillis()
                                    / 1000.0
                                    * 1.2
                            + 15;
            result.check(
                    result.resumedSeconds <= bound,
                    String.format(
                            "deliveries resumed %.1f s after Customer.io accepted the key again;"
                                    + " with customerio.auth-retry-interval=%s they must within"
                                    + " %.0f s",
                            result.resumedSeconds, AUTH_RETRY_INTERVAL, bound));
        }
        result.longestDeliveryGapSeconds =
                monitor.longestGap(faultStart, drainedAt != null ? drainedAt : monitor.lastTime())
                        / 1000.0;

        // Every event arrived, but operations may still wait in the users' state or be parked in
        // delivery (requests restored after a crash go round through the feedback topic and are
        // sent again): the scenario is over only once nothing waits. Otherwise they arrive during
        // the next scenario, after its reset of the simulator, as events nobody produced there.
        Long quietAt = awaitNothingWaiting(Duration.ofMinutes(3));
        result.check(
                quietAt != null,
                "operations still waited in the job 3 minutes after the backlog drained ("
                        + WAITING_GAUGES
                        + ": "
                        + waitingNow()
                        + ")");
        // A checkpoint triggered after that: checkpoints work again, and no later scenario can
        // replay this one's batches or restore its waiting operations. The wait also lets
        // anything still on its way arrive (it would be a duplicate or an extra) before
        // Customer.io is checked.
        long settledAt =
                Math.max(
                        drainedAt != null ? drainedAt : System.currentTimeMillis(),
                        quietAt != null ? quietAt : 0);
        JsonNode completed = awaitCheckpointTriggeredAfter(settledAt, Duration.ofMinutes(6));
        result.check(
                completed != null,
                "no checkpoint completed within 6 minutes after the backlog drained");
        // Nothing reaches Customer.io any more: the job is done with this scenario, also with
        // what that checkpoint's commit handed back through the feedback topic. Anything that
        // still arrives is a duplicate or a late update, checked here rather than found by the
        // next scenario after its reset.
        long operationsAtSettle = stack.summary().operations();
        Long wireQuietAt = awaitNoOperationsFor(WIRE_QUIET, Duration.ofMinutes(3));
        result.check(
                wireQuietAt != null,
                "operations still reached Customer.io 3 minutes after the job looked settled");
        long late = stack.summary().operations() - operationsAtSettle;
        if (late > 0) {
            LOG.warn(
                    "{}: {} operations reached Customer.io after nothing waited and a checkpoint"
                            + " completed",
                    fault.key,
                    late);
            result.notes.add(late + " operations reached Customer.io after the job looked settled");
        }
        // And a checkpoint taken after the wire went quiet: a later scenario that restores the
        // newest checkpoint (a crash, the broker away) cannot send anything of this one again.
        if (wireQuietAt != null) {
            result.check(
                    awaitCheckpointTriggeredAfter(wireQuietAt, Duration.ofMinutes(6)) != null,
                    "no checkpoint completed within 6 minutes after nothing reached Customer.io");
        }
        if (outage != null) {
            outage.figures().drainedAtMs = drainedAt;
            verifyCustomerio(
                    result,
                    batches,
                    OutageScenario.deadLetteredNames(),
                    production.specials.stream()
                            .filter(x -> x.name().equals(OutageScenario.REFUSED_NAME))
                            .count());
            outage.verifyDeadLetters(
                    result, List.copyOf(production.specials), deadLetterTopic, deadLettersBefore);
        } else {
            verifyCustomerio(result, batches, Set.of(), 0);
            verifyDeadLetters(result, deadLettersBefore);
        }
        verifyJob(fault, result, jobBefore, checkpointsBefore, faultStart, faultEnd);
        if (outage != null) {
            outage.verifyJob(result, monitor.acceptedBetween(faultStart + 1_000, faultEnd));
        }
        LOG.info(
                "=== {}: sent {}, delivered {}, duplicates on the wire {}, in store {}, lost {},"
                        + " {}; failures: {}",
                fault.key,
                result.eventsSent,
                result.delivered,
                result.duplicatesOnTheWire,
                result.duplicatesInStore,
                result.lost,
                result.recoveryText(),
                result.failures);
        return result;
    }

    /** Injects the fault, waits for its span, heals it; returns when the fault ended. */
    private long inject(Fault fault, Spans spans, ScenarioResult result) throws Exception {
        long span = spans.fault().toMillis();
        switch (fault) {
            case TASKMANAGER_KILL:
                {
                    result.notes.add(
                            "last completed checkpoint before the kill: "
                                    + latestCompletedId(checkpoints(jobId)));
                    stack.script(Duration.ofMinutes(2), "scripts/stack.sh", "kill-taskmanager")
                            .assertSuccess();
                    stack.script(Duration.ofMinutes(5), "scripts/stack.sh", "start-taskmanager")
                            .assertSuccess();
                    return System.currentTimeMillis();
                }
            case JOBMANAGER_RESTART:
                {
                    result.notes.add(
                            "last completed checkpoint of job "
                                    + jobId
                                    + " before the kill: "
                                    + latestCompletedId(checkpoints(jobId)));
                    stack.script(Duration.ofMinutes(2), "scripts/stack.sh", "kill-jobmanager")
                            .assertSuccess();
                    stack.script(Duration.ofMinutes(5), "scripts/stack.sh", "start", "jobmanager")
                            .assertSuccess();
                    ScriptResult resume =
                            stack.script(
                                            Duration.ofMinutes(12),
                                            "scripts/resume.sh",
                                            "--timeout",
                                            "600")
                                    .assertSuccess();
                    jobId = resume.lastLine();
                    for (String line : resume.stderr().split("\n")) {
                        if (line.contains("Resuming from")) {
                            result.notes.add("resume.sh: " + line.replaceFirst("^==> ", ""));
                        }
                    }
                    return System.currentTimeMillis();
                }
            case KAFKA_RESTART:
                {
                    stack.script(Duration.ofMinutes(2), "scripts/stack.sh", "stop", "kafka")
                            .assertSuccess();
                    long stopped = System.currentTimeMillis();
                    try {
                        sleepUntil(stopped + span);
                    } finally {
                        stack.script(Duration.ofMinutes(5), "scripts/stack.sh", "start", "kafka")
                                .assertSuccess();
                    }
                    return System.currentTimeMillis();
                }
            case CHECKPOINT_STORAGE:
                {
                    // Long enough for two checkpoints to be due, whatever the interval.
                    long interval =
                            stack.flink("/jobs/" + jobId + "/checkpoints/config")
                                    .path("interval")
                                    .asLong(10_000);
                    return checkpointStorageUnwritable(
                            Math.max(span, 2 * interval + 2_000), result);
                }
            case SERVER_ERRORS:
                {
                    long end = System.currentTimeMillis() + span;
                    try {
                        while (System.currentTimeMillis() < end) {
                            stack.setFaults("{\"status_503_ratio\":0.5,\"status_500_ratio\":1.0}");
                            sleepUntil(
                                    Math.min(
                                            end,
                                            System.currentTimeMillis()
                                                    + spans.burstOn().toMillis()));
                            stack.setFaults("{}");
                            if (System.currentTimeMillis() < end) {
                                sleepUntil(
                                        Math.min(
                                                end,
                                                System.currentTimeMillis()
                                                        + spans.burstOff().toMillis()));
                            }
                        }
                    } finally {
                        stack.setFaults("{}");
                    }
                    return System.currentTimeMillis();
                }
            default:
                {
                    String faults = simulatorFaults(fault, span);
                    long end = System.currentTimeMillis() + span;
                    stack.setFaults(faults);
                    try {
                        sleepUntil(end);
                    } finally {
                        stack.setFaults("{}");
                    }
                    return System.currentTimeMillis();
                }
        }
    }

    private static String simulatorFaults(Fault fault, long spanMs) {
        switch (fault) {
            case THROTTLED_WITH_RETRY_AFTER:
                return "{\"status_429_ratio\":0.95,\"retry_after_seconds\":3}";
            case THROTTLED_WITHOUT_RETRY_AFTER:
                return "{\"status_429_ratio\":0.95}";
            case LATENCY:
                return "{\"latency_ms\":3000,\"latency_jitter_ms\":1000}";
            case CONNECTION_RESETS:
                return "{\"drop_connection_ratio\":0.5}";
            case UNAUTHORIZED:
                return "{\"unauthorized_seconds\":" + Math.max(1, spanMs / 1000) + "}";
            default:
                throw new IllegalArgumentException(fault.key + " is not a simulator fault");
        }
    }

    /**
     * The tests run as root, for whom chmod changes nothing. Instead the job's checkpoint directory
     * is moved aside and a regular file takes its name: creating chk-n in it (the JobManager) and
     * uploading state into shared/ (the TaskManagers) both fail, for root too.
     */
    private long checkpointStorageUnwritable(long span, ScenarioResult result) throws Exception {
        Path dir = stack.checkpointDir().resolve(jobId);
        Path aside = dir.resolveSibling(jobId + ".moved-by-chaos-suite");
        long failedBefore = counts(checkpoints(jobId)).path("failed").asLong();
        Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
        try {
            Files.writeString(dir, "checkpoint storage made unwritable by the chaos suite\n");
            sleepUntil(System.currentTimeMillis() + span);
            long failed = counts(checkpoints(jobId)).path("failed").asLong() - failedBefore;
            result.checkpointsFailed = failed;
            result.check(
                    failed > 0,
                    "no checkpoint failed while the checkpoint directory was unwritable: the fault"
                            + " did not take effect");
            result.notes.add(failed + " checkpoints failed while the directory was unwritable");
        } finally {
            Files.deleteIfExists(dir);
            Files.move(aside, dir, StandardCopyOption.ATOMIC_MOVE);
        }
        return System.currentTimeMillis();
    }

    // -------------------------------------------------------------------------------------
    // Checks

    /**
     * Exactly once in Customer.io: every produced event once (by person, sequence number, type and
     * name, so an event stored twice under two ids shows), nothing else; every user's profile with
     * its final batches_sent.
     */
    private void verifyCustomerio(
            ScenarioResult result,
            TestBatches batches,
            Set<String> deadLetteredNames,
            long expectedRefusals) {
        Summary summary = stack.summary();
        result.duplicatesOnTheWire = summary.duplicateEventsIgnored();
        result.requests = summary.requests();
        result.responsesByStatus.putAll(summary.responsesByStatus());
        result.rejectedOperations = summary.rejectedOperations();

        Set<String> expected = new HashSet<>();
        for (TestBatches.ExpectedEvent e : batches.expectedEvents()) {
            if (!deadLetteredNames.contains(e.name())) {
                expected.add(e.customerId() + "/" + e.seq() + "/" + e.type() + "/" + e.name());
            }
        }
        Map<String, Integer> copies = new HashMap<>();
        Map<String, StoredEvent> stored = new HashMap<>();
        for (StoredEvent e : stack.events()) {
            String key =
                    e.personId()
                            + "/"
                            + e.data().path("seq").asLong()
                            + "/"
                            + e.type()
                            + "/"
                            + e.name();
            copies.merge(key, 1, Integer::sum);
            stored.putIfAbsent(key, e);
        }
        List<String> unexpected = new ArrayList<>();
        List<String> fromEarlierScenarios = new ArrayList<>();
        for (Map.Entry<String, Integer> c : copies.entrySet()) {
            if (expected.contains(c.getKey())) {
                result.delivered++;
                result.duplicatesInStore += c.getValue() - 1;
            } else {
                result.unexpected += c.getValue();
                (scenarioOf(c.getKey()) < scenarios ? fromEarlierScenarios : unexpected)
                        .add(c.getKey());
            }
        }
        List<String> missing = new ArrayList<>();
        for (String key : expected) {
            if (!copies.containsKey(key)) {
                missing.add(key);
            }
        }
        result.lost = missing.size();
        result.check(result.lost == 0, result.lost + " events lost, e.g. " + first(missing));
        result.check(
                result.duplicatesInStore == 0,
                result.duplicatesInStore + " events stored twice under different ids");
        result.check(
                unexpected.isEmpty(),
                unexpected.size()
                        + " stored events were never produced, e.g. "
                        + first(unexpected));
        // Named apart: they say which scenario left something unsettled, not this one's fault.
        result.check(
                fromEarlierScenarios.isEmpty(),
                fromEarlierScenarios.size()
                        + " events of an earlier scenario arrived after this one began (sent again"
                        + " after that scenario had settled), e.g. "
                        + first(fromEarlierScenarios)
                        + "; "
                        + lateArrivals(fromEarlierScenarios, stored));
        Map<String, String> ids = new HashMap<>();
        stored.forEach((key, e) -> ids.put(key, e.id()));
        previousScenarioIds = ids;

        Map<String, Integer> finalBatches = batches.finalBatchesSent();
        result.users = finalBatches.size();
        Map<String, Person> byId = new HashMap<>();
        List<String> wrong = new ArrayList<>();
        for (Person p : stack.people()) {
            if (p.id() == null || byId.put(p.id(), p) != null) {
                wrong.add("a second profile " + p.id());
            }
        }
        for (Map.Entry<String, Integer> user : finalBatches.entrySet()) {
            Person p = byId.remove(user.getKey());
            JsonNode sent = p == null ? null : p.attributes().get("batches_sent");
            if (p == null) {
                wrong.add(user.getKey() + ": no profile");
            } else if (sent == null || sent.asInt() != user.getValue()) {
                wrong.add(
                        user.getKey() + ": batches_sent " + sent + ", expected " + user.getValue());
            }
        }
        for (String extra : byId.keySet()) {
            wrong.add(
                    scenarioOf(extra) < scenarios
                            ? "a profile of an earlier scenario ("
                                    + scenarioOf(extra)
                                    + "): "
                                    + extra
                            : "a profile nobody produced: " + extra);
        }
        result.wrongProfiles = wrong.size();
        result.check(wrong.isEmpty(), wrong.size() + " profiles wrong, e.g. " + first(wrong));
        result.check(
                summary.rejectedOperations() == expectedRefusals,
                "Customer.io rejected "
                        + summary.rejectedOperations()
                        + " operations, "
                        + expectedRefusals
                        + " expected");
    }

    /**
     * When events of an earlier scenario arrived (seconds after this scenario reset the simulator),
     * and whether they carry the id they were stored under then: the same id is a late duplicate of
     * an operation, a new one an operation made again.
     */
    private String lateArrivals(List<String> keys, Map<String, StoredEvent> stored) {
        List<String> out = new ArrayList<>();
        for (String key : keys.subList(0, Math.min(5, keys.size()))) {
            StoredEvent e = stored.get(key);
            String before = previousScenarioIds.get(key);
            out.add(
                    String.format(
                            "%s at +%.1f s, %s",
                            key,
                            (e.receivedAtMs() - scenarioStartMs) / 1000.0,
                            before == null
                                    ? "not stored by the previous scenario's check"
                                    : before.equals(e.id())
                                            ? "the id stored then"
                                            : "a new id (stored then as " + before + ")"));
        }
        return "arrived: " + String.join("; ", out);
    }

    /**
     * The scenario whose production made a customer id ({@code c-<mpid>}, optionally followed by
     * {@code /...}): scenario n produces the MPIDs from {@code n * MPIDS_PER_SCENARIO}; -1 when the
     * id has another form.
     */
    static long scenarioOf(String key) {
        int slash = key.indexOf('/');
        String id = slash < 0 ? key : key.substring(0, slash);
        if (!id.startsWith("c-")) {
            return -1;
        }
        try {
            return Long.parseLong(id.substring(2)) / MPIDS_PER_SCENARIO;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Nothing may land in the dead-letter topic: every event here is good. */
    private void verifyDeadLetters(ScenarioResult result, Map<Integer, Long> before)
            throws Exception {
        long written = stack.endOffset(deadLetterTopic);
        for (long offset : before.values()) {
            written -= offset;
        }
        result.deadLetters = written;
        if (written != 0) {
            List<String> letters = stack.readCommitted(deadLetterTopic, 5);
            result.failures.add(
                    written
                            + " records written to the dead-letter topic "
                            + deadLetterTopic
                            + ", e.g. "
                            + first(letters));
        }
    }

    private void verifyJob(
            Fault fault,
            ScenarioResult result,
            String jobBefore,
            JsonNode before,
            long faultStart,
            long faultEnd)
            throws Exception {
        String state = stack.flink("/jobs/" + jobId).path("state").asText();
        result.check("RUNNING".equals(state), "the job is " + state + " after the scenario");

        JsonNode after = checkpoints(jobId);
        boolean sameJob = jobId.equals(jobBefore);
        long restoredBefore = sameJob ? counts(before).path("restored").asLong() : 0;
        result.jobRestarts = counts(after).path("restored").asLong() - restoredBefore;
        if (result.checkpointsFailed == 0 && sameJob) {
            result.checkpointsFailed =
                    counts(after).path("failed").asLong() - counts(before).path("failed").asLong();
        }
        JsonNode restored = after.path("latest").path("restored");
        switch (fault) {
            case TASKMANAGER_KILL:
                result.check(
                        result.jobRestarts >= 1
                                && !restored.path("is_savepoint").asBoolean(true)
                                && restored.path("restore_timestamp").asLong() >= faultStart,
                        "the job did not restore a checkpoint after the TaskManager died: "
                                + restored);
                result.notes.add(
                        "restored checkpoint "
                                + restored.path("id").asText()
                                + " after the kill ("
                                + result.jobRestarts
                                + " restart(s))");
                break;
            case JOBMANAGER_RESTART:
                String path = restored.path("external_path").asText();
                result.check(
                        !sameJob && path.contains("/" + jobBefore + "/chk-"),
                        "the resubmitted job "
                                + jobId
                                + " was not restored from a checkpoint of job "
                                + jobBefore
                                + ": "
                                + restored);
                result.notes.add("job " + jobId + " restored from " + path);
                break;
            case CUSTOMERIO_OUTAGE:
                // The upgraded job: OutageScenario.verifyJob checks its restore and restarts.
                break;
            case KAFKA_RESTART:
                result.notes.add(
                        result.jobRestarts
                                + " job restart(s) while the broker was away (Flink restarts the"
                                + " source and the dead-letter sink once it is back)");
                break;
            default:
                // Customer.io misbehaving and failing checkpoints are backpressure and lag,
                // never a restart (docs/reliability.md: Guarantees; flink-conf/config.yaml).
                result.check(
                        result.jobRestarts == 0,
                        "the job restarted "
                                + result.jobRestarts
                                + " time(s): a "
                                + (fault.isCustomerio()
                                        ? "misbehaving Customer.io"
                                        : "failing checkpoint")
                                + " must never restart it");
        }
        if (fault.isCustomerio()) {
            checkFaultObserved(fault, result);
        }

        Long again = firstCompletedAckAfter(after, faultEnd);
        if (again != null) {
            result.checkpointAgainSeconds = Math.max(0, again - faultEnd) / 1000.0;
        }
    }

    private static void checkFaultObserved(Fault fault, ScenarioResult result) {
        Map<Integer, Long> s = result.responsesByStatus;
        switch (fault) {
            case THROTTLED_WITH_RETRY_AFTER:
            case THROTTLED_WITHOUT_RETRY_AFTER:
                result.check(s.getOrDefault(429, 0L) > 0, "no 429 was answered: " + s);
                break;
            case SERVER_ERRORS:
                result.check(
                        s.getOrDefault(500, 0L) > 0 && s.getOrDefault(503, 0L) > 0,
                        "no 500 and 503 were answered: " + s);
                break;
            case CONNECTION_RESETS:
                result.check(s.getOrDefault(0, 0L) > 0, "no connection was dropped: " + s);
                break;
            case UNAUTHORIZED:
                result.check(s.getOrDefault(401, 0L) > 0, "no 401 was answered: " + s);
                break;
            case LATENCY:
                result.notes.add(
                        "requests timed out and were sent again: "
                                + result.duplicatesOnTheWire
                                + " events arrived a second time");
                break;
            default:
        }
    }

    // -------------------------------------------------------------------------------------
    // Flink

    private JsonNode checkpoints(String job) {
        return stack.flink("/jobs/" + job + "/checkpoints");
    }

    private static JsonNode counts(JsonNode checkpoints) {
        return checkpoints.path("counts");
    }

    private static String latestCompletedId(JsonNode checkpoints) {
        JsonNode completed = checkpoints.path("latest").path("completed");
        return completed.isObject() ? "chk-" + completed.path("id").asText() : "none";
    }

    /** The ack time of the earliest completed checkpoint acknowledged after {@code time}. */
    private static Long firstCompletedAckAfter(JsonNode checkpoints, long time) {
        Long first = null;
        for (JsonNode c : checkpoints.path("history")) {
            long ack = c.path("latest_ack_timestamp").asLong();
            if ("COMPLETED".equals(c.path("status").asText())
                    && ack >= time
                    && (first == null || ack < first)) {
                first = ack;
            }
        }
        return first;
    }

    /**
     * The job's gauges of operations not yet settled: waiting in state, parked in delivery, in a
     * request delivery holds (also one waiting for an earlier request of its users).
     */
    private static final List<String> WAITING_GAUGES =
            List.of("operations_waiting", "users_parked_in_delivery", "in_flight_requests");

    /**
     * How long no operation may reach Customer.io before a scenario is over: longer than a
     * checkpoint of the suite (5 s), after which feedback comes back, plus a first probe's backoff
     * (at most 1 s) and the batcher's linger.
     */
    private static final Duration WIRE_QUIET = Duration.ofSeconds(8);

    /**
     * Waits until no operation reached the simulator for {@code quiet}; returns when it began, null
     * on timeout.
     */
    private Long awaitNoOperationsFor(Duration quiet, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = stack.summary().operations();
        long quietSince = System.currentTimeMillis();
        while (System.nanoTime() < deadline) {
            Thread.sleep(500);
            long now = stack.summary().operations();
            if (now != last) {
                last = now;
                quietSince = System.currentTimeMillis();
            } else if (System.currentTimeMillis() - quietSince >= quiet.toMillis()) {
                return quietSince;
            }
        }
        return null;
    }

    /**
     * Waits until every gauge of {@link #WAITING_GAUGES} reads 0 twice in a row (a gauge read
     * between a park and its feedback's arrival could show 0 once); returns when, null on timeout.
     */
    private Long awaitNothingWaiting(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int quietReads = 0;
        while (System.nanoTime() < deadline) {
            Map<String, Long> now = waitingNow();
            boolean quiet =
                    now.size() == WAITING_GAUGES.size()
                            && now.values().stream().allMatch(v -> v != null && v == 0);
            quietReads = quiet ? quietReads + 1 : 0;
            if (quietReads == 2) {
                return System.currentTimeMillis();
            }
            // Flink's REST metric store refreshes every few seconds
            // (metrics.fetcher.update-interval).
            Thread.sleep(3_000);
        }
        return null;
    }

    private Map<String, Long> waitingNow() {
        Map<String, Long> values = new LinkedHashMap<>();
        for (String gauge : WAITING_GAUGES) {
            try {
                values.put(gauge, stack.subtaskMetricSum(jobId, gauge));
            } catch (RuntimeException e) {
                LOG.debug("{} not readable", gauge, e);
                values.put(gauge, null);
            }
        }
        return values;
    }

    /** Waits for a checkpoint triggered after {@code time} to complete; null on timeout. */
    private JsonNode awaitCheckpointTriggeredAfter(long time, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                JsonNode completed = checkpoints(jobId).path("latest").path("completed");
                if (completed.isObject() && completed.path("trigger_timestamp").asLong() > time) {
                    return completed;
                }
            } catch (RuntimeException e) {
                LOG.debug("checkpoints not readable yet", e);
            }
            Thread.sleep(500);
        }
        return null;
    }

    // -------------------------------------------------------------------------------------
    // Production and monitoring

    /** Produces generated batches at a steady rate on its own thread until stopped. */
    private final class Production {
        private final TestBatches batches;
        private final Spans spans;
        private final long firstMpid;
        private final Random random;
        private final AtomicLong sent = new AtomicLong();
        private final AtomicLong failed = new AtomicLong();
        private volatile String firstError;
        private volatile boolean stopping;
        private final Thread thread;

        /** Batches of one event with a chosen name, produced at the next tick. */
        private final Queue<String> pending = new ConcurrentLinkedQueue<>();

        /** The batches produced from {@link #pending}, with their event. */
        private final List<OutageScenario.Special> specials = new CopyOnWriteArrayList<>();

        Production(TestBatches batches, Spans spans, long firstMpid, long seed) {
            this.batches = batches;
            this.spans = spans;
            this.firstMpid = firstMpid;
            this.random = new Random(seed);
            this.thread = new Thread(this::produce, "chaos-producer");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        /** A batch of one event named {@code eventName}, for a random user, at the next tick. */
        void inject(String eventName) {
            pending.add(eventName);
        }

        void stop() throws InterruptedException {
            stopping = true;
            thread.join();
        }

        private void produce() {
            long start = System.nanoTime();
            long intervalNanos = (long) (1e9 / spans.batchesPerSecond());
            for (long n = 0; !stopping; n++) {
                long due = start + n * intervalNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    try {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (stopping) {
                    return;
                }
                long mpid = firstMpid + random.nextInt(spans.users());
                String special = pending.poll();
                if (special != null) {
                    batches.addBatch(mpid, 1, special);
                    List<TestBatches.ExpectedEvent> events = batches.expectedEvents();
                    specials.add(
                            new OutageScenario.Special(
                                    special,
                                    events.get(events.size() - 1),
                                    System.currentTimeMillis()));
                } else {
                    batches.addBatch(mpid, 1 + random.nextInt(spans.maxEventsPerBatch()), null);
                }
                Map.Entry<String, byte[]> record =
                        batches.records().get(batches.records().size() - 1);
                producer.send(
                        new ProducerRecord<>(
                                topic,
                                record.getKey().getBytes(StandardCharsets.UTF_8),
                                record.getValue()),
                        (metadata, error) -> {
                            if (error == null) {
                                sent.incrementAndGet();
                            } else {
                                if (failed.getAndIncrement() == 0) {
                                    firstError = error.toString();
                                }
                            }
                        });
            }
        }

        /** Waits until the producer has written (or given up on) every batch. */
        void awaitSent(Duration timeout) throws InterruptedException {
            producer.flush();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (sent.get() + failed.get() < batches.records().size()
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        }
    }

    /** Samples the simulator's counters a few times a second. */
    private final class Monitor {
        record Sample(long time, long events, long accepted) {}

        private final List<Sample> samples = new CopyOnWriteArrayList<>();
        private volatile boolean stopping;
        private final Thread thread = new Thread(this::poll, "chaos-monitor");

        void start() throws InterruptedException {
            thread.setDaemon(true);
            thread.start();
            while (samples.isEmpty()) {
                Thread.sleep(50);
            }
        }

        void stop() throws InterruptedException {
            stopping = true;
            thread.interrupt();
            thread.join();
        }

        private void poll() {
            while (!stopping) {
                try {
                    Summary s = stack.summary();
                    long accepted = 0;
                    for (Map.Entry<Integer, Long> e : s.responsesByStatus().entrySet()) {
                        if (e.getKey() >= 200 && e.getKey() < 300) {
                            accepted += e.getValue();
                        }
                    }
                    samples.add(new Sample(System.currentTimeMillis(), s.events(), accepted));
                } catch (RuntimeException e) {
                    LOG.debug("simulator summary not readable", e);
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        Sample last() {
            return samples.get(samples.size() - 1);
        }

        long lastTime() {
            return last().time();
        }

        /** The time of the first sample where the condition held, or null after the timeout. */
        Long awaitUntil(Duration timeout, BooleanSupplier condition) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (condition.getAsBoolean()) {
                    return last().time();
                }
                Thread.sleep(100);
            }
            return null;
        }

        /** How many requests Customer.io accepted between two times (from the samples). */
        long acceptedBetween(long from, long to) {
            Long first = null;
            long last = 0;
            for (Sample s : samples) {
                if (s.time() < from) {
                    continue;
                }
                if (s.time() > to) {
                    break;
                }
                if (first == null) {
                    first = s.accepted();
                }
                last = s.accepted();
            }
            return first == null ? 0 : last - first;
        }

        /** When Customer.io first accepted a request after {@code time}. */
        Long firstAcceptedAfter(long time) {
            Long baseline = null;
            for (Sample s : samples) {
                if (s.time() < time) {
                    continue;
                }
                if (baseline == null) {
                    baseline = s.accepted();
                } else if (s.accepted() > baseline) {
                    return s.time();
                }
            }
            return null;
        }

        /** When accepted requests resumed after the longest stall within [from, to]. */
        Long endOfLongestStall(long from, long to) {
            Long end = null;
            long longest = -1;
            long lastIncrease = from;
            Long lastAccepted = null;
            for (Sample s : samples) {
                if (s.time() > to) {
                    break;
                }
                if (s.time() >= from && lastAccepted != null && s.accepted() > lastAccepted) {
                    if (s.time() - lastIncrease > longest) {
                        longest = s.time() - lastIncrease;
                        end = s.time();
                    }
                    lastIncrease = s.time();
                }
                lastAccepted = s.accepted();
            }
            return end;
        }

        /** The longest time between two increases of the stored events within [from, to]. */
        long longestGap(long from, long to) {
            long longest = 0;
            long lastIncrease = from;
            long lastEvents = -1;
            for (Sample s : samples) {
                if (s.time() < from) {
                    lastEvents = s.events();
                    continue;
                }
                if (s.time() > to) {
                    break;
                }
                if (lastEvents >= 0 && s.events() > lastEvents) {
                    longest = Math.max(longest, s.time() - lastIncrease);
                    lastIncrease = s.time();
                }
                lastEvents = s.events();
            }
            return Math.max(longest, to - lastIncrease);
        }
    }

    // -------------------------------------------------------------------------------------

    private static void sleepUntil(long time) throws InterruptedException {
        long wait = time - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }

    private static String first(List<String> items) {
        if (items.isEmpty()) {
            return "none";
        }
        List<String> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.naturalOrder());
        return String.join("; ", sorted.subList(0, Math.min(3, sorted.size())));
    }
}
