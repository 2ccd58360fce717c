package dev.cioforwarder.operations;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cioforwarder.testing.MavenClasspath;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operations scripts against a fake Flink REST API, for the answers a real cluster rarely gives
 * on demand: two forwarders running at once, a savepoint that fails, a refused upload. Also pins
 * down exactly what submit.sh sends. (ClusterOperationsITCase runs them against a real one.)
 */
class OperationsScriptsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Path REPO = MavenClasspath.projectDir();
    private static final String JOB = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
    private static final String OTHER_JOB = "ffeeddccbbaa99887766554433221100";

    @TempDir Path dir;

    private HttpServer server;
    private final Map<String, Function<String, Answer>> routes = new ConcurrentHashMap<>();
    private final List<String[]> requests = new CopyOnWriteArrayList<>();

    private record Answer(int status, String body) {}

    private record Result(int exitCode, String stdout, String stderr) {}

    @BeforeEach
    void startFakeFlink() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        route("GET /config", body -> ok("{\"flink-version\":\"2.2.1\",\"features\":{}}"));
        route("GET /overview", body -> ok("{\"taskmanagers\":1,\"slots-total\":2}"));
    }

    @AfterEach
    void stopFakeFlink() {
        server.stop(0);
    }

    private void route(String methodAndPath, Function<String, Answer> answer) {
        routes.put(methodAndPath, answer);
    }

    private static Answer ok(String json) {
        return new Answer(200, json);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String key = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
        requests.add(new String[] {key, body});
        Function<String, Answer> route = routes.get(key);
        Answer answer =
                route != null
                        ? route.apply(body)
                        : new Answer(404, "{\"errors\":[\"Not found: " + key + "\"]}");
        if (answer.status() < 0) {
            exchange.close(); // no answer at all, as from a JobManager that went away
            return;
        }
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(answer.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private List<String> requested() {
        List<String> keys = new ArrayList<>();
        requests.forEach(r -> keys.add(r[0]));
        return keys;
    }

    private String bodyOf(String key) {
        return requests.stream()
                .filter(r -> r[0].equals(key))
                .reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no " + key + " in " + requested()))[1];
    }

    private static String overview(String... jobs) {
        return "{\"jobs\":[" + String.join(",", jobs) + "]}";
    }

    private static String job(String id, String state, String name) {
        return "{\"jid\":\""
                + id
                + "\",\"name\":\""
                + name
                + "\",\"state\":\""
                + state
                + "\",\"tasks\":{\"running\":6,\"canceling\":0,\"total\":6}}";
    }

    private Result run(String script, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(REPO.resolve(script).toString());
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .directory(REPO.toFile())
                        .redirectOutput(dir.resolve("out").toFile())
                        .redirectError(dir.resolve("err").toFile());
        builder.environment()
                .put("FLINK_REST_PORT", Integer.toString(server.getAddress().getPort()));
        builder.environment().remove("FLINK_URL");
        builder.environment().put("CIO_STATE_DIR", dir.resolve("state").toString());
        builder.environment().put("POLL_SECONDS", "0.2");
        Process process = builder.start();
        boolean finished = process.waitFor(60, TimeUnit.SECONDS);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
        }
        assertThat(finished)
                .as(
                        "%s finished; stderr so far:%n%s",
                        command, Files.readString(dir.resolve("err")))
                .isTrue();
        return new Result(
                process.exitValue(),
                Files.readString(dir.resolve("out")),
                Files.readString(dir.resolve("err")));
    }

    private Path dummyJar() throws IOException {
        Path jar = dir.resolve("forwarder.jar");
        Files.writeString(jar, "not really a jar: the fake cluster does not look");
        return jar;
    }

    @Test
    void submitSendsTheSettingsAsProgramArgumentsAndRemembersThem() throws Exception {
        route("GET /jobs/overview", body -> ok(overview()));
        route(
                "POST /jars/upload",
                body -> ok("{\"filename\":\"/tmp/web/abc_forwarder.jar\",\"status\":\"success\"}"));
        route(
                "POST /jars/abc_forwarder.jar/run",
                body -> {
                    route(
                            "GET /jobs/overview",
                            b ->
                                    ok(
                                            overview(
                                                    job(
                                                            JOB,
                                                            "RUNNING",
                                                            "mparticle-customerio-forwarder"))));
                    return ok("{\"jobid\":\"" + JOB + "\"}");
                });
        Path settings = dir.resolve("forwarder.properties");
        Files.writeString(
                settings,
                "# comment\nkafka.bootstrap-servers = broker:9092\ncustomerio.site-id: site\n"
                        + "customerio.endpoint=https://proxy.example/track\n");

        Result result =
                run(
                        "scripts/submit.sh",
                        "--jar",
                        dummyJar().toString(),
                        "--settings",
                        settings.toString(),
                        "--set",
                        "customerio.send-created-at=true",
                        "--set",
                        "customerio.site-id=site-2",
                        "--savepoint",
                        "s3://bucket/savepoints/savepoint-1",
                        "--parallelism",
                        "3");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stdout().strip()).isEqualTo(JOB);
        JsonNode run = MAPPER.readTree(bodyOf("POST /jars/abc_forwarder.jar/run"));
        assertThat(run.path("entryClass").asText()).isEqualTo("dev.cioforwarder.job.ForwarderJob");
        assertThat(MAPPER.convertValue(run.path("programArgsList"), List.class))
                .containsExactly(
                        "--kafka.bootstrap-servers",
                        "broker:9092",
                        "--customerio.site-id",
                        "site-2",
                        "--customerio.endpoint",
                        "https://proxy.example/track",
                        "--customerio.send-created-at",
                        "true");
        assertThat(run.path("parallelism").asInt()).isEqualTo(3);
        assertThat(run.path("savepointPath").asText())
                .isEqualTo("s3://bucket/savepoints/savepoint-1");
        assertThat(run.path("allowNonRestoredState").asBoolean(true)).isFalse();

        Properties recorded = new Properties();
        try (var in =
                Files.newBufferedReader(
                        dir.resolve("state/ops/jobs/" + JOB + "/settings.properties"))) {
            recorded.load(in);
        }
        assertThat(recorded)
                .containsEntry("customerio.site-id", "site-2")
                .containsEntry("customerio.send-created-at", "true")
                .hasSize(4);
    }

    @Test
    void submitRefusesAKeyInTheSettingsFileBeforeUploadingAnything() throws Exception {
        Path settings = dir.resolve("forwarder.properties");
        Files.writeString(settings, "customerio.site-id=site\ncustomerio.api-key=secret-123\n");
        Result result =
                run(
                        "scripts/submit.sh",
                        "--jar",
                        dummyJar().toString(),
                        "--settings",
                        settings.toString());
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stderr())
                .contains("CUSTOMERIO_API_KEY")
                .contains("customerio.api-key-file")
                .doesNotContain("secret-123");
        assertThat(requested()).isEmpty();

        result = run("scripts/submit.sh", "--set", "kafka.property.sasl.jaas.config=x");
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stderr()).contains("kafka.properties-file");
    }

    @Test
    void severalRunningForwardersAreNotGuessedBetween() throws Exception {
        route(
                "GET /jobs/overview",
                body ->
                        ok(
                                overview(
                                        job(JOB, "RUNNING", "mparticle-customerio-forwarder"),
                                        job(OTHER_JOB, "RUNNING", "mparticle-customerio-forwarder"),
                                        job(
                                                "11112222333344445555666677778888",
                                                "FINISHED",
                                                "mparticle-customerio-forwarder"))));
        Result result = run("scripts/savepoint.sh");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr())
                .contains("more than one job named \"mparticle-customerio-forwarder\"")
                .contains(JOB)
                .contains(OTHER_JOB)
                .contains("--job ID")
                .doesNotContain("11112222333344445555666677778888");
        assertThat(requested()).noneMatch(r -> r.startsWith("POST"));
    }

    @Test
    void aFailedSavepointIsReportedWithFlinksReasonAndTheJobsState() throws Exception {
        route(
                "GET /jobs/overview",
                body -> ok(overview(job(JOB, "RUNNING", "mparticle-customerio-forwarder"))));
        route("GET /jobs/" + JOB, body -> ok("{\"jid\":\"" + JOB + "\",\"state\":\"RUNNING\"}"));
        route("POST /jobs/" + JOB + "/stop", body -> new Answer(202, "{\"request-id\":\"t1\"}"));
        String trace =
                "java.util.concurrent.CompletionException: org.apache.flink.runtime.checkpoint"
                        + ".CheckpointException: An Exception occurred while triggering the"
                        + " checkpoint. IO-problem detected.\\n\\tat a.b.C.d(C.java:1)\\n"
                        + "Caused by: java.io.IOException: Failed to create savepoint directory"
                        + " at s3://bucket/sp\\n\\tat e.f.G.h(G.java:2)\\n\\t... 3 more\\n";
        route(
                "GET /jobs/" + JOB + "/savepoints/t1",
                body ->
                        ok(
                                "{\"status\":{\"id\":\"COMPLETED\"},\"operation\":{\"failure-cause\":"
                                    + "{\"class\":\"java.util.concurrent.CompletionException\","
                                    + "\"stack-trace\":\""
                                        + trace
                                        + "\",\"serialized-throwable\":\"rO0ABXNy\"}}}"));

        Result result = run("scripts/savepoint.sh", "--stop", "--dir", "s3://bucket/sp");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stdout()).isBlank();
        assertThat(result.stderr())
                .contains(
                        "the savepoint failed: java.io.IOException: Failed to create savepoint"
                                + " directory at s3://bucket/sp")
                .contains("the job is RUNNING")
                .doesNotContain("rO0ABXNy")
                .doesNotContain("\tat ");
        JsonNode stop = MAPPER.readTree(bodyOf("POST /jobs/" + JOB + "/stop"));
        assertThat(stop.path("drain").asBoolean(true)).isFalse();
        assertThat(stop.path("targetDirectory").asText()).isEqualTo("s3://bucket/sp");
    }

    @Test
    void aRefusedUploadLeavesTheRunningJobAlone() throws Exception {
        route(
                "GET /jobs/overview",
                body -> ok(overview(job(JOB, "RUNNING", "mparticle-customerio-forwarder"))));
        route(
                "GET /jobs/" + JOB,
                body ->
                        ok(
                                "{\"jid\":\""
                                        + JOB
                                        + "\",\"state\":\"RUNNING\",\"vertices\":[{\"parallelism\":2}]}"));
        route(
                "POST /jars/upload",
                body ->
                        new Answer(
                                413,
                                "{\"errors\":[\"Request entity too large: the upload limit is 100"
                                        + " MB\"]}"));
        Path record = dir.resolve("state/ops/jobs/" + JOB);
        Files.createDirectories(record);
        Files.writeString(
                record.resolve("settings.properties"),
                "kafka.bootstrap-servers=broker:9092\ncustomerio.site-id=site\n");
        Files.writeString(record.resolve("job.properties"), "job-id=" + JOB + "\njar-id=old.jar\n");

        Result result = run("scripts/upgrade.sh", dummyJar().toString());

        assertThat(result.exitCode()).as(result.stderr()).isEqualTo(1);
        assertThat(result.stderr())
                .contains("uploading")
                .contains("failed")
                .contains("Request entity too large")
                .contains("Nothing changed: job " + JOB + " keeps running");
        assertThat(requested()).doesNotContain("POST /jobs/" + JOB + "/stop");
    }

    @Test
    void aClusterLostAfterTheStopIsNeverReportedAsNothingChanged() throws Exception {
        route(
                "GET /jobs/overview",
                body -> ok(overview(job(JOB, "RUNNING", "mparticle-customerio-forwarder"))));
        java.util.concurrent.atomic.AtomicBoolean stopped =
                new java.util.concurrent.atomic.AtomicBoolean();
        route(
                "GET /jobs/" + JOB,
                body ->
                        ok(
                                "{\"jid\":\""
                                        + JOB
                                        + "\",\"state\":\""
                                        + (stopped.get() ? "FINISHED" : "RUNNING")
                                        + "\",\"vertices\":[{\"parallelism\":2}]}"));
        route(
                "POST /jars/upload",
                body ->
                        ok(
                                "{\"status\":\"success\",\"filename\":\"/tmp/flink/abc_forwarder.jar\"}"));
        route(
                "POST /jobs/" + JOB + "/stop",
                body -> {
                    stopped.set(true);
                    return new Answer(202, "{\"request-id\":\"t1\"}");
                });
        route(
                "GET /jobs/" + JOB + "/savepoints/t1",
                body ->
                        ok(
                                "{\"status\":{\"id\":\"COMPLETED\"},\"operation\":{\"location\":"
                                        + "\"file:/sp/savepoint-0a1b2c-1\"}}"));
        // The old job is stopped; then the cluster answers nothing.
        route("POST /jars/abc_forwarder.jar/run", body -> new Answer(-1, ""));
        Path record = dir.resolve("state/ops/jobs/" + JOB);
        Files.createDirectories(record);
        Files.writeString(
                record.resolve("settings.properties"),
                "kafka.bootstrap-servers=broker:9092\ncustomerio.site-id=site\n");
        Files.writeString(
                record.resolve("job.properties"),
                "job-id=" + JOB + "\njar=/jars/old.jar\njar-id=old.jar\n");

        Result result = run("scripts/upgrade.sh", dummyJar().toString());

        assertThat(requested()).contains("POST /jobs/" + JOB + "/stop");
        assertThat(result.exitCode()).as(result.stderr()).isEqualTo(3);
        assertThat(result.stderr())
                .contains("unreachable")
                .contains("may NOT be")
                .contains("file:/sp/savepoint-0a1b2c-1")
                .contains("scripts/submit.sh --jar /jars/old.jar")
                .doesNotContain("Nothing changed")
                .doesNotContain("nothing changed");
    }

    @Test
    void anUpgradeOfAJobStartedWithoutSubmitShStopsNothing() throws Exception {
        route(
                "GET /jobs/overview",
                body -> ok(overview(job(JOB, "RUNNING", "mparticle-customerio-forwarder"))));
        route("GET /jobs/" + JOB, body -> ok("{\"jid\":\"" + JOB + "\",\"state\":\"RUNNING\"}"));
        Result result = run("scripts/upgrade.sh", dummyJar().toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).contains("there is no record of how job " + JOB);
        assertThat(requested()).noneMatch(r -> r.startsWith("POST"));
    }

    // -------------------------------------------------------------------------------------
    // resume.sh

    /** A job record as submit.sh writes it, with the given file time. */
    private Path record(String job, String jar, String restoredFrom, long mtimeMs)
            throws IOException {
        Path record = dir.resolve("state/ops/jobs/" + job);
        Files.createDirectories(record);
        Files.writeString(
                record.resolve("settings.properties"),
                "# Settings job "
                        + job
                        + "\nkafka.bootstrap-servers=broker:9092\ncustomerio.site-id=site-"
                        + job.substring(0, 4)
                        + "\n");
        Files.writeString(
                record.resolve("job.properties"),
                "job-id="
                        + job
                        + "\njob-name=mparticle-customerio-forwarder\njar="
                        + jar
                        + "\njar-id=x.jar\nparallelism=3\nrestored-from="
                        + restoredFrom
                        + "\nnote=submitted\nsubmitted-at=2026-01-01T00:00:00Z\n");
        Files.setLastModifiedTime(
                record.resolve("job.properties"),
                java.nio.file.attribute.FileTime.fromMillis(mtimeMs));
        return record;
    }

    private Path checkpoint(String job, String name, String metadata) throws IOException {
        Path chk = dir.resolve("checkpoints").resolve(job).resolve(name);
        Files.createDirectories(chk);
        if (metadata != null) {
            Files.writeString(chk.resolve("_metadata"), metadata);
        }
        return chk;
    }

    private void fakeClusterForResume() {
        route(
                "GET /jobmanager/config",
                body ->
                        ok(
                                "[{\"key\":\"execution.checkpointing.savepoint-dir\",\"value\":\"file:///sp\"},"
                                    + "{\"key\":\"execution.checkpointing.dir\",\"value\":\"file://"
                                        + dir.resolve("checkpoints")
                                        + "\"}]"));
        route("GET /jobs/overview", body -> ok(overview(job(OTHER_JOB, "FINISHED", "other"))));
        route(
                "POST /jars/upload",
                body -> ok("{\"filename\":\"/tmp/web/abc_forwarder.jar\",\"status\":\"success\"}"));
        route(
                "POST /jars/abc_forwarder.jar/run",
                body -> {
                    route(
                            "GET /jobs/overview",
                            b ->
                                    ok(
                                            overview(
                                                    job(
                                                            "99999999999999999999999999999999",
                                                            "RUNNING",
                                                            "mparticle-customerio-forwarder"))));
                    return ok("{\"jobid\":\"99999999999999999999999999999999\"}");
                });
    }

    @Test
    void resumeStartsTheLastRecordedJobFromItsNewestCompletedCheckpoint() throws Exception {
        fakeClusterForResume();
        String jar = dummyJar().toString();
        long now = System.currentTimeMillis();
        record(OTHER_JOB, jar, "", now - 60_000);
        record(JOB, jar, "", now);
        checkpoint(OTHER_JOB, "chk-40", "older job");
        checkpoint(JOB, "chk-3", "metadata");
        Path newest = checkpoint(JOB, "chk-12", "metadata");
        checkpoint(JOB, "chk-9", "metadata");
        checkpoint(JOB, "chk-13", null); // in progress when the JobManager died: no _metadata
        checkpoint(JOB, "chk-14", ""); // an empty _metadata is no checkpoint either
        Files.createDirectories(dir.resolve("checkpoints").resolve(JOB).resolve("shared"));

        Result result = run("scripts/resume.sh");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stdout().strip()).isEqualTo("99999999999999999999999999999999");
        assertThat(result.stderr())
                .contains("Last recorded job named \"mparticle-customerio-forwarder\": " + JOB)
                .contains("Resuming from checkpoint chk-12 of job " + JOB);
        JsonNode runBody = MAPPER.readTree(bodyOf("POST /jars/abc_forwarder.jar/run"));
        assertThat(runBody.path("savepointPath").asText()).isEqualTo(newest.toString());
        assertThat(runBody.path("allowNonRestoredState").asBoolean(true)).isFalse();
        assertThat(runBody.path("parallelism").asInt()).isEqualTo(3);
        assertThat(MAPPER.convertValue(runBody.path("programArgsList"), List.class))
                .containsExactly(
                        "--kafka.bootstrap-servers",
                        "broker:9092",
                        "--customerio.site-id",
                        "site-" + JOB.substring(0, 4));
        // The resumed job has its own record, which says where it came from.
        Properties resumed = new Properties();
        try (var in =
                Files.newBufferedReader(
                        dir.resolve(
                                "state/ops/jobs/99999999999999999999999999999999/job.properties"))) {
            resumed.load(in);
        }
        assertThat(resumed.getProperty("restored-from")).isEqualTo(newest.toString());
    }

    @Test
    void resumeOfAJobWithoutCheckpointsUsesWhatItWasStartedFromOrSaysThereIsNothing()
            throws Exception {
        fakeClusterForResume();
        String jar = dummyJar().toString();
        Path savepoint = dir.resolve("savepoints/savepoint-0a1b2c-1");
        Files.createDirectories(savepoint);
        Files.writeString(savepoint.resolve("_metadata"), "metadata");
        record(JOB, jar, savepoint.toString(), System.currentTimeMillis());

        Result dry = run("scripts/resume.sh", "--dry-run");
        assertThat(dry.exitCode()).as(dry.stderr()).isZero();
        assertThat(dry.stdout().strip()).isEqualTo(savepoint.toString());
        assertThat(dry.stderr()).contains("completed no checkpoint of its own");
        assertThat(requested()).noneMatch(r -> r.startsWith("POST"));

        record(JOB, jar, "", System.currentTimeMillis());
        Result none = run("scripts/resume.sh");
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.stdout()).isBlank();
        assertThat(none.stderr())
                .contains("job " + JOB + " has no completed checkpoint")
                .contains("no chk-<n>/_metadata under " + dir.resolve("checkpoints").resolve(JOB))
                .contains("Nothing to resume from");
        assertThat(requested()).noneMatch(r -> r.startsWith("POST"));
    }

    @Test
    void resumeWithoutAnyRecordSaysWhereItLooked() throws Exception {
        fakeClusterForResume();
        Result result = run("scripts/resume.sh");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr())
                .contains("no job named \"mparticle-customerio-forwarder\" is recorded under")
                .contains(dir.resolve("state/ops/jobs").toString());
        assertThat(requested()).isEmpty();
    }
}
