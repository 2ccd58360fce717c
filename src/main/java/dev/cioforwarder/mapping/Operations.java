package dev.cioforwarder.mapping;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.EncodedOperation;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.mparticle.MParticleBatch;

/** Wraps an encoded operation with what delivery and dead letters need to know of it. */
final class Operations {

    private Operations() {}

    static CustomerioOperation of(
            OperationKind kind,
            EncodedOperation encoded,
            String eventId,
            long eventTimeMs,
            MParticleBatch batch,
            Transition t) {
        if (encoded.sentAsV2) {
            t.adjust(Adjustment.V1_IDENTIFIER_SENT_AS_V2);
        }
        CustomerioOperation op = new CustomerioOperation();
        op.userKey = batch.userKey;
        op.kind = kind;
        op.method = encoded.method;
        op.path = encoded.path;
        op.body = encoded.body;
        op.eventId = eventId;
        op.eventTimeMs = eventTimeMs;
        op.mpid = batch.mpidText();
        op.sourceTopic = batch.sourceTopic;
        op.sourcePartition = batch.sourcePartition;
        op.sourceOffset = batch.sourceOffset;
        return op;
    }
}
