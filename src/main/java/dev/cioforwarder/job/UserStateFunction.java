package dev.cioforwarder.job;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.deadletter.DeadLetters;
import dev.cioforwarder.mapping.Adjustment;
import dev.cioforwarder.mapping.DeviceChange;
import dev.cioforwarder.mapping.MappingRejection;
import dev.cioforwarder.mapping.MappingSettings;
import dev.cioforwarder.mapping.SkipReason;
import dev.cioforwarder.mapping.Transition;
import dev.cioforwarder.mapping.UserStateMachine;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.privacy.ErasureOutcome;
import dev.cioforwarder.state.DeviceFirstSeen;
import dev.cioforwarder.state.UserState;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The per-user state machine in Flink: keyed by user, state in RocksDB, one {@link
 * UserStateMachine} transition per batch (first input) and per push device change the token index
 * decided for the user (second input, from {@link DeviceTokenFunction}). Emits the user's
 * Customer.io operations in order, and rejected events to the dead-letter side output.
 *
 * <p>A two-input operator since push devices (state version 4); its uid, state names and state
 * types are those of the one-input operator before, so savepoints of it restore unchanged.
 */
public class UserStateFunction
        extends KeyedCoProcessFunction<String, MParticleBatch, DeviceChange, CustomerioOperation> {
    private static final long serialVersionUID = 1L;

    /**
     * State names are part of every savepoint: never rename them. See the README on upgrades and
     * {@code src/test/resources/savepoints}.
     */
    public static final String USER_STATE_NAME = "user-state";

    public static final String DEVICE_FIRST_SEEN_NAME = "device-first-seen";

    private final MappingSettings settings;
    private final Duration stateTtl;

    private transient ValueState<UserState> userState;
    private transient MapState<String, Long> deviceFirstSeen;
    private transient UserStateMachine machine;
    private transient DeviceFirstSeen devices;
    private transient Counter eventsForwarded;
    private transient Counter screensForwarded;
    private transient Counter commerceEventsForwarded;
    private transient Counter commerceProductsTrimmed;
    private transient Counter anonymousEvents;
    private transient Counter identifySent;
    private transient Counter identifyUnchanged;
    private transient Counter operations;
    private transient Counter devicesAdded;
    private transient Counter devicesDeleted;
    private transient Metrics.Labelled skipped;
    private transient Metrics.Labelled adjusted;
    private transient Counter erasuresRequested;
    private transient Map<String, Counter> erasures;
    private transient Metrics.Labelled deadLetters;

    public UserStateFunction(MappingSettings settings, Duration stateTtl) {
        this.settings = settings;
        this.stateTtl = stateTtl;
    }

    /** The descriptor of the user state, shared with the savepoint tests. */
    public static ValueStateDescriptor<UserState> userStateDescriptor() {
        return new ValueStateDescriptor<>(USER_STATE_NAME, TypeInformation.of(UserState.class));
    }

    public static MapStateDescriptor<String, Long> deviceFirstSeenDescriptor() {
        return new MapStateDescriptor<>(DEVICE_FIRST_SEEN_NAME, Types.STRING, Types.LONG);
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<UserState> userDescriptor = userStateDescriptor();
        MapStateDescriptor<String, Long> devicesDescriptor = deviceFirstSeenDescriptor();
        if (stateTtl != null) {
            // Users unseen for the TTL are forgotten; RocksDB drops them during compaction.
            StateTtlConfig ttl =
                    StateTtlConfig.newBuilder(stateTtl)
                            .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                            .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                            .cleanupInRocksdbCompactFilter(1000)
                            .build();
            userDescriptor.enableTimeToLive(ttl);
            devicesDescriptor.enableTimeToLive(ttl);
        }
        userState = getRuntimeContext().getState(userDescriptor);
        deviceFirstSeen = getRuntimeContext().getMapState(devicesDescriptor);
        machine = new UserStateMachine(settings);
        devices =
                new DeviceFirstSeen() {
                    @Override
                    public Long get(String deviceType) {
                        try {
                            return deviceFirstSeen.get(deviceType);
                        } catch (Exception e) {
                            throw new IllegalStateException("cannot read device state", e);
                        }
                    }

                    @Override
                    public void put(String deviceType, long firstSeenMs) {
                        try {
                            deviceFirstSeen.put(deviceType, firstSeenMs);
                        } catch (Exception e) {
                            throw new IllegalStateException("cannot write device state", e);
                        }
                    }

                    @Override
                    public void refresh(String deviceType, long firstSeenMs) {
                        // Writing the entry again restarts its time to live.
                        if (stateTtl != null) {
                            put(deviceType, firstSeenMs);
                        }
                    }

                    @Override
                    public boolean expires() {
                        return stateTtl != null;
                    }

                    @Override
                    public void clear() {
                        deviceFirstSeen.clear();
                    }
                };
        MetricGroup group = Metrics.group(getRuntimeContext().getMetricGroup());
        eventsForwarded = group.counter(Metrics.EVENTS_FORWARDED);
        screensForwarded = group.counter(Metrics.SCREENS_FORWARDED);
        commerceEventsForwarded = group.counter(Metrics.COMMERCE_EVENTS_FORWARDED);
        commerceProductsTrimmed = group.counter(Metrics.COMMERCE_PRODUCTS_TRIMMED);
        anonymousEvents = group.counter(Metrics.ANONYMOUS_EVENTS);
        identifySent = group.counter(Metrics.IDENTIFY_SENT);
        identifyUnchanged = group.counter(Metrics.IDENTIFY_UNCHANGED);
        operations = group.counter(Metrics.OPERATIONS);
        devicesAdded = group.counter(Metrics.DEVICES_ADDED);
        devicesDeleted = group.counter(Metrics.DEVICES_DELETED);
        skipped = new Metrics.Labelled(group, Metrics.REASON, Metrics.SKIPPED);
        adjusted = new Metrics.Labelled(group, Metrics.REASON, Metrics.ADJUSTED);
        erasuresRequested = group.counter(Metrics.ERASURES_REQUESTED);
        erasures = Metrics.erasureOutcomes(group);
        deadLetters = new Metrics.Labelled(group, Metrics.REASON, Metrics.DEAD_LETTERS);
    }

    @Override
    public void processElement1(
            MParticleBatch batch, Context ctx, Collector<CustomerioOperation> out)
            throws Exception {
        Transition t = machine.apply(userState.value(), devices, batch);
        emit(t, out);
        erasuresRequested.inc(t.erasuresRequested());
        for (ErasureOutcome outcome : t.erasureOutcomes()) {
            erasures.get(outcome.outcome).inc();
            ctx.output(ErasureOutput.TAG, outcome);
        }
        eventsForwarded.inc(t.eventsForwarded());
        screensForwarded.inc(t.screensForwarded());
        commerceEventsForwarded.inc(t.commerceEventsForwarded());
        commerceProductsTrimmed.inc(t.commerceProductsTrimmed());
        anonymousEvents.inc(t.anonymousEvents());
        identifySent.inc(t.identifySent());
        identifyUnchanged.inc(t.identifyUnchanged());
        if (!t.rejections().isEmpty()) {
            long now = ctx.timerService().currentProcessingTime();
            for (MappingRejection r : t.rejections()) {
                deadLetters.inc(r.reason().code());
                ctx.output(
                        DeadLetterOutput.TAG,
                        DeadLetters.forEvent(
                                r.reason(),
                                r.detail(),
                                r.eventJson(),
                                batch.sourceTopic,
                                batch.sourcePartition,
                                batch.sourceOffset,
                                batch.mpidText(),
                                now));
            }
        }
    }

    /** A push device the user gained or lost, as the token index decided. */
    @Override
    public void processElement2(
            DeviceChange change, Context ctx, Collector<CustomerioOperation> out) throws Exception {
        emit(machine.applyDeviceChange(userState.value(), change), out);
    }

    private void emit(Transition t, Collector<CustomerioOperation> out) throws Exception {
        if (t.state() != null) {
            userState.update(t.state());
        }
        for (CustomerioOperation op : t.operations()) {
            out.collect(op);
        }
        operations.inc(t.operations().size());
        devicesAdded.inc(t.devicesAdded());
        devicesDeleted.inc(t.devicesDeleted());
        for (SkipReason reason : SkipReason.values()) {
            skipped.inc(reason.code(), t.skipped(reason));
        }
        for (Adjustment adjustment : Adjustment.values()) {
            adjusted.inc(adjustment.code(), t.adjusted(adjustment));
        }
    }
}
