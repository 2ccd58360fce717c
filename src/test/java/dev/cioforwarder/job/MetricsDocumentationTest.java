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

/**
 * The metrics page ({@code docs/metrics.md}) names every metric the job reports, and every label
 * value; the dead letters section of {@code docs/operations.md} names every dead-letter reason.
 */
class MetricsDocumentationTest {

    private static final Set<String> NOT_METRICS =
            Set.of("GROUP", "REASON", "EVENT_TYPE", "STATUS_CLASS");

    private static String metricsSection() throws Exception {
        String page = Files.readString(MavenClasspath.projectDir().resolve("docs/metrics.md"));
        assertThat(page).as("docs/metrics.md is the Metrics page").startsWith("# Metrics\n");
        return page;
    }

    /** The {@code ## Dead letters} section of docs/operations.md, up to the next section. */
    private static String deadLettersSection() throws Exception {
        String page = Files.readString(MavenClasspath.projectDir().resolve("docs/operations.md"));
        int start = page.indexOf("\n## Dead letters\n");
        assertThat(start).as("docs/operations.md has a Dead letters section").isPositive();
        int end = page.indexOf("\n## ", start + 1);
        return page.substring(start, end < 0 ? page.length() : end);
    }

    @Test
    void everyMetricIsDocumented() throws Exception {
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
            assertThat(section).as("docs/metrics.md names %s", metric).contains("`" + metric);
        }
    }

    @Test
    void everyReasonIsDocumented() throws Exception {
        String section = metricsSection();
        for (SkipReason reason : SkipReason.values()) {
            assertThat(section).as("skipped reason %s", reason).contains("`" + reason.code() + "`");
        }
        for (Adjustment adjustment : Adjustment.values()) {
            assertThat(section)
                    .as("adjusted reason %s", adjustment)
                    .contains("`" + adjustment.code() + "`");
        }
        String deadLetters = deadLettersSection();
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            assertThat(deadLetters)
                    .as("dead-letter reason %s", reason)
                    .contains("`" + reason.code() + "`");
        }
    }
}
