package dev.cioforwarder.upgrade;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.delivery.DeliveryRequest;
import dev.cioforwarder.job.CustomerioDeliveryFunction;
import dev.cioforwarder.job.OperatorIds;
import dev.cioforwarder.job.UserStateFunction;
import dev.cioforwarder.job.WaitingCounts;
import dev.cioforwarder.state.UserState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplitSerializer;
import org.apache.flink.core.io.SimpleVersionedSerialization;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.state.api.runtime.SavepointLoader;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.runtime.streamrecord.StreamElement;
import org.apache.flink.streaming.runtime.streamrecord.StreamElementSerializer;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

/**
 * Reads a savepoint fixture's state with the State Processor API, as the current code declares it:
 * the user-state operator's keyed and operator states, delivery's parked-user marks and AsyncIO
 * queue, and the feedback source's split. Shared by {@link SavepointMigrationITCase} (which checks
 * what it reads) and {@link SavepointFixtureGenerator} (which refuses to commit a fixture that
 * missed what it was meant to hold).
 */
final class FixtureState {

    /** The name under which Flink's AsyncIO operator keeps its queue (operator list state). */
    static final String ASYNC_QUEUE_STATE = "_async_wait_operator_state_";

    /** The name under which a source operator keeps its splits (operator list state). */
    static final String SOURCE_SPLITS_STATE = "SourceReaderState";

    /** The uid Flink gives a sink's committer (Sink V2: "Sink Committer: " + the sink's uid). */
    static String committerUid(String sinkUid) {
        return "Sink Committer: " + sinkUid;
    }

    private final String path;
    private final SavepointReader savepoint;

    private FixtureState(String path, SavepointReader savepoint) {
        this.path = path;
        this.savepoint = savepoint;
    }

    /** Reads the savepoint in {@code dir} (not altered). */
    static FixtureState read(Path dir) throws IOException {
        String path = dir.toUri().toString();
        return new FixtureState(
                path,
                SavepointReader.read(
                        StreamExecutionEnvironment.getExecutionEnvironment(),
                        path,
                        new EmbeddedRocksDBStateBackend()));
    }

    /** One user's keyed state as read from a savepoint. */
    public static class RestoredUser {
        public String key;
        public UserState state;
        public Map<String, Long> devices;

        /** {@code waiting-operations} in the order RocksDB iterates them (the job's order). */
        public LinkedHashMap<Long, CustomerioOperation> waiting;

        public RestoredUser() {}
    }

    /** Reads the keyed states of the user-state operator. */
    public static class UserStateReader extends KeyedStateReaderFunction<String, RestoredUser> {
        private transient ValueState<UserState> user;
        private transient MapState<String, Long> devices;
        private transient MapState<Long, CustomerioOperation> waiting;

        @Override
        public void open(OpenContext context) {
            user = getRuntimeContext().getState(UserStateFunction.userStateDescriptor());
            devices =
                    getRuntimeContext().getMapState(UserStateFunction.deviceFirstSeenDescriptor());
            waiting =
                    getRuntimeContext()
                            .getMapState(UserStateFunction.waitingOperationsDescriptor());
        }

        @Override
        public void readKey(String key, Context context, Collector<RestoredUser> out)
                throws Exception {
            RestoredUser r = new RestoredUser();
            r.key = key;
            r.state = user.value();
            r.devices = new HashMap<>();
            for (Map.Entry<String, Long> e : devices.entries()) {
                r.devices.put(e.getKey(), e.getValue());
            }
            r.waiting = new LinkedHashMap<>();
            for (Map.Entry<Long, CustomerioOperation> e : waiting.entries()) {
                r.waiting.put(e.getKey(), e.getValue());
            }
            out.collect(r);
        }
    }

    /** The State Processor API's reader of the savepoint, for what this class does not read. */
    SavepointReader reader() {
        return savepoint;
    }

    /** Every user of the user-state operator, by key. */
    Map<String, RestoredUser> users() throws Exception {
        Map<String, RestoredUser> users = new HashMap<>();
        try (CloseableIterator<RestoredUser> it =
                savepoint
                        .readKeyedState(
                                OperatorIdentifier.forUid(OperatorIds.USER_STATE),
                                new UserStateReader())
                        .executeAndCollect()) {
            it.forEachRemaining(u -> users.put(u.key, u));
        }
        return users;
    }

    /**
     * Delivery's marks on users whose later operations it parks ({@code delivery-parked-users}).
     */
    List<CustomerioDeliveryFunction.ParkedUser> parkedUsers() throws Exception {
        return collect(
                savepoint.readUnionState(
                        OperatorIdentifier.forUid(OperatorIds.DELIVERY),
                        "delivery-parked-users",
                        TypeInformation.of(CustomerioDeliveryFunction.ParkedUser.class)));
    }

    /** The user-state operator's {@code waiting-counts} (union: every subtask's). */
    List<WaitingCounts.KeyGroupCount> waitingCounts() throws Exception {
        return collect(
                savepoint.readUnionState(
                        OperatorIdentifier.forUid(OperatorIds.USER_STATE),
                        "waiting-counts",
                        TypeInformation.of(WaitingCounts.KeyGroupCount.class)));
    }

    /** The user-state operator's {@code restore-point} (union: one per subtask). */
    List<UserStateFunction.RestorePoint> restorePoints() throws Exception {
        return collect(
                savepoint.readUnionState(
                        OperatorIdentifier.forUid(OperatorIds.USER_STATE),
                        "restore-point",
                        TypeInformation.of(UserStateFunction.RestorePoint.class)));
    }

    /** The requests in delivery's AsyncIO queue, read with the current {@link DeliveryRequest}. */
    List<DeliveryRequest> deliveryQueue() throws Exception {
        TypeInformation<DeliveryRequest> requestType = TypeInformation.of(DeliveryRequest.class);
        StreamElementSerializer<DeliveryRequest> serializer =
                new StreamElementSerializer<>(
                        requestType.createSerializer(new SerializerConfigImpl()));
        // The queue holds StreamElements; they leave the reader as DeliveryRequest POJOs.
        DataStream<StreamElement> elements =
                savepoint.readListState(
                        OperatorIdentifier.forUid(OperatorIds.DELIVERY),
                        ASYNC_QUEUE_STATE,
                        TypeInformation.of(StreamElement.class),
                        serializer);
        return collect(elements.map(e -> e.<DeliveryRequest>asRecord().getValue(), requestType));
    }

    /** The Kafka splits of a source operator, with the offsets it would resume from. */
    List<KafkaPartitionSplit> kafkaSplits(String sourceUid) throws Exception {
        List<KafkaPartitionSplit> splits = new ArrayList<>();
        KafkaPartitionSplitSerializer serializer = new KafkaPartitionSplitSerializer();
        for (byte[] bytes :
                collect(
                        savepoint.readListState(
                                OperatorIdentifier.forUid(sourceUid),
                                SOURCE_SPLITS_STATE,
                                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO))) {
            splits.add(SimpleVersionedSerialization.readVersionAndDeSerialize(serializer, bytes));
        }
        return splits;
    }

    /** The uids among {@code uids} whose operator has state in the savepoint. */
    Set<String> uidsWithState(List<String> uids) throws IOException {
        CheckpointMetadata metadata = SavepointLoader.loadSavepointMetadata(path);
        Set<String> withState = new TreeSet<>();
        for (String uid : uids) {
            for (OperatorState op : metadata.getOperatorStates()) {
                if (op.getOperatorID().equals(OperatorIdentifier.forUid(uid).getOperatorId())
                        && op.getStateSize() > 0) {
                    withState.add(uid);
                }
            }
        }
        return withState;
    }

    private static <T> List<T> collect(DataStream<T> stream) throws Exception {
        List<T> out = new ArrayList<>();
        try (CloseableIterator<T> it = stream.executeAndCollect()) {
            it.forEachRemaining(out::add);
        }
        return out;
    }
}
