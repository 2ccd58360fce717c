package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskMetricGroup;
import org.apache.flink.runtime.metrics.util.TestingMetricRegistry;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;

/**
 * The metrics an operator registers in Flink's test harness, as a reporter would see them: by their
 * path below the operator's scope ({@code forwarder.reason.invalid_json.dead_letters}). The
 * harness's own environment reports into a registry that drops everything; this one keeps it.
 */
final class HarnessMetrics {

    private final Map<String, Metric> byIdentifier = new ConcurrentHashMap<>();
    private final TaskMetricGroup taskGroup;

    HarnessMetrics() {
        TestingMetricRegistry registry =
                TestingMetricRegistry.builder()
                        .setDelimiter('.')
                        .setRegisterConsumer(
                                (metric, name, group) ->
                                        byIdentifier.put(group.getMetricIdentifier(name), metric))
                        .build();
        taskGroup =
                TaskManagerMetricGroup.createTaskManagerMetricGroup(
                                registry, "localhost", ResourceID.generate())
                        .addJob(new JobID(), "job")
                        .addTask(ExecutionAttemptID.randomId(), "task");
    }

    /** A harness environment whose operators report here. Close it after the harness. */
    MockEnvironment environment() {
        return new MockEnvironmentBuilder().setMetricGroup(taskGroup).build();
    }

    /**
     * The count of the counter at {@code path} below the operator's scope; fails when none, or more
     * than one, was registered there.
     */
    long count(String... path) {
        String suffix = "." + String.join(".", path);
        var matches =
                byIdentifier.entrySet().stream()
                        .filter(e -> e.getKey().endsWith(suffix))
                        .map(Map.Entry::getValue)
                        .toList();
        assertThat(matches).as("counters registered as %s", suffix).hasSize(1);
        assertThat(matches.get(0)).isInstanceOf(Counter.class);
        return ((Counter) matches.get(0)).getCount();
    }

    /** Whether anything was registered at {@code path} below the operator's scope. */
    boolean has(String... path) {
        String suffix = "." + String.join(".", path);
        return byIdentifier.keySet().stream().anyMatch(k -> k.endsWith(suffix));
    }
}
