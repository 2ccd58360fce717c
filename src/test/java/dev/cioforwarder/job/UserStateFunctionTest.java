package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.deadletter.DeadLetter;
import dev.cioforwarder.mapping.DeviceChange;
import dev.cioforwarder.mapping.MappingSettings;
import dev.cioforwarder.mparticle.BatchParser;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.state.UserState;
import dev.cioforwarder.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/**
 * The keyed user-state function in Flink's operator harness on RocksDB: its state survives a
 * snapshot and restore, so a replayed batch after a restore sends no second identify and the same
 * event ids, and created_at keeps each device's first-seen time.
 */
class UserStateFunctionTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Batches on the first input, device changes from the token index on the second. */
    private static KeyedTwoInputStreamOperatorTestHarness<
                    String, MParticleBatch, UserSignal, CustomerioOperation>
            harness(MappingSettings settings) throws Exception {
        return harness(settings, null);
    }

    private static KeyedTwoInputStreamOperatorTestHarness<
                    String, MParticleBatch, UserSignal, CustomerioOperation>
            harness(MappingSettings settings, Duration stateTtl) throws Exception {
        KeyedTwoInputStreamOperatorTestHarness<
                        String, MParticleBatch, UserSignal, CustomerioOperation>
                h =
                        new KeyedTwoInputStreamOperatorTestHarness<>(
                                new KeyedCoProcessOperator<>(
                                        new UserStateFunction(settings, stateTtl)),
                                new UserKeySelector(),
                                new UserSignalKeySelector(),
                                Types.STRING,
                                720,
                                1,
                                0);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        return h;
    }

    private static MParticleBatch batch(String json) {
        return new BatchParser().parse(json.getBytes(StandardCharsets.UTF_8), 0).batch();
    }

    private static List<CustomerioOperation> drain(
            KeyedTwoInputStreamOperatorTestHarness<
                            String, MParticleBatch, UserSignal, CustomerioOperation>
                    h) {
        List<CustomerioOperation> out = h.extractOutputValues();
        h.getOutput().clear();
        return out;
    }

    @Test
    void stateSurvivesSnapshotAndRestore() throws Exception {
        MappingSettings settings = MappingSettings.defaults().withSendCreatedAt(true);
        MParticleBatch ios = batch(Fixtures.text("ios-customer-and-email.json"));
        OperatorSubtaskState snapshot;
        List<CustomerioOperation> first;
        try (var h = harness(settings)) {
            h.open();
            h.processElement1(new StreamRecord<>(ios));
            first = drain(h);
            snapshot = h.snapshot(1, 1);
        }
        assertThat(first)
                .extracting(op -> op.kind)
                .containsExactly(OperationKind.IDENTIFY, OperationKind.SCREEN, OperationKind.EVENT);

        try (var restored = harness(settings)) {
            restored.initializeState(snapshot);
            restored.open();
            // The same batch again after the restore (a replay): no identify, the same ids.
            restored.processElement1(
                    new StreamRecord<>(batch(Fixtures.text("ios-customer-and-email.json"))));
            List<CustomerioOperation> replay = drain(restored);
            assertThat(replay)
                    .extracting(op -> op.kind)
                    .containsExactly(OperationKind.SCREEN, OperationKind.EVENT);
            assertThat(replay)
                    .extracting(op -> op.eventId)
                    .containsExactly(first.get(1).eventId, first.get(2).eventId);

            // A second device after the restore: created_at follows it; back on iOS it returns to
            // the first-run time remembered in the restored device map.
            restored.processElement1(
                    new StreamRecord<>(
                            batch(
                                    "{\"mpid\":8315498751227740121,\"timestamp_unixtime_ms\":1764330000000,"
                                        + "\"user_identities\":{\"customer_id\":\"cust-1001\",\"email\":\"ada@example.com\"},"
                                        + "\"user_attributes\":{\"$FirstName\":\"Ada\",\"$LastName\":\"Lovelace\",\"$City\":\"London\","
                                        + "\"plan\":\"pro\",\"favourite_genres\":[\"jazz\",\"blues\"],\"lifetime_orders\":12},"
                                        + "\"device_info\":{\"platform\":\"Android\"},\"events\":[{\"event_type\":\"session_start\","
                                        + "\"data\":{\"timestamp_unixtime_ms\":1764329000000}}]}")));
            assertThat(createdAt(drain(restored))).isEqualTo(1764329000L);
            restored.processElement1(
                    new StreamRecord<>(
                            batch(
                                    "{\"mpid\":8315498751227740121,\"timestamp_unixtime_ms\":1764340000000,"
                                        + "\"user_identities\":{\"customer_id\":\"cust-1001\"},\"device_info\":{\"platform\":\"iOS\"}}")));
            assertThat(createdAt(drain(restored))).isEqualTo(1764320001L);
        }
    }

    private static Long createdAt(List<CustomerioOperation> ops) throws Exception {
        for (CustomerioOperation op : ops) {
            JsonNode body = MAPPER.readTree(op.body);
            if (body.path("attributes").has("created_at")) {
                return body.get("attributes").get("created_at").asLong();
            }
        }
        return null;
    }

    @Test
    void aDailyUsersFirstSeenTimesNeverExpireUnderStateTtl() throws Exception {
        // state.ttl of 10 days; the user opens the app every day for 30 days, with a first run on
        // day 0. Each sighting refreshes the device's entries, so created_at never moves.
        MappingSettings settings = MappingSettings.defaults().withSendCreatedAt(true);
        long day = Duration.ofDays(1).toMillis();
        long start = 1_764_000_000_000L;
        try (var h = harness(settings, Duration.ofDays(10))) {
            h.open();
            List<Long> createdAtSent = new ArrayList<>();
            for (int d = 0; d < 30; d++) {
                long now = start + d * day;
                h.setStateTtlProcessingTime(now);
                String firstRun =
                        d == 0
                                ? ",\"events\":[{\"event_type\":\"first_run\",\"data\":"
                                        + "{\"timestamp_unixtime_ms\":"
                                        + (now - 1_000)
                                        + "}}]"
                                : "";
                h.processElement1(
                        new StreamRecord<>(
                                batch(
                                        "{\"mpid\":9,\"timestamp_unixtime_ms\":"
                                                + now
                                                + ",\"user_identities\":{\"customer_id\":\"c-9\"},"
                                                + "\"device_info\":{\"platform\":\"iOS\"}"
                                                + firstRun
                                                + "}")));
                Long createdAt = createdAt(drain(h));
                if (createdAt != null) {
                    createdAtSent.add(createdAt);
                }
            }
            assertThat(createdAtSent).containsExactly((start - 1_000) / 1000);
        }
    }

    @Test
    void rejectedEventsGoToTheDeadLetterSideOutput() throws Exception {
        try (var h = harness(MappingSettings.defaults())) {
            h.open();
            MParticleBatch b =
                    batch(
                            "{\"mpid\":3,\"user_identities\":{\"customer_id\":\"c\"},\"events\":[{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\""
                                + "  \"}}]}");
            b.sourceTopic = "in";
            b.sourcePartition = 2;
            b.sourceOffset = 77;
            h.processElement1(new StreamRecord<>(b));
            List<DeadLetter> letters =
                    h.getSideOutput(DeadLetterOutput.TAG).stream()
                            .map(StreamRecord::getValue)
                            .collect(Collectors.toList());
            assertThat(letters)
                    .singleElement()
                    .satisfies(
                            d -> {
                                assertThat(d.reason).isEqualTo("event_name_empty");
                                assertThat(d.stage).isEqualTo("mapping");
                                assertThat(d.sourceTopic).isEqualTo("in");
                                assertThat(d.sourcePartition).isEqualTo(2);
                                assertThat(d.sourceOffset).isEqualTo(77);
                                assertThat(d.mpid).isEqualTo("3");
                            });
        }
    }

    private static DeviceChange add(String userKey, String token) {
        DeviceChange c = new DeviceChange();
        c.userKey = userKey;
        c.mpid = userKey;
        c.token = token;
        c.platform = "ios";
        c.timeMs = 1_764_320_000_900L;
        c.add = true;
        return c;
    }

    @Test
    void aDeviceHeldBeforeTheUserHasAnIdentitySurvivesARestoreAndFollowsTheFirstIdentify()
            throws Exception {
        MappingSettings settings = MappingSettings.builder().forwardDevices(true).build();
        OperatorSubtaskState snapshot;
        try (var h = harness(settings)) {
            h.open();
            h.processElement2(new StreamRecord<>(UserSignal.of(add("5", "apns-5"))));
            assertThat(drain(h)).as("nobody to address yet").isEmpty();
            snapshot = h.snapshot(1, 1);
        }
        try (var restored = harness(settings)) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement1(
                    new StreamRecord<>(
                            batch(
                                    "{\"mpid\":5,\"timestamp_unixtime_ms\":1764330000000,"
                                            + "\"user_identities\":{\"customer_id\":\"c-5\"}}")));
            List<CustomerioOperation> ops = drain(restored);
            assertThat(ops)
                    .extracting(op -> op.kind)
                    .containsExactly(OperationKind.IDENTIFY, OperationKind.ADD_DEVICE);
            assertThat(new String(ops.get(1).body, StandardCharsets.UTF_8))
                    .isEqualTo(
                            "{\"type\":\"person\",\"identifiers\":{\"id\":\"c-5\"},"
                                    + "\"action\":\"add_device\",\"device\":{\"token\":\"apns-5\","
                                    + "\"platform\":\"ios\",\"last_used\":1764320000}}");
            assertThat(ops.get(1).userKey).isEqualTo("5");
        }
    }

    /** The one-input user-state operator of state versions 1 to 3, reduced to its state. */
    static class OneInputUserState
            extends KeyedProcessFunction<String, MParticleBatch, CustomerioOperation> {
        @Override
        public void processElement(
                MParticleBatch batch, Context ctx, Collector<CustomerioOperation> out)
                throws Exception {
            UserState state = new UserState();
            state.identifierKind = "id";
            state.identifier = "c-" + batch.userKey;
            getRuntimeContext().getState(UserStateFunction.userStateDescriptor()).update(state);
            getRuntimeContext()
                    .getMapState(UserStateFunction.deviceFirstSeenDescriptor())
                    .put("ios", 1L);
        }
    }

    @Test
    void theTwoInputOperatorRestoresTheStateOfTheOneInputOperatorBeforeIt() throws Exception {
        OperatorSubtaskState snapshot;
        try (var old =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new OneInputUserState()),
                        new UserKeySelector(),
                        Types.STRING,
                        720,
                        1,
                        0)) {
            old.setStateBackend(new EmbeddedRocksDBStateBackend());
            old.open();
            old.processElement(new StreamRecord<>(batch("{\"mpid\":6}")));
            snapshot = old.snapshot(1, 1);
        }
        try (var restored = harness(MappingSettings.builder().forwardDevices(true).build())) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement2(new StreamRecord<>(UserSignal.of(add("6", "apns-6"))));
            List<CustomerioOperation> ops = drain(restored);
            assertThat(ops).extracting(op -> op.kind).containsExactly(OperationKind.ADD_DEVICE);
            assertThat(new String(ops.get(0).body, StandardCharsets.UTF_8))
                    .startsWith("{\"type\":\"person\",\"identifiers\":{\"id\":\"c-6\"}");
        }
    }
}
