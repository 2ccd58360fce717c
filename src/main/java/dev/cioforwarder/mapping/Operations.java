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
        CustomerioOperation op =
                of(
                        kind,
                        encoded,
                        batch.userKey,
                        batch.mpidText(),
                        eventTimeMs,
                        batch.sourceTopic,
                        batch.sourcePartition,
                        batch.sourceOffset,
                        t);
        op.eventId = eventId;
        return op;
    }

    /** An operation caused by something other than a batch of the user (a device change). */
    static CustomerioOperation of(
            OperationKind kind,
            EncodedOperation encoded,
            String userKey,
            String mpid,
            long eventTimeMs,
            String sourceTopic,
            int sourcePartition,
            long sourceOffset,
            Transition t) {
        if (encoded.sentAsV2) {
            t.adjust(Adjustment.V1_IDENTIFIER_SENT_AS_V2);
        }
        CustomerioOperation op = new CustomerioOperation();
        op.userKey = userKey;
        op.kind = kind;
        op.method = encoded.method;
        op.path = encoded.path;
        op.body = encoded.body;
        op.eventTimeMs = eventTimeMs;
        op.mpid = mpid;
        op.sourceTopic = sourceTopic;
        op.sourcePartition = sourcePartition;
        op.sourceOffset = sourceOffset;
        return op;
    }
}
