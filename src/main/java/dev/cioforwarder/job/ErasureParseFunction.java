package dev.cioforwarder.job;

import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.deadletter.DeadLetters;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.privacy.ErasureRequest;
import dev.cioforwarder.privacy.ErasureRequestParser;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Reads the erasure topic: each request becomes an element of the batch stream, keyed like the
 * user's batches, so it reaches the user's state in order; a record that is not a request is a dead
 * letter ({@code erasure_request_invalid}).
 */
public class ErasureParseFunction extends ProcessFunction<SourceRecord, MParticleBatch> {
    private static final long serialVersionUID = 1L;

    private transient ErasureRequestParser parser;
    private transient Metrics.Labelled deadLetters;

    @Override
    public void open(OpenContext openContext) {
        parser = new ErasureRequestParser();
        MetricGroup group = Metrics.group(getRuntimeContext().getMetricGroup());
        deadLetters = new Metrics.Labelled(group, Metrics.REASON, Metrics.DEAD_LETTERS);
    }

    @Override
    public void processElement(SourceRecord record, Context ctx, Collector<MParticleBatch> out) {
        ErasureRequestParser.Result result = parser.parse(record.value, record.timestamp);
        if (result.requests().isEmpty()) {
            deadLetters.inc(DeadLetterReason.ERASURE_REQUEST_INVALID.code());
            ctx.output(
                    DeadLetterOutput.TAG,
                    DeadLetters.forRecord(
                            DeadLetterReason.ERASURE_REQUEST_INVALID,
                            result.problem(),
                            record.value,
                            record.topic,
                            record.partition,
                            record.offset,
                            null,
                            ctx.timerService().currentProcessingTime()));
            return;
        }
        for (ErasureRequest request : result.requests()) {
            out.collect(
                    MParticleBatch.ofErasure(
                            request, record.topic, record.partition, record.offset));
        }
    }
}
