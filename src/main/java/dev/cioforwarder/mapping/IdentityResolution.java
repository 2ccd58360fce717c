package dev.cioforwarder.mapping;

import dev.cioforwarder.customerio.IdentifierChange;
import dev.cioforwarder.customerio.PersonIdentifier;
import dev.cioforwarder.json.Attributes;
import dev.cioforwarder.mparticle.EventKind;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.mparticle.MParticleEvent;
import dev.cioforwarder.state.UserState;

/**
 * Who a user is in Customer.io: which identities count, which one addresses the person (the User ID
 * Type), and how that stays stable while identities change.
 *
 * <ul>
 *   <li>Identities come from {@code user_identities} (at the batch time) and {@code
 *       user_identity_change} events (at their own time). The user keeps the newest of each: an
 *       older batch never writes an older identity over a newer one.
 *   <li>An identity over 150 bytes, or an email that cannot be an address, is not used.
 *   <li>A batch without identities of its own is addressed by the identity remembered for the user,
 *       unless it is older than the first batch that carried one: the user was anonymous then, and
 *       in time order it would not have been forwarded.
 *   <li>Sticky addressing: Customer.io keeps knowing the person by what it first knew them by. The
 *       one change that can be made safely is email → id: an identify addressed by the email sets
 *       {@code id}, then the person is addressed by id. A changed Customer ID keeps the first,
 *       unless an App API key is configured: then a changed Customer ID or email is applied to the
 *       person through their cio_id ({@link IdentifierChange}), and they are addressed by the new
 *       identifier from then on. Identifiers are kept current also while the user is opted out (an
 *       unsubscribe must hold for every address Customer.io could reach them by); attributes and
 *       events wait.
 *   <li>The {@code email} attribute of a person addressed by id changes only when the workspace
 *       allows it ({@code customerio.update-email-by-id}); otherwise Customer.io answers 200 and
 *       records an attribute update failure, so the email it has is kept. In an ID-only workspace
 *       ({@code customerio.workspace-identifiers=id_only}) email is an ordinary attribute: a
 *       changed one goes in the identify by id, never through cio_id.
 * </ul>
 */
final class IdentityResolution {

    /** Where a batch's operations go. */
    static final class Addressing {
        /** The identifier the batch's identify is addressed by. */
        PersonIdentifier address;

        /** Non-null when an email-addressed person is given their Customer ID now. */
        String attachId;

        /** Whether Customer.io hears of the person for the first time. */
        boolean newPerson;

        /** The {@code email} attribute to send; null for none. */
        String email;

        /**
         * The batch carries no identity and is older than the first batch that did: its events and
         * profile are not forwarded.
         */
        boolean beforeIdentified;

        /**
         * A changed identifier to apply before anything else of the batch (with an App API key), or
         * null; {@link #address} is already the identifier after the change.
         */
        IdentifierChange change;

        /** The identifier the batch's events (and the person from now on) are addressed by. */
        PersonIdentifier eventAddress() {
            return attachId != null ? PersonIdentifier.id(attachId) : address;
        }
    }

    private final MappingSettings settings;
    private final Addressing addressing = new Addressing();

    /** Whether the batch last observed carried an addressable identity of its own. */
    private boolean carriedOwnIdentity;

    IdentityResolution(MappingSettings settings) {
        this.settings = settings;
    }

    /**
     * Takes the batch's identities into the state where they are newer than what it holds, and
     * records whether the batch itself carried an identity the User ID Type can address.
     */
    void observe(UserState state, MParticleBatch batch, Transition t) {
        observeIdentities(state, batch, t);
        carriedOwnIdentity = carriesIdentity(batch);
        if (carriedOwnIdentity
                && (state.firstIdentifiedMs == UserState.NONE
                        || batch.timestampMs < state.firstIdentifiedMs)) {
            state.firstIdentifiedMs = batch.timestampMs;
        }
    }

    /** Whether the batch names, itself, an identity of the kind the User ID Type addresses. */
    private boolean carriesIdentity(MParticleBatch batch) {
        boolean customerId = ownIdentity(batch, true);
        boolean email = ownIdentity(batch, false);
        switch (settings.userIdType()) {
            case PREFER_CUSTOMER_ID:
                return customerId || email;
            case CUSTOMER_ID:
                return customerId;
            case EMAIL:
                return email;
            case MPID:
            default:
                return batch.hasMpid;
        }
    }

    /** A usable customer id (or email) in the batch's identities or identity changes. */
    private static boolean ownIdentity(MParticleBatch batch, boolean customerId) {
        String identity = customerId ? batch.customerId : batch.email;
        if (usable(identity, !customerId)) {
            return true;
        }
        for (MParticleEvent event : batch.events) {
            if (event.kind == EventKind.IDENTITY_CHANGE
                    && event.identity != null
                    && isCustomerId(event.identityType) == customerId
                    && (customerId || event.identityType.equalsIgnoreCase("email"))
                    && usable(event.identity, !customerId)) {
                return true;
            }
        }
        return false;
    }

    private static boolean usable(String identity, boolean email) {
        return identity != null
                && Attributes.utf8Length(identity) <= CustomerioLimits.MAX_IDENTIFIER_BYTES
                && (!email || EmailAddresses.isPlausible(identity));
    }

    private static boolean isCustomerId(String identityType) {
        return identityType.equalsIgnoreCase("customer_id")
                || identityType.equalsIgnoreCase("customerid");
    }

    private void observeIdentities(UserState state, MParticleBatch batch, Transition t) {
        for (MParticleEvent event : batch.events) {
            if (event.kind == EventKind.IDENTITY_CHANGE && event.identity != null) {
                long at = event.timeOr(batch.timestampMs);
                if (isCustomerId(event.identityType)) {
                    takeCustomerId(state, event.identity, at, t);
                } else if (event.identityType.equalsIgnoreCase("email")) {
                    takeEmail(state, event.identity, at, t);
                }
            }
        }
        // user_identities is the user's identities at the batch time: newer than any change in it.
        if (batch.customerId != null) {
            takeCustomerId(state, batch.customerId, batch.timestampMs, t);
        }
        if (batch.email != null) {
            takeEmail(state, batch.email, batch.timestampMs, t);
        }
    }

    private static void takeCustomerId(UserState state, String value, long at, Transition t) {
        if (!fitsIdentifier(value, t)) {
            return;
        }
        if (value.equals(state.customerId)) {
            // The same id again: it was set when first seen, not now.
            if (state.customerIdTimeMs == UserState.NONE || at < state.customerIdTimeMs) {
                state.customerIdTimeMs = at;
            }
        } else if (state.customerIdTimeMs == UserState.NONE || at >= state.customerIdTimeMs) {
            state.customerId = value;
            state.customerIdTimeMs = at;
        }
    }

    private static void takeEmail(UserState state, String value, long at, Transition t) {
        if (!fitsIdentifier(value, t)) {
            return;
        }
        if (!EmailAddresses.isPlausible(value)) {
            t.skip(SkipReason.EMAIL_IMPLAUSIBLE);
            return;
        }
        if (value.equalsIgnoreCase(state.email == null ? "" : state.email)) {
            if (state.emailTimeMs == UserState.NONE || at < state.emailTimeMs) {
                state.emailTimeMs = at;
            }
        } else if (state.emailTimeMs == UserState.NONE || at >= state.emailTimeMs) {
            state.email = value;
            state.emailTimeMs = at;
        }
    }

    private static boolean fitsIdentifier(String value, Transition t) {
        if (Attributes.utf8Length(value) > CustomerioLimits.MAX_IDENTIFIER_BYTES) {
            t.skip(SkipReason.IDENTIFIER_TOO_LONG);
            return false;
        }
        return true;
    }

    /**
     * Where the batch goes, updating the state's sticky identifier; null when the user lacks the
     * identity the User ID Type requires. The result is reused by the next call.
     */
    Addressing resolve(UserState state, MParticleBatch batch, Transition t) {
        PersonIdentifier desired = desired(state, batch);
        if (desired == null) {
            return null;
        }
        Addressing a = addressing;
        a.change = null;
        // From before the user was known: in time order its events and profile would have gone
        // nowhere. What Customer.io must hear about the person now (an opt-out) still goes.
        a.beforeIdentified =
                !carriedOwnIdentity
                        && state.firstIdentifiedMs != UserState.NONE
                        && batch.timestampMs < state.firstIdentifiedMs;
        a.attachId = null;
        a.newPerson = state.identifier == null;
        if (a.newPerson) {
            a.address = desired;
            state.identifierKind = desired.kind().code();
            state.identifier = desired.value();
        } else {
            a.address =
                    new PersonIdentifier(
                            PersonIdentifier.Kind.fromCode(state.identifierKind), state.identifier);
            if (a.address.kind() == PersonIdentifier.Kind.EMAIL
                    && desired.kind() == PersonIdentifier.Kind.ID) {
                a.attachId = desired.value();
            } else if (a.address.kind() == desired.kind() && !same(a.address, desired)) {
                if (refused(state, desired)) {
                    // Customer.io refused this identifier for the person (it is someone else's):
                    // they stay addressed as Customer.io knows them.
                    t.skip(SkipReason.IDENTIFIER_REFUSED);
                } else if (settings.applyIdentifierChanges()) {
                    // The person keeps their profile and takes the new identifier, through
                    // their cio_id; from now on they are addressed by it.
                    a.change = new IdentifierChange(a.address, desired);
                    a.address = desired;
                    state.identifierKind = desired.kind().code();
                    state.identifier = desired.value();
                } else {
                    t.skip(
                            a.address.kind() == PersonIdentifier.Kind.ID
                                    ? SkipReason.IDENTIFIER_CHANGED
                                    : SkipReason.EMAIL_CHANGE_NOT_APPLIED);
                }
            }
        }
        a.email = email(state, a.address, a.change == null, t);
        if (a.change == null
                && settings.applyIdentifierChanges()
                && !settings.emailChangesById()
                && a.address.kind() == PersonIdentifier.Kind.ID
                && state.email != null
                && state.emailSent != null
                && !state.email.equalsIgnoreCase(state.emailSent)) {
            // Without "Allow updates to email using ID", the email changes through cio_id.
            if (refused(state, PersonIdentifier.email(state.email))) {
                t.skip(SkipReason.IDENTIFIER_REFUSED);
            } else {
                a.change = new IdentifierChange(a.address, PersonIdentifier.email(state.email));
                a.email = state.email;
            }
        }
        return a;
    }

    /** Records that the person is addressed by the attached id from now on. */
    static void attached(UserState state, Addressing a) {
        state.identifierKind = PersonIdentifier.Kind.ID.code();
        state.identifier = a.attachId;
    }

    private PersonIdentifier desired(UserState state, MParticleBatch batch) {
        switch (settings.userIdType()) {
            case PREFER_CUSTOMER_ID:
                if (state.customerId != null) {
                    return PersonIdentifier.id(state.customerId);
                }
                return state.email != null ? PersonIdentifier.email(state.email) : null;
            case CUSTOMER_ID:
                return state.customerId != null ? PersonIdentifier.id(state.customerId) : null;
            case EMAIL:
                return state.email != null ? PersonIdentifier.email(state.email) : null;
            case MPID:
                return batch.hasMpid ? PersonIdentifier.id(Long.toString(batch.mpid)) : null;
            default:
                throw new IllegalStateException("unknown user id type");
        }
    }

    /** The email attribute to send to the person addressed by {@code address}. */
    private String email(
            UserState state, PersonIdentifier address, boolean countKeptBack, Transition t) {
        if (address.kind() == PersonIdentifier.Kind.EMAIL) {
            // Addressed by email, the email is the identifier itself and cannot change through it.
            return address.value();
        }
        String email = emailByChangeRules(state, countKeptBack, t);
        String sent = state.emailSent;
        if (!settings.guardSharedEmails()
                || email == null
                || email.equalsIgnoreCase(sent == null ? "" : sent)) {
            return email;
        }
        // An email the person does not have yet: sent by this id only once the email index
        // answered that no other customer holds it. Else Customer.io could give that customer's
        // person this id.
        if (email.equalsIgnoreCase(nullToEmpty(state.emailOfAnotherCustomer))) {
            if (countKeptBack) {
                t.skip(SkipReason.EMAIL_OF_ANOTHER_CUSTOMER);
            }
            return sent;
        }
        return email.equalsIgnoreCase(nullToEmpty(state.emailConfirmed)) ? email : sent;
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }

    private String emailByChangeRules(UserState state, boolean countKeptBack, Transition t) {
        String newest = state.email;
        String sent = state.emailSent;
        if (newest == null || sent == null || sent.equalsIgnoreCase(newest)) {
            return newest != null ? newest : sent;
        }
        if (settings.emailChangesById()) {
            return newest;
        }
        if (countKeptBack && !settings.applyIdentifierChanges()) {
            t.skip(SkipReason.EMAIL_CHANGE_NOT_APPLIED);
        }
        return sent;
    }

    /** Whether Customer.io refused to give the person this identifier before. */
    private static boolean refused(UserState state, PersonIdentifier identifier) {
        if (state.refusedIdentifier == null) {
            return false;
        }
        String code = identifier.kind().code() + ":";
        return state.refusedIdentifier.startsWith(code)
                && same(
                        identifier,
                        new PersonIdentifier(
                                identifier.kind(),
                                state.refusedIdentifier.substring(code.length())));
    }

    /** Ids are case-sensitive; Customer.io treats emails case-insensitively. */
    private static boolean same(PersonIdentifier a, PersonIdentifier b) {
        return a.kind() == PersonIdentifier.Kind.EMAIL
                ? a.value().equalsIgnoreCase(b.value())
                : a.value().equals(b.value());
    }
}
