package dev.cioforwarder.mapping;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.EncodedOperation;
import dev.cioforwarder.customerio.IdentifierChange;
import dev.cioforwarder.customerio.OperationEffects;
import dev.cioforwarder.customerio.OperationEncoder;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.customerio.PersonIdentifier;
import dev.cioforwarder.customerio.ProfileUpdate;
import dev.cioforwarder.customerio.Ulid;
import dev.cioforwarder.json.Attributes;
import dev.cioforwarder.json.ValueType;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.mparticle.MParticleEvent;
import dev.cioforwarder.state.DeviceFirstSeen;
import dev.cioforwarder.state.UserState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Applies one batch to one user: the rules of each concern in their own class ({@link
 * IdentityResolution}, {@link OptOutRule}, {@link ProfileBuilder}, {@link CreatedAtRule}, {@link
 * EventMapping}, {@link PushDevices}), put together here in the order Customer.io needs: identifies
 * first (an unsubscribe or attached id before anything addressed by it), then held push devices,
 * then the batch's events. No Flink types: the job, the preview command and the tests run the same
 * code.
 *
 * <p>Batches may arrive in any order (a device uploading late, a replay, a second input topic). A
 * batch older than the newest one seen for the user is <em>late</em>: it never writes its older
 * identities or profile over newer ones; what must not be lost with it (an opt-out, a removal, an
 * attached id, an earlier created_at) goes out under the newest timestamp.
 *
 * <p>Not thread-safe: it reuses its rules, encoder and {@link Transition}.
 */
public final class UserStateMachine {

    private final MappingSettings settings;
    private final OperationEncoder encoder;
    private final Transition transition = new Transition();
    private final IdentityResolution identity;
    private final OptOutRule optOut;
    private final ProfileBuilder profiles;
    private final CreatedAtRule createdAt;
    private final EventMapping events;
    private final ErasureRule erasure;
    private final PushDevices pushDevices;
    private final AnonymousMerges anonymousMerges;

    public UserStateMachine(MappingSettings settings) {
        this.settings = settings;
        this.encoder =
                OperationEncoder.forMode(settings.apiMode(), settings.anonymousEventsInBatch());
        this.identity = new IdentityResolution(settings);
        this.optOut = new OptOutRule(settings);
        this.profiles = new ProfileBuilder(settings);
        this.createdAt = new CreatedAtRule(settings);
        this.events = new EventMapping(settings, encoder, new Ulid());
        this.erasure = new ErasureRule(encoder);
        this.pushDevices = new PushDevices(encoder, settings.userIdType());
        this.anonymousMerges = new AnonymousMerges(encoder);
    }

    public MappingSettings settings() {
        return settings;
    }

    /**
     * Applies one batch.
     *
     * @param current the stored state, or null for a user seen for the first time
     * @param devices the user's device first-seen map (read and updated when created_at is on)
     */
    public Transition apply(UserState current, DeviceFirstSeen devices, MParticleBatch batch) {
        Transition t = transition;
        t.reset();
        if (batch.erasure != null) {
            erasure.erase(current, devices, batch, t);
            return t;
        }
        if (ErasureRule.erased(current, batch)) {
            t.skip(SkipReason.ERASED);
            return t;
        }
        UserState state = current == null ? new UserState() : current.copy();
        upgradeOlderState(state);
        long batchSeconds = batch.timestampSeconds();
        boolean late = isLate(state, batch);
        if (!late) {
            state.newestBatchTimeMs = batch.timestampMs;
        }

        if (settings.sendCreatedAt()) {
            createdAt.track(state, devices, batch, t);
        }
        identity.observe(state, batch, t);
        optOut.record(state, batch, t);
        IdentityResolution.Addressing a = identity.resolve(state, batch, t);
        if (a == null) {
            if (settings.anonymousEvents() && batch.hasMpid) {
                // Sent by anonymous id; the identify that makes the user known carries it, and
                // Customer.io associates these events with the person then.
                emitEvents(null, anonymousId(state, batch), batch, t);
            }
            t.skip(SkipReason.NO_IDENTITY);
            // Nothing goes out, but what Customer.io must hear once the user is known is kept.
            holdRemovals(state, profiles.deletions(batch, t), null, t);
            t.state = worthStoring(current, state) ? state : null;
            return t;
        }

        ProfileUpdate update = new ProfileUpdate();
        profiles.build(update.attributes, a.email, batch, t);
        long fingerprint = ProfileFingerprint.of(update.attributes);
        boolean profileChanged = fingerprint != state.profileFingerprint;
        List<String> removals = profiles.deletions(batch, t);
        boolean profileHeld = optOut.holdsProfile(state, batch);
        Long createdAtSeconds = settings.sendCreatedAt() ? createdAt.toSend(state, devices) : null;
        Boolean unsubscribe = optOut.unsubscribedToSend(state);
        String attachId = a.attachId;

        if (a.beforeIdentified) {
            // In time order its events would have gone nowhere (or, with anonymous events, by
            // anonymous id and merged into the person when identified); it is older than the
            // batch that identified the user, so it is late as well.
            if (!settings.anonymousEvents()) {
                t.skip(SkipReason.NO_IDENTITY);
            }
            late = true;
        }
        boolean sendProfile;
        boolean identifiersOnly = false;
        if (profileHeld) {
            if (profileChanged || createdAtSeconds != null || !removals.isEmpty()) {
                t.skip(SkipReason.PROFILE_OPTED_OUT);
            }
            holdRemovals(state, removals, update.attributes, t);
            if (!late) {
                state.profileNameHashes = ProfileBuilder.nameHashes(update.attributes);
            }
            // created_at stays as it was until the user is forwarded again. Identifiers do not
            // wait: the unsubscribe must hold for every address Customer.io could reach the
            // person by, whatever order their batches arrive in.
            createdAtSeconds = null;
            update.attributes.names.clear();
            update.attributes.values.clear();
            addChangedEmail(update.attributes, a, state);
            sendProfile = update.attributes.size() > 0;
            identifiersOnly = true;
        } else if (late && !a.newPerson) {
            if (profileChanged && !a.beforeIdentified) {
                t.skip(SkipReason.PROFILE_LATE);
            }
            // Only removals still true of the newest profile seen go out: the newer profile has
            // every attribute the user still has. Those held with a newer profile are newer than
            // this batch, and wait for the next profile that goes out: sent now, this older
            // batch would carry out a removal an opt-out holds back.
            List<String> stillTrue = new ArrayList<>();
            for (String name : removals) {
                if (!ProfileBuilder.holdsName(state.profileNameHashes, name)
                        && (state.pendingDeletions == null
                                || !state.pendingDeletions.contains(name))) {
                    stillTrue.add(name);
                }
            }
            update.attributes.names.clear();
            update.attributes.values.clear();
            // The email in the state is the newest known, whatever this batch's age.
            addChangedEmail(update.attributes, a, state);
            identifiersOnly = update.attributes.size() > 0;
            ProfileBuilder.addRemovals(update.attributes, stillTrue);
            sendProfile = update.attributes.size() > 0;
        } else {
            state.profileNameHashes = ProfileBuilder.nameHashes(update.attributes);
            // A late first profile is older than the removals held since: they wait for the next.
            List<String> allRemovals = late ? removals : pendingWith(state, removals);
            int before = update.attributes.size();
            ProfileBuilder.addRemovals(update.attributes, allRemovals);
            if (!late) {
                state.pendingDeletions = null;
            }
            sendProfile = a.newPerson || profileChanged || update.attributes.size() > before;
        }

        if (a.change != null) {
            // First, and alone in its request: everything after it is addressed by the new
            // identifier, or (an email) must not be undone by an identify carrying the old one.
            emitIdentifierChange(a.change, batch, t);
            if (a.change.set().kind() == PersonIdentifier.Kind.EMAIL) {
                state.emailSent = a.change.set().value();
            }
        }

        // An opt-in's unsubscribed:false goes under the opt-in's own time, never a newer one.
        long newestSeconds =
                state.lastIdentifySeconds == UserState.NONE
                        ? batchSeconds
                        : Math.max(batchSeconds, state.lastIdentifySeconds);
        if (Boolean.FALSE.equals(unsubscribe)) {
            ProfileUpdate optIn = new ProfileUpdate();
            optIn.unsubscribed = Boolean.FALSE;
            optIn.timestampSeconds = OptOutRule.newestChangeSeconds(state, batch.timestampMs);
            emitIdentify(a.address, optIn, batch, t, OperationEffects.RESUBSCRIBE, true);
            state.unsubscribedSent = Boolean.FALSE;
            unsubscribe = null;
        }

        long identifySeconds = late ? newestSeconds : batchSeconds;
        String anonymousId =
                a.newPerson && settings.anonymousEvents() && batch.hasMpid
                        ? anonymousId(state, batch)
                        : null;
        PersonIdentifier profileAddress = a.address;
        boolean identifySent = false;
        if (attachId != null) {
            // Alone, and confirmed before anything addressed by the id goes out: nothing
            // documents that Customer.io applies a batch's operations in order, and a refused
            // attach must leave the person addressed as Customer.io knows them.
            emitAttach(a.address, attachId, identifySeconds, batch, t);
            profileAddress = PersonIdentifier.id(attachId);
            identifySent = true;
        }
        boolean sendAttributes = sendProfile || createdAtSeconds != null;
        if (unsubscribe != null) {
            // Alone: no attribute Customer.io refuses can take the unsubscribe down with it.
            ProfileUpdate u = new ProfileUpdate();
            u.unsubscribed = unsubscribe;
            u.timestampSeconds = identifySeconds;
            if (!sendAttributes) {
                u.anonymousId = anonymousId;
            }
            emitIdentify(profileAddress, u, batch, t, OperationEffects.UNSUBSCRIBE, false);
            state.unsubscribedSent = unsubscribe;
            identifySent = true;
        }
        if (sendAttributes) {
            ProfileUpdate identify = sendProfile ? update : new ProfileUpdate();
            identify.timestampSeconds = identifySeconds;
            identify.createdAtSeconds = createdAtSeconds;
            identify.anonymousId = anonymousId;
            int effects = 0;
            if (sendProfile && identifiersOnly) {
                state.emailSent = a.email;
                effects |= OperationEffects.EMAIL;
            } else if (sendProfile && !late) {
                state.profileFingerprint = fingerprint;
                state.emailSent = a.email;
                effects |= OperationEffects.PROFILE | OperationEffects.EMAIL;
            }
            if (createdAtSeconds != null) {
                state.createdAtSentSeconds = createdAtSeconds;
                effects |= OperationEffects.CREATED_AT;
            }
            emitIdentify(profileAddress, identify, batch, t, effects, false);
            identifySent = true;
        }
        if (identifySent) {
            t.identifySent++;
            state.lastIdentifySeconds =
                    state.lastIdentifySeconds == UserState.NONE
                            ? identifySeconds
                            : Math.max(state.lastIdentifySeconds, identifySeconds);
        } else if (!profileHeld) {
            t.identifyUnchanged++;
        }
        if (attachId != null) {
            IdentityResolution.attached(state, a);
            state.emailSent = a.email;
            if (state.email != null && !state.email.equalsIgnoreCase(a.email)) {
                // The person's email changed too; only now, addressed by id, can it be sent.
                if (settings.emailChangesById()) {
                    ProfileUpdate email = new ProfileUpdate();
                    email.attributes.add("email", ValueType.STRING, state.email);
                    email.timestampSeconds = state.lastIdentifySeconds;
                    emitIdentify(a.eventAddress(), email, batch, t, OperationEffects.EMAIL, true);
                    state.emailSent = state.email;
                } else if (settings.applyIdentifierChanges()) {
                    emitIdentifierChange(
                            new IdentifierChange(
                                    a.eventAddress(), PersonIdentifier.email(state.email)),
                            batch,
                            t);
                    state.emailSent = state.email;
                } else {
                    t.skip(SkipReason.EMAIL_CHANGE_NOT_APPLIED);
                }
            }
        }

        PersonIdentifier eventAddress = attachId != null ? a.eventAddress() : a.address;
        if (settings.forwardDevices()) {
            // Devices held until the person existed, or until an opt-in: after the identifies.
            pushDevices.flush(state, eventAddress, batch, t);
        }
        // Anonymous MPIDs of the user's device held until the person existed: after the
        // identifies, like devices.
        anonymousMerges.flush(state, eventAddress, batch, t);
        if (!a.beforeIdentified || settings.anonymousEvents()) {
            // An anonymous batch arriving after the identify went out belongs to the person:
            // sent to them directly, as merging would have done had it arrived in time.
            emitEvents(eventAddress, null, batch, t);
        }
        t.state = state;
        return t;
    }

    /**
     * The anonymous id of a user without identity: their MPID; after an erasure, the MPID and the
     * erasure's time. Customer.io keeps anonymous events for up to 30 days and merges them into
     * whoever is identified with their anonymous id: the erased person's anonymous history must
     * never join the next person of the same MPID.
     */
    static String anonymousId(UserState state, MParticleBatch batch) {
        String mpid = Long.toString(batch.mpid);
        return state.erasedBeforeMs == UserState.NONE ? mpid : mpid + "-" + state.erasedBeforeMs;
    }

    /** The batch's events, to {@code address}, or by {@code anonymousId} when it is null. */
    private void emitEvents(
            PersonIdentifier address, String anonymousId, MParticleBatch batch, Transition t) {
        for (MParticleEvent event : batch.events) {
            if (!events.isForwardable(event)) {
                continue;
            }
            SkipReason notForwarded = EventMapping.notForwarded(event);
            if (notForwarded != null) {
                t.skip(notForwarded);
            } else if (optOut.holds(event, batch)) {
                t.skip(SkipReason.OPTED_OUT);
            } else if (address != null) {
                events.emit(address, event, batch, t);
            } else {
                events.emitAnonymous(anonymousId, event, batch, t);
            }
        }
    }

    private void emitIdentifierChange(IdentifierChange change, MParticleBatch batch, Transition t) {
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
    private void emitAttach(
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

    /**
     * Applies a push device change the token index decided for this user ({@link TokenOwnership}):
     * its {@code add_device} or {@code delete_device}, addressed as Customer.io knows the person,
     * or held in the state until the person can be addressed (see {@link PushDevices}). Nothing
     * without {@code customerio.forward-devices}.
     *
     * @param current the stored state, or null for a user not seen yet
     */
    public Transition applyDeviceChange(UserState current, DeviceChange change) {
        Transition t = transition;
        t.reset();
        if (!settings.forwardDevices()) {
            return t;
        }
        if (current != null
                && current.erasedBeforeMs != UserState.NONE
                && change.timeMs < current.erasedBeforeMs) {
            // From a batch before the user's erasure: the person it concerned is gone.
            t.skip(SkipReason.ERASED);
            return t;
        }
        UserState state = current == null ? new UserState() : current.copy();
        upgradeOlderState(state);
        pushDevices.apply(state, change, t);
        t.state = state;
        return t;
    }

    /**
     * The email index's answer on the user's email ({@link EmailOwnership}), with {@code
     * customerio.guard-shared-emails}: another customer holds it, so the user's identifies leave it
     * out; or it is theirs, and a person addressed by id who does not have it yet gets it now (an
     * identify carrying only {@code email}), or with their next identify while opted out.
     *
     * @param current the stored state, or null for a user not seen yet
     */
    public Transition applyEmailVerdict(UserState current, EmailVerdict verdict) {
        Transition t = transition;
        t.reset();
        if (!settings.guardSharedEmails()) {
            return t;
        }
        if (current != null
                && current.erasedBeforeMs != UserState.NONE
                && verdict.timeMs < current.erasedBeforeMs) {
            t.skip(SkipReason.ERASED);
            return t;
        }
        UserState state = current == null ? new UserState() : current.copy();
        t.state = state;
        if (verdict.ofAnotherCustomer) {
            state.emailOfAnotherCustomer = verdict.email;
            return t;
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
        return t;
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }

    /**
     * Anonymous MPIDs the device index gave the user ({@link AnonymousStitching}): merged into
     * their person, or held in the state until the person can be addressed ({@link
     * AnonymousMerges}). Nothing without {@code customerio.anonymous-events}.
     *
     * @param current the stored state, or null for a user not seen yet
     */
    public Transition applyStitch(UserState current, AnonymousStitch stitch) {
        Transition t = transition;
        t.reset();
        if (!settings.anonymousEvents()) {
            return t;
        }
        if (current != null
                && current.erasedBeforeMs != UserState.NONE
                && stitch.timeMs < current.erasedBeforeMs) {
            // From a batch before the user's erasure: the person it was for is gone.
            t.skip(SkipReason.ERASED);
            return t;
        }
        UserState state = current == null ? new UserState() : current.copy();
        upgradeOlderState(state);
        anonymousMerges.apply(state, stitch, t);
        t.state = state;
        return t;
    }

    /**
     * Customer.io refused (or delivery gave up on) an operation that changed what the state says
     * was sent ({@link CustomerioOperation#effects}): the state forgets it, so that the next batch
     * sends it again. A refused attach or identifier change leaves the person addressed as
     * Customer.io knows them; the transition says how to re-address what waits.
     *
     * <p>Unlike the other transitions it changes {@code state} in place (the caller's delivery lane
     * goes on with the same object); the transition's state is {@code state} itself.
     *
     * @param state the stored state, or null (then there is nothing to forget)
     */
    public Transition applyRefusal(UserState state, CustomerioOperation op) {
        Transition t = transition;
        t.reset();
        if (state == null || op.effects == 0) {
            return t;
        }
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
        t.state = state;
        return t;
    }

    /**
     * The email of a person addressed by id, when it is not the one Customer.io was last sent: an
     * identifier, kept current even where the profile waits (opted out, or a late batch).
     */
    private static void addChangedEmail(
            Attributes out, IdentityResolution.Addressing a, UserState state) {
        if (a.email != null
                && a.address.kind() == PersonIdentifier.Kind.ID
                && !a.email.equalsIgnoreCase(String.valueOf(state.emailSent))) {
            out.add("email", ValueType.STRING, a.email);
        }
    }

    /**
     * Older than the newest batch seen. A user restored from a state version 2 savepoint has no
     * newest batch yet; their newest identify stands in for it.
     */
    private static boolean isLate(UserState state, MParticleBatch batch) {
        if (state.newestBatchTimeMs != UserState.NONE) {
            return batch.timestampMs < state.newestBatchTimeMs;
        }
        return state.lastIdentifySeconds != UserState.NONE
                && batch.timestampSeconds() < state.lastIdentifySeconds;
    }

    /** Fields state version 3 added, derived where an older state already implies them. */
    private static void upgradeOlderState(UserState state) {
        if (state.unsubscribedSent == null && state.optedOut && state.identifier != null) {
            // Version 2 sent unsubscribed:true with every opt-out of a known user.
            state.unsubscribedSent = Boolean.TRUE;
        }
    }

    /**
     * Keeps removals of a held profile for the next profile that goes out: at most {@link
     * ProfileBuilder#MAX_DELETIONS}, the earliest held first; each one past them is counted.
     */
    private static void holdRemovals(
            UserState state, List<String> removals, Attributes profile, Transition t) {
        if (state.pendingDeletions == null && removals.isEmpty()) {
            return;
        }
        // Sets, not List.contains: quadratic in the number of names otherwise.
        Set<String> pending =
                state.pendingDeletions == null
                        ? new LinkedHashSet<>()
                        : new LinkedHashSet<>(state.pendingDeletions);
        if (profile != null && !pending.isEmpty()) {
            // An attribute the held profile sets again is no longer removed.
            Set<String> setAgain = new HashSet<>(profile.names);
            pending.removeIf(setAgain::contains);
        }
        pending.addAll(removals);
        List<String> kept = new ArrayList<>(Math.min(pending.size(), ProfileBuilder.MAX_DELETIONS));
        for (String name : pending) {
            if (kept.size() < ProfileBuilder.MAX_DELETIONS) {
                kept.add(name);
            } else {
                t.skip(SkipReason.DELETED_ATTRIBUTES_LIMIT);
            }
        }
        // Still a java.util.ArrayList: the state field's type (List<String>) never changes.
        state.pendingDeletions = kept.isEmpty() ? null : kept;
    }

    private static List<String> pendingWith(UserState state, List<String> removals) {
        if (state.pendingDeletions == null) {
            return removals;
        }
        Set<String> all = new LinkedHashSet<>(state.pendingDeletions);
        all.addAll(removals);
        return new ArrayList<>(all);
    }

    /** An unknown user is stored only when there is something to remember about them. */
    private boolean worthStoring(UserState current, UserState state) {
        return current != null
                || settings.sendCreatedAt()
                || state.optOutChanges != null
                || state.pendingDeletions != null;
    }

    /**
     * Emits the identify as one operation, or several when it holds more than 300 fields (a full
     * profile and removals) or would exceed 32 KB. The first carries the control fields and, when
     * it attaches an id, closes its request: nothing documents that Customer.io applies a batch's
     * operations in order, so what is addressed by the new id waits until the attaching identify is
     * acknowledged.
     */
    private void emitIdentify(
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
        emitIdentifyRange(address, update, 0, firstEnd, true, batch, t);
        PersonIdentifier rest =
                update.attachId != null ? PersonIdentifier.id(update.attachId) : address;
        for (int from = firstEnd; from < attributes.size(); ) {
            int to = Math.min(attributes.size(), from + CustomerioLimits.MAX_ATTRIBUTES_PER_PERSON);
            emitIdentifyRange(rest, update, from, to, false, batch, t);
            from = to;
        }
        for (int i = first; i < t.operations.size(); i++) {
            t.operations.get(i).effects = effects;
        }
        if (count) {
            t.identifySent++;
        }
    }

    private void emitIdentifyRange(
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
            emitIdentifyRange(address, update, from, middle, withControlFields, batch, t);
            PersonIdentifier rest =
                    withControlFields && update.attachId != null
                            ? PersonIdentifier.id(update.attachId)
                            : address;
            emitIdentifyRange(rest, update, middle, to, false, batch, t);
            return;
        }
        var op = Operations.of(OperationKind.IDENTIFY, encoded, null, batch.timestampMs, batch, t);
        t.operations.add(op);
    }
}
