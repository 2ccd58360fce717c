package dev.cioforwarder.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cioforwarder.json.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Flink's REST API, typed: the calls the operations need, over {@code java.net.http} and the
 * project's one Jackson configuration, the same on standalone, YARN and Kubernetes session
 * clusters. Knows no Flink classes, so it runs from the job jar, where Flink is {@code provided}.
 *
 * <p>A call that gets no answer throws {@link FlinkUnreachableException}; an answer that is not a
 * success throws {@link FlinkRestException}. Nothing is retried here: whether a call may be
 * repeated is the caller's decision (a poll may, starting a job may not).
 */
public final class FlinkRestClient {

    /** Job states after which a job never runs again. */
    public static final Set<String> TERMINAL_STATES = Set.of("FINISHED", "CANCELED", "FAILED");

    private static final ObjectMapper MAPPER = Json.mapper();

    private final String baseUrl;
    private final Duration requestTimeout;
    private final HttpClient http;

    public FlinkRestClient(String baseUrl, Duration requestTimeout) {
        this.baseUrl = baseUrl.replaceAll("/+$", "");
        this.requestTimeout = requestTimeout;
        // HTTP/1.1: Flink's REST server does not speak HTTP/2. No proxy: the local cluster must
        // never be reached through one.
        this.http =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5))
                        .proxy(HttpClient.Builder.NO_PROXY)
                        .build();
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** The web UI page of a job. */
    public String uiLink(String jobId) {
        return baseUrl + "/#/job/running/" + jobId + "/overview";
    }

    // -------------------------------------------------------------------------------------
    // Answers

    public record ClusterConfig(String flinkVersion, boolean webRescale) {}

    public record ClusterOverview(int taskManagers, int slotsTotal, int slotsAvailable) {}

    public record JobSummary(
            String id, String name, String state, int runningTasks, int totalTasks) {
        public boolean isTerminal() {
            return TERMINAL_STATES.contains(state);
        }

        public boolean allTasksRunning() {
            return state.equals("RUNNING") && totalTasks > 0 && runningTasks == totalTasks;
        }
    }

    public record Vertex(String id, String name, int parallelism, String status) {}

    /** A job's details; {@code now} is the JobManager's clock, which Flink's timestamps use. */
    public record JobDetails(
            String id,
            String name,
            String state,
            int maxParallelism,
            long now,
            List<Vertex> vertices) {
        /** The job's parallelism: the highest of its vertices. */
        public int parallelism() {
            return vertices.stream().mapToInt(Vertex::parallelism).max().orElse(0);
        }

        public boolean isTerminal() {
            return TERMINAL_STATES.contains(state);
        }
    }

    /**
     * What {@code GET /jobs/<id>/checkpoints} says: how many checkpoints this job completed (not
     * counting what it was restored from), its newest completed one, and what it restored.
     */
    public record CheckpointStats(
            long completed,
            long latestCompletedId,
            long latestCompletedTriggeredAt,
            String latestCompletedPath,
            long latestCompletedStateSize,
            long latestCompletedCheckpointedSize,
            long restoredId,
            long restoredAt,
            String restoredPath) {
        public boolean hasCompleted() {
            return completed > 0 && latestCompletedId >= 0;
        }
    }

    /** A savepoint trigger's state: still running, completed at a location, or failed. */
    public record SavepointStatus(boolean done, String location, String failureTrace) {}

    /** The newest entry of a job's exception history. */
    public record JobFailure(long timestamp, String trace) {}

    /** The parallelism bounds of one vertex, as the adaptive scheduler takes them. */
    public record ParallelismBounds(int lowerBound, int upperBound) {}

    /** What {@code POST /jars/<id>/run} takes. */
    public record RunRequest(
            String entryClass,
            List<String> programArgs,
            Integer parallelism,
            String savepointPath,
            boolean allowNonRestoredState) {}

    // -------------------------------------------------------------------------------------
    // Cluster

    public ClusterConfig config() {
        JsonNode config = get("/config");
        return new ClusterConfig(
                config.path("flink-version").asText(""),
                config.path("features").path("web-rescale").asBoolean(false));
    }

    public ClusterOverview overview() {
        JsonNode o = get("/overview");
        return new ClusterOverview(
                o.path("taskmanagers").asInt(),
                o.path("slots-total").asInt(),
                o.path("slots-available").asInt());
    }

    /** The ids of the TaskManagers registered at the JobManager. */
    public List<String> taskManagerIds() {
        List<String> ids = new ArrayList<>();
        for (JsonNode tm : get("/taskmanagers").path("taskmanagers")) {
            ids.add(tm.path("id").asText());
        }
        return ids;
    }

    /** The sum over all TaskManagers of one of their metrics (e.g. Status.JVM.CPU.Load). */
    public double taskManagerMetricSum(String metric) {
        double sum = 0;
        for (String id : taskManagerIds()) {
            for (JsonNode v : get("/taskmanagers/" + id + "/metrics?get=" + encode(metric))) {
                sum += v.path("value").asDouble();
            }
        }
        return sum;
    }

    /** The JobManager's configuration, key by key. */
    public Map<String, String> jobManagerConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        for (JsonNode entry : get("/jobmanager/config")) {
            config.put(entry.path("key").asText(), entry.path("value").asText());
        }
        return config;
    }

    // -------------------------------------------------------------------------------------
    // Jars

    /** Uploads a jar (multipart field {@code jarfile}) and returns its id on the cluster. */
    public String uploadJar(Path jar) {
        String boundary = "cio-ops-" + UUID.randomUUID();
        byte[] head =
                ("--"
                                + boundary
                                + "\r\n"
                                + "Content-Disposition: form-data; name=\"jarfile\"; filename=\""
                                + jar.getFileName()
                                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        HttpRequest.BodyPublisher body;
        try {
            body =
                    HttpRequest.BodyPublishers.concat(
                            HttpRequest.BodyPublishers.ofByteArray(head),
                            HttpRequest.BodyPublishers.ofFile(jar),
                            HttpRequest.BodyPublishers.ofByteArray(tail));
        } catch (IOException e) {
            throw new IllegalArgumentException("jar " + jar + " cannot be read: " + e.getMessage());
        }
        JsonNode answer =
                send(
                        "POST /jars/upload",
                        request("/jars/upload")
                                .timeout(Duration.ofMinutes(10))
                                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                                .POST(body));
        String filename = answer.path("filename").asText("");
        if (!answer.path("status").asText("").equals("success") || filename.isEmpty()) {
            throw new FlinkRestException(
                    "POST /jars/upload", 200, List.of("unexpected answer: " + answer));
        }
        return Path.of(filename).getFileName().toString();
    }

    public List<String> jarIds() {
        List<String> ids = new ArrayList<>();
        for (JsonNode file : get("/jars").path("files")) {
            ids.add(file.path("id").asText());
        }
        return ids;
    }

    public void deleteJar(String jarId) {
        send("DELETE /jars/" + jarId, request("/jars/" + jarId).DELETE());
    }

    /** Starts a job from an uploaded jar; returns its id. Never repeat this on a failure. */
    public String runJar(String jarId, RunRequest run) {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("entryClass", run.entryClass());
        ArrayNode args = body.putArray("programArgsList");
        run.programArgs().forEach(args::add);
        if (run.parallelism() != null) {
            body.put("parallelism", run.parallelism());
        }
        if (run.savepointPath() != null) {
            body.put("savepointPath", run.savepointPath());
            body.put("allowNonRestoredState", run.allowNonRestoredState());
        }
        String jobId = post("/jars/" + jarId + "/run", body).path("jobid").asText("");
        if (jobId.isEmpty()) {
            throw new FlinkRestException(
                    "POST /jars/" + jarId + "/run", 200, List.of("no job id in the answer"));
        }
        return jobId;
    }

    // -------------------------------------------------------------------------------------
    // Jobs

    public List<JobSummary> jobs() {
        List<JobSummary> jobs = new ArrayList<>();
        for (JsonNode job : get("/jobs/overview").path("jobs")) {
            JsonNode tasks = job.path("tasks");
            jobs.add(
                    new JobSummary(
                            job.path("jid").asText(),
                            job.path("name").asText(),
                            job.path("state").asText(),
                            tasks.path("running").asInt(),
                            tasks.path("total").asInt()));
        }
        return jobs;
    }

    /** The job's details; {@link FlinkRestException} with status 404 when there is no such job. */
    public JobDetails job(String jobId) {
        JsonNode job = get("/jobs/" + jobId);
        List<Vertex> vertices = new ArrayList<>();
        for (JsonNode v : job.path("vertices")) {
            vertices.add(
                    new Vertex(
                            v.path("id").asText(),
                            v.path("name").asText(),
                            v.path("parallelism").asInt(),
                            v.path("status").asText()));
        }
        return new JobDetails(
                job.path("jid").asText(jobId),
                job.path("name").asText(),
                job.path("state").asText(),
                job.path("maxParallelism").asInt(-1),
                job.path("now").asLong(0),
                vertices);
    }

    public CheckpointStats checkpoints(String jobId) {
        JsonNode stats = get("/jobs/" + jobId + "/checkpoints");
        JsonNode completed = stats.path("latest").path("completed");
        JsonNode restored = stats.path("latest").path("restored");
        return new CheckpointStats(
                stats.path("counts").path("completed").asLong(),
                completed.isObject() ? completed.path("id").asLong(-1) : -1,
                completed.path("trigger_timestamp").asLong(-1),
                completed.path("external_path").asText(null),
                completed.path("state_size").asLong(0),
                completed.path("checkpointed_size").asLong(0),
                restored.isObject() ? restored.path("id").asLong(-1) : -1,
                restored.path("restore_timestamp").asLong(-1),
                restored.path("external_path").asText(null));
    }

    /** The newest failure in the job's exception history, or null when it has none. */
    public JobFailure newestFailure(String jobId) {
        JsonNode answer = get("/jobs/" + jobId + "/exceptions?maxExceptions=1");
        // Flink 2.x answers only the exception history; 1.x also had root-exception.
        JsonNode entry = answer.path("exceptionHistory").path("entries").path(0);
        if (entry.isObject() && !entry.path("stacktrace").asText("").isEmpty()) {
            return new JobFailure(
                    entry.path("timestamp").asLong(0), entry.path("stacktrace").asText());
        }
        String root = answer.path("root-exception").asText("");
        return root.isEmpty() ? null : new JobFailure(answer.path("timestamp").asLong(0), root);
    }

    public void cancel(String jobId) {
        send(
                "PATCH /jobs/" + jobId + "?mode=cancel",
                request("/jobs/" + jobId + "?mode=cancel")
                        .method("PATCH", HttpRequest.BodyPublishers.noBody()));
    }

    /**
     * Triggers a savepoint in Flink's canonical format (portable across state backends and Flink
     * versions); with {@code stop} the job stops with it, without draining (an upgrade must not
     * flush timers or emit a final watermark). Returns the trigger id to poll.
     */
    public String triggerSavepoint(String jobId, boolean stop, String targetDirectory) {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("formatType", "CANONICAL");
        if (stop) {
            body.put("drain", false);
            if (targetDirectory != null) {
                body.put("targetDirectory", targetDirectory);
            }
        } else {
            body.put("cancel-job", false);
            if (targetDirectory != null) {
                body.put("target-directory", targetDirectory);
            }
        }
        String path = "/jobs/" + jobId + (stop ? "/stop" : "/savepoints");
        String trigger = post(path, body).path("request-id").asText("");
        if (trigger.isEmpty()) {
            throw new FlinkRestException(
                    "POST " + path, 200, List.of("no request-id in the answer"));
        }
        return trigger;
    }

    public SavepointStatus savepointStatus(String jobId, String triggerId) {
        JsonNode answer = get("/jobs/" + jobId + "/savepoints/" + triggerId);
        if (!answer.path("status").path("id").asText("").equals("COMPLETED")) {
            return new SavepointStatus(false, null, null);
        }
        JsonNode operation = answer.path("operation");
        String location = operation.path("location").asText("");
        if (!location.isEmpty()) {
            return new SavepointStatus(true, location, null);
        }
        // The serialized throwable is Java serialization in base64: never shown.
        return new SavepointStatus(
                true, null, operation.path("failure-cause").path("stack-trace").asText(""));
    }

    /**
     * The parallelism bounds of every vertex, which only a scheduler that can rescale a running job
     * (the adaptive scheduler) answers; other schedulers answer an error.
     */
    public Map<String, ParallelismBounds> resourceRequirements(String jobId) {
        Map<String, ParallelismBounds> bounds = new LinkedHashMap<>();
        get("/jobs/" + jobId + "/resource-requirements")
                .fields()
                .forEachRemaining(
                        e ->
                                bounds.put(
                                        e.getKey(),
                                        new ParallelismBounds(
                                                e.getValue()
                                                        .path("parallelism")
                                                        .path("lowerBound")
                                                        .asInt(),
                                                e.getValue()
                                                        .path("parallelism")
                                                        .path("upperBound")
                                                        .asInt())));
        return bounds;
    }

    public void changeResourceRequirements(String jobId, Map<String, ParallelismBounds> bounds) {
        ObjectNode body = MAPPER.createObjectNode();
        bounds.forEach(
                (vertex, b) -> {
                    ObjectNode parallelism = body.putObject(vertex).putObject("parallelism");
                    parallelism.put("lowerBound", b.lowerBound());
                    parallelism.put("upperBound", b.upperBound());
                });
        String path = "/jobs/" + jobId + "/resource-requirements";
        send(
                "PUT " + path,
                request(path).header("Content-Type", "application/json").PUT(json(body)));
    }

    /**
     * The job's own metrics (group {@code forwarder}), summed over the parallel instances of each
     * vertex, by metric name without its operator prefix, as the web UI shows them.
     */
    public Map<String, Double> forwarderMetrics(String jobId) {
        Map<String, Double> sums = new TreeMap<>();
        for (Vertex vertex : job(jobId).vertices()) {
            String base = "/jobs/" + jobId + "/vertices/" + vertex.id() + "/subtasks/metrics";
            List<String> names = new ArrayList<>();
            for (JsonNode metric : get(base)) {
                String name = metric.path("id").asText();
                // Counters and gauges; a histogram's statistics would bury them.
                if (name.contains(".forwarder.")
                        && !name.matches(".*_(min|max|mean|median|stddev|p\\d+)$")) {
                    names.add(name);
                }
            }
            if (names.isEmpty()) {
                continue;
            }
            for (JsonNode metric : get(base + "?agg=sum&get=" + encode(String.join(",", names)))) {
                String name = metric.path("id").asText();
                sums.merge(
                        name.substring(name.indexOf(".forwarder.") + ".forwarder.".length()),
                        metric.path("sum").asDouble(),
                        Double::sum);
            }
        }
        return sums;
    }

    // -------------------------------------------------------------------------------------
    // HTTP

    private JsonNode get(String path) {
        return send("GET " + path, request(path).GET());
    }

    private JsonNode post(String path, JsonNode body) {
        return send(
                "POST " + path,
                request(path).header("Content-Type", "application/json").POST(json(body)));
    }

    private static HttpRequest.BodyPublisher json(JsonNode body) {
        try {
            return HttpRequest.BodyPublishers.ofByteArray(MAPPER.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest.Builder request(String path) {
        // No Content-Type here: each body sets its own, and a second one would confuse Flink.
        return HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(requestTimeout)
                .header("Accept", "application/json");
    }

    private JsonNode send(String what, HttpRequest.Builder builder) {
        HttpResponse<byte[]> response;
        try {
            response = http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new FlinkUnreachableException(baseUrl, "no answer to " + what + " in time");
        } catch (ConnectException e) {
            throw new FlinkUnreachableException(baseUrl, "connection refused");
        } catch (IOException e) {
            throw new FlinkUnreachableException(
                    baseUrl,
                    e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlinkUnreachableException(baseUrl, "interrupted");
        }
        JsonNode body = parse(response.body());
        if (response.statusCode() / 100 != 2) {
            List<String> errors = new ArrayList<>();
            for (JsonNode error : body.path("errors")) {
                errors.add(error.asText());
            }
            if (errors.isEmpty()) {
                String text = new String(response.body(), StandardCharsets.UTF_8);
                errors.add(text.length() > 300 ? text.substring(0, 300) + "..." : text);
            }
            throw new FlinkRestException(what, response.statusCode(), errors);
        }
        return body;
    }

    private static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return MAPPER.createObjectNode();
        }
        try {
            return MAPPER.readTree(body);
        } catch (IOException e) {
            // Not JSON (a proxy's error page, another service on the port): keep it as text.
            return MAPPER.createObjectNode().put("text", new String(body, StandardCharsets.UTF_8));
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
