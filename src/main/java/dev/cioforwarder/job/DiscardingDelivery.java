package dev.cioforwarder.job;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.delivery.DeliveryRequest;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The benchmark's stand-in for delivery ({@link DiscardingBenchmarkJob}): every request is built as
 * the job builds it and then dropped, counted, so that the job with delivery can be compared with
 * the same job without it. Never part of the forwarder itself.
 */
public class DiscardingDelivery extends ProcessFunction<DeliveryRequest, DeliveryOutcome> {
    private static final long serialVersionUID = 1L;

    private transient Counter operations;
    private transient Counter events;

    @Override
    public void open(OpenContext openContext) {
        MetricGroup group = Metrics.group(getRuntimeContext().getMetricGroup());
        operations = group.counter(Metrics.OPERATIONS_DISCARDED);
        events = group.counter(Metrics.EVENTS_DISCARDED);
    }

    @Override
    public void processElement(
            DeliveryRequest request, Context context, Collector<DeliveryOutcome> out) {
        for (CustomerioOperation op : request.operations) {
            operations.inc();
            if (op.kind == OperationKind.EVENT || op.kind == OperationKind.SCREEN) {
                events.inc();
            }
        }
    }
}
