package dev.cioforwarder.mapping;

import dev.cioforwarder.customerio.EncodedOperation;
import dev.cioforwarder.customerio.OperationEncoder;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.customerio.PersonIdentifier;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.privacy.ErasureOutcome;
import dev.cioforwarder.privacy.ErasureRequest;
import dev.cioforwarder.state.DeviceFirstSeen;
import dev.cioforwarder.state.UserState;

/**
 * Erasure ({@code privacy.erasure-topic}): a person's data leaves Customer.io and the forwarder.
 *
 * <ul>
 *   <li>The person is deleted in Customer.io ({@code delete}), addressed by the identifier
 *       Customer.io knows them by, else by the Customer ID or email the request names. After the
 *       user's earlier operations, in their order.
 *   <li>Everything the forwarder holds about the user (identities, opt-outs, fingerprints, devices)
 *       is dropped; what stays is the request's time, so every later batch of that user older than
 *       the request is held back for good ({@code erased}): a late upload cannot bring the person
 *       back. Newer batches start a new person, as for anyone.
 *   <li>The outcome is written to the outcome topic: {@code done} or {@code failed} once
 *       Customer.io has answered the deletion, {@code not_found} at once when there was nobody to
 *       delete by.
 * </ul>
 */
final class ErasureRule {

    private final OperationEncoder encoder;

    ErasureRule(OperationEncoder encoder) {
        this.encoder = encoder;
    }

    /** Whether the batch is from before the user's erasure, and so never forwarded. */
    static boolean erased(UserState state, MParticleBatch batch) {
        return state != null
                && state.erasedBeforeMs != UserState.NONE
                && batch.timestampMs < state.erasedBeforeMs;
    }

    /** Erases the user; the transition's state is what stays (the request's time, nothing else). */
    void erase(UserState current, DeviceFirstSeen devices, MParticleBatch batch, Transition t) {
        ErasureRequest request = batch.erasure;
        PersonIdentifier person = identifier(current, request);
        UserState remains = new UserState();
        remains.erasedBeforeMs =
                current != null && current.erasedBeforeMs != UserState.NONE
                        ? Math.max(current.erasedBeforeMs, request.timeMs)
                        : request.timeMs;
        OptOutRule.keepChangesAfterLateErasure(current, remains, request.timeMs);
        t.state = remains;
        devices.clear();
        t.erasuresRequested++;
        String mpid = request.hasMpid ? Long.toString(request.mpid) : null;
        if (person == null) {
            t.erasureOutcomes.add(
                    ErasureOutcome.of(
                            request.requestId,
                            mpid,
                            ErasureOutcome.NOT_FOUND,
                            "no identifier Customer.io knows the person by; the forwarder's state"
                                    + " was cleared",
                            request.timeMs));
            return;
        }
        EncodedOperation encoded = encoder.delete(person);
        var op = Operations.of(OperationKind.DELETE, encoded, null, batch.timestampMs, batch, t);
        op.erasureRequestId = request.requestId;
        // A new person of the same user waits until the deletion went through: an identify
        // applied before it would be deleted with the old one.
        op.confirmRequired = true;
        t.operations.add(op);
    }

    private static PersonIdentifier identifier(UserState state, ErasureRequest request) {
        if (state != null && state.identifier != null) {
            return new PersonIdentifier(
                    PersonIdentifier.Kind.fromCode(state.identifierKind), state.identifier);
        }
        if (request.customerId != null) {
            return PersonIdentifier.id(request.customerId);
        }
        if (request.email != null && EmailAddresses.isPlausible(request.email)) {
            return PersonIdentifier.email(request.email);
        }
        return null;
    }
}
