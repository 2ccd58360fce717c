package dev.cioforwarder.job;

import dev.cioforwarder.mapping.AnonymousStitching;
import dev.cioforwarder.mapping.DeviceVisit;
import dev.cioforwarder.mapping.UserIdType;
import dev.cioforwarder.mparticle.MParticleBatch;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The device each parsed batch came from ({@link AnonymousStitching#visitOf}), for the device
 * index. Chained to the parser; it emits nothing without {@code customerio.anonymous-events}, but
 * is always part of the topology, so turning the setting on or off never changes the job's
 * operators.
 */
public class DeviceVisitSightingFunction extends ProcessFunction<MParticleBatch, DeviceVisit> {
    private static final long serialVersionUID = 1L;

    private final boolean stitch;
    private final UserIdType userIdType;

    public DeviceVisitSightingFunction(boolean stitch, UserIdType userIdType) {
        this.stitch = stitch;
        this.userIdType = userIdType;
    }

    @Override
    public void processElement(MParticleBatch batch, Context ctx, Collector<DeviceVisit> out) {
        if (!stitch) {
            return;
        }
        DeviceVisit visit = AnonymousStitching.visitOf(batch, userIdType);
        if (visit != null) {
            out.collect(visit);
        }
    }
}
