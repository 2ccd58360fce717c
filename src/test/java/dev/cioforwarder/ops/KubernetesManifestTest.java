package dev.cioforwarder.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.cioforwarder.job.ForwarderJob;
import dev.cioforwarder.settings.ForwarderSettings;
import dev.cioforwarder.testing.MavenClasspath;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes manifest carries every setting that keeps the job's state and guarantees safe
 * across months of upgrades: savepoint upgrades of our entry class, RocksDB with incremental
 * checkpoints on durable storage, exactly-once, fixed uids, no Kryo, the job's max parallelism, the
 * API key only from a Secret, and program arguments the job accepts.
 */
class KubernetesManifestTest {

    private static final Path MANIFEST =
            MavenClasspath.projectDir().resolve("flink-conf/kubernetes/flink-deployment.yaml");

    private static JsonNode manifest;
    private static Map<String, String> flinkConfiguration;

    @TempDir Path dir;

    @BeforeAll
    static void read() throws Exception {
        ObjectMapper yaml =
                YAMLMapper.builder(new YAMLFactory())
                        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                        .build();
        manifest = yaml.readTree(MANIFEST.toFile());
        flinkConfiguration = new LinkedHashMap<>();
        flatten("", manifest.path("spec").path("flinkConfiguration"), flinkConfiguration);
    }

    /** The operator accepts flinkConfiguration flat ("a.b: x") or nested ("a: {b: x}"). */
    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(
                        prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
                        e.getValue(),
                        out);
            }
        } else if (!node.isMissingNode()) {
            out.put(prefix, node.asText());
        }
    }

    private static String conf(String key) {
        assertThat(flinkConfiguration).as("flinkConfiguration").containsKey(key);
        return flinkConfiguration.get(key);
    }

    private static JsonNode job() {
        return manifest.path("spec").path("job");
    }

    /** The job's program arguments as key → value, in order. */
    private static Map<String, String> args() {
        JsonNode args = job().path("args");
        assertThat(args.isArray()).as("spec.job.args is a list").isTrue();
        assertThat(args.size() % 2).as("spec.job.args are --key value pairs").isZero();
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i += 2) {
            String key = args.get(i).asText();
            assertThat(key).as("argument %s", i).startsWith("--");
            assertThat(args.get(i + 1).isValueNode()).as("value of %s", key).isTrue();
            assertThat(map.put(key.substring(2), args.get(i + 1).asText()))
                    .as("%s given twice", key)
                    .isNull();
        }
        return map;
    }

    @Test
    void isAnApplicationModeFlinkDeploymentOfOurEntryClassUpgradedThroughSavepoints() {
        assertThat(manifest.path("apiVersion").asText()).isEqualTo("flink.apache.org/v1beta1");
        assertThat(manifest.path("kind").asText()).isEqualTo("FlinkDeployment");
        assertThat(manifest.path("spec").path("flinkVersion").asText()).isEqualTo("v2_2");
        // A FlinkDeployment with a job spec is an application cluster; the jar is in the image.
        assertThat(job().path("jarURI").asText())
                .isEqualTo("local:///opt/flink/usrlib/mparticle-customerio-flink.jar");
        assertThat(job().path("entryClass").asText()).isEqualTo(ForwarderJob.class.getName());
        assertThat(job().path("upgradeMode").asText()).isEqualTo("savepoint");
        assertThat(job().path("allowNonRestoredState").asBoolean(false)).isFalse();
        assertThat(job().path("state").asText("running")).isEqualTo("running");
    }

    @Test
    void stateIsInRocksDbWithIncrementalExactlyOnceCheckpointsOnDurableStorage() {
        assertThat(conf("state.backend.type")).isEqualTo("rocksdb");
        assertThat(conf("execution.checkpointing.incremental")).isEqualToIgnoringCase("true");
        assertThat(conf("execution.checkpointing.mode")).isEqualTo("EXACTLY_ONCE");
        assertThat(conf("execution.checkpointing.interval")).isNotBlank();
        assertDurable("execution.checkpointing.dir");
        assertDurable("execution.checkpointing.savepoint-dir");
        assertDurable("high-availability.storageDir");
        // Retained: a cancelled job keeps checkpoints to restore from.
        assertThat(conf("execution.checkpointing.externalized-checkpoint-retention"))
                .isEqualTo("RETAIN_ON_CANCELLATION");
        assertThat(Integer.parseInt(conf("execution.checkpointing.num-retained")))
                .isGreaterThanOrEqualTo(2);
    }

    private static void assertDurable(String key) {
        URI uri = URI.create(conf(key));
        assertThat(uri.getScheme())
                .as("%s (%s) is on a shared, durable file system, not a pod's disk", key, uri)
                .isNotNull()
                .isNotIn("file", "local")
                .isIn("s3", "s3a", "s3p", "gs", "hdfs", "abfs", "abfss", "wasbs", "oss");
    }

    @Test
    void uidsAreRequiredKryoIsOffAndMaxParallelismIsTheJobs() {
        assertThat(conf("pipeline.auto-generate-uids")).isEqualToIgnoringCase("false");
        assertThat(conf("pipeline.generic-types")).isEqualToIgnoringCase("false");
        String jobDefault = ForwarderSettings.DEFAULTS.get("job.max-parallelism");
        assertThat(conf("pipeline.max-parallelism")).isEqualTo(jobDefault);
        assertThat(args().getOrDefault("job.max-parallelism", jobDefault)).isEqualTo(jobDefault);
        int parallelism = job().path("parallelism").asInt();
        assertThat(parallelism).isBetween(1, Integer.parseInt(jobDefault));
    }

    @Test
    void restartsNeverGiveUpAndMetricsGoToPrometheus() {
        assertThat(conf("restart-strategy.type"))
                .isIn("exponential-delay", "exponentialdelay", "fixed-delay", "failure-rate");
        List<String> reporters = List.of(conf("metrics.reporters").split("\\s*,\\s*"));
        assertThat(reporters).isNotEmpty();
        for (String reporter : reporters) {
            assertThat(conf("metrics.reporter." + reporter + ".factory.class"))
                    .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        }
    }

    @Test
    void resourcesGiveEverySlotACoreAndAGigabyte() {
        JsonNode tm = manifest.path("spec").path("taskManager").path("resource");
        int slots = Integer.parseInt(conf("taskmanager.numberOfTaskSlots"));
        assertThat(tm.path("cpu").asDouble()).isGreaterThanOrEqualTo(slots);
        assertThat(megabytes(tm.path("memory").asText())).isGreaterThanOrEqualTo(1024L * slots);
        JsonNode jm = manifest.path("spec").path("jobManager").path("resource");
        assertThat(jm.path("cpu").asDouble()).isGreaterThan(0);
        assertThat(megabytes(jm.path("memory").asText())).isGreaterThanOrEqualTo(1024);
    }

    private static long megabytes(String memory) {
        String m = memory.trim().toLowerCase(Locale.ROOT);
        if (m.endsWith("gi") || m.endsWith("g")) {
            return Long.parseLong(m.replaceAll("[a-z]+$", "")) * 1024;
        }
        assertThat(m).as("memory %s in m/mi or g/gi", memory).matches("[0-9]+mi?");
        return Long.parseLong(m.replaceAll("[a-z]+$", ""));
    }

    @Test
    void theApiKeyComesOnlyFromASecretOnTheTaskManagers() {
        String variable =
                args().getOrDefault(
                                "customerio.api-key-env",
                                ForwarderSettings.DEFAULTS.get("customerio.api-key-env"));
        List<JsonNode> tmEnv = env(manifest.path("spec").path("taskManager").path("podTemplate"));
        tmEnv.addAll(env(manifest.path("spec").path("podTemplate")));
        JsonNode key =
                tmEnv.stream()
                        .filter(e -> e.path("name").asText().equals(variable))
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new AssertionError(
                                                "no "
                                                        + variable
                                                        + " (customerio.api-key-env) in the"
                                                        + " TaskManager's environment"));
        assertThat(key.has("value")).as("the key is not written into the manifest").isFalse();
        JsonNode secret = key.path("valueFrom").path("secretKeyRef");
        assertThat(secret.path("name").asText()).isNotBlank();
        assertThat(secret.path("key").asText()).isNotBlank();

        // Nowhere else: not in any pod's environment as a literal, not in the arguments.
        List<JsonNode> all = new ArrayList<>(tmEnv);
        all.addAll(env(manifest.path("spec").path("jobManager").path("podTemplate")));
        for (JsonNode e : all) {
            if (e.path("name").asText().toUpperCase(Locale.ROOT).contains("API_KEY")) {
                assertThat(e.has("value")).as("%s is a literal", e.path("name")).isFalse();
            }
        }
        for (String arg : args().keySet()) {
            String lower = arg.toLowerCase(Locale.ROOT);
            if (lower.startsWith("customerio.api")) {
                assertThat(lower).isIn("customerio.api-key-env", "customerio.api-mode");
            }
        }
        assertThat(args()).doesNotContainKey("customerio.api-key-file");
    }

    private static List<JsonNode> env(JsonNode podTemplate) {
        List<JsonNode> env = new ArrayList<>();
        for (JsonNode container : podTemplate.path("spec").path("containers")) {
            container.path("env").forEach(env::add);
        }
        return env;
    }

    @Test
    void everyArgumentIsASettingTheJobAccepts() throws Exception {
        Map<String, String> settings = new LinkedHashMap<>(args());
        if (settings.containsKey("kafka.properties-file")) {
            // Mounted from a Secret in the pods; here an empty stand-in (the job reads it).
            assertThat(settings.get("kafka.properties-file")).startsWith("/");
            Path file = dir.resolve("client.properties");
            Files.writeString(file, "# stand-in\n");
            settings.put("kafka.properties-file", file.toString());
        }
        // Unknown keys and bad values fail here as they would at the job's start.
        ForwarderSettings fromMap = ForwarderSettings.fromMap(settings);
        assertThat(fromMap.jobName()).isEqualTo("mparticle-customerio-forwarder");
        assertThat(fromMap.maxParallelism())
                .isEqualTo(Integer.parseInt(conf("pipeline.max-parallelism")));
        // fromArgs is what ForwarderJob.main runs: it also refuses secrets passed as arguments.
        List<String> argv = new ArrayList<>();
        settings.forEach(
                (key, value) -> {
                    argv.add("--" + key);
                    argv.add(value);
                });
        assertThat(ForwarderSettings.fromArgs(argv.toArray(new String[0])).siteId())
                .isEqualTo(settings.get("customerio.site-id"));
    }
}
