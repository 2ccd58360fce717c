package dev.cioforwarder.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.testing.RepoScripts.ScriptResult;
import dev.cioforwarder.testing.TestBatches;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.util.TimeUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long Customer.io outage ({@link Fault#CUSTOMERIO_OUTAGE}), on a job with the defaults of
 * flink-conf/config.yaml and of the job:
 *
 * <ul>
 *   <li>the outage: six cycles over the span, each answering every request 503 for four fifths of
 *       it and dropping every connection for the last fifth;
 *   <li>dead letters on purpose: just before the outage, two batches whose event Customer.io
 *       refuses (the simulator's {@code reject_names}, set for the whole scenario) and one whose
 *       event name is over 100 bytes (the job dead-letters it itself); during the outage, one of
 *       each at six moments. The refused ones produced during the outage wait with their users'
 *       operations and are refused once Customer.io answers again;
 *   <li>in the middle of the outage, {@code scripts/upgrade.sh} (stop with a savepoint, start the
 *       job jar from it, wait for its first checkpoint); the outage lasts until it has returned;
 *   <li>all through the scenario, every 2 s, the checkpoint age from Flink's REST API: the time
 *       since the latest completed checkpoint or savepoint of the scenario's jobs, and the job's
 *       gauge {@code checkpoint_age_ms}.
 * </ul>
 */
final class OutageScenario {

    private static final Logger LOG = LoggerFactory.getLogger(OutageScenario.class);

    /** Customer.io refuses this event (the simulator's reject_names): rejected_by_customerio. */
    static final String REFUSED_NAME = "ChaosRefusedByCustomerio";

    /** 117 bytes: over Customer.io's 100, so the job dead-letters it (event_name_too_long). */
    static final String TOO_LONG_NAME = "ChaosNameTooLong_" + "x".repeat(100);

    static final Map<String, String> REASONS =
            Map.of(REFUSED_NAME, "rejected_by_customerio", TOO_LONG_NAME, "event_name_too_long");

    private static final String HEALED = "{\"reject_names\":[\"" + REFUSED_NAME + "\"]}";
    private static final String ALL_503 =
            "{\"status_503_ratio\":1.0,\"reject_names\":[\"" + REFUSED_NAME + "\"]}";
    private static final String ALL_DROPPED =
            "{\"drop_connection_ratio\":1.0,\"reject_names\":[\"" + REFUSED_NAME + "\"]}";

    private static final int CYCLES = 6;
    private static final double[] DEAD_LETTER_MOMENTS = {0.1, 0.3, 0.45, 0.6, 0.75, 0.9};
    private static final double UPGRADE_MOMENT = 0.5;
    private static final long SAMPLE_INTERVAL_MS = 2_000;

    /** The sequence number in a refused operation's body (attributes.seq). */
    private static final Pattern SEQ = Pattern.compile("\"seq\"\\s*:\\s*(\\d+)");

    /**
     * The sequence number in a rejected event's description: its dedup_key is its
     * source_message_id, smid:c-MPID-SEQ.
     */
    private static final Pattern DEDUP_SEQ =
            Pattern.compile("\"dedup_key\"\\s*:\\s*\"(?:smid:)?c-\\d+-(\\d+)\"");

    /** A batch of one event the scenario expects in the dead-letter topic. */
    record Special(String name, TestBatches.ExpectedEvent event, long producedAtMs) {

        String reason() {
            return REASONS.get(name);
        }

        String key() {
            return event.customerId().substring(2) + "/" + event.seq() + "/" + reason();
        }
    }

    private final ChaosStack stack;
    private final Spans spans;
    private final Path jobJar;
    private final OutageFigures figures = new OutageFigures();
    private final Sampler sampler = new Sampler();
    private volatile String jobId;

    OutageScenario(ChaosStack stack, Spans spans, String jobId, Path jobJar) {
        this.stack = stack;
        this.spans = spans;
        this.jobId = jobId;
        this.jobJar = jobJar;
    }

    OutageFigures figures() {
        return figures;
    }

    /** The job that runs now (another one after the upgrade). */
    String jobId() {
        return jobId;
    }

    /** The names whose events must not reach Customer.io: they are dead-lettered on purpose. */
    static Set<String> deadLetteredNames() {
        return REASONS.keySet();
    }

    /** Reads the job's checkpointing, turns Customer.io's refusal on and starts sampling. */
    void start(ScenarioResult result) throws Exception {
        figures.scenarioStartMs = System.currentTimeMillis();
        figures.jobTimeouts =
                "customerio.in-slot-retry, customerio.request-timeout,"
                    + " customerio.auth-retry-interval and kafka.property.transaction.timeout.ms"
                    + " not set: the job's defaults (30 s, 10 s, 60 s, 900000 ms)";
        JsonNode config = stack.flink("/jobs/" + jobId + "/checkpoints/config");
        figures.checkpointIntervalMs = config.path("interval").asLong();
        figures.checkpointTimeoutMs = config.path("timeout").asLong();
        figures.checkpointMinPauseMs = config.path("min_pause").asLong();
        Map<String, Duration> yaml = configYamlCheckpointing(stack.repo());
        figures.configYamlCheckpointing = yaml.toString();
        result.check(
                yaml.get("execution.checkpointing.interval").toMillis()
                                == figures.checkpointIntervalMs
                        && yaml.get("execution.checkpointing.timeout").toMillis()
                                == figures.checkpointTimeoutMs
                        && yaml.get("execution.checkpointing.min-pause").toMillis()
                                == figures.checkpointMinPauseMs,
                "the job does not checkpoint with flink-conf/config.yaml's settings "
                        + yaml
                        + " but every "
                        + figures.checkpointIntervalMs
                        + " ms, timeout "
                        + figures.checkpointTimeoutMs
                        + " ms, min pause "
                        + figures.checkpointMinPauseMs
                        + " ms (FLINK_PROPERTIES?): this run does not show the defaults");
        stack.setFaults(HEALED);
        sampler.start();
    }

    /**
     * Just before the outage: two batches Customer.io refuses and one the job dead-letters itself;
     * waits (at most a minute) until Customer.io has refused both, so that the outage starts while
     * their dead letters' Kafka transaction may still be open.
     */
    void beforeOutage(Consumer<String> inject, ScenarioResult result) throws Exception {
        long refusedBefore = stack.summary().rejectedOperations();
        inject.accept(REFUSED_NAME);
        inject.accept(TOO_LONG_NAME);
        inject.accept(REFUSED_NAME);
        long deadline = System.currentTimeMillis() + 60_000;
        while (stack.summary().rejectedOperations() < refusedBefore + 2
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        long refused = stack.summary().rejectedOperations() - refusedBefore;
        result.notes.add(
                "Customer.io had refused "
                        + refused
                        + " of the 2 events produced to be refused just before the outage when it"
                        + " began");
    }

    /**
     * The outage: its phases, the dead letters produced during it and the upgrade in its middle.
     * Returns when it ended (the span, or later if the upgrade was still running), with Customer.io
     * answering again (and still refusing {@link #REFUSED_NAME}).
     */
    long outage(Consumer<String> inject) throws Exception {
        long start = System.currentTimeMillis();
        figures.outageStartMs = start;
        long span = spans.fault().toMillis();
        long end = start + span;
        long cycle = span / CYCLES;
        TreeMap<Long, List<Runnable>> timeline = new TreeMap<>();
        for (int c = 0; c < CYCLES; c++) {
            long cycleStart = start + c * cycle;
            long dropStart = cycleStart + cycle * 4 / 5;
            long cycleEnd = c == CYCLES - 1 ? end : cycleStart + cycle;
            at(timeline, cycleStart, () -> phase("503", ALL_503, cycleStart, dropStart));
            at(timeline, dropStart, () -> phase("dropped", ALL_DROPPED, dropStart, cycleEnd));
        }
        for (double moment : DEAD_LETTER_MOMENTS) {
            at(
                    timeline,
                    start + (long) (span * moment),
                    () -> {
                        inject.accept(REFUSED_NAME);
                        inject.accept(TOO_LONG_NAME);
                    });
        }
        CompletableFuture<Void> upgrade = new CompletableFuture<>();
        at(
                timeline,
                start + (long) (span * UPGRADE_MOMENT),
                () -> {
                    Thread thread =
                            new Thread(
                                    () -> {
                                        try {
                                            upgrade();
                                            upgrade.complete(null);
                                        } catch (Throwable e) {
                                            upgrade.completeExceptionally(e);
                                        }
                                    },
                                    "chaos-upgrade");
                    thread.setDaemon(true);
                    thread.start();
                });
        try {
            for (Map.Entry<Long, List<Runnable>> step : timeline.entrySet()) {
                sleepUntil(step.getKey());
                step.getValue().forEach(Runnable::run);
            }
            sleepUntil(end);
            // The outage lasts at least until the upgrade has returned: it must succeed during it.
            upgrade.get(30, TimeUnit.MINUTES);
        } finally {
            stack.setFaults(HEALED);
            long healed = System.currentTimeMillis();
            figures.outageEndMs = healed;
            List<OutageFigures.Phase> phases = new ArrayList<>();
            for (OutageFigures.Phase p : figures.phases) {
                phases.add(
                        new OutageFigures.Phase(
                                p.kind(), p.faults(), p.startMs(), Math.min(p.endMs(), healed)));
            }
            if (!phases.isEmpty() && healed > end) {
                // The last phase went on while the upgrade was running.
                OutageFigures.Phase last = phases.remove(phases.size() - 1);
                phases.add(
                        new OutageFigures.Phase(
                                last.kind(), last.faults(), last.startMs(), healed));
            }
            figures.phases = phases;
        }
        return figures.outageEndMs;
    }

    private static void at(TreeMap<Long, List<Runnable>> timeline, long time, Runnable action) {
        timeline.computeIfAbsent(time, t -> new ArrayList<>()).add(action);
    }

    private void phase(String kind, String faults, long start, long end) {
        stack.setFaults(faults);
        figures.phases.add(new OutageFigures.Phase(kind, faults, start, end));
        LOG.info("outage phase: {} until {} s", kind, (end - figures.outageStartMs) / 1000);
    }

    /** scripts/upgrade.sh of the running job to the job jar, waiting for its first checkpoint. */
    private void upgrade() throws Exception {
        String old = jobId;
        LOG.info("upgrading job {} in the middle of the outage: scripts/upgrade.sh", old);
        long start = System.currentTimeMillis();
        ScriptResult r =
                stack.script(
                        Duration.ofMinutes(25),
                        "scripts/upgrade.sh",
                        jobJar.toString(),
                        "--job",
                        old,
                        "--timeout",
                        "900");
        long end = System.currentTimeMillis();
        String newJob = r.exitCode() == 0 ? r.lastLine().trim() : null;
        List<String> output = new ArrayList<>();
        for (String line : r.stderr().split("\n")) {
            if (!line.isBlank()) {
                output.add(line);
            }
        }
        figures.upgrade =
                new OutageFigures.Upgrade(
                        "scripts/upgrade.sh "
                                + jobJar.getFileName()
                                + " --job "
                                + old
                                + " --timeout 900",
                        start,
                        end,
                        (end - start) / 1000.0,
                        r.exitCode(),
                        old,
                        newJob,
                        output);
        LOG.info(
                "upgrade: exit {} after {} s, job {} -> {}",
                r.exitCode(),
                (end - start) / 1000.0,
                old,
                newJob);
        if (newJob != null) {
            jobId = newJob;
            // On a restore the committers commit the savepoint's transactions again, and the Kafka
            // connector counts one the old job had committed as failed ("already fenced"): what
            // counts is what fails after the new job's first checkpoint.
            figures.failedCommittablesAfterUpgrade = failedCommittables();
        }
    }

    void stopSampling() throws InterruptedException {
        sampler.stop();
        figures.scenarioEndMs = System.currentTimeMillis();
    }

    // -------------------------------------------------------------------------------------
    // Checks

    /**
     * Every dead letter expected once in the topic (read_committed, from where it stood before the
     * scenario), nothing else; waits up to 3 minutes for those still on their way.
     */
    void verifyDeadLetters(
            ScenarioResult result, List<Special> specials, String topic, Map<Integer, Long> before)
            throws Exception {
        Map<String, Special> expected = new LinkedHashMap<>();
        for (Special s : specials) {
            expected.put(s.key(), s);
        }
        Map<String, List<JsonNode>> found = new HashMap<>();
        List<String> unreadable = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 180_000;
        while (true) {
            found.clear();
            unreadable.clear();
            for (String text : stack.readCommittedFrom(topic, before, Duration.ofSeconds(30))) {
                JsonNode letter = ChaosStack.MAPPER.readTree(text);
                String payload = letter.path("payload_text").asText();
                Matcher seq =
                        (letter.path("payload_kind").asText().equals("event") ? DEDUP_SEQ : SEQ)
                                .matcher(payload);
                if (!seq.find()) {
                    unreadable.add(text.substring(0, Math.min(300, text.length())));
                    continue;
                }
                String key =
                        letter.path("mpid").asText()
                                + "/"
                                + seq.group(1)
                                + "/"
                                + letter.path("reason").asText();
                found.computeIfAbsent(key, k -> new ArrayList<>()).add(letter);
            }
            if (found.keySet().containsAll(expected.keySet())
                    || System.currentTimeMillis() > deadline) {
                break;
            }
            Thread.sleep(5_000);
        }
        long present = 0;
        List<String> missing = new ArrayList<>();
        List<String> extra = new ArrayList<>(unreadable);
        for (Special s : expected.values()) {
            List<JsonNode> letters = found.getOrDefault(s.key(), List.of());
            if (letters.size() == 1) {
                present++;
            } else if (letters.isEmpty()) {
                missing.add(s.key());
            } else {
                extra.add(letters.size() - 1 + " more copies of " + s.key());
            }
            figures.deadLetters.add(
                    new OutageFigures.DeadLetter(
                            s.key(),
                            s.reason(),
                            s.producedAtMs() < figures.outageStartMs
                                    ? "before the outage"
                                    : "during the outage",
                            s.producedAtMs(),
                            letters.size(),
                            letters.isEmpty()
                                    ? null
                                    : letters.get(0).path("dead_lettered_at_ms").asLong()));
        }
        for (Map.Entry<String, List<JsonNode>> f : found.entrySet()) {
            if (!expected.containsKey(f.getKey())) {
                extra.add(
                        f.getValue().size()
                                + " x "
                                + f.getKey()
                                + ": "
                                + f.getValue().get(0).path("detail").asText());
            }
        }
        result.deadLettersExpected = (long) expected.size();
        result.deadLettersPresent = present;
        result.deadLetters =
                found.values().stream().mapToLong(List::size).sum() + unreadable.size();
        result.check(
                expected.size() == specials.size(),
                "two batches dead-lettered on purpose share a key: " + specials);
        result.check(
                missing.isEmpty(),
                missing.size()
                        + " of "
                        + expected.size()
                        + " expected dead letters are not in "
                        + topic
                        + ": "
                        + missing);
        result.check(
                extra.isEmpty(),
                "unexpected records in the dead-letter topic " + topic + ": " + extra);
    }

    /**
     * The figures from the samples, and the checks: the upgrade succeeded during the outage, the
     * job running at the end was started from its savepoint and never restarted, checkpoints
     * completed all through the outage, never older than the checkpoint timeout, and nothing got
     * through while it lasted.
     */
    void verifyJob(ScenarioResult result, long acceptedDuringOutage) throws InterruptedException {
        figures.requestsAcceptedDuringOutage = acceptedDuringOutage;
        long start = figures.outageStartMs;
        long end = figures.outageEndMs;
        figures.completions = sampler.completions();
        figures.samples = List.copyOf(sampler.samples);
        List<Long> acks = new ArrayList<>();
        for (OutageFigures.Completion c : figures.completions) {
            acks.add(c.ackMs());
            if (c.ackMs() >= start && c.ackMs() <= end) {
                if (c.savepoint()) {
                    figures.savepointsCompletedDuringOutage++;
                } else {
                    figures.checkpointsCompletedDuringOutage++;
                }
            }
        }
        acks.sort(Comparator.naturalOrder());
        // The age is highest just before a completion: the time since the one before (or since
        // the job's start, if none completed before the outage).
        long previous = acks.stream().filter(a -> a < start).reduce((a, b) -> b).orElse(start);
        long max = 0;
        for (long ack : acks) {
            if (ack >= start && ack <= end) {
                max = Math.max(max, ack - previous);
                previous = ack;
            }
        }
        figures.maxCheckpointAgeDuringOutageMs = Math.max(max, end - previous);
        figures.checkpointsFailedDuringOutage = sampler.failedBetween(start, end);
        result.checkpointsFailed = sampler.failedBetween(figures.scenarioStartMs, Long.MAX_VALUE);
        Long gaugeMax = null;
        for (OutageFigures.Sample s : figures.samples) {
            if (s.timeMs() >= start && s.timeMs() <= end) {
                if (s.ageMs() != null) {
                    figures.maxCheckpointAgeSampledDuringOutageMs =
                            Math.max(figures.maxCheckpointAgeSampledDuringOutageMs, s.ageMs());
                }
                if (s.gaugeMs() != null) {
                    gaugeMax = gaugeMax == null ? s.gaugeMs() : Math.max(gaugeMax, s.gaugeMs());
                }
            }
        }
        figures.maxCheckpointAgeGaugeDuringOutageMs = gaugeMax;

        OutageFigures.Upgrade upgrade = figures.upgrade;
        result.check(upgrade != null, "the upgrade did not run");
        if (upgrade != null) {
            result.check(
                    upgrade.exitCode() == 0 && upgrade.newJob() != null,
                    "scripts/upgrade.sh failed during the outage (exit "
                            + upgrade.exitCode()
                            + "): "
                            + String.join(" | ", upgrade.output()));
            long planned = start + spans.fault().toMillis();
            if (end > planned + 1_000) {
                result.notes.add(
                        String.format(
                                "the outage was held %.0f s past its span, until the upgrade had"
                                        + " returned",
                                (end - planned) / 1000.0));
            }
            result.notes.add(
                    String.format(
                            "scripts/upgrade.sh ran %.0f s into the outage and took %.1f s (exit"
                                    + " %d): job %s replaced by %s",
                            (upgrade.startMs() - start) / 1000.0,
                            upgrade.seconds(),
                            upgrade.exitCode(),
                            upgrade.oldJob(),
                            upgrade.newJob()));
        }
        JsonNode checkpoints = stack.flink("/jobs/" + jobId + "/checkpoints");
        JsonNode restored = checkpoints.path("latest").path("restored");
        figures.finalJobRestoredFrom = restored.path("external_path").asText(null);
        result.check(
                restored.path("is_savepoint").asBoolean(false),
                "the job running at the end ("
                        + jobId
                        + ") was not started from the upgrade's"
                        + " savepoint: "
                        + restored);
        figures.finalJobRestarts = jobMetric("numRestarts");
        result.jobRestarts = figures.finalJobRestarts == null ? -1 : figures.finalJobRestarts;
        result.check(
                figures.finalJobRestarts != null && figures.finalJobRestarts == 0,
                "the upgraded job restarted " + figures.finalJobRestarts + " time(s)");
        figures.finalJobFailedCommittables = failedCommittables();
        result.check(
                figures.finalJobFailedCommittables != null
                        && figures.finalJobFailedCommittables.equals(
                                figures.failedCommittablesAfterUpgrade),
                "Kafka commits failed after the upgraded job's first checkpoint:"
                        + " failedCommittables "
                        + figures.failedCommittablesAfterUpgrade
                        + " then, "
                        + figures.finalJobFailedCommittables
                        + " at the end");

        result.check(
                acceptedDuringOutage == 0,
                "Customer.io accepted " + acceptedDuringOutage + " requests during the outage");
        result.check(
                figures.checkpointsCompletedDuringOutage > 0,
                "no checkpoint completed during the outage");
        result.check(
                figures.maxCheckpointAgeDuringOutageMs < figures.checkpointTimeoutMs,
                "the checkpoint age reached "
                        + figures.maxCheckpointAgeDuringOutageMs / 1000
                        + " s during the outage: not below the checkpoint timeout ("
                        + figures.checkpointTimeoutMs / 1000
                        + " s)");
        Map<Integer, Long> statuses = result.responsesByStatus;
        result.check(
                statuses.getOrDefault(503, 0L) > 0 && statuses.getOrDefault(0, 0L) > 0,
                "no 503 or no dropped connection was answered: " + statuses);
        result.notes.add(
                String.format(
                        "during the outage: %d checkpoints and %d savepoint(s) completed, %d"
                                + " failed; checkpoint age at most %.1f s (timeout %d s)",
                        figures.checkpointsCompletedDuringOutage,
                        figures.savepointsCompletedDuringOutage,
                        figures.checkpointsFailedDuringOutage,
                        figures.maxCheckpointAgeDuringOutageMs / 1000.0,
                        figures.checkpointTimeoutMs / 1000));
    }

    private Long jobMetric(String name) {
        try {
            JsonNode values = stack.flink("/jobs/" + jobId + "/metrics?get=" + name);
            for (JsonNode v : values) {
                if (name.equals(v.path("id").asText())) {
                    return (long) Double.parseDouble(v.path("value").asText());
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("job metric {} not readable", name, e);
        }
        return null;
    }

    /**
     * The job's failedCommittables summed, or null when unreadable. Asks again while Flink's REST
     * metric store lacks any vertex: it fills asynchronously, and a sum over the vertices it
     * already holds would undercount.
     */
    private Long failedCommittables() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        Long sum;
        while ((sum = failedCommittablesOnce()) == null && System.currentTimeMillis() < deadline) {
            Thread.sleep(1_000);
        }
        return sum;
    }

    private Long failedCommittablesOnce() {
        try {
            return stack.subtaskMetricSum(jobId, "failedCommittables");
        } catch (RuntimeException e) {
            LOG.warn("failedCommittables not readable", e);
            return null;
        }
    }

    /** The checkpointing keys of flink-conf/config.yaml this scenario must run with. */
    static Map<String, Duration> configYamlCheckpointing(Path repo) throws Exception {
        Map<String, Duration> values = new TreeMap<>();
        for (String line : Files.readAllLines(repo.resolve("flink-conf/config.yaml"))) {
            for (String key :
                    List.of(
                            "execution.checkpointing.interval",
                            "execution.checkpointing.timeout",
                            "execution.checkpointing.min-pause")) {
                if (line.startsWith(key + ":")) {
                    values.put(
                            key, TimeUtils.parseDuration(line.substring(key.length() + 1).trim()));
                }
            }
        }
        if (values.size() != 3) {
            throw new IllegalStateException(
                    "flink-conf/config.yaml does not set the checkpoint interval, timeout and min"
                            + " pause: "
                            + values);
        }
        return values;
    }

    private static void sleepUntil(long time) throws InterruptedException {
        long wait = time - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }

    // -------------------------------------------------------------------------------------

    /**
     * Every 2 s: the scenario's jobs' checkpoint statistics (each completed checkpoint and
     * savepoint, each failed checkpoint) and the checkpoint age they give, and the job's gauge.
     */
    private final class Sampler {
        private final List<OutageFigures.Sample> samples =
                java.util.Collections.synchronizedList(new ArrayList<>());
        private final Map<String, OutageFigures.Completion> completions = new ConcurrentHashMap<>();

        /**
         * Flink's count of failed checkpoints of each job, by the time it was read: a checkpoint
         * that fails to trigger (tasks still starting) is counted but never in the history.
         */
        private final Map<String, TreeMap<Long, Long>> failedCounts = new ConcurrentHashMap<>();

        /** Jobs started during the scenario: their count of failed checkpoints starts at 0. */
        private final Set<String> startedHere = ConcurrentHashMap.newKeySet();

        private final Set<String> jobs = new HashSet<>();

        /** Reads of a job since it ended: its statistics may lag its end (REST caches). */
        private final Map<String, Integer> readsSinceEnd = new HashMap<>();

        private final Map<String, String[]> gaugeIds = new HashMap<>();
        private volatile boolean stopping;
        private final Thread thread = new Thread(this::poll, "chaos-checkpoint-age");

        void start() {
            jobs.add(jobId);
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            stopping = true;
            thread.interrupt();
            thread.join();
        }

        /** Checkpoints of the scenario's jobs that failed between two times (Flink's counts). */
        long failedBetween(long from, long to) {
            long failed = 0;
            for (Map.Entry<String, TreeMap<Long, Long>> job : failedCounts.entrySet()) {
                TreeMap<Long, Long> counts = job.getValue();
                Map.Entry<Long, Long> before = counts.floorEntry(from);
                Map.Entry<Long, Long> until = counts.floorEntry(to);
                long base =
                        before != null
                                ? before.getValue()
                                : startedHere.contains(job.getKey())
                                        ? 0
                                        : counts.firstEntry().getValue();
                if (until != null) {
                    failed += Math.max(0, until.getValue() - base);
                }
            }
            return failed;
        }

        List<OutageFigures.Completion> completions() {
            List<OutageFigures.Completion> all = new ArrayList<>(completions.values());
            all.sort(Comparator.comparingLong(OutageFigures.Completion::ackMs));
            return all;
        }

        private void poll() {
            long next = System.currentTimeMillis();
            while (!stopping) {
                try {
                    sample();
                } catch (RuntimeException e) {
                    LOG.debug("checkpoint statistics not readable", e);
                }
                next += SAMPLE_INTERVAL_MS;
                try {
                    sleepUntil(next);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void sample() {
            long now = System.currentTimeMillis();
            String running = null;
            String runningState = "none";
            for (JsonNode job : stack.flink("/jobs/overview").path("jobs")) {
                String id = job.path("jid").asText();
                String state = job.path("state").asText();
                if (job.path("start-time").asLong() >= figures.scenarioStartMs) {
                    jobs.add(id);
                    startedHere.add(id);
                }
                if (!jobs.contains(id) || readsSinceEnd.getOrDefault(id, 0) > 5) {
                    continue;
                }
                read(id);
                if (state.equals("RUNNING") || running == null) {
                    running = id;
                    runningState = state;
                }
                if (state.equals("FINISHED")
                        || state.equals("CANCELED")
                        || state.equals("FAILED")) {
                    // Read a few more times after it ended: its final savepoint.
                    readsSinceEnd.merge(id, 1, Integer::sum);
                }
            }
            long latestAck = 0;
            Long latestId = null;
            for (OutageFigures.Completion c : completions.values()) {
                if (c.ackMs() > latestAck) {
                    latestAck = c.ackMs();
                    latestId = c.id();
                }
            }
            Long gauge = running != null && runningState.equals("RUNNING") ? gauge(running) : null;
            samples.add(
                    new OutageFigures.Sample(
                            now,
                            running,
                            runningState,
                            latestAck > 0 ? now - latestAck : null,
                            latestId,
                            gauge));
        }

        private void read(String job) {
            long now = System.currentTimeMillis();
            JsonNode stats = stack.flink("/jobs/" + job + "/checkpoints");
            failedCounts
                    .computeIfAbsent(job, j -> new TreeMap<>())
                    .put(now, stats.path("counts").path("failed").asLong());
            List<JsonNode> entries = new ArrayList<>();
            stats.path("history").forEach(entries::add);
            entries.add(stats.path("latest").path("completed"));
            entries.add(stats.path("latest").path("savepoint"));
            for (JsonNode c : entries) {
                if (!c.isObject()) {
                    continue;
                }
                String key = job + "/" + c.path("id").asLong();
                String status = c.path("status").asText();
                if (status.equals("COMPLETED")) {
                    completions.put(
                            key,
                            new OutageFigures.Completion(
                                    job,
                                    c.path("id").asLong(),
                                    c.path("is_savepoint").asBoolean(),
                                    c.path("trigger_timestamp").asLong(),
                                    c.path("latest_ack_timestamp").asLong()));
                }
            }
        }

        /** The job's checkpoint_age_ms, highest of its subtasks; null when not (yet) reported. */
        private Long gauge(String job) {
            String[] id = gaugeIds.get(job);
            if (id == null) {
                for (JsonNode vertex : stack.flink("/jobs/" + job).path("vertices")) {
                    String path = "/jobs/" + job + "/vertices/" + vertex.path("id").asText();
                    for (JsonNode m : stack.flink(path + "/subtasks/metrics")) {
                        if (m.path("id").asText().endsWith(".checkpoint_age_ms")) {
                            id = new String[] {path, m.path("id").asText()};
                            gaugeIds.put(job, id);
                            break;
                        }
                    }
                    if (id != null) {
                        break;
                    }
                }
                if (id == null) {
                    return null;
                }
            }
            for (JsonNode m :
                    stack.flink(
                            id[0]
                                    + "/subtasks/metrics?agg=max&get="
                                    + URLEncoder.encode(id[1], StandardCharsets.UTF_8))) {
                if (m.has("max")) {
                    return (long) m.path("max").asDouble();
                }
            }
            return null;
        }
    }
}
