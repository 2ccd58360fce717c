package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.mapping.AnonymousStitch;
import dev.cioforwarder.mapping.DeviceVisit;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.privacy.ErasureRequest;
import dev.cioforwarder.state.AnonymousVisitor;
import dev.cioforwarder.state.DeviceVisitors;
import dev.cioforwarder.state.KnownVisitor;
import dev.cioforwarder.state.UserState;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * The device index in Flink's operator harness: erasure requests broadcast to it keep an erased
 * MPID from being given to anyone, and its state and signals are POJOs without generic types.
 */
class DeviceVisitorsFunctionTest {

    private static final long T = 1_764_400_000_000L;

    private static DeviceVisit visit(String mpid, boolean known, long timeMs) {
        DeviceVisit v = new DeviceVisit();
        v.deviceId = "android_uuid:a1";
        v.mpid = mpid;
        v.userKey = mpid;
        v.known = known;
        v.timeMs = timeMs;
        return v;
    }

    private static MParticleBatch erasure(long mpid, long timeMs) {
        ErasureRequest r = new ErasureRequest();
        r.requestId = "r-" + mpid;
        r.hasMpid = true;
        r.mpid = mpid;
        r.timeMs = timeMs;
        return MParticleBatch.ofErasure(r, "erasures", 0, 0);
    }

    @Test
    void anMpidErasedOnAnyInstanceIsGivenToNobody() throws Exception {
        try (var h =
                ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                        new DeviceVisitorsFunction(null),
                        new DeviceVisitKeySelector(),
                        Types.STRING,
                        DeviceVisitorsFunction.ERASED_MPIDS)) {
            h.processElement(visit("11", false, T), T);
            h.processElement(visit("12", false, T), T);
            h.processBroadcastElement(erasure(11, T + 500), T);
            h.processElement(visit("99", true, T + 1_000), T);
            List<String> given =
                    h.extractOutputValues().stream()
                            .map(s -> s.anonymousMpids + " -> " + s.userKey)
                            .collect(Collectors.toList());
            assertThat(given).containsExactly("[12] -> 99");
        }
    }

    @Test
    void withoutAnErasureTopicTheSameIndexRuns() throws Exception {
        try (var h =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new DeviceVisitorsFunction.WithoutErasures(null),
                        new DeviceVisitKeySelector(),
                        Types.STRING)) {
            h.processElement(visit("11", false, T), T);
            h.processElement(visit("99", true, T + 1_000), T);
            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(s -> assertThat(s.anonymousMpids).containsExactly("11"));
        }
    }

    @Test
    void theStateAndTheSignalsArePojosWithoutGenericTypes() {
        SerializerConfigImpl noKryo = new SerializerConfigImpl();
        noKryo.setGenericTypes(false);
        PojoTypeInfo<DeviceVisitors> visitors =
                (PojoTypeInfo<DeviceVisitors>) TypeInformation.of(DeviceVisitors.class);
        assertThat(
                        ((ListTypeInfo<?>)
                                        (TypeInformation<?>)
                                                visitors.getTypeAt(
                                                        visitors.getFieldIndex("anonymous")))
                                .getElementTypeInfo())
                .isEqualTo(TypeInformation.of(AnonymousVisitor.class))
                .isInstanceOf(PojoTypeInfo.class);
        assertThat(
                        ((ListTypeInfo<?>)
                                        (TypeInformation<?>)
                                                visitors.getTypeAt(visitors.getFieldIndex("known")))
                                .getElementTypeInfo())
                .isInstanceOf(PojoTypeInfo.class)
                .isEqualTo(TypeInformation.of(KnownVisitor.class));
        // Each throws for any generic (Kryo) type inside.
        visitors.createSerializer(noKryo);
        TypeInformation.of(DeviceVisit.class).createSerializer(noKryo);
        TypeInformation.of(AnonymousStitch.class).createSerializer(noKryo);
        TypeInformation.of(UserSignal.class).createSerializer(noKryo);
        PojoTypeInfo<UserState> user =
                (PojoTypeInfo<UserState>) TypeInformation.of(UserState.class);
        assertThat(user.getTypeAt(user.getFieldIndex("pendingAnonymousMerges")))
                .isInstanceOf(ListTypeInfo.class);
        user.createSerializer(noKryo);
    }
}
