package dev.cioforwarder.job;

import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.deadletter.DeadLetters;
import dev.cioforwarder.delivery.DeliveryFeedback;
import dev.cioforwarder.delivery.DeliveryFeedbackCodec;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Reads the feedback topic back: each record becomes a {@link UserSignal} for its user's state; a
 * record this version cannot read is a dead letter ({@code feedback_record_invalid}), never a crash
 * loop.
 */
public class FeedbackParseFunction extends ProcessFunction<SourceRecord, UserSignal> {
    private static final long serialVersionUID = 1L;

    private transient Metrics.Labelled deadLetters;

    @Override
    public void open(OpenContext openContext) {
        MetricGroup group = Metrics.group(getRuntimeContext().getMetricGroup());
        deadLetters = new Metrics.Labelled(group, Metrics.REASON, Metrics.DEAD_LETTERS);
    }

    @Override
    public void processElement(SourceRecord record, Context ctx, Collector<UserSignal> out) {
        DeliveryFeedback feedback;
        try {
            feedback = DeliveryFeedbackCodec.decode(record.value);
        } catch (IllegalArgumentException e) {
            deadLetters.inc(DeadLetterReason.FEEDBACK_RECORD_INVALID.code());
            ctx.output(
                    DeadLetterOutput.TAG,
                    DeadLetters.forRecord(
                            DeadLetterReason.FEEDBACK_RECORD_INVALID,
                            e.getMessage(),
                            record.value,
                            record.topic,
                            record.partition,
                            record.offset,
                            null,
                            ctx.timerService().currentProcessingTime()));
            return;
        }
        out.collect(UserSignal.of(feedback));
    }
}
