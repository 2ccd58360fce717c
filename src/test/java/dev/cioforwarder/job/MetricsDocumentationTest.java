package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.mapping.Adjustment;
import dev.cioforwarder.mapping.SkipReason;
import dev.cioforwarder.testing.MavenClasspath;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The README's Metrics section names every metric the job reports, and every label value. */
class MetricsDocumentationTest {

    private static final Set<String> NOT_METRICS =
            Set.of("GROUP", "REASON", "EVENT_TYPE", "STATUS_CLASS");

    private static String metricsSection() throws Exception {
        String readme = Files.readString(MavenClasspath.projectDir().resolve("README.md"));
        int start = readme.indexOf("\n## Metrics");
        assertThat(start).as("README has a Metrics section").isPositive();
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    @Test
    void everyMetricIsInTheReadme() throws Exception {
        String section = metricsSection();
        List<String> metrics = new ArrayList<>();
        for (Field f : Metrics.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())
                    && f.getType() == String.class
                    && !NOT_METRICS.contains(f.getName())) {
                metrics.add((String) f.get(null));
            }
        }
        assertThat(metrics).hasSizeGreaterThan(20);
        for (String metric : metrics) {
            assertThat(section).as("README Metrics names %s", metric).contains("`" + metric);
        }
    }

    @Test
    void everyReasonIsInTheReadme() throws Exception {
        String section = metricsSection();
        for (SkipReason reason : SkipReason.values()) {
            assertThat(section).as("skipped reason %s", reason).contains("`" + reason.code() + "`");
        }
        for (Adjustment adjustment : Adjustment.values()) {
            assertThat(section)
                    .as("adjusted reason %s", adjustment)
                    .contains("`" + adjustment.code() + "`");
        }
        String readme = Files.readString(MavenClasspath.projectDir().resolve("README.md"));
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            assertThat(readme)
                    .as("dead-letter reason %s", reason)
                    .contains("`" + reason.code() + "`");
        }
    }
}
