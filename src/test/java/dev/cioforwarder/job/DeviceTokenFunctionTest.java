package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.mapping.DeviceChange;
import dev.cioforwarder.mapping.TokenSighting;
import dev.cioforwarder.state.PushDevice;
import dev.cioforwarder.state.TokenOwner;
import dev.cioforwarder.state.UserState;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The token index in Flink's operator harness on RocksDB: who owns a token survives a snapshot and
 * restore, also at another parallelism (its key groups move with it), so a token that moves after a
 * restore or a rescale is still deleted from its previous user.
 */
class DeviceTokenFunctionTest {

    private static final int MAX_PARALLELISM = 720;

    private static KeyedOneInputStreamOperatorTestHarness<String, TokenSighting, DeviceChange>
            harness(int parallelism, int subtask, Duration ttl) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new DeviceTokenFunction(ttl, 86_400_000L)),
                        new TokenSightingKeySelector(),
                        Types.STRING,
                        MAX_PARALLELISM,
                        parallelism,
                        subtask);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        return h;
    }

    private static TokenSighting register(String token, String user, long timeMs) {
        TokenSighting s = new TokenSighting();
        s.token = token;
        s.userKey = user;
        s.mpid = user;
        s.platform = "ios";
        s.timeMs = timeMs;
        s.register = true;
        return s;
    }

    private static List<String> drain(
            KeyedOneInputStreamOperatorTestHarness<String, TokenSighting, DeviceChange> h) {
        List<String> out =
                h.extractOutputValues().stream()
                        .map(c -> (c.add ? "add " : "delete ") + c.token + " " + c.userKey)
                        .collect(Collectors.toList());
        h.getOutput().clear();
        return out;
    }

    @Test
    void theOwnerOfATokenSurvivesARestoreAtAnotherParallelism() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(1, 0, null)) {
            h.open();
            for (int i = 0; i < 20; i++) {
                h.processElement(new StreamRecord<>(register("tok-" + i, "A", 1_000)));
            }
            assertThat(drain(h)).hasSize(20).allMatch(c -> c.startsWith("add "));
            h.processElement(new StreamRecord<>(register("tok-0", "A", 2_000)));
            assertThat(drain(h)).as("deltas only").isEmpty();
            snapshot = h.snapshot(1, 1);
        }

        // Rescaled from 1 to 3: each token's owner is on the subtask its key group went to.
        for (int i = 0; i < 20; i++) {
            String token = "tok-" + i;
            int subtask =
                    KeyGroupRangeAssignment.assignKeyToParallelOperator(token, MAX_PARALLELISM, 3);
            try (var h = harness(3, subtask, null)) {
                h.initializeState(
                        AbstractStreamOperatorTestHarness.repartitionOperatorState(
                                snapshot, MAX_PARALLELISM, 1, 3, subtask));
                h.open();
                h.processElement(new StreamRecord<>(register(token, "B", 3_000)));
                assertThat(drain(h))
                        .containsExactly("delete " + token + " A", "add " + token + " B");
            }
        }
    }

    @Test
    void underStateTtlATokenInUseNeverExpiresAndAnUnusedOneIsForgotten() throws Exception {
        try (var h = harness(1, 0, Duration.ofDays(10))) {
            h.open();
            long day = Duration.ofDays(1).toMillis();
            h.setStateTtlProcessingTime(0);
            h.processElement(new StreamRecord<>(register("daily", "A", 1)));
            h.processElement(new StreamRecord<>(register("once", "A", 1)));
            for (int d = 1; d <= 30; d++) {
                h.setStateTtlProcessingTime(d * day);
                h.processElement(new StreamRecord<>(register("daily", "A", 1 + d * day)));
            }
            drain(h);
            h.processElement(new StreamRecord<>(register("daily", "B", 1 + 31 * day)));
            h.processElement(new StreamRecord<>(register("once", "B", 1 + 31 * day)));
            assertThat(drain(h))
                    .containsExactly(
                            "delete daily A",
                            "add daily B",
                            // Forgotten after 10 days unseen: nobody known to delete it from.
                            "add once B");
        }
    }

    @Test
    void theNewStateIsMadeOfPojosWithoutGenericTypes() {
        SerializerConfigImpl noKryo = new SerializerConfigImpl();
        noKryo.setGenericTypes(false);
        TypeInformation<TokenOwner> owner = TypeInformation.of(TokenOwner.class);
        assertThat(owner).isInstanceOf(PojoTypeInfo.class);
        owner.createSerializer(noKryo);

        PojoTypeInfo<UserState> user =
                (PojoTypeInfo<UserState>) TypeInformation.of(UserState.class);
        TypeInformation<?> devices = user.getTypeAt(user.getFieldIndex("pushDevices"));
        assertThat(devices).isInstanceOf(ListTypeInfo.class);
        assertThat(((ListTypeInfo<?>) devices).getElementTypeInfo())
                .isEqualTo(TypeInformation.of(PushDevice.class))
                .isInstanceOf(PojoTypeInfo.class);
        // Throws for any generic (Kryo) type inside.
        user.createSerializer(noKryo);
        TypeInformation.of(TokenSighting.class).createSerializer(noKryo);
        TypeInformation.of(DeviceChange.class).createSerializer(noKryo);
    }
}
