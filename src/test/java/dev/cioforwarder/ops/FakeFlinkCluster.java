package dev.cioforwarder.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Flink 2.2 session cluster's REST API as the operations use it, in-process
 * (com.sun.net.httpserver on 127.0.0.1), with the answers a real cluster gives on demand only
 * rarely: a refused upload or run, a job that fails after it started, one that never completes a
 * checkpoint, a savepoint that fails, a JobManager that stops answering mid-way, an adaptive
 * scheduler. Jobs move on as they are polled: a healthy job completes a checkpoint at each look at
 * its checkpoints, so tests need no real time.
 */
final class FakeFlinkCluster implements AutoCloseable {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final List<String> VERTICES =
            List.of(
                    "15b864cf28bf182f90232b229dd52461",
                    "b7f87ac19717a4e377100fbc9055ffcf",
                    "c0250cbad6287cd9870961667e3171ff");

    /** What a job started here does. */
    enum Behavior {
        /** Runs and completes checkpoints. */
        HEALTHY,
        /** Its tasks fail on the TaskManagers: RESTARTING with a root exception. */
        FAILS_AT_RUNTIME,
        /** Runs and never completes a checkpoint. */
        NEVER_CHECKPOINTS
    }

    /** One job as the fake remembers it. */
    static final class Job {
        final String id;
        final String name;
        final JsonNode runBody;
        final Behavior behavior;
        volatile String state = "RUNNING";
        volatile int parallelism;
        volatile int pendingParallelism = -1;
        volatile int completed;
        volatile long latestCheckpointId;
        volatile long restoredAt = -1;
        volatile long restoredId = -1;
        volatile String restoredPath;
        final List<long[]> failureTimes = new CopyOnWriteArrayList<>();
        final List<String> failureTraces = new CopyOnWriteArrayList<>();

        Job(String id, String name, JsonNode runBody, Behavior behavior, int parallelism) {
            this.id = id;
            this.name = name;
            this.runBody = runBody;
            this.behavior = behavior;
            this.parallelism = parallelism;
        }

        List<String> programArgs() {
            List<String> args = new ArrayList<>();
            runBody.path("programArgsList").forEach(a -> args.add(a.asText()));
            return args;
        }

        void fail(String trace) {
            failureTimes.add(new long[] {System.currentTimeMillis()});
            failureTraces.add(trace);
        }
    }

    private final HttpServer server;
    private final Path savepointDir;
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final Map<String, String> jars = new LinkedHashMap<>();
    private final Map<String, String[]> savepointTriggers = new LinkedHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final Map<String, String> bodies = new LinkedHashMap<>();
    private final AtomicInteger savepoints = new AtomicInteger();

    // What the cluster is like, and what it does next: set by the tests.
    volatile String flinkVersion = "2.2.1";
    volatile boolean adaptiveScheduler;
    volatile int slots = 4;
    volatile Path checkpointDir;
    volatile String uploadRefusal;
    volatile Function<Job, String> runRefusal = job -> null;
    volatile Function<JsonNode, Behavior> behaviorOfRun = body -> Behavior.HEALTHY;
    volatile String savepointFailure;

    /** An in-place rescale the scheduler never gets to (too few slots, say). */
    volatile boolean rescaleNeverHappens;

    /** Once a request matches, the JobManager is gone: no request gets an answer any more. */
    volatile Predicate<String> diesAt = request -> false;

    private volatile boolean dead;

    FakeFlinkCluster(Path dir) throws IOException {
        this.savepointDir = dir.resolve("savepoints");
        this.checkpointDir = dir.resolve("checkpoints");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // -------------------------------------------------------------------------------------
    // Set-up and inspection

    /** A job that runs already, started before the test (by a person, or this tool earlier). */
    synchronized Job runningJob(String id, String name, int parallelism, String... programArgs) {
        ObjectNode body = MAPPER.createObjectNode();
        ArrayNode args = body.putArray("programArgsList");
        for (String a : programArgs) {
            args.add(a);
        }
        Job job = new Job(id, name, body, Behavior.HEALTHY, parallelism);
        job.completed = 5;
        job.latestCheckpointId = 5;
        jobs.put(id, job);
        return job;
    }

    synchronized Job job(String id) {
        return jobs.get(id);
    }

    synchronized List<Job> jobs() {
        return new ArrayList<>(jobs.values());
    }

    /** Jobs started through the REST API, in order. */
    synchronized List<Job> started() {
        List<Job> started = new ArrayList<>();
        for (Job job : jobs.values()) {
            if (job.runBody.has("entryClass")) {
                started.add(job);
            }
        }
        return started;
    }

    synchronized Map<String, String> jars() {
        return new LinkedHashMap<>(jars);
    }

    /** Every request, as "METHOD /path", in order. */
    List<String> requests() {
        return new ArrayList<>(requests);
    }

    /** The body of the last request of that kind. */
    synchronized JsonNode lastBody(String methodAndPath) throws IOException {
        String body = bodies.get(methodAndPath);
        if (body == null) {
            throw new AssertionError("no " + methodAndPath + " among " + requests);
        }
        return MAPPER.readTree(body);
    }

    // -------------------------------------------------------------------------------------
    // The REST API

    private void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        String query = exchange.getRequestURI().getQuery();
        byte[] raw = exchange.getRequestBody().readAllBytes();
        String request = method + " " + path;
        requests.add(request);
        synchronized (this) {
            bodies.put(request, new String(raw, StandardCharsets.ISO_8859_1));
        }
        if (dead || diesAt.test(request)) {
            dead = true;
            exchange.close(); // no answer at all, as from a JobManager that went away
            return;
        }
        Object[] answer;
        List<String> contentTypes = exchange.getRequestHeaders().get("Content-Type");
        if (request.equals("POST /jars/upload")
                && (contentTypes == null
                        || contentTypes.size() != 1
                        || !contentTypes.get(0).startsWith("multipart/form-data; boundary="))) {
            // What Flink answers when the upload is not one multipart form.
            answer =
                    error(
                            400,
                            "org.apache.flink.runtime.rest.handler.RestHandlerException: Request"
                                    + " did not match expected format EmptyRequestBody.");
        } else {
            synchronized (this) {
                answer = answer(method, path, query, raw);
            }
        }
        byte[] bytes = MAPPER.writeValueAsBytes(answer[1]);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders((Integer) answer[0], bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private Object[] answer(String method, String path, String query, byte[] raw)
            throws IOException {
        String[] p = path.substring(1).split("/");
        String key = method + " " + path;
        if (key.equals("GET /config")) {
            ObjectNode config = MAPPER.createObjectNode().put("flink-version", flinkVersion);
            config.putObject("features").put("web-rescale", adaptiveScheduler);
            return ok(config);
        }
        if (key.equals("GET /overview")) {
            return ok(
                    MAPPER.createObjectNode()
                            .put("taskmanagers", 1)
                            .put("slots-total", slots)
                            .put("slots-available", slots));
        }
        if (key.equals("GET /jobmanager/config")) {
            ArrayNode config = MAPPER.createArrayNode();
            config.addObject()
                    .put("key", "execution.checkpointing.dir")
                    .put("value", checkpointDir.toUri().toString());
            return ok(config);
        }
        if (key.equals("POST /jars/upload")) {
            if (uploadRefusal != null) {
                return error(413, uploadRefusal);
            }
            Matcher m =
                    Pattern.compile("filename=\"([^\"]+)\"")
                            .matcher(new String(raw, StandardCharsets.ISO_8859_1));
            String name = m.find() ? m.group(1) : "unnamed.jar";
            String id = UUID.randomUUID() + "_" + name;
            jars.put(id, name);
            return ok(
                    MAPPER.createObjectNode()
                            .put("filename", "/tmp/flink-web/flink-web-upload/" + id)
                            .put("status", "success"));
        }
        if (key.equals("GET /jars")) {
            ObjectNode answer = MAPPER.createObjectNode();
            ArrayNode files = answer.putArray("files");
            jars.forEach((id, name) -> files.addObject().put("id", id).put("name", name));
            return ok(answer);
        }
        if (method.equals("DELETE") && p[0].equals("jars")) {
            jars.remove(p[1]);
            return ok(MAPPER.createObjectNode());
        }
        if (method.equals("POST") && p[0].equals("jars") && p.length == 3 && p[2].equals("run")) {
            return run(p[1], MAPPER.readTree(raw));
        }
        if (key.equals("GET /jobs/overview")) {
            ObjectNode answer = MAPPER.createObjectNode();
            ArrayNode list = answer.putArray("jobs");
            for (Job job : jobs.values()) {
                int total = VERTICES.size() * job.parallelism;
                ObjectNode entry =
                        list.addObject()
                                .put("jid", job.id)
                                .put("name", job.name)
                                .put("state", job.state);
                entry.putObject("tasks")
                        .put("running", job.state.equals("RUNNING") ? total : 0)
                        .put("total", total);
            }
            return ok(answer);
        }
        if (p[0].equals("jobs") && p.length >= 2) {
            Job job = jobs.get(p[1]);
            if (job == null) {
                return error(404, "Job " + p[1] + " not found");
            }
            return jobRequest(job, method, p, query, raw);
        }
        return error(404, "Not found: " + key);
    }

    private Object[] run(String jarId, JsonNode body) {
        if (!jars.containsKey(jarId)) {
            return error(
                    400,
                    "org.apache.flink.runtime.rest.handler.RestHandlerException: Jar file "
                            + jarId
                            + " does not exist");
        }
        String name = JobSettings.DEFAULT_JOB_NAME;
        JsonNode args = body.path("programArgsList");
        for (int i = 0; i + 1 < args.size(); i++) {
            if (args.get(i).asText().equals("--job.name")) {
                name = args.get(i + 1).asText();
            }
        }
        String id = UUID.randomUUID().toString().replace("-", "");
        Job job =
                new Job(
                        id,
                        name,
                        body,
                        behaviorOfRun.apply(body),
                        body.path("parallelism").asInt(2));
        String refusal = runRefusal.apply(job);
        if (refusal != null) {
            return error(
                    500,
                    "Internal server error.",
                    "<Exception on server side:\norg.apache.flink.client.program"
                            + ".ProgramInvocationException: The main method caused an error: "
                            + refusal
                            + "\n"
                            + "\tat org.apache.flink.client.program.PackagedProgram.callMainMethod(PackagedProgram.java:373)\n"
                            + "Caused by: java.lang.IllegalArgumentException: "
                            + refusal
                            + "\n"
                            + "\tat dev.cioforwarder.settings.ForwarderSettings.<init>(ForwarderSettings.java:1)\n"
                            + "\n"
                            + "End of exception on server side>");
        }
        if (body.has("savepointPath")) {
            job.restoredPath = body.path("savepointPath").asText();
            job.restoredAt = System.currentTimeMillis();
            job.restoredId = 0;
        }
        if (job.behavior == Behavior.FAILS_AT_RUNTIME) {
            job.state = "RESTARTING";
            job.fail(
                    "java.lang.IllegalStateException: the environment variable CIO_MISSING_KEY is"
                        + " not set on this TaskManager\n"
                        + "\tat dev.cioforwarder.settings.ApiKeySource.read(ApiKeySource.java:40)\n");
        }
        jobs.put(id, job);
        return ok(MAPPER.createObjectNode().put("jobid", id));
    }

    private Object[] jobRequest(Job job, String method, String[] p, String query, byte[] raw)
            throws IOException {
        String sub = p.length > 2 ? p[2] : "";
        if (method.equals("GET") && sub.isEmpty()) {
            applyPendingRescale(job);
            ObjectNode answer =
                    MAPPER.createObjectNode()
                            .put("jid", job.id)
                            .put("name", job.name)
                            .put("state", job.state)
                            .put("maxParallelism", 720)
                            .put("now", System.currentTimeMillis());
            ArrayNode vertices = answer.putArray("vertices");
            for (String v : VERTICES) {
                vertices.addObject()
                        .put("id", v)
                        .put("name", "vertex " + v.substring(0, 4))
                        .put("parallelism", job.parallelism)
                        .put("status", job.state.equals("RUNNING") ? "RUNNING" : "INITIALIZING");
            }
            return ok(answer);
        }
        if (method.equals("PATCH") && sub.isEmpty()) {
            if (!FlinkRestClient.TERMINAL_STATES.contains(job.state)) {
                job.state = "CANCELED";
            }
            return new Object[] {202, MAPPER.createObjectNode()};
        }
        if (method.equals("GET") && sub.equals("checkpoints")) {
            if (job.state.equals("RUNNING") && job.behavior != Behavior.NEVER_CHECKPOINTS) {
                job.completed++;
                job.latestCheckpointId++;
            }
            ObjectNode answer = MAPPER.createObjectNode();
            answer.putObject("counts").put("completed", job.completed);
            ObjectNode latest = answer.putObject("latest");
            if (job.completed > 0) {
                latest.putObject("completed")
                        .put("id", job.latestCheckpointId)
                        .put("trigger_timestamp", System.currentTimeMillis())
                        .put(
                                "external_path",
                                "file:"
                                        + checkpointDir
                                        + "/"
                                        + job.id
                                        + "/chk-"
                                        + job.latestCheckpointId);
            } else {
                latest.putNull("completed");
            }
            if (job.restoredPath != null) {
                latest.putObject("restored")
                        .put("id", job.restoredId)
                        .put("restore_timestamp", job.restoredAt)
                        .put("external_path", job.restoredPath);
            } else {
                latest.putNull("restored");
            }
            return ok(answer);
        }
        if (method.equals("GET") && sub.equals("exceptions")) {
            ObjectNode answer = MAPPER.createObjectNode();
            ArrayNode entries = answer.putObject("exceptionHistory").putArray("entries");
            for (int i = job.failureTraces.size() - 1; i >= 0; i--) {
                entries.addObject()
                        .put("stacktrace", job.failureTraces.get(i))
                        .put("timestamp", job.failureTimes.get(i)[0]);
            }
            return ok(answer);
        }
        if (method.equals("POST") && (sub.equals("stop") || sub.equals("savepoints"))) {
            boolean stop = sub.equals("stop");
            String trigger = "trigger-" + savepoints.incrementAndGet();
            if (savepointFailure != null) {
                savepointTriggers.put(trigger, new String[] {null, savepointFailure});
                return new Object[] {202, MAPPER.createObjectNode().put("request-id", trigger)};
            }
            Path sp =
                    savepointDir.resolve(
                            "savepoint-" + job.id.substring(0, 6) + "-" + savepoints.get());
            Files.createDirectories(sp);
            Files.writeString(sp.resolve("_metadata"), "savepoint of " + job.id);
            savepointTriggers.put(trigger, new String[] {"file:" + sp, null});
            if (stop) {
                job.state = "FINISHED";
            }
            return new Object[] {202, MAPPER.createObjectNode().put("request-id", trigger)};
        }
        if (method.equals("GET") && sub.equals("savepoints")) {
            String[] result = savepointTriggers.get(p[3]);
            ObjectNode answer = MAPPER.createObjectNode();
            answer.putObject("status").put("id", "COMPLETED");
            ObjectNode operation = answer.putObject("operation");
            if (result[0] != null) {
                operation.put("location", result[0]);
            } else {
                operation
                        .putObject("failure-cause")
                        .put("class", "java.util.concurrent.CompletionException")
                        .put("stack-trace", result[1])
                        .put("serialized-throwable", "rO0ABXNy");
            }
            return ok(answer);
        }
        if (sub.equals("resource-requirements")) {
            if (!adaptiveScheduler) {
                return error(
                        500,
                        "Internal server error.",
                        "<Exception on server side:\n"
                            + "java.lang.UnsupportedOperationException: The DefaultScheduler does"
                            + " not support changing the parallelism without a job restart. This"
                            + " feature is currently only expected to work with the"
                            + " AdaptiveScheduler.\n"
                            + "\tat org.apache.flink.runtime.scheduler.SchedulerNG.requestJobResourceRequirements(SchedulerNG.java:218)\n"
                            + "\n"
                            + "End of exception on server side>");
            }
            if (method.equals("GET")) {
                ObjectNode answer = MAPPER.createObjectNode();
                for (String v : VERTICES) {
                    answer.putObject(v)
                            .putObject("parallelism")
                            .put("lowerBound", 1)
                            .put("upperBound", job.parallelism);
                }
                return ok(answer);
            }
            JsonNode body = MAPPER.readTree(raw);
            int upper = body.path(VERTICES.get(0)).path("parallelism").path("upperBound").asInt();
            job.pendingParallelism = upper;
            return ok(MAPPER.createObjectNode());
        }
        return error(404, "Not found: " + method + " /" + String.join("/", p));
    }

    /**
     * The adaptive scheduler restarts the job from its latest checkpoint with the new bounds, a
     * poll after the change (unless told it never gets there, as with too few slots).
     */
    private void applyPendingRescale(Job job) {
        int pending = job.pendingParallelism;
        if (pending < 0) {
            return;
        }
        if (pending == job.parallelism) {
            job.pendingParallelism = -1; // the bounds it runs with: nothing to restart for
            return;
        }
        if (rescaleNeverHappens) {
            return;
        }
        job.pendingParallelism = -1;
        job.parallelism = pending;
        job.restoredAt = System.currentTimeMillis();
        job.restoredId = job.latestCheckpointId;
        job.restoredPath =
                "file:" + checkpointDir + "/" + job.id + "/chk-" + job.latestCheckpointId;
    }

    private static Object[] ok(JsonNode body) {
        return new Object[] {200, body};
    }

    private static Object[] error(int status, String... errors) {
        ObjectNode body = MAPPER.createObjectNode();
        ArrayNode list = body.putArray("errors");
        for (String e : errors) {
            list.add(e);
        }
        return new Object[] {status, body};
    }
}
