package dev.cioforwarder.job;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.PersonIdentifier;
import dev.cioforwarder.customerio.Readdressing;
import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.deadletter.DeadLetters;
import dev.cioforwarder.delivery.DeliveryFeedback;
import dev.cioforwarder.delivery.RetryPolicy;
import dev.cioforwarder.lanes.IdentifierChangeInFlight;
import dev.cioforwarder.lanes.UserLane;
import dev.cioforwarder.mapping.Adjustment;
import dev.cioforwarder.mapping.MappingRejection;
import dev.cioforwarder.mapping.MappingSettings;
import dev.cioforwarder.mapping.SkipReason;
import dev.cioforwarder.mapping.Transition;
import dev.cioforwarder.mapping.UserStateMachine;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.privacy.ErasureOutcome;
import dev.cioforwarder.settings.ForwarderOptions;
import dev.cioforwarder.state.DeviceFirstSeen;
import dev.cioforwarder.state.UserState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The per-user state machine in Flink: keyed by user, state in RocksDB, one {@link
 * UserStateMachine} transition per batch (first input); on the second input, the push device
 * changes the token index decided for the user ({@link DeviceTokenFunction}) and what delivery
 * reported back through the feedback topic ({@link DeliveryFeedback}). Emits the user's Customer.io
 * operations in order, and rejected events to the dead-letter side output.
 *
 * <p>Delivery that follows what Customer.io accepted lives here too ({@link UserLane}): the user's
 * operations that delivery could not deliver in time wait in the keyed map state {@code
 * waiting-operations}, in order, with everything of the user after them, and a refused operation
 * that changed the state (an unsubscribe, a profile, created_at, a device, an attach, an identifier
 * change) is forgotten by the state, so the next batch sends it again.
 *
 * <p>Its uid, state names and state types are those of the operator before: savepoints of it
 * restore unchanged (the new states start empty).
 */
public class UserStateFunction
        extends KeyedCoProcessFunction<String, MParticleBatch, UserSignal, CustomerioOperation>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 2L;

    /**
     * State names are part of every savepoint: never rename them. See docs/operations.md on
     * upgrades and {@code src/test/resources/savepoints}.
     */
    public static final String USER_STATE_NAME = "user-state";

    public static final String DEVICE_FIRST_SEEN_NAME = "device-first-seen";

    public static final String WAITING_OPERATIONS_NAME = "waiting-operations";

    private final MappingSettings settings;
    private final Duration stateTtl;
    private final RetryPolicy retryPolicy;
    private final long waitingCapacity;
    private final long rescaleHoldWindowMs;

    private transient ValueState<UserState> userState;
    private transient MapState<String, Long> deviceFirstSeen;
    private transient MapState<Long, CustomerioOperation> waitingOps;
    private transient UserStateMachine machine;
    private transient UserLane lane;
    private transient DeviceFirstSeen devices;
    private transient WaitingOperationsState waiting;
    private transient LaneOutput laneOutput;
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
    private transient Counter devicesRefreshed;
    private transient Counter anonymousMerged;
    private transient Counter refusalsApplied;
    private transient Metrics.Labelled skipped;
    private transient Metrics.Labelled adjusted;
    private transient Counter erasuresRequested;
    private transient Map<String, Counter> erasures;
    private transient Metrics.Labelled deadLetters;
    private transient OldestWait oldestWait;

    // Operator state: per key group waiting counts, and what a restore needs to know.
    private transient ListState<WaitingCounts.KeyGroupCount> waitingCountsState;
    private transient ListState<RestorePoint> restorePointState;
    private transient List<WaitingCounts.KeyGroupCount> restoredCounts;
    private transient List<RestorePoint> restoredPoints;
    private transient WaitingCounts counts;
    private transient int maxParallelism;

    /** After a rescale: users who emitted after this (and before the restore) take over first. */
    private transient long holdEmittedAfterMs;

    private transient long restoredAtMs;

    public UserStateFunction(MappingSettings settings, Duration stateTtl) {
        this(
                settings,
                stateTtl,
                RetryPolicy.defaults(),
                ForwarderOptions.WAITING_CAPACITY.defaultValue(),
                5 * 60_000L);
    }

    /**
     * @param retryPolicy the backoff between probes of a waiting user, and the maximum retry
     *     duration
     * @param waitingCapacity operations that may wait in one parallel instance
     * @param rescaleHoldWindowMs after a rescale, users who emitted this long before the restored
     *     checkpoint (or later) may have operations coming back from another subtask: their next
     *     operations wait until a seal shows none is left (the delivery step's longest stay)
     */
    public UserStateFunction(
            MappingSettings settings,
            Duration stateTtl,
            RetryPolicy retryPolicy,
            long waitingCapacity,
            long rescaleHoldWindowMs) {
        this.settings = settings;
        this.stateTtl = stateTtl;
        this.retryPolicy = retryPolicy;
        this.waitingCapacity = waitingCapacity;
        this.rescaleHoldWindowMs = rescaleHoldWindowMs;
    }

    /** The descriptor of the user state, shared with the savepoint tests. */
    public static ValueStateDescriptor<UserState> userStateDescriptor() {
        return new ValueStateDescriptor<>(USER_STATE_NAME, TypeInformation.of(UserState.class));
    }

    public static MapStateDescriptor<String, Long> deviceFirstSeenDescriptor() {
        return new MapStateDescriptor<>(DEVICE_FIRST_SEEN_NAME, Types.STRING, Types.LONG);
    }

    /** The user's waiting operations by sequence number (RocksDB iterates them in that order). */
    public static MapStateDescriptor<Long, CustomerioOperation> waitingOperationsDescriptor() {
        return new MapStateDescriptor<>(
                WAITING_OPERATIONS_NAME, Types.LONG, TypeInformation.of(CustomerioOperation.class));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        waitingCountsState =
                context.getOperatorStateStore()
                        .getUnionListState(
                                new ListStateDescriptor<>(
                                        "waiting-counts",
                                        TypeInformation.of(WaitingCounts.KeyGroupCount.class)));
        restorePointState =
                context.getOperatorStateStore()
                        .getUnionListState(
                                new ListStateDescriptor<>(
                                        "restore-point", TypeInformation.of(RestorePoint.class)));
        restoredCounts = new ArrayList<>();
        restoredPoints = new ArrayList<>();
        if (context.isRestored()) {
            waitingCountsState.get().forEach(restoredCounts::add);
            restorePointState.get().forEach(restoredPoints::add);
        }
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<UserState> userDescriptor = userStateDescriptor();
        MapStateDescriptor<String, Long> devicesDescriptor = deviceFirstSeenDescriptor();
        MapStateDescriptor<Long, CustomerioOperation> waitingDescriptor =
                waitingOperationsDescriptor();
        StateTtlConfig ttl = StateExpiry.of(stateTtl);
        if (ttl != null) {
            // Users unseen for the TTL are forgotten.
            userDescriptor.enableTimeToLive(ttl);
            devicesDescriptor.enableTimeToLive(ttl);
            waitingDescriptor.enableTimeToLive(ttl);
        }
        userState = getRuntimeContext().getState(userDescriptor);
        deviceFirstSeen = getRuntimeContext().getMapState(devicesDescriptor);
        waitingOps = getRuntimeContext().getMapState(waitingDescriptor);
        machine = new UserStateMachine(settings);
        lane = new UserLane(retryPolicy, 1_000);
        waiting = new WaitingOperationsState(waitingOps);
        laneOutput = new LaneOutput();
        devices = new DeviceFirstSeenState(deviceFirstSeen, stateTtl != null);

        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        maxParallelism = getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks();
        KeyGroupRange range =
                KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(
                        maxParallelism, parallelism, subtask);
        counts = new WaitingCounts(range.getStartKeyGroup(), range.getEndKeyGroup());
        counts.restore(restoredCounts);
        restoredCounts = null;
        restoredAtMs = System.currentTimeMillis();
        holdEmittedAfterMs = Long.MAX_VALUE;
        if (!restoredPoints.isEmpty()) {
            RestorePoint point = restoredPoints.get(0);
            for (RestorePoint p : restoredPoints) {
                if (p.checkpointTimestampMs > point.checkpointTimestampMs) {
                    point = p;
                }
            }
            if (point.parallelism != parallelism) {
                // A rescale moved users between subtasks, and the requests delivery held for
                // them at the checkpoint were restored to whichever subtask; those come back as
                // parked. Users who emitted shortly before the checkpoint wait for a seal first.
                holdEmittedAfterMs = point.checkpointTimestampMs - rescaleHoldWindowMs;
            }
        }
        restoredPoints = null;

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
        devicesRefreshed = group.counter(Metrics.DEVICES_REFRESHED);
        anonymousMerged = group.counter(Metrics.ANONYMOUS_MERGED);
        refusalsApplied = group.counter(Metrics.REFUSALS_APPLIED);
        skipped = new Metrics.Labelled(group, Metrics.REASON, Metrics.SKIPPED);
        adjusted = new Metrics.Labelled(group, Metrics.REASON, Metrics.ADJUSTED);
        erasuresRequested = group.counter(Metrics.ERASURES_REQUESTED);
        erasures = Metrics.erasureOutcomes(group);
        deadLetters = new Metrics.Labelled(group, Metrics.REASON, Metrics.DEAD_LETTERS);
        oldestWait = new OldestWait();
        group.gauge(Metrics.OPERATIONS_WAITING, () -> counts.operations());
        group.gauge(Metrics.USERS_WAITING, () -> counts.users());
        group.gauge(Metrics.WAITING_CAPACITY, () -> waitingCapacity);
        group.gauge(Metrics.OLDEST_WAIT_MS, () -> oldestWait.value(System.currentTimeMillis()));
    }

    @Override
    public void processElement1(
            MParticleBatch batch, Context ctx, Collector<CustomerioOperation> out)
            throws Exception {
        UserState current = userState.value();
        Transition t = machine.apply(current, devices, batch);
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
        UserState next = t.state();
        if (next != null && current != null && t.erasuresRequested() > 0) {
            // The person's state is gone, their order stays: what waits was theirs.
            carryDeliveryFields(current, next);
            skipped.inc(SkipReason.ERASED.code(), lane.erase(next, waiting));
        }
        emit(t, current, next, ctx, out);
    }

    /** A push device change for the user, anonymous MPIDs of their device, or delivery feedback. */
    @Override
    public void processElement2(UserSignal signal, Context ctx, Collector<CustomerioOperation> out)
            throws Exception {
        if (signal.deviceChange != null) {
            UserState current = userState.value();
            Transition t = machine.applyDeviceChange(current, signal.deviceChange);
            emit(t, current, t.state(), ctx, out);
            return;
        }
        if (signal.emailVerdict != null) {
            UserState current = userState.value();
            Transition t = machine.applyEmailVerdict(current, signal.emailVerdict);
            emit(t, current, t.state(), ctx, out);
            return;
        }
        if (signal.stitch != null) {
            UserState current = userState.value();
            Transition t = machine.applyStitch(current, signal.stitch);
            emit(t, current, t.state(), ctx, out);
            return;
        }
        DeliveryFeedback f = signal.feedback;
        UserState state = userState.value();
        if (state == null) {
            state = new UserState();
        }
        begin(state, ctx, out);
        CustomerioOperation op = f.operation;
        switch (f.kind) {
            case PARKED:
                op = IdentifierChangeInFlight.comingBack(state, op);
                lane.parked(state, op, waiting, laneOutput, laneOutput.now);
                break;
            case SEALED:
                lane.sealed(state, op, waiting, laneOutput, laneOutput.now);
                break;
            case SETTLED:
            default:
                IdentifierChangeInFlight.settled(state, op);
                if (!f.accepted && op.effects != 0) {
                    refused(state, op);
                }
                lane.settled(state, op, waiting, laneOutput, laneOutput.now);
        }
        end(state);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<CustomerioOperation> out)
            throws Exception {
        UserState state = userState.value();
        if (state == null || state.lane == null) {
            return;
        }
        begin(state, ctx, out);
        lane.timer(state, waiting, laneOutput, laneOutput.now);
        end(state);
    }

    /**
     * Customer.io refused (or delivery gave up on) an operation that changed the state: the state
     * forgets it, in place, and what waits goes to the person as Customer.io knows them.
     */
    private void refused(UserState state, CustomerioOperation op) {
        Transition r = machine.applyRefusal(state, op);
        if (r.state() == null) {
            return;
        }
        refusalsApplied.inc();
        if (r.readdressFrom() != null) {
            PersonIdentifier from = r.readdressFrom();
            PersonIdentifier to = r.readdressTo();
            waiting.replaceAll(w -> Readdressing.readdress(w, from, to));
        }
    }

    private void emit(
            Transition t,
            UserState current,
            UserState next,
            Context ctx,
            Collector<CustomerioOperation> out)
            throws Exception {
        List<CustomerioOperation> ops = t.operations();
        operations.inc(ops.size());
        devicesAdded.inc(t.devicesAdded());
        devicesDeleted.inc(t.devicesDeleted());
        devicesRefreshed.inc(t.devicesRefreshed());
        anonymousMerged.inc(t.anonymousMerged());
        for (SkipReason reason : SkipReason.values()) {
            skipped.inc(reason.code(), t.skipped(reason));
        }
        for (Adjustment adjustment : Adjustment.values()) {
            adjusted.inc(adjustment.code(), t.adjusted(adjustment));
        }
        if (next == null) {
            // A user the forwarder keeps nothing about: only anonymous events, in no order.
            for (CustomerioOperation op : ops) {
                out.collect(op);
            }
            return;
        }
        // The rules' list is reused by the next call: take the operations first.
        List<CustomerioOperation> toEmit = ops.isEmpty() ? List.of() : new ArrayList<>(ops);
        begin(next, ctx, out);
        for (CustomerioOperation op : toEmit) {
            lane.emit(
                    next,
                    op,
                    true,
                    counts.operations() >= waitingCapacity,
                    waiting,
                    laneOutput,
                    laneOutput.now);
        }
        end(next);
    }

    /** Prepares the lane's output and counts for one user's element. */
    private void begin(UserState state, Context ctx, Collector<CustomerioOperation> out) {
        laneOutput.state = state;
        laneOutput.ctx = ctx;
        laneOutput.out = out;
        laneOutput.now = ctx.timerService().currentProcessingTime();
        laneOutput.userKey = ctx.getCurrentKey();
        laneOutput.keyGroup =
                KeyGroupRangeAssignment.assignToKeyGroup(ctx.getCurrentKey(), maxParallelism);
        laneOutput.waitingBefore = state.lane == null ? 0 : state.lane.waiting;
        laneOutput.heldBefore = state.lane != null;
        if (state.lane == null
                && state.lastEmittedMs >= holdEmittedAfterMs
                && state.lastEmittedMs < restoredAtMs) {
            // See open(): after a rescale, settle this user's order first.
            lane.takeOver(state, laneOutput, laneOutput.now);
        }
    }

    /** Stores the user's state and counts what waits now. */
    private void end(UserState state) throws Exception {
        userState.update(state);
        int waitingAfter = state.lane == null ? 0 : state.lane.waiting;
        counts.add(
                laneOutput.keyGroup,
                waitingAfter - laneOutput.waitingBefore,
                (state.lane != null ? 1 : 0) - (laneOutput.heldBefore ? 1 : 0));
        if (state.lane != null) {
            oldestWait.sample(laneOutput.now - state.lane.heldSinceMs, laneOutput.now);
        }
        laneOutput.ctx = null;
        laneOutput.out = null;
    }

    private static void carryDeliveryFields(UserState from, UserState to) {
        to.nextOperationSeq = from.nextOperationSeq;
        to.deliveryEpisode = from.deliveryEpisode;
        to.lastEmittedMs = from.lastEmittedMs;
        to.erasedBeforeSeq = from.erasedBeforeSeq;
        to.lane = from.lane;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        waitingCountsState.update(counts.snapshot());
        RestorePoint point = new RestorePoint();
        point.parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        point.checkpointTimestampMs = context.getCheckpointTimestamp();
        restorePointState.update(List.of(point));
    }

    /** What a restore needs to know of the checkpoint: operator state of the user-state step. */
    public static class RestorePoint {
        public int parallelism;
        public long checkpointTimestampMs;

        public RestorePoint() {}
    }

    /** Where {@link UserLane} sends what it decides, for the user being processed. */
    private final class LaneOutput implements UserLane.Output {
        UserState state;
        Context ctx;
        Collector<CustomerioOperation> out;
        long now;
        String userKey;
        int keyGroup;
        int waitingBefore;
        boolean heldBefore;

        @Override
        public void send(CustomerioOperation op) {
            if (op.userKey == null) {
                op.userKey = userKey;
            }
            IdentifierChangeInFlight.sent(state, op);
            out.collect(op);
        }

        @Override
        public void deadLetter(CustomerioOperation op, DeadLetterReason reason, String detail) {
            deadLetters.inc(reason.code());
            ctx.output(
                    DeadLetterOutput.TAG,
                    DeadLetters.forOperation(reason, detail, op, 0, null, now));
            if (op.effects != 0) {
                refused(state, op);
            }
        }

        @Override
        public void timerAt(long timeMs) {
            ctx.timerService().registerProcessingTimeTimer(timeMs);
        }
    }
}
