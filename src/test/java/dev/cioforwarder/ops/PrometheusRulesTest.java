package dev.cioforwarder.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.cioforwarder.testing.MavenClasspath;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The alerting rules refer only to metrics the job (or Flink's sink committers) really report: a
 * renamed metric must not leave an alert that silently never fires.
 */
class PrometheusRulesTest {

    private static final Path RULES =
            MavenClasspath.projectDir().resolve("flink-conf/kubernetes/prometheus-rules.yaml");

    private static final Pattern FORWARDER_METRIC =
            Pattern.compile("flink_taskmanager_job_task_operator_forwarder_([a-z0-9_]+)");

    /** The names the job registers, from {@code Metrics}' constants. */
    private static Set<String> jobMetrics() throws Exception {
        Set<String> names = new HashSet<>();
        Class<?> metrics = Class.forName("dev.cioforwarder.job.Metrics");
        for (Field f : metrics.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                f.setAccessible(true);
                names.add((String) f.get(null));
            }
        }
        return names;
    }

    @Test
    void everyAlertIsWellFormedAndNamesAMetricTheJobReports() throws Exception {
        JsonNode rules = new YAMLMapper().readTree(RULES.toFile());
        assertThat(rules.path("kind").asText()).isEqualTo("PrometheusRule");
        Set<String> known = jobMetrics();
        int alerts = 0;
        for (JsonNode group : rules.path("spec").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                alerts++;
                String expr = rule.path("expr").asText();
                assertThat(rule.path("alert").asText()).as("alert name").isNotBlank();
                assertThat(expr).as("expression of %s", rule.path("alert").asText()).isNotBlank();
                Matcher m = FORWARDER_METRIC.matcher(expr);
                while (m.find()) {
                    assertThat(known)
                            .as("metric of alert %s", rule.path("alert").asText())
                            .contains(m.group(1));
                }
            }
        }
        assertThat(alerts).isGreaterThanOrEqualTo(5);
        assertThat(RULES).content().contains("failedCommittables");
    }
}
