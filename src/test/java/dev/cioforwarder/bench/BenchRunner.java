package dev.cioforwarder.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cioforwarder.ops.Console;
import dev.cioforwarder.ops.FlinkRestClient;
import dev.cioforwarder.ops.FlinkRestClient.CheckpointStats;
import dev.cioforwarder.ops.JobControl;
import dev.cioforwarder.ops.JobEnd;
import dev.cioforwarder.ops.JobRecords;
import dev.cioforwarder.ops.JobSettings;
import dev.cioforwarder.ops.JobStart;
import java.io.IOException;
import java.net.URI;
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
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The benchmark harness behind {@code scripts/bench.sh}: against the running local stack (a real
 * Kafka broker, a Flink standalone cluster with RocksDB and exactly-once checkpoints every 10 s,
 * the Customer.io simulator), it produces realistic batches, runs the job, waits until every
 * forwardable event is in the simulator, checks that each arrived exactly once, and reports
 * throughput, requests, latency (Kafka produce → acknowledged by the simulator) and the
 * TaskManagers' CPU and heap. Results go to {@code target/bench/}.
 */
public final class BenchRunner {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, String> options;
    private final String flink;
    private final String simulator;
    private final String kafka;
    private final Path out;

    /** Flink's REST operations: the operations tool's, the one implementation of them. */
    private final JobControl jobs;

    private final JobStart starting;
    private final JobEnd ending;

    private String jarId;

    private BenchRunner(Map<String, String> options) {
        this.options = options;
        this.flink = options.get("flink");
        this.simulator = options.get("simulator");
        this.kafka = options.get("kafka");
        this.out = Path.of(options.get("out"));
        this.jobs =
                new JobControl(
                        new FlinkRestClient(flink, Duration.ofSeconds(60)),
                        new Console(System.out, System.out),
                        new JobRecords(out.resolve("ops")),
                        Duration.ofMillis(500),
                        Duration.ofMinutes(15),
                        true);
        this.starting = new JobStart(jobs);
        this.ending = new JobEnd(jobs);
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("events", "1000000");
        o.put("users", "100000");
        o.put("rate", "0");
        o.put("api-mode", "v2-batch");
        o.put("cio-rps", "0");
        o.put("cio-latency-ms", "0");
        o.put("parallelism", "2");
        // Every run is a job of its own, and a job loads its classes (ours, and the shaded Jackson,
        // Kafka client and HTTP client) in a class loader of its own: the JIT starts over for each.
        // On two shared cores it compiles for about a minute of full load (performance.md, "The
        // JIT's minute"); 300,000 and then 1.5 M events were too few.
        o.put("warmup-events", "6000000");
        o.put("max-events-per-batch", "20");
        o.put("flink", "http://127.0.0.1:8081");
        o.put("simulator", "http://127.0.0.1:8090");
        o.put("kafka", "127.0.0.1:9092");
        o.put("out", "target/bench");
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException(
                        "arguments are --option value pairs: " + args[i]);
            }
            o.put(args[i].substring(2), args[i + 1]);
        }
        BenchRunner runner = new BenchRunner(o);
        Files.createDirectories(runner.out);
        runner.jarId = runner.starting.upload(Path.of(o.get("jar")));
        String mode = o.getOrDefault("mode", "single");
        if (o.containsKey("compare-jar")) {
            runner.writeResult("compare.json", runner.compare(Path.of(o.get("compare-jar"))));
            return;
        }
        switch (mode) {
            case "single":
                runner.writeResult("result.json", runner.run(runner.runSettings(o)));
                break;
            case "sweep":
                runner.sweep();
                break;
            case "latency-curve":
                runner.latencyCurve();
                break;
            case "compare-api-modes":
                runner.compareApiModes();
                break;
            case "soak":
                runner.writeResult("soak.json", runner.soak());
                break;
            default:
                throw new IllegalArgumentException("unknown mode " + mode);
        }
    }

    /** The settings of one run, from the command line with overrides. */
    private Map<String, String> runSettings(Map<String, String> base, String... overrides) {
        Map<String, String> s = new LinkedHashMap<>(base);
        for (int i = 0; i < overrides.length; i += 2) {
            s.put(overrides[i], overrides[i + 1]);
        }
        return s;
    }

    // ------------------------------------------------------------------------------------
    // One run

    private ObjectNode run(Map<String, String> s) throws Exception {
        long events = Long.parseLong(s.get("events"));
        long warmup = Long.parseLong(s.get("warmup-events"));
        double rate = Double.parseDouble(s.get("rate"));
        int cioRps = Integer.parseInt(s.get("cio-rps"));
        long latencyMs = Long.parseLong(s.get("cio-latency-ms"));
        String runId = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        String topic = runId;
        log(
                "run %s: %s events, users %s, rate %s, api mode %s, simulator limit %s rps,"
                        + " simulator latency %s ms, parallelism %s",
                runId,
                events,
                s.get("users"),
                rate > 0 ? rate + "/s" : "as fast as possible",
                s.get("api-mode"),
                cioRps > 0 ? cioRps : "none",
                latencyMs,
                s.get("parallelism"));

        int maxEvents = Integer.parseInt(s.get("max-events-per-batch"));
        // Each job loads its classes afresh, and on 2 cores the JIT needs about a minute of full
        // load to compile them: after 1.5 M events it still compiled ~1,000 methods through the
        // measured window, and those runs were a third slower. Warm the whole path with 6 M events
        // (docs/performance.md, "The JIT's minute"), then measure afresh.
        // A run that Customer.io's limit or v1's one request per operation throttles would spend
        // hours on the warm-up (a million events at 100 requests/s), so that warm-up runs as a
        // job of its own in v2-batch without any limit. It warms the stack (Flink's runtime, the
        // broker, the simulator) but not the measured job's own classes; such a run's rate is the
        // limit's, not the CPU's. An unthrottled run warms up in its own job.
        boolean throttled = cioRps > 0 || !s.get("api-mode").equals("v2-batch");
        if (warmup > 0 && throttled) {
            warmUpUnthrottled(s, runId, warmup, maxEvents);
        }
        createTopics(topic, 4);
        resetSimulator(cioRps, latencyMs);
        String jobId = submit(topic, s);
        boolean completed = false;
        long discardedBefore = 0;
        BenchData data = mix(new BenchData(42, Integer.parseInt(s.get("users")), runId), s);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            awaitRunning(jobId);
            if (warmup > 0 && !throttled) {
                log("warm-up: %d events", warmup);
                produce(producer, topic, data, warmup, 0, maxEvents, null);
                awaitDelivered(jobId, s, data.forwardableEvents, Duration.ofMinutes(10));
                resetSimulator(cioRps, latencyMs);
                discardedBefore = discarded(jobId, s);
                data.forwardableEvents = 0;
                data.events = 0;
                data.batches = 0;
                data.bytes = 0;
            }
            long discardedAtStart = discardedBefore;
            Sampler sampler = new Sampler();
            Thread samplerThread = new Thread(sampler, "bench-sampler");
            samplerThread.setDaemon(true);
            samplerThread.start();
            log("measuring: %d events", events);
            Map<String, Double> cpuBefore = ProcessCpu.snapshot(stackDir());
            Map<String, Double> jitBefore = ProcessCpu.jitSnapshot(stackDir());
            long start = System.nanoTime();
            produce(producer, topic, data, events, rate, maxEvents, null);
            double produceSeconds = (System.nanoTime() - start) / 1e9;
            long delivered =
                    awaitDelivered(
                                    jobId,
                                    s,
                                    discardedAtStart + data.forwardableEvents,
                                    Duration.ofMinutes(30))
                            - discardedAtStart;
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Double> cpuUsed =
                    ProcessCpu.since(cpuBefore, ProcessCpu.snapshot(stackDir()));
            Map<String, Double> jitUsed =
                    ProcessCpu.since(jitBefore, ProcessCpu.jitSnapshot(stackDir()));
            Thread.sleep(3_000); // anything arriving now is a duplicate or an extra
            sampler.stop.set(true);
            samplerThread.join();

            JsonNode summary = getJson(simulator + "/__simulator/summary");
            long stored =
                    discards(s) ? discarded(jobId, s) - discardedAtStart : eventsStored(summary);
            long requests = countTrackRequests(summary);
            long operations = summary.get("operations").asLong();
            ObjectNode r = MAPPER.createObjectNode();
            r.put("run", runId);
            r.put("events", data.events);
            r.put("forwardable_events", data.forwardableEvents);
            r.put("events_delivered", stored);
            r.put("seconds", round(seconds));
            r.put("events_per_second", Math.round(data.events / seconds));
            r.put("forwarded_events_per_second", Math.round(stored / seconds));
            r.put("produce_seconds", round(produceSeconds));
            r.put("requests", requests);
            r.put("operations", operations);
            r.put(
                    "operations_per_request",
                    requests == 0 ? 0 : round((double) operations / requests));
            JsonNode probe = summary.get("latency_probe");
            r.put("p50_latency_ms", probe.get("p50_ms").asLong());
            r.put("p99_latency_ms", probe.get("p99_ms").asLong());
            r.put("max_latency_ms", probe.get("max_ms").asLong());
            r.put("lost", Math.max(0, data.forwardableEvents - stored));
            r.put("extra", Math.max(0, stored - data.forwardableEvents));
            r.put("duplicates_on_the_wire", summary.get("duplicate_events_ignored").asLong());
            r.put("duplicates_in_store", Math.max(0, stored - data.forwardableEvents));
            r.put("rejected_operations", summary.get("rejected_operations").asLong());
            r.put("responses_by_status", summary.get("responses_by_status").toString());
            r.put("taskmanager_cpu_percent_mean", round(sampler.cpuMean() * 100));
            r.put("taskmanager_heap_mb_max", Math.round(sampler.heapMax / 1e6));
            r.put("input_mb", round(data.bytes / 1e6));
            ObjectNode cpu = r.putObject("cpu_seconds_by_process");
            cpuUsed.forEach(cpu::put);
            cpu.put("all", round(cpuUsed.values().stream().mapToDouble(d -> d).sum()));
            // Of those, the JIT's: a job whose classes are still being compiled is not yet at the
            // speed it keeps for months (see the warm-up's default).
            ObjectNode jit = r.putObject("jit_cpu_seconds_by_process");
            jitUsed.forEach(jit::put);
            // What a latency tail lines up with: each second's slowest event, and the checkpoints.
            r.set("latency_by_second", secondsSince(summary.get("latency_by_second"), start));
            r.set("checkpoints", checkpoints(jobId, start));
            ObjectNode settings = r.putObject("settings");
            s.forEach(settings::put);
            r.put("exactly_once", stored == data.forwardableEvents && delivered == stored);
            log("%s", r.toPrettyString());
            if (!r.get("exactly_once").asBoolean()) {
                throw new IllegalStateException(
                        "not every event arrived exactly once (lost "
                                + r.get("lost")
                                + ", extra "
                                + r.get("extra")
                                + "): no figure is reported");
            }
            completed = true;
            return r;
        } finally {
            cancel(jobId);
            deleteTopicsOf(topic, completed);
        }
    }

    /**
     * Warms the stack up with a job of its own, in v2-batch and without any rate limit, on its own
     * topic; cancelled before the measured run starts.
     */
    private void warmUpUnthrottled(Map<String, String> s, String runId, long events, int maxEvents)
            throws Exception {
        String topic = runId + "-warmup";
        log(
                "warm-up: %d events in a job of its own (v2-batch, no rate limit), so that the"
                    + " run's own limits (api mode %s, simulator limit %s rps) never throttle it",
                events, s.get("api-mode"), s.get("cio-rps"));
        createTopics(topic, 4);
        resetSimulator(0, 0);
        String jobId = submit(topic, runSettings(s, "api-mode", "v2-batch", "cio-rps", "0"));
        boolean completed = false;
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            awaitRunning(jobId);
            BenchData data = mix(new BenchData(43, Integer.parseInt(s.get("users")), topic), s);
            produce(producer, topic, data, events, 0, maxEvents, null);
            awaitDelivered(jobId, s, data.forwardableEvents, Duration.ofMinutes(10));
            completed = true;
        } finally {
            cancel(jobId);
            deleteTopicsOf(topic, completed);
        }
    }

    /** Requests on the track API, without the job's one start-up credentials check per instance. */
    private long countTrackRequests(JsonNode summary) throws Exception {
        long region = 0;
        for (JsonNode entry : getJson(simulator + "/__simulator/requests")) {
            if (entry.get("path").asText().equals("/api/v1/accounts/region")) {
                region++;
            }
        }
        return summary.get("requests").asLong() - region;
    }

    private void produce(
            KafkaProducer<byte[], byte[]> producer,
            String topic,
            BenchData data,
            long events,
            double rate,
            int maxEvents,
            AtomicBoolean stop)
            throws Exception {
        long start = System.nanoTime();
        long target = data.events + events;
        long produced = 0;
        StringBuilder buffer = new StringBuilder(8192);
        while (data.events < target && (stop == null || !stop.get())) {
            if (rate > 0) {
                double elapsed = (System.nanoTime() - start) / 1e9;
                long allowed = (long) (elapsed * rate);
                if (produced >= allowed) {
                    Thread.sleep(2);
                    continue;
                }
            }
            long before = data.events;
            byte[] value = data.next(System.currentTimeMillis(), buffer, maxEvents);
            String mpid = value.length > 0 ? extractMpid(buffer) : null;
            producer.send(
                    new ProducerRecord<>(topic, mpid.getBytes(StandardCharsets.UTF_8), value));
            produced += data.events - before;
        }
        producer.flush();
    }

    private static String extractMpid(StringBuilder json) {
        int start = json.indexOf("\"mpid\":") + 7;
        int end = json.indexOf(",", start);
        return json.substring(start, end);
    }

    /**
     * Events the discarding job dropped so far (its metric, which Flink's REST API refreshes every
     * {@code metrics.fetcher.update-interval}); 0 for a job that delivers.
     */
    private long discarded(String jobId, Map<String, String> s) throws Exception {
        if (!discards(s)) {
            return 0;
        }
        // One REST call per poll, to the one vertex that counts (asking every vertex for every
        // metric, five times a second, cost the JobManager a tenth of a core).
        if (discardMetricUrl == null || !discardMetricUrl.contains(jobId)) {
            discardMetricUrl = null;
            for (var vertex : jobs.flink().job(jobId).vertices()) {
                if (vertex.name().contains("Discard requests")) {
                    String base =
                            flink
                                    + "/jobs/"
                                    + jobId
                                    + "/vertices/"
                                    + vertex.id()
                                    + "/subtasks/metrics";
                    for (JsonNode metric : getJson(base)) {
                        String id = metric.path("id").asText();
                        if (id.endsWith(".forwarder.events_discarded")) {
                            discardMetricUrl =
                                    base
                                            + "?agg=sum&get="
                                            + java.net.URLEncoder.encode(
                                                    id, StandardCharsets.UTF_8);
                        }
                    }
                }
            }
            if (discardMetricUrl == null) {
                return 0; // not registered yet
            }
        }
        JsonNode values = getJson(discardMetricUrl);
        return values.size() == 0 ? 0 : Math.round(values.get(0).path("sum").asDouble());
    }

    private String discardMetricUrl;

    /**
     * Waits until {@code expected} events reached the simulator, or, with {@code --sink discard},
     * the job's discarding step.
     */
    private long awaitDelivered(
            String jobId, Map<String, String> s, long expected, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = -1;
        long lastChange = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long stored =
                    discards(s)
                            ? discarded(jobId, s)
                            : eventsStored(getJson(simulator + "/__simulator/summary"));
            if (stored >= expected) {
                return stored;
            }
            if (stored != last) {
                last = stored;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > TimeUnit.SECONDS.toNanos(120)) {
                throw new IllegalStateException(
                        "no progress for 2 minutes: "
                                + stored
                                + " of "
                                + expected
                                + " events delivered");
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(
                "timed out: " + last + " of " + expected + " events delivered");
    }

    // ------------------------------------------------------------------------------------
    // Modes

    private void sweep() throws Exception {
        List<ObjectNode> points = new ArrayList<>();
        String[] rates =
                options.getOrDefault("rates", "5000,10000,20000,40000,60000,80000,0").split(",");
        long secondsPerPoint = Long.parseLong(options.getOrDefault("seconds-per-point", "60"));
        for (String rateText : rates) {
            double rate = Double.parseDouble(rateText.trim());
            long events =
                    rate > 0
                            ? (long) (rate * secondsPerPoint)
                            : Long.parseLong(options.get("events"));
            ObjectNode r =
                    run(
                            runSettings(
                                    options,
                                    "rate",
                                    rateText.trim(),
                                    "events",
                                    Long.toString(events),
                                    "warmup-events",
                                    options.get("warmup-events")));
            r.put("input_rate", rate);
            points.add(r);
        }
        ArrayNode array = MAPPER.createArrayNode();
        points.forEach(array::add);
        Files.writeString(out.resolve("sweep.json"), array.toPrettyString());
        SaturationPlot.write(points, out.resolve("saturation.png"));
        log("wrote %s and %s", out.resolve("sweep.json"), out.resolve("saturation.png"));
    }

    /**
     * Throughput (as fast as possible, {@code --events}) and p99 latency (at {@code --offered-rate}
     * for {@code --seconds-per-point}) for each simulated Customer.io answer time of {@code
     * --latencies}: what a slow Customer.io costs.
     */
    private void latencyCurve() throws Exception {
        String[] latencies = options.getOrDefault("latencies", "0,50,150,300").split(",");
        double offered = Double.parseDouble(options.getOrDefault("offered-rate", "60000"));
        long secondsPerPoint = Long.parseLong(options.getOrDefault("seconds-per-point", "60"));
        ArrayNode points = MAPPER.createArrayNode();
        List<ObjectNode> plotted = new ArrayList<>();
        for (String latencyText : latencies) {
            String latency = latencyText.trim();
            ObjectNode fast = run(runSettings(options, "cio-latency-ms", latency, "rate", "0"));
            ObjectNode paced =
                    run(
                            runSettings(
                                    options,
                                    "cio-latency-ms",
                                    latency,
                                    "rate",
                                    Double.toString(offered),
                                    "events",
                                    Long.toString((long) (offered * secondsPerPoint))));
            ObjectNode point = points.addObject();
            point.put("cio_latency_ms", Long.parseLong(latency));
            point.put("events_per_second", fast.get("events_per_second").asLong());
            point.put("p99_latency_ms_at_offered_rate", paced.get("p99_latency_ms").asLong());
            point.put("p50_latency_ms_at_offered_rate", paced.get("p50_latency_ms").asLong());
            point.put("events_per_second_at_offered_rate", paced.get("events_per_second").asLong());
            point.set("as_fast_as_possible", fast);
            point.set("at_offered_rate", paced);
            plotted.add(point);
        }
        ObjectNode r = MAPPER.createObjectNode();
        r.put("offered_rate", offered);
        r.set("points", points);
        writeResult("latency-curve.json", r);
        SaturationPlot.writeLatencyCurve(plotted, offered, out.resolve("latency-curve.png"));
        log("wrote %s", out.resolve("latency-curve.png"));
    }

    /**
     * Runs the same single run with another build's job jar and with this one, alternately, {@code
     * --rounds} times each (the other first), on the same stack, simulator and data: on two shared
     * cores only runs made side by side can be compared. Reports each run and the ratio of the mean
     * throughputs.
     */
    private ObjectNode compare(Path otherJar) throws Exception {
        int rounds = Integer.parseInt(options.getOrDefault("rounds", "2"));
        String thisJarId = jarId;
        String otherJarId = starting.upload(otherJar);
        ArrayNode other = MAPPER.createArrayNode();
        ArrayNode mine = MAPPER.createArrayNode();
        for (int round = 1; round <= rounds; round++) {
            log("compare: round %d of %d, %s (the other build)", round, rounds, otherJar);
            jarId = otherJarId;
            other.add(run(runSettings(options)));
            log("compare: round %d of %d, this build", round, rounds);
            jarId = thisJarId;
            mine.add(run(runSettings(options)));
        }
        ObjectNode r = MAPPER.createObjectNode();
        r.put("other_jar", otherJar.toString());
        r.put("other_ref", options.getOrDefault("compare-ref", ""));
        r.set("other_runs", other);
        r.set("this_runs", mine);
        double otherMean = mean(other, "events_per_second");
        double thisMean = mean(mine, "events_per_second");
        r.put("other_events_per_second_mean", Math.round(otherMean));
        r.put("this_events_per_second_mean", Math.round(thisMean));
        r.put("this_over_other", round(thisMean / otherMean));
        log(
                "compare: events/s other %s, this %s: this/other %.2f",
                values(other, "events_per_second"),
                values(mine, "events_per_second"),
                thisMean / otherMean);
        return r;
    }

    private static double mean(ArrayNode runs, String field) {
        double sum = 0;
        for (JsonNode run : runs) {
            sum += run.get(field).asDouble();
        }
        return sum / runs.size();
    }

    private static List<Long> values(ArrayNode runs, String field) {
        List<Long> values = new ArrayList<>();
        runs.forEach(run -> values.add(run.get(field).asLong()));
        return values;
    }

    private void compareApiModes() throws Exception {
        String limit =
                options.getOrDefault("cio-rps", "100").equals("0") ? "100" : options.get("cio-rps");
        ObjectNode v2 =
                run(
                        runSettings(
                                options,
                                "api-mode",
                                "v2-batch",
                                "cio-rps",
                                limit,
                                "events",
                                options.getOrDefault("v2-events", "1000000")));
        ObjectNode v1 =
                run(
                        runSettings(
                                options,
                                "api-mode",
                                "v1",
                                "cio-rps",
                                limit,
                                "events",
                                options.getOrDefault("v1-events", "5000"),
                                "warmup-events",
                                "0"));
        ObjectNode r = MAPPER.createObjectNode();
        r.put("simulator_rate_limit_rps", Integer.parseInt(limit));
        r.set("v2_batch", v2);
        r.set("v1", v1);
        double ratio =
                v2.get("forwarded_events_per_second").asDouble()
                        / Math.max(1, v1.get("forwarded_events_per_second").asDouble());
        r.put("v2_over_v1", round(ratio));
        writeResult("compare-api-modes.json", r);
    }

    /** A long run at a fixed rate: heap and state size over time, to show they do not grow. */
    private ObjectNode soak() throws Exception {
        long durationSeconds = Long.parseLong(options.getOrDefault("duration", "600"));
        double rate =
                Double.parseDouble(options.get("rate").equals("0") ? "10000" : options.get("rate"));
        String runId = "soak-" + UUID.randomUUID().toString().substring(0, 8);
        createTopics(runId, 4);
        resetSimulator(0, Long.parseLong(options.get("cio-latency-ms")));
        String jobId = submit(runId, options);
        boolean completed = false;
        BenchData data =
                mix(new BenchData(7, Integer.parseInt(options.get("users")), runId), options);
        ArrayNode samples = MAPPER.createArrayNode();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            awaitRunning(jobId);
            AtomicBoolean stop = new AtomicBoolean();
            Thread producing =
                    new Thread(
                            () -> {
                                try {
                                    produce(
                                            producer,
                                            runId,
                                            data,
                                            Long.MAX_VALUE / 2,
                                            rate,
                                            20,
                                            stop);
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                            });
            producing.start();
            long start = System.nanoTime();
            while ((System.nanoTime() - start) / 1e9 < durationSeconds) {
                // Heap in use swings with every young collection: sample it every second and keep
                // the window's lowest value, which tracks what survives collections (the live set).
                double heapMin = Double.MAX_VALUE;
                double heapMax = 0;
                for (int i = 0; i < 15; i++) {
                    Thread.sleep(1_000);
                    double heap = taskManagerMetric("Status.JVM.Memory.Heap.Used");
                    heapMin = Math.min(heapMin, heap);
                    heapMax = Math.max(heapMax, heap);
                }
                ObjectNode sample = samples.addObject();
                sample.put("seconds", Math.round((System.nanoTime() - start) / 1e9));
                sample.put("events_produced", data.events);
                sample.put("forwardable_events_produced", data.forwardableEvents);
                sample.put(
                        "events_delivered",
                        eventsStored(getJson(simulator + "/__simulator/summary")));
                sample.put("heap_floor_mb", Math.round(heapMin / 1e6));
                sample.put("heap_max_mb", Math.round(heapMax / 1e6));
                CheckpointStats checkpoints = jobs.flink().checkpoints(jobId);
                sample.put(
                        "checkpoint_state_mb", round(checkpoints.latestCompletedStateSize() / 1e6));
                sample.put(
                        "checkpoint_full_size_mb",
                        round(checkpoints.latestCompletedCheckpointedSize() / 1e6));
                log("%s", sample);
            }
            stop.set(true);
            producing.join();
            awaitDelivered(jobId, options, data.forwardableEvents, Duration.ofMinutes(10));
            completed = true;
        } finally {
            cancel(jobId);
            deleteTopicsOf(runId, completed);
        }
        ObjectNode r = MAPPER.createObjectNode();
        r.put("duration_seconds", durationSeconds);
        r.put("rate", rate);
        r.put("users", Integer.parseInt(options.get("users")));
        r.set("samples", samples);
        SaturationPlot.writeSoak(samples, out.resolve("soak.png"));
        return r;
    }

    // ------------------------------------------------------------------------------------
    // Flink, Kafka and simulator plumbing

    private String submit(String topic, Map<String, String> s) throws Exception {
        int cioRps = Integer.parseInt(s.get("cio-rps"));
        JobSettings settings =
                new JobSettings()
                        .set("kafka.bootstrap-servers", kafka)
                        .set("kafka.topic", topic)
                        .set("kafka.group-id", topic)
                        .set("kafka.starting-offsets", "earliest")
                        .set("dead-letter.transactional-id-prefix", topic)
                        .set("customerio.site-id", "local-site")
                        .set("customerio.endpoint", simulator)
                        .set("customerio.api-mode", s.get("api-mode"))
                        // Unlimited runs measure the job, so its own limit must not be the
                        // ceiling; limited runs use Customer.io's budget like production would.
                        .set(
                                "customerio.rate-limit",
                                cioRps > 0 ? Integer.toString(cioRps) : "100000")
                        .set("job.name", topic);
        if (s.containsKey("anonymous-share")) {
            settings.set("customerio.anonymous-events", "true");
        }
        if (s.containsKey("push-share")) {
            settings.set("customerio.forward-devices", "true");
        }
        if (s.containsKey("max-in-flight")) {
            settings.set("customerio.max-in-flight", s.get("max-in-flight"));
        }
        String entryClass =
                discards(s) ? "dev.cioforwarder.job.DiscardingBenchmarkJob" : JobStart.ENTRY_CLASS;
        return starting.start(
                jarId, entryClass, settings, Integer.parseInt(s.get("parallelism")), null, false);
    }

    /** The traffic mix of {@code --anonymous-share} and {@code --push-share}. */
    private static BenchData mix(BenchData data, Map<String, String> s) {
        if (s.containsKey("anonymous-share")) {
            data.anonymousShare(Double.parseDouble(s.get("anonymous-share")));
        }
        if (s.containsKey("push-share")) {
            data.pushShare(Double.parseDouble(s.get("push-share")));
        }
        return data;
    }

    /**
     * Forwarded events the simulator holds: those of people, and the anonymous ones no person has
     * taken yet (they move to a person, and its count, when one does).
     */
    private static long eventsStored(JsonNode summary) {
        return summary.get("events").asLong() + summary.path("anonymous_events").asLong();
    }

    /** {@code --sink discard}: the job builds every request and drops it. */
    private static boolean discards(Map<String, String> s) {
        return s.getOrDefault("sink", "customerio").equals("discard");
    }

    private void awaitRunning(String jobId) {
        starting.awaitRunning(jobId, Duration.ofMinutes(2));
    }

    /** Cancels the job and waits until it has ended, so the next run has the slots. */
    private void cancel(String jobId) {
        if (!ending.cancelAndAwait(jobId)) {
            log("job %s did not end after the cancel", jobId);
        }
    }

    private Path stackDir() {
        String dir = options.get("stack-dir");
        return dir == null ? null : Path.of(dir);
    }

    private void createTopics(String topic, int partitions) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka);
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(topic, partitions, (short) 1),
                                    new NewTopic(topic + ".customerio-dlq", 1, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Deletes a completed run's topics (its input, dead letters and the job's feedback topic). A 3
     * M-event run with its warm-up leaves about 3 GB in the broker, and a sitting of runs once
     * filled the disk. Kafka removes the files a minute later, in the next run's warm-up. A run
     * that failed keeps them: its dead letters may say why. A failure here is said and does not
     * fail the run.
     */
    private void deleteTopicsOf(String topic, boolean completed) {
        if (!completed) {
            log("kept the topics of %s (%s*) to look at what went wrong", topic, topic);
            return;
        }
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka);
        try (Admin admin = Admin.create(p)) {
            List<String> ours =
                    admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                            .filter(name -> name.equals(topic) || name.startsWith(topic + "."))
                            .toList();
            admin.deleteTopics(ours).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            log("could not delete the topics of %s: %s", topic, e);
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(128L * 1024 * 1024));
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private void resetSimulator(int rateLimit, long latencyMs) throws Exception {
        postJson(simulator + "/__simulator/reset", "{}");
        // Collected now, not during the run: what the reset let go is the last phase's garbage.
        postJson(simulator + "/__simulator/gc", "{}");
        if (rateLimit > 0 || latencyMs > 0) {
            postJson(
                    simulator + "/__simulator/faults",
                    "{\"rate_limit_rps\":" + rateLimit + ",\"latency_ms\":" + latencyMs + "}");
        }
    }

    private double taskManagerMetric(String name) {
        return jobs.flink().taskManagerMetricSum(name);
    }

    /** Samples the TaskManagers' CPU load and heap every 2 s. */
    private final class Sampler implements Runnable {
        final AtomicBoolean stop = new AtomicBoolean();
        double cpuSum;
        int cpuSamples;
        double heapMax;

        @Override
        public void run() {
            while (!stop.get()) {
                try {
                    double cpu = taskManagerMetric("Status.JVM.CPU.Load");
                    cpuSum += cpu;
                    cpuSamples++;
                    heapMax = Math.max(heapMax, taskManagerMetric("Status.JVM.Memory.Heap.Used"));
                    Thread.sleep(2_000);
                } catch (Exception e) {
                    return;
                }
            }
        }

        double cpuMean() {
            return cpuSamples == 0 ? 0 : cpuSum / cpuSamples;
        }
    }

    /**
     * The simulator's {@code [epoch second, events, highest latency ms]} rows as objects, timed
     * from the measurement's start ({@code startNanos}, the producer's first send).
     */
    private static ArrayNode secondsSince(JsonNode rows, long startNanos) {
        long startEpochMs = epochMsAt(startNanos);
        ArrayNode out = MAPPER.createArrayNode();
        if (rows == null) {
            return out;
        }
        for (JsonNode row : rows) {
            ObjectNode o = out.addObject();
            o.put("second", row.get(0).asLong() - startEpochMs / 1000);
            o.put("events", row.get(1).asLong());
            o.put("max_latency_ms", row.get(2).asLong());
        }
        return out;
    }

    /**
     * The job's latest checkpoints (Flink's REST history keeps the last ten by default, which
     * covers a run of a few minutes): when each started (s from the start) and how long it took.
     */
    private ArrayNode checkpoints(String jobId, long startNanos) {
        long startEpochMs = epochMsAt(startNanos);
        ArrayNode out = MAPPER.createArrayNode();
        try {
            JsonNode history = getJson(flink + "/jobs/" + jobId + "/checkpoints").path("history");
            for (JsonNode h : history) {
                ObjectNode o = out.addObject();
                o.put("id", h.path("id").asLong());
                o.put("status", h.path("status").asText());
                o.put(
                        "started_s",
                        round((h.path("trigger_timestamp").asLong() - startEpochMs) / 1000.0));
                o.put("end_to_end_ms", h.path("end_to_end_duration").asLong());
                o.put("checkpointed_bytes", h.path("checkpointed_size").asLong());
            }
        } catch (Exception e) {
            log("checkpoint history not available: %s", e.getMessage());
        }
        return out;
    }

    /** The wall-clock time (epoch ms) of a {@link System#nanoTime()} reading taken earlier. */
    private static long epochMsAt(long nanos) {
        return System.currentTimeMillis() - (System.nanoTime() - nanos) / 1_000_000;
    }

    private JsonNode getJson(String url) throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(url)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
        return MAPPER.readTree(r.body());
    }

    private JsonNode postJson(String url, String body) throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return r.body().isEmpty() ? MAPPER.createObjectNode() : MAPPER.readTree(r.body());
    }

    private void writeResult(String name, ObjectNode result) throws IOException {
        Files.writeString(out.resolve(name), result.toPrettyString());
        log("wrote %s", out.resolve(name));
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static void log(String format, Object... args) {
        System.out.println(
                "[bench "
                        + java.time.LocalTime.now().withNano(0)
                        + "] "
                        + String.format(Locale.ROOT, format, args));
        System.out.flush();
    }
}
