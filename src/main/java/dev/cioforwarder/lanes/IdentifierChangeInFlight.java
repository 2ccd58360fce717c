package dev.cioforwarder.lanes;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.IdentifierChange;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.customerio.PersonIdentifier;
import dev.cioforwarder.customerio.Readdressing;
import dev.cioforwarder.state.UserState;

/**
 * An identifier change that went to delivery and has no answer yet may already be applied:
 * Customer.io knows the person by the new identifier only. An older operation of the user that
 * comes back from delivery now (requests restored after a failure, a retry) must not go to the old
 * identifier, which would create a second person (and make the change look like a conflict when it
 * runs again): it goes to the new one, after the change. If the change is refused, what waits is
 * moved back to the old identifier with everything else (see {@code
 * UserStateMachine#applyRefusal}).
 */
public final class IdentifierChangeInFlight {

    private IdentifierChangeInFlight() {}

    /** The operation is going to delivery: remember an identifier change among them. */
    public static void sent(UserState state, CustomerioOperation op) {
        if (op.kind != OperationKind.IDENTIFIER_CHANGE) {
            return;
        }
        IdentifierChange change = IdentifierChange.decode(op.body);
        state.identifierChangeSeq = op.seq;
        state.identifierChangeFrom = code(change.person());
        state.identifierChangeTo = code(change.set());
    }

    /** The operation is settled: a change among them is not in flight any more. */
    public static void settled(UserState state, CustomerioOperation op) {
        if (op.kind == OperationKind.IDENTIFIER_CHANGE && op.seq == state.identifierChangeSeq) {
            state.identifierChangeSeq = -1;
            state.identifierChangeFrom = null;
            state.identifierChangeTo = null;
        }
    }

    /**
     * An operation came back from delivery: when it is older than a change in flight and addressed
     * to the old identifier, the same operation to the new one, placed after the change; otherwise
     * {@code op}.
     */
    public static CustomerioOperation comingBack(UserState state, CustomerioOperation op) {
        if (state.identifierChangeSeq < 0
                || op.kind == OperationKind.IDENTIFIER_CHANGE
                || op.kind == OperationKind.SEAL
                || op.seq == CustomerioOperation.UNSEQUENCED
                || op.seq >= state.identifierChangeSeq) {
            return op;
        }
        CustomerioOperation moved =
                Readdressing.readdress(
                        op,
                        identifier(state.identifierChangeFrom),
                        identifier(state.identifierChangeTo));
        if (moved != op) {
            moved.seq = state.nextOperationSeq++;
        }
        return moved;
    }

    private static String code(PersonIdentifier id) {
        return id.kind().code() + ":" + id.value();
    }

    private static PersonIdentifier identifier(String code) {
        int colon = code.indexOf(':');
        return new PersonIdentifier(
                PersonIdentifier.Kind.fromCode(code.substring(0, colon)),
                code.substring(colon + 1));
    }
}
