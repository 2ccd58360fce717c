package dev.cioforwarder.mapping;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.EncodedOperation;
import dev.cioforwarder.customerio.IdentifierChange;
import dev.cioforwarder.customerio.OperationEffects;
import dev.cioforwarder.customerio.OperationEncoder;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.customerio.PersonIdentifier;
import dev.cioforwarder.customerio.ProfileUpdate;
import dev.cioforwarder.json.Attributes;
import dev.cioforwarder.mparticle.MParticleBatch;

/**
 * The operations that change who a person is in Customer.io, as {@link UserStateMachine} emits them
 * for a batch: an identify (split where Customer.io's limits ask), the identify that attaches a
 * Customer ID, alone, and an identifier change, alone. Each is added to the transition with what it
 * changes in the state ({@link CustomerioOperation#effects}), so that a refusal can be undone.
 */
final class IdentifyOperations {

    private final OperationEncoder encoder;

    IdentifyOperations(OperationEncoder encoder) {
        this.encoder = encoder;
    }

    /**
     * Emits the identify as one operation, or several when it holds more than 300 fields (a full
     * profile and removals) or would exceed 32 KB. The first carries the control fields and, when
     * it attaches an id, closes its request: nothing documents that Customer.io applies a batch's
     * operations in order, so what is addressed by the new id waits until the attaching identify is
     * acknowledged.
     */
    void identify(
            PersonIdentifier address,
            ProfileUpdate update,
            MParticleBatch batch,
            Transition t,
            int effects,
            boolean count) {
        Attributes attributes = update.attributes;
        int first = t.operations.size();
        int firstEnd =
                Math.min(
                        attributes.size(),
                        CustomerioLimits.MAX_ATTRIBUTES_PER_PERSON - update.controlFieldCount());
        identifyRange(address, update, 0, firstEnd, true, batch, t);
        PersonIdentifier rest =
                update.attachId != null ? PersonIdentifier.id(update.attachId) : address;
        for (int from = firstEnd; from < attributes.size(); ) {
            int to = Math.min(attributes.size(), from + CustomerioLimits.MAX_ATTRIBUTES_PER_PERSON);
            identifyRange(rest, update, from, to, false, batch, t);
            from = to;
        }
        for (int i = first; i < t.operations.size(); i++) {
            t.operations.get(i).effects = effects;
        }
        if (count) {
            t.identifySent++;
        }
    }

    private void identifyRange(
            PersonIdentifier address,
            ProfileUpdate update,
            int from,
            int to,
            boolean withControlFields,
            MParticleBatch batch,
            Transition t) {
        EncodedOperation encoded = encoder.identify(address, update, from, to, withControlFields);
        if (encoded.body.length > CustomerioLimits.MAX_OPERATION_BYTES && to - from > 1) {
            // Attributes are at most ~7 KB each once escaped, so halving always ends in a fit.
            int middle = (from + to) >>> 1;
            identifyRange(address, update, from, middle, withControlFields, batch, t);
            PersonIdentifier rest =
                    withControlFields && update.attachId != null
                            ? PersonIdentifier.id(update.attachId)
                            : address;
            identifyRange(rest, update, middle, to, false, batch, t);
            return;
        }
        var op = Operations.of(OperationKind.IDENTIFY, encoded, null, batch.timestampMs, batch, t);
        t.operations.add(op);
    }

    void identifierChange(IdentifierChange change, MParticleBatch batch, Transition t) {
        CustomerioOperation op =
                Operations.of(
                        OperationKind.IDENTIFIER_CHANGE,
                        new EncodedOperation(null, null, change.encode(), 0),
                        null,
                        batch.timestampMs,
                        batch,
                        t);
        // What follows is addressed by the new identifier: it waits until Customer.io has it.
        op.confirmRequired = true;
        op.effects = OperationEffects.IDENTIFIER_CHANGE;
        t.operations.add(op);
    }

    /** The identify that gives an email-addressed person their Customer ID, alone. */
    void attach(
            PersonIdentifier emailAddress,
            String attachId,
            long timestampSeconds,
            MParticleBatch batch,
            Transition t) {
        ProfileUpdate attach = new ProfileUpdate();
        attach.attachId = attachId;
        attach.timestampSeconds = timestampSeconds;
        EncodedOperation encoded = encoder.identify(emailAddress, attach, 0, 0, true);
        var op = Operations.of(OperationKind.IDENTIFY, encoded, null, batch.timestampMs, batch, t);
        op.lastInRequest = true;
        op.confirmRequired = true;
        op.effects = OperationEffects.ATTACH;
        op.effectDetail = emailAddress.value();
        t.operations.add(op);
    }
}
