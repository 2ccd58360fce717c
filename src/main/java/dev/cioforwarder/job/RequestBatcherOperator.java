package dev.cioforwarder.job;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.delivery.DeliveryRequest;
import dev.cioforwarder.delivery.RequestBatcher;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Packs operations into requests by byte budget and linger time; an operation that names its own
 * endpoint goes in a request of its own (in v1 mode, where the encoder gives each one its path,
 * every operation does: the API mode is decided by the encoder, not read here). It holds no state:
 * whatever it buffers is emitted in {@link #prepareSnapshotPreBarrier}, before the barrier, so it
 * lands in the AsyncIO operator's checkpointed queue and no operation is only in a buffer when a
 * checkpoint completes.
 */
public class RequestBatcherOperator extends AbstractStreamOperator<DeliveryRequest>
        implements OneInputStreamOperator<CustomerioOperation, DeliveryRequest>,
                ProcessingTimeCallback {
    private static final long serialVersionUID = 1L;

    /** How often the checkpoint guard looks. */
    static final long GUARD_CHECK_INTERVAL_MS = 5_000;

    private final int maxRequestBytes;
    private final long lingerMs;
    private final long checkpointGuardLimitMs;
    private final int lanes;

    private transient RequestBatcher batcher;
    private transient long checkpointEpoch;
    private transient CheckpointProgressGuard guard;
    private transient boolean timerPending;
    private transient Counter requests;
    private transient Histogram operationsPerRequest;

    public RequestBatcherOperator(int maxRequestBytes, long lingerMs) {
        this(maxRequestBytes, lingerMs, 0, 1);
    }

    /**
     * @param checkpointGuardLimitMs fail the job when no checkpoint completed this long ({@link
     *     CheckpointProgressGuard}); 0: never
     * @param lanes how many request buffers users are spread over ({@link RequestBatcher}): the
     *     requests delivery may have in flight
     */
    public RequestBatcherOperator(
            int maxRequestBytes, long lingerMs, long checkpointGuardLimitMs, int lanes) {
        this.maxRequestBytes = maxRequestBytes;
        this.lingerMs = lingerMs;
        this.checkpointGuardLimitMs = checkpointGuardLimitMs;
        this.lanes = lanes;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        // Requests emitted from now on carry the restored checkpoint's id: delivery tells them
        // from the ones restored into its queue, which carry less.
        checkpointEpoch = context.getRestoredCheckpointId().orElse(0L);
    }

    @Override
    public void open() throws Exception {
        super.open();
        batcher = new RequestBatcher(maxRequestBytes, lanes);
        MetricGroup group = Metrics.group(getMetricGroup());
        requests = group.counter(Metrics.REQUESTS_BUILT);
        operationsPerRequest =
                group.histogram(
                        Metrics.OPERATIONS_PER_REQUEST, new DescriptiveStatisticsHistogram(1000));
        long now = getProcessingTimeService().getCurrentProcessingTime();
        guard = new CheckpointProgressGuard(checkpointGuardLimitMs, now);
        group.gauge(
                Metrics.CHECKPOINT_AGE_MS, () -> guard.sinceProgressMs(System.currentTimeMillis()));
        if (checkpointGuardLimitMs > 0) {
            getProcessingTimeService()
                    .registerTimer(now + GUARD_CHECK_INTERVAL_MS, this::checkGuard);
        }
    }

    private void checkGuard(long time) {
        guard.check(time);
        getProcessingTimeService().registerTimer(time + GUARD_CHECK_INTERVAL_MS, this::checkGuard);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        guard.checkpointCompleted(getProcessingTimeService().getCurrentProcessingTime());
    }

    @Override
    public void processElement(StreamRecord<CustomerioOperation> element) {
        CustomerioOperation op = element.getValue();
        // An operation that names its own endpoint goes alone (in v1 mode every one does: the
        // encoder gave each its path, so nothing is ever buffered there), after the buffer when it
        // holds an earlier operation of the same user.
        if (op.needsOwnRequest()) {
            batcher.flushUser(op.userKey, this::emit);
            List<CustomerioOperation> single = new ArrayList<>(1);
            single.add(op);
            emit(new DeliveryRequest(single));
            return;
        }
        batcher.add(op, this::emit);
        if (!batcher.isEmpty() && !timerPending) {
            timerPending = true;
            getProcessingTimeService()
                    .registerTimer(
                            getProcessingTimeService().getCurrentProcessingTime() + lingerMs, this);
        }
    }

    @Override
    public void onProcessingTime(long time) {
        timerPending = false;
        flush();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flush();
        // After the flush: what was flushed is in this checkpoint's AsyncIO queue.
        checkpointEpoch = checkpointId;
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    private void flush() {
        batcher.flush(this::emit);
    }

    private void emit(DeliveryRequest request) {
        request.checkpointEpoch = checkpointEpoch;
        requests.inc();
        operationsPerRequest.update(request.size());
        output.collect(new StreamRecord<>(request));
    }
}
