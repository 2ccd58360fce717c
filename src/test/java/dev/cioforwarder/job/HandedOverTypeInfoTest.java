package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.delivery.DeliveryRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.runtime.streamrecord.StreamElementSerializer;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.Test;

class HandedOverTypeInfoTest {

    private static final SerializerConfigImpl CONFIG = new SerializerConfigImpl();

    private final TypeSerializer<DeliveryRequest> pojo =
            TypeInformation.of(DeliveryRequest.class).createSerializer(CONFIG);
    private final TypeSerializer<DeliveryRequest> handedOver =
            HandedOverTypeInfo.of(DeliveryRequest.class).createSerializer(CONFIG);

    private static DeliveryRequest request() {
        List<CustomerioOperation> ops = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            CustomerioOperation op = new CustomerioOperation();
            op.kind = OperationKind.EVENT;
            op.userKey = "user-" + i;
            op.method = "POST";
            op.path = "/api/v2/batch";
            op.body = ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
            op.eventId = "01JEVENT" + i;
            ops.add(op);
        }
        DeliveryRequest request = new DeliveryRequest(ops);
        request.checkpointEpoch = 42;
        return request;
    }

    @Test
    void aCopyIsTheRecordItselfWhereAsyncIoWouldHaveCopiedItOperationByOperation() {
        DeliveryRequest request = request();
        StreamElementSerializer<DeliveryRequest> queueSerializer =
                new StreamElementSerializer<>(handedOver);

        StreamRecord<DeliveryRequest> queued =
                queueSerializer.copy(new StreamRecord<>(request, 7)).asRecord();

        assertThat(queued.getValue()).isSameAs(request);
        // What the plain POJO serializer does, and what this one saves.
        assertThat(pojo.copy(request)).isNotSameAs(request);
    }

    @Test
    void writesTheSameBytesAsThePojoSerializerAndReadsThemBack() throws Exception {
        DeliveryRequest request = request();
        DataOutputSerializer plain = new DataOutputSerializer(256);
        pojo.serialize(request, plain);
        DataOutputSerializer wrapped = new DataOutputSerializer(256);
        handedOver.serialize(request, wrapped);

        assertThat(wrapped.getCopyOfBuffer()).isEqualTo(plain.getCopyOfBuffer());
        DeliveryRequest read =
                handedOver.deserialize(new DataInputDeserializer(plain.getCopyOfBuffer()));
        assertThat(read.checkpointEpoch).isEqualTo(42);
        assertThat(read.operations).hasSize(3);
        assertThat(new String(read.operations.get(2).body, StandardCharsets.UTF_8))
                .isEqualTo("{\"n\":2}");
    }

    @Test
    void checkpointsRecordThePojoSnapshotSoStateRestoresEitherWay() {
        TypeSerializerSnapshot<DeliveryRequest> before = pojo.snapshotConfiguration();
        TypeSerializerSnapshot<DeliveryRequest> after = handedOver.snapshotConfiguration();

        assertThat(after.getClass()).isEqualTo(before.getClass());
        TypeSerializerSchemaCompatibility<DeliveryRequest> restoringOldState =
                after.resolveSchemaCompatibility(before);
        TypeSerializerSchemaCompatibility<DeliveryRequest> restoringNewStateInOldCode =
                before.resolveSchemaCompatibility(after);
        assertThat(restoringOldState.isCompatibleAsIs()).isTrue();
        assertThat(restoringNewStateInOldCode.isCompatibleAsIs()).isTrue();
    }
}
