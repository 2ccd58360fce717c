package dev.cioforwarder.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.EncodedOperation;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.mparticle.MParticleBatch;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * An encoded operation wrapped for delivery and dead letters: the user, the request, the event's id
 * and time, and the batch it came from; a v1 operation sent as v2 is counted.
 */
class OperationsTest {

    private static final byte[] BODY = "{\"name\":\"E\"}".getBytes(StandardCharsets.UTF_8);

    private static MParticleBatch batch() {
        MParticleBatch batch = new MParticleBatch();
        batch.userKey = "7";
        batch.hasMpid = true;
        batch.mpid = 7;
        batch.sourceTopic = "mparticle-batches";
        batch.sourcePartition = 2;
        batch.sourceOffset = 41L;
        return batch;
    }

    @Test
    void carriesTheRequestTheEventAndTheBatchItCameFrom() {
        Transition t = new Transition();
        CustomerioOperation op =
                Operations.of(
                        OperationKind.EVENT,
                        new EncodedOperation("POST", "/api/v1/customers/c-7/events", BODY, 12),
                        "01KB4V1MM06Y3J8DEFDKJ4Z1RF",
                        1764320400000L,
                        batch(),
                        t);
        assertThat(op.kind).isEqualTo(OperationKind.EVENT);
        assertThat(op.method).isEqualTo("POST");
        assertThat(op.path).isEqualTo("/api/v1/customers/c-7/events");
        assertThat(op.body).isSameAs(BODY);
        assertThat(op.eventId).isEqualTo("01KB4V1MM06Y3J8DEFDKJ4Z1RF");
        assertThat(op.eventTimeMs).isEqualTo(1764320400000L);
        assertThat(op.userKey).isEqualTo("7");
        assertThat(op.mpid).isEqualTo("7");
        assertThat(op.sourceTopic).isEqualTo("mparticle-batches");
        assertThat(op.sourcePartition).isEqualTo(2);
        assertThat(op.sourceOffset).isEqualTo(41L);
        assertThat(op.seq).isEqualTo(CustomerioOperation.UNSEQUENCED);
        assertThat(t.adjusted(Adjustment.V1_IDENTIFIER_SENT_AS_V2)).isZero();
    }

    @Test
    void anOperationNotCausedByABatchCarriesWhatItIsGiven() {
        Transition t = new Transition();
        CustomerioOperation op =
                Operations.of(
                        OperationKind.ADD_DEVICE,
                        new EncodedOperation(null, null, BODY, 0),
                        "customer_id:c-7",
                        null,
                        5L,
                        "t",
                        0,
                        9L,
                        t);
        assertThat(op.userKey).isEqualTo("customer_id:c-7");
        assertThat(op.mpid).isNull();
        assertThat(op.eventId).isNull();
        assertThat(op.path).isNull();
        assertThat(op.sourceOffset).isEqualTo(9L);
    }

    @Test
    void aV1OperationSentAsV2IsCountedAsAnAdjustment() {
        Transition t = new Transition();
        Operations.of(
                OperationKind.IDENTIFY,
                new EncodedOperation("POST", "/api/v2/entity", BODY, 0, true),
                null,
                0L,
                batch(),
                t);
        assertThat(t.adjusted(Adjustment.V1_IDENTIFIER_SENT_AS_V2)).isEqualTo(1);
    }
}
