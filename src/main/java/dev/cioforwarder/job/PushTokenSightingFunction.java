package dev.cioforwarder.job;

import dev.cioforwarder.mapping.PushTokenSightings;
import dev.cioforwarder.mapping.SkipReason;
import dev.cioforwarder.mapping.TokenSighting;
import dev.cioforwarder.mparticle.MParticleBatch;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The push tokens each parsed batch registers or unregisters ({@link PushTokenSightings}), for the
 * token index. Chained to the parser; it emits nothing without {@code customerio.forward-devices},
 * but is always part of the topology, so turning the setting on or off never changes the job's
 * operators (and a savepoint restores either way).
 */
public class PushTokenSightingFunction extends ProcessFunction<MParticleBatch, TokenSighting> {
    private static final long serialVersionUID = 1L;

    private static final SkipReason[] REASONS = {
        SkipReason.DEVICE_TOKEN_INVALID, SkipReason.DEVICE_PLATFORM_UNSUPPORTED
    };

    private final boolean forwardDevices;
    private transient PushTokenSightings sightings;
    private transient Metrics.Labelled skipped;

    public PushTokenSightingFunction(boolean forwardDevices) {
        this.forwardDevices = forwardDevices;
    }

    @Override
    public void open(OpenContext openContext) {
        sightings = new PushTokenSightings();
        MetricGroup group = Metrics.group(getRuntimeContext().getMetricGroup());
        skipped = new Metrics.Labelled(group, Metrics.REASON, Metrics.SKIPPED);
    }

    @Override
    public void processElement(MParticleBatch batch, Context ctx, Collector<TokenSighting> out) {
        if (!forwardDevices) {
            return;
        }
        PushTokenSightings read = sightings.read(batch);
        for (TokenSighting s : read.sightings()) {
            out.collect(s);
        }
        for (SkipReason reason : REASONS) {
            skipped.inc(reason.code(), read.skipped(reason));
        }
    }
}
