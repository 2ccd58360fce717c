package dev.cioforwarder.mapping;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.IdentifierChange;
import dev.cioforwarder.customerio.OperationEffects;
import dev.cioforwarder.customerio.PersonIdentifier;
import dev.cioforwarder.state.UserState;

/**
 * Customer.io refused (or delivery gave up on) an operation that changed what the state says was
 * sent ({@link CustomerioOperation#effects}): the state forgets it, so that the next batch sends it
 * again. A refused attach or identifier change leaves the person addressed as Customer.io knows
 * them, and the transition says how to re-address what waits. Called through {@link
 * UserStateMachine#applyRefusal}.
 */
final class RefusalRule {

    private RefusalRule() {}

    /**
     * Forgets in {@code state}, in place, what {@code op} changed; re-addressing goes to {@code t}.
     */
    static void forget(UserState state, CustomerioOperation op, Transition t) {
        int e = op.effects;
        if (OperationEffects.has(e, OperationEffects.PROFILE)) {
            state.profileFingerprint = 0;
        }
        if (OperationEffects.has(e, OperationEffects.EMAIL)) {
            state.emailSent = null;
        }
        if (OperationEffects.has(e, OperationEffects.CREATED_AT)) {
            state.createdAtSentSeconds = UserState.NONE;
        }
        if (OperationEffects.has(e, OperationEffects.UNSUBSCRIBE)
                && Boolean.TRUE.equals(state.unsubscribedSent)) {
            // Not null: upgradeOlderState would read an opted-out user without it as a state
            // from before version 3, which sent its unsubscribes, and never send this one again.
            // False reads the same everywhere else: not told it is unsubscribed.
            state.unsubscribedSent = Boolean.FALSE;
        }
        if (OperationEffects.has(e, OperationEffects.RESUBSCRIBE)
                && Boolean.FALSE.equals(state.unsubscribedSent)) {
            state.unsubscribedSent = Boolean.TRUE;
        }
        if (OperationEffects.has(e, OperationEffects.DEVICE_ADD) && state.pushDevices != null) {
            for (var device : state.pushDevices) {
                if (device.token.equals(op.effectDetail)) {
                    device.sent = false;
                }
            }
        }
        if (OperationEffects.has(e, OperationEffects.ATTACH)
                && PersonIdentifier.Kind.ID.code().equals(state.identifierKind)
                && op.effectDetail != null) {
            t.readdressFrom = PersonIdentifier.id(state.identifier);
            t.readdressTo = PersonIdentifier.email(op.effectDetail);
            state.identifierKind = PersonIdentifier.Kind.EMAIL.code();
            state.identifier = op.effectDetail;
        }
        if (OperationEffects.has(e, OperationEffects.IDENTIFIER_CHANGE)) {
            IdentifierChange change = IdentifierChange.decode(op.body);
            state.refusedIdentifier = change.set().kind().code() + ":" + change.set().value();
            if (change.set().kind().code().equals(state.identifierKind)
                    && change.set().value().equals(state.identifier)) {
                t.readdressFrom = change.set();
                t.readdressTo = change.person();
                state.identifierKind = change.person().kind().code();
                state.identifier = change.person().value();
            }
            if (change.set().kind() == PersonIdentifier.Kind.EMAIL) {
                state.emailSent = null;
            }
        }
    }
}
