package dev.cioforwarder.customerio;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * An operation on its way to delivery: which ones need a request of their own (an own endpoint, an
 * identifier change, a seal, a deletion), and a copy that keeps every field.
 */
class CustomerioOperationTest {

    private static CustomerioOperation op(OperationKind kind, String path) {
        CustomerioOperation op = new CustomerioOperation();
        op.kind = kind;
        op.path = path;
        op.method = path == null ? null : "POST";
        op.body = new byte[] {'{', '}'};
        return op;
    }

    @Test
    void batchOperationsShareRequests() {
        for (OperationKind kind :
                new OperationKind[] {
                    OperationKind.IDENTIFY,
                    OperationKind.EVENT,
                    OperationKind.SCREEN,
                    OperationKind.ADD_DEVICE,
                    OperationKind.DELETE_DEVICE
                }) {
            assertThat(op(kind, null).needsOwnRequest()).as(kind.name()).isFalse();
        }
    }

    @Test
    void anOperationWithItsOwnPathGoesAlone() {
        assertThat(op(OperationKind.EVENT, "/api/v1/events").needsOwnRequest()).isTrue();
        assertThat(op(OperationKind.IDENTIFY, "/api/v1/customers/c-1").needsOwnRequest()).isTrue();
    }

    @Test
    void identifierChangesSealsAndDeletionsGoAlone() {
        assertThat(op(OperationKind.IDENTIFIER_CHANGE, null).needsOwnRequest()).isTrue();
        assertThat(op(OperationKind.SEAL, null).needsOwnRequest()).isTrue();
        assertThat(op(OperationKind.DELETE, null).needsOwnRequest()).isTrue();
    }

    @Test
    void onlyASealIsASeal() {
        assertThat(op(OperationKind.SEAL, null).isSeal()).isTrue();
        assertThat(op(OperationKind.DELETE, null).isSeal()).isFalse();
    }

    @Test
    void aNewOperationIsUnsequenced() {
        assertThat(new CustomerioOperation().seq)
                .isEqualTo(CustomerioOperation.UNSEQUENCED)
                .isEqualTo(-1L);
    }

    @Test
    void aCopyKeepsEveryFieldAndSharesTheBody() {
        CustomerioOperation op = op(OperationKind.EVENT, "/api/v1/customers/c-1/events");
        op.userKey = "7";
        op.eventId = "01KB4V1MM06Y3J8DEFDKJ4Z1RF";
        op.lastInRequest = true;
        op.erasureRequestId = "dsr-1";
        op.eventTimeMs = 1764320400000L;
        op.mpid = "7";
        op.sourceTopic = "mparticle-batches";
        op.sourcePartition = 4;
        op.sourceOffset = 1234L;
        op.seq = 9;
        op.episode = 2;
        op.ackRequested = true;
        op.confirmRequired = true;
        op.effects = 5;
        op.effectDetail = "apns-1";
        op.firstAttemptMs = 1764320401000L;
        op.waits = 3;
        CustomerioOperation copy = op.copy();
        assertThat(copy).isNotSameAs(op).usingRecursiveComparison().isEqualTo(op);
        assertThat(copy.body).isSameAs(op.body);
    }

    @Test
    void printsKindUserRequestAndSizeButNoBody() {
        CustomerioOperation op = op(OperationKind.EVENT, "/api/v1/customers/c-1/events");
        op.userKey = "7";
        op.seq = 3;
        assertThat(op)
                .hasToString(
                        "CustomerioOperation{EVENT user=7 POST /api/v1/customers/c-1/events"
                                + " seq=3 bytes=2}");
        CustomerioOperation batch = op(OperationKind.IDENTIFY, null);
        batch.userKey = "7";
        batch.body = null;
        assertThat(batch).hasToString("CustomerioOperation{IDENTIFY user=7 bytes=0}");
    }
}
