package dev.cioforwarder.job;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The job's metric naming in one place: everything sits under the group {@code forwarder}, and
 * per-reason counters carry the reason as a label ({@code reason="no_identity"}) so Prometheus can
 * sum and alert on them.
 */
final class Metrics {

    static final String GROUP = "forwarder";

    private Metrics() {}

    static MetricGroup group(MetricGroup operatorGroup) {
        return operatorGroup.addGroup(GROUP);
    }

    /** Counters of one name, one per label value, created on first use. */
    static final class Labelled {
        private final MetricGroup group;
        private final String label;
        private final String name;
        private final Map<String, Counter> counters = new HashMap<>();

        Labelled(MetricGroup group, String label, String name) {
            this.group = group;
            this.label = label;
            this.name = name;
        }

        void inc(String labelValue, long by) {
            if (by == 0) {
                return;
            }
            counters.computeIfAbsent(labelValue, v -> group.addGroup(label, v).counter(name))
                    .inc(by);
        }

        void inc(String labelValue) {
            inc(labelValue, 1);
        }
    }
}
