package dev.cioforwarder.mapping;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.OperationEffects;
import dev.cioforwarder.customerio.OperationEncoder;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.customerio.PersonIdentifier;
import dev.cioforwarder.customerio.ProfileUpdate;
import dev.cioforwarder.json.ValueType;
import dev.cioforwarder.state.UserState;

/**
 * The email index's answer on the user's email ({@link EmailOwnership}), in the user's state
 * (customerio.guard-shared-emails): another customer holds it, so the user's identifies leave it
 * out; or it is theirs, and a person addressed by id who does not have it yet gets it now, in an
 * identify carrying only {@code email}. Called through {@link UserStateMachine#applyEmailVerdict},
 * which checks the setting and an erasure first.
 */
final class EmailVerdictRule {

    private final MappingSettings settings;
    private final OperationEncoder encoder;

    EmailVerdictRule(MappingSettings settings, OperationEncoder encoder) {
        this.settings = settings;
        this.encoder = encoder;
    }

    /** Applies the verdict to {@code state} (the transition's, already a copy). */
    void apply(UserState state, EmailVerdict verdict, Transition t) {
        if (verdict.ofAnotherCustomer) {
            state.emailOfAnotherCustomer = verdict.email;
            return;
        }
        if (verdict.email.equalsIgnoreCase(nullToEmpty(state.emailOfAnotherCustomer))) {
            state.emailOfAnotherCustomer = null;
        }
        state.emailConfirmed = verdict.email;
        PersonIdentifier address = PushDevices.addressOf(state);
        boolean changeAllowed = state.emailSent == null || settings.emailChangesById();
        if (address != null
                && address.kind() == PersonIdentifier.Kind.ID
                && !state.optedOut
                && changeAllowed
                && verdict.email.equalsIgnoreCase(nullToEmpty(state.email))
                && !verdict.email.equalsIgnoreCase(nullToEmpty(state.emailSent))) {
            ProfileUpdate email = new ProfileUpdate();
            email.attributes.add("email", ValueType.STRING, state.email);
            email.timestampSeconds =
                    Math.max(Math.floorDiv(verdict.timeMs, 1000), state.lastIdentifySeconds);
            CustomerioOperation op =
                    Operations.of(
                            OperationKind.IDENTIFY,
                            encoder.identify(address, email, 0, 1, true),
                            verdict.userKey,
                            verdict.mpid,
                            verdict.timeMs,
                            verdict.sourceTopic,
                            verdict.sourcePartition,
                            verdict.sourceOffset,
                            t);
            op.effects = OperationEffects.EMAIL;
            t.operations.add(op);
            t.identifySent++;
            state.emailSent = state.email;
        }
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
