package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.mapping.EmailClaim;
import dev.cioforwarder.mapping.EmailVerdict;
import dev.cioforwarder.mapping.MappingSettings;
import dev.cioforwarder.mparticle.BatchParser;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.state.EmailOwner;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * The email index in Flink's operator harness on RocksDB: an email's owner survives a snapshot and
 * restore; the claims of one user are made about hourly, not with every batch.
 */
class EmailOwnersFunctionTest {

    private static final long T = 1_764_400_000_000L;

    private static KeyedOneInputStreamOperatorTestHarness<String, EmailClaim, EmailVerdict>
            harness() throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new EmailOwnersFunction(null)),
                        new EmailClaimKeySelector(),
                        Types.STRING);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        return h;
    }

    private static EmailClaim claim(String id, long timeMs) {
        EmailClaim c = new EmailClaim();
        c.email = "sam@example.com";
        c.id = id;
        c.userKey = "user-" + id;
        c.timeMs = timeMs;
        return c;
    }

    private static List<String> drain(
            KeyedOneInputStreamOperatorTestHarness<String, EmailClaim, EmailVerdict> h) {
        List<String> out =
                h.extractOutputValues().stream()
                        .map(v -> v.userKey + (v.ofAnotherCustomer ? " no" : " yes"))
                        .collect(Collectors.toList());
        h.getOutput().clear();
        return out;
    }

    @Test
    void theOwnerOfAnEmailSurvivesARestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            h.processElement(new StreamRecord<>(claim("c-1", T)));
            assertThat(drain(h)).containsExactly("user-c-1 yes");
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            h.processElement(new StreamRecord<>(claim("c-2", T + 1_000)));
            assertThat(drain(h)).containsExactly("user-c-2 no");
        }
    }

    @Test
    void aUsersClaimIsMadeAboutHourlyNotWithEveryBatch() throws Exception {
        MappingSettings settings = MappingSettings.builder().guardSharedEmails(true).build();
        try (var h =
                ProcessFunctionTestHarnesses.forProcessFunction(new EmailClaimFunction(settings))) {
            long[] times = {T, T + 60_000, T + 59 * 60_000, T + 60 * 60_000, T + 61 * 60_000};
            for (long time : times) {
                h.processElement(batch(time), time);
            }
            assertThat(h.extractOutputValues())
                    .extracting(c -> c.timeMs)
                    .containsExactly(T, T + 60 * 60_000);
        }
    }

    private static MParticleBatch batch(long time) {
        String json =
                "{\"mpid\":5,\"timestamp_unixtime_ms\":"
                        + time
                        + ",\"user_identities\":{\"customer_id\":\"c-5\",\"email\":\"Sam@Example.com\"}}";
        return new BatchParser().parse(json.getBytes(StandardCharsets.UTF_8), time).batch();
    }

    @Test
    void theStateAndTheSignalsArePojosWithoutGenericTypes() {
        SerializerConfigImpl noKryo = new SerializerConfigImpl();
        noKryo.setGenericTypes(false);
        assertThat(TypeInformation.of(EmailOwner.class)).isInstanceOf(PojoTypeInfo.class);
        // Each throws for any generic (Kryo) type inside.
        TypeInformation.of(EmailOwner.class).createSerializer(noKryo);
        TypeInformation.of(EmailClaim.class).createSerializer(noKryo);
        TypeInformation.of(EmailVerdict.class).createSerializer(noKryo);
        TypeInformation.of(UserSignal.class).createSerializer(noKryo);
    }
}
