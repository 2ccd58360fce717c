package dev.cioforwarder.job;

import dev.cioforwarder.mapping.AnonymousStitch;
import dev.cioforwarder.mapping.AnonymousStitching;
import dev.cioforwarder.mapping.DeviceVisit;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.state.DeviceVisitors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The device index in Flink ({@link AnonymousStitching}): keyed by device identifier, who visited
 * each device in RocksDB, so it is rescaled and restored like the user state. Emits, keyed by user
 * for the user-state stage, the anonymous MPIDs each known user is given. Data flows one way, parse
 * → devices → users: no feedback loop.
 *
 * <p>Erasure requests reach every parallel instance (broadcast): an erased MPID is never given to
 * anyone. They are kept 30 days, as long as Customer.io keeps anonymous events. A job without an
 * erasure topic runs {@link WithoutErasures}, the same index with nothing erased, under the same
 * uid.
 */
public class DeviceVisitorsFunction
        extends KeyedBroadcastProcessFunction<
                String, DeviceVisit, MParticleBatch, AnonymousStitch> {
    private static final long serialVersionUID = 1L;

    /** Part of every savepoint with the device index: never rename it. */
    public static final String DEVICE_VISITORS_NAME = "device-visitors";

    /** The erased MPIDs and their erasure time (broadcast state): never rename it. */
    public static final MapStateDescriptor<String, Long> ERASED_MPIDS =
            new MapStateDescriptor<>(
                    "erased-mpids", BasicTypeInfo.STRING_TYPE_INFO, BasicTypeInfo.LONG_TYPE_INFO);

    private final Duration stateTtl;
    private transient ValueState<DeviceVisitors> visitors;
    private transient List<AnonymousStitch> stitches;

    public DeviceVisitorsFunction(Duration stateTtl) {
        this.stateTtl = stateTtl;
    }

    /** The descriptor of the device state, shared with the tests. */
    public static ValueStateDescriptor<DeviceVisitors> deviceVisitorsDescriptor() {
        return new ValueStateDescriptor<>(
                DEVICE_VISITORS_NAME, TypeInformation.of(DeviceVisitors.class));
    }

    @Override
    public void open(OpenContext openContext) {
        visitors = getRuntimeContext().getState(descriptor(stateTtl));
        stitches = new ArrayList<>(1);
    }

    private static ValueStateDescriptor<DeviceVisitors> descriptor(Duration stateTtl) {
        ValueStateDescriptor<DeviceVisitors> descriptor = deviceVisitorsDescriptor();
        if (stateTtl != null) {
            // A device unseen for the TTL is forgotten, like its users.
            descriptor.enableTimeToLive(StateExpiry.of(stateTtl));
        }
        return descriptor;
    }

    private static void visit(
            ValueState<DeviceVisitors> visitors,
            DeviceVisit visit,
            Predicate<String> erased,
            List<AnonymousStitch> stitches,
            Collector<AnonymousStitch> out)
            throws Exception {
        stitches.clear();
        // Written on every visit: that keeps a device in use from expiring.
        visitors.update(AnonymousStitching.apply(visitors.value(), visit, erased, stitches));
        for (AnonymousStitch s : stitches) {
            out.collect(s);
        }
    }

    @Override
    public void processElement(
            DeviceVisit visit, ReadOnlyContext ctx, Collector<AnonymousStitch> out)
            throws Exception {
        var erased = ctx.getBroadcastState(ERASED_MPIDS);
        Predicate<String> isErased =
                mpid -> {
                    try {
                        return erased.contains(mpid);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                };
        visit(visitors, visit, isErased, stitches, out);
    }

    /** An erasure request: its MPID is never given to anyone from now on. */
    @Override
    public void processBroadcastElement(
            MParticleBatch request, Context ctx, Collector<AnonymousStitch> out) throws Exception {
        if (request.erasure == null || !request.erasure.hasMpid) {
            return;
        }
        BroadcastState<String, Long> erased = ctx.getBroadcastState(ERASED_MPIDS);
        long timeMs = request.erasure.timeMs;
        erased.put(Long.toString(request.erasure.mpid), timeMs);
        // Erasures are rare (data subject requests): a pass over the few kept is cheap.
        Iterator<Map.Entry<String, Long>> it = erased.iterator();
        while (it.hasNext()) {
            if (it.next().getValue() < timeMs - AnonymousStitching.WINDOW_MS) {
                it.remove();
            }
        }
    }

    /** The device index of a job without an erasure topic: nobody is ever erased. */
    public static class WithoutErasures
            extends KeyedProcessFunction<String, DeviceVisit, AnonymousStitch> {
        private static final long serialVersionUID = 1L;

        private final Duration stateTtl;
        private transient ValueState<DeviceVisitors> visitors;
        private transient List<AnonymousStitch> stitches;

        public WithoutErasures(Duration stateTtl) {
            this.stateTtl = stateTtl;
        }

        @Override
        public void open(OpenContext openContext) {
            visitors = getRuntimeContext().getState(descriptor(stateTtl));
            stitches = new ArrayList<>(1);
        }

        @Override
        public void processElement(DeviceVisit visit, Context ctx, Collector<AnonymousStitch> out)
                throws Exception {
            visit(visitors, visit, mpid -> false, stitches, out);
        }
    }
}
