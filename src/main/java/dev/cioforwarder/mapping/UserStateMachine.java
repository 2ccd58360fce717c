package dev.cioforwarder.mapping;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.IdentifierChange;
import dev.cioforwarder.customerio.OperationEffects;
import dev.cioforwarder.customerio.OperationEncoder;
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
import java.util.List;

/**
 * Applies one batch to one user: the rules of each concern in their own class ({@link
 * IdentityResolution}, {@link OptOutRule}, {@link ProfileBuilder}, {@link CreatedAtRule}, {@link
 * EventMapping}, {@link PushDevices}, {@link IdentifyOperations}), put together here in the order
 * Customer.io needs: identifies first (an unsubscribe or attached id before anything addressed by
 * it), then held push devices, then the batch's events. No Flink types: the job, the preview
 * command and the tests run the same code.
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
    private final Transition transition = new Transition();
    private final IdentityResolution identity;
    private final OptOutRule optOut;
    private final ProfileBuilder profiles;
    private final CreatedAtRule createdAt;
    private final EventMapping events;
    private final ErasureRule erasure;
    private final PushDevices pushDevices;
    private final AnonymousMerges anonymousMerges;
    private final IdentifyOperations identifies;
    private final EmailVerdictRule emailVerdicts;

    public UserStateMachine(MappingSettings settings) {
        this.settings = settings;
        OperationEncoder encoder =
                OperationEncoder.forMode(settings.apiMode(), settings.anonymousEventsInBatch());
        this.identity = new IdentityResolution(settings);
        this.optOut = new OptOutRule(settings);
        this.profiles = new ProfileBuilder(settings);
        this.createdAt = new CreatedAtRule(settings);
        this.events = new EventMapping(settings, encoder, new Ulid());
        this.erasure = new ErasureRule(encoder);
        this.pushDevices = new PushDevices(encoder, settings.userIdType());
        this.anonymousMerges = new AnonymousMerges(encoder);
        this.identifies = new IdentifyOperations(encoder);
        this.emailVerdicts = new EmailVerdictRule(settings, encoder);
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
        Applying s = observe(current, devices, batch, t);
        if (s.a == null) {
            return withoutIdentity(current, s);
        }
        buildProfile(s, devices);
        if (s.profileHeld) {
            holdProfile(s);
        } else if (s.late && !s.a.newPerson) {
            lateProfile(s);
        } else {
            currentProfile(s);
        }
        sendIdentifierChange(s);
        sendOptIn(s);
        timeIdentifies(s);
        sendAttach(s);
        sendUnsubscribe(s);
        sendAttributes(s);
        countIdentify(s);
        afterAttach(s);
        sendHeldAndEvents(s);
        t.state = s.state;
        return t;
    }

    /** What one {@link #apply} works with, from one step to the next. */
    private static final class Applying {
        MParticleBatch batch;
        Transition t;
        UserState state;
        long batchSeconds;

        /** Older than the newest batch seen (or than the batch that identified the user). */
        boolean late;

        IdentityResolution.Addressing a;
        ProfileUpdate update;
        long fingerprint;
        boolean profileChanged;
        List<String> removals;
        boolean profileHeld;
        Long createdAtSeconds;
        Boolean unsubscribe;
        String attachId;
        boolean sendProfile;
        boolean identifiersOnly;

        long identifySeconds;
        String anonymousId;
        PersonIdentifier profileAddress;
        boolean identifySent;
    }

    /**
     * The user's state with what the batch says of them: its time, devices' first sightings,
     * identities and opt-out changes; and how the user is addressed (null: they cannot be).
     */
    private Applying observe(
            UserState current, DeviceFirstSeen devices, MParticleBatch batch, Transition t) {
        Applying s = new Applying();
        s.batch = batch;
        s.t = t;
        UserState state = current == null ? new UserState() : current.copy();
        s.state = state;
        upgradeOlderState(state);
        s.batchSeconds = batch.timestampSeconds();
        s.late = isLate(state, batch);
        if (!s.late) {
            state.newestBatchTimeMs = batch.timestampMs;
        }
        if (settings.sendCreatedAt()) {
            createdAt.track(state, devices, batch, t);
        }
        identity.observe(state, batch, t);
        optOut.record(state, batch, t);
        s.a = identity.resolve(state, batch, t);
        return s;
    }

    /** A user who cannot be addressed: anonymous events at most, and what must wait is kept. */
    private Transition withoutIdentity(UserState current, Applying s) {
        MParticleBatch batch = s.batch;
        Transition t = s.t;
        if (settings.anonymousEvents() && batch.hasMpid) {
            // Sent by anonymous id; the identify that makes the user known carries it, and
            // Customer.io associates these events with the person then.
            emitEvents(null, anonymousId(s.state, batch), batch, t);
        }
        t.skip(SkipReason.NO_IDENTITY);
        // Nothing goes out, but what Customer.io must hear once the user is known is kept.
        ProfileBuilder.holdRemovals(s.state, profiles.deletions(batch, t), null, t);
        t.state = worthStoring(current, s.state) ? s.state : null;
        return t;
    }

    /** The batch's profile, removals, created_at and unsubscribe, before deciding what goes. */
    private void buildProfile(Applying s, DeviceFirstSeen devices) {
        UserState state = s.state;
        MParticleBatch batch = s.batch;
        s.update = new ProfileUpdate();
        profiles.build(s.update.attributes, s.a.email, batch, s.t);
        s.fingerprint = ProfileFingerprint.of(s.update.attributes);
        s.profileChanged = s.fingerprint != state.profileFingerprint;
        s.removals = profiles.deletions(batch, s.t);
        s.profileHeld = optOut.holdsProfile(state, batch);
        s.createdAtSeconds = settings.sendCreatedAt() ? createdAt.toSend(state, devices) : null;
        s.unsubscribe = optOut.unsubscribedToSend(state);
        s.attachId = s.a.attachId;
        if (s.a.beforeIdentified) {
            // In time order its events would have gone nowhere (or, with anonymous events, by
            // anonymous id and merged into the person when identified); it is older than the
            // batch that identified the user, so it is late as well.
            if (!settings.anonymousEvents()) {
                s.t.skip(SkipReason.NO_IDENTITY);
            }
            s.late = true;
        }
    }

    /**
     * An opted-out user's profile waits, removals included; only identifiers go, so that the
     * unsubscribe holds for every address Customer.io could reach the person by.
     */
    private void holdProfile(Applying s) {
        UserState state = s.state;
        Attributes attributes = s.update.attributes;
        if (s.profileChanged || s.createdAtSeconds != null || !s.removals.isEmpty()) {
            s.t.skip(SkipReason.PROFILE_OPTED_OUT);
        }
        ProfileBuilder.holdRemovals(state, s.removals, attributes, s.t);
        if (!s.late) {
            state.profileNameHashes = ProfileBuilder.nameHashes(attributes);
        }
        // created_at stays as it was until the user is forwarded again. Identifiers do not
        // wait: the unsubscribe must hold for every address Customer.io could reach the
        // person by, whatever order their batches arrive in.
        s.createdAtSeconds = null;
        attributes.names.clear();
        attributes.values.clear();
        addChangedEmail(attributes, s.a, state);
        s.sendProfile = attributes.size() > 0;
        s.identifiersOnly = true;
    }

    /** A late batch of a known person: its older profile never goes over the newer one. */
    private void lateProfile(Applying s) {
        UserState state = s.state;
        Attributes attributes = s.update.attributes;
        if (s.profileChanged && !s.a.beforeIdentified) {
            s.t.skip(SkipReason.PROFILE_LATE);
        }
        // Only removals still true of the newest profile seen go out: the newer profile has
        // every attribute the user still has. Those held with a newer profile are newer than
        // this batch, and wait for the next profile that goes out: sent now, this older
        // batch would carry out a removal an opt-out holds back.
        List<String> stillTrue = new ArrayList<>();
        for (String name : s.removals) {
            if (!ProfileBuilder.holdsName(state.profileNameHashes, name)
                    && (state.pendingDeletions == null || !state.pendingDeletions.contains(name))) {
                stillTrue.add(name);
            }
        }
        attributes.names.clear();
        attributes.values.clear();
        // The email in the state is the newest known, whatever this batch's age.
        addChangedEmail(attributes, s.a, state);
        s.identifiersOnly = attributes.size() > 0;
        ProfileBuilder.addRemovals(attributes, stillTrue);
        s.sendProfile = attributes.size() > 0;
    }

    /** The profile goes when it is new or changed, with every removal held until now. */
    private void currentProfile(Applying s) {
        UserState state = s.state;
        Attributes attributes = s.update.attributes;
        state.profileNameHashes = ProfileBuilder.nameHashes(attributes);
        // A late first profile is older than the removals held since: they wait for the next.
        List<String> allRemovals =
                s.late ? s.removals : ProfileBuilder.pendingWith(state, s.removals);
        int before = attributes.size();
        ProfileBuilder.addRemovals(attributes, allRemovals);
        if (!s.late) {
            state.pendingDeletions = null;
        }
        s.sendProfile = s.a.newPerson || s.profileChanged || attributes.size() > before;
    }

    private void sendIdentifierChange(Applying s) {
        IdentifierChange change = s.a.change;
        if (change != null) {
            // First, and alone in its request: everything after it is addressed by the new
            // identifier, or (an email) must not be undone by an identify carrying the old one.
            identifies.identifierChange(change, s.batch, s.t);
            if (change.set().kind() == PersonIdentifier.Kind.EMAIL) {
                s.state.emailSent = change.set().value();
            }
        }
    }

    /** An opt-in's unsubscribed:false goes under the opt-in's own time, never a newer one. */
    private void sendOptIn(Applying s) {
        if (Boolean.FALSE.equals(s.unsubscribe)) {
            ProfileUpdate optIn = new ProfileUpdate();
            optIn.unsubscribed = Boolean.FALSE;
            optIn.timestampSeconds = OptOutRule.newestChangeSeconds(s.state, s.batch.timestampMs);
            identifies.identify(
                    s.a.address, optIn, s.batch, s.t, OperationEffects.RESUBSCRIBE, true);
            s.state.unsubscribedSent = Boolean.FALSE;
            s.unsubscribe = null;
        }
    }

    /**
     * The time and address of the batch's identifies: a late batch's go under the newest identify
     * time known, so that they never look older than what Customer.io has.
     */
    private void timeIdentifies(Applying s) {
        UserState state = s.state;
        long newestSeconds =
                state.lastIdentifySeconds == UserState.NONE
                        ? s.batchSeconds
                        : Math.max(s.batchSeconds, state.lastIdentifySeconds);
        s.identifySeconds = s.late ? newestSeconds : s.batchSeconds;
        s.anonymousId =
                s.a.newPerson && settings.anonymousEvents() && s.batch.hasMpid
                        ? anonymousId(state, s.batch)
                        : null;
        s.profileAddress = s.a.address;
    }

    private void sendAttach(Applying s) {
        if (s.attachId != null) {
            // Alone, and confirmed before anything addressed by the id goes out: nothing
            // documents that Customer.io applies a batch's operations in order, and a refused
            // attach must leave the person addressed as Customer.io knows them.
            identifies.attach(s.a.address, s.attachId, s.identifySeconds, s.batch, s.t);
            s.profileAddress = PersonIdentifier.id(s.attachId);
            s.identifySent = true;
        }
    }

    /** Alone: no attribute Customer.io refuses can take the unsubscribe down with it. */
    private void sendUnsubscribe(Applying s) {
        if (s.unsubscribe != null) {
            ProfileUpdate u = new ProfileUpdate();
            u.unsubscribed = s.unsubscribe;
            u.timestampSeconds = s.identifySeconds;
            if (!sendsAttributes(s)) {
                u.anonymousId = s.anonymousId;
            }
            identifies.identify(
                    s.profileAddress, u, s.batch, s.t, OperationEffects.UNSUBSCRIBE, false);
            s.state.unsubscribedSent = s.unsubscribe;
            s.identifySent = true;
        }
    }

    private static boolean sendsAttributes(Applying s) {
        return s.sendProfile || s.createdAtSeconds != null;
    }

    /** The profile (or only its identifiers) and created_at, in one identify. */
    private void sendAttributes(Applying s) {
        if (!sendsAttributes(s)) {
            return;
        }
        UserState state = s.state;
        ProfileUpdate identify = s.sendProfile ? s.update : new ProfileUpdate();
        identify.timestampSeconds = s.identifySeconds;
        identify.createdAtSeconds = s.createdAtSeconds;
        identify.anonymousId = s.anonymousId;
        int effects = 0;
        if (s.sendProfile && s.identifiersOnly) {
            state.emailSent = s.a.email;
            effects |= OperationEffects.EMAIL;
        } else if (s.sendProfile && !s.late) {
            state.profileFingerprint = s.fingerprint;
            state.emailSent = s.a.email;
            effects |= OperationEffects.PROFILE | OperationEffects.EMAIL;
        }
        if (s.createdAtSeconds != null) {
            state.createdAtSentSeconds = s.createdAtSeconds;
            effects |= OperationEffects.CREATED_AT;
        }
        identifies.identify(s.profileAddress, identify, s.batch, s.t, effects, false);
        s.identifySent = true;
    }

    private static void countIdentify(Applying s) {
        UserState state = s.state;
        if (s.identifySent) {
            s.t.identifySent++;
            state.lastIdentifySeconds =
                    state.lastIdentifySeconds == UserState.NONE
                            ? s.identifySeconds
                            : Math.max(state.lastIdentifySeconds, s.identifySeconds);
        } else if (!s.profileHeld) {
            s.t.identifyUnchanged++;
        }
    }

    /** Once an id is attached, the person is addressed by it; a changed email follows. */
    private void afterAttach(Applying s) {
        if (s.attachId == null) {
            return;
        }
        UserState state = s.state;
        IdentityResolution.Addressing a = s.a;
        IdentityResolution.attached(state, a);
        state.emailSent = a.email;
        if (state.email != null && !state.email.equalsIgnoreCase(a.email)) {
            // The person's email changed too; only now, addressed by id, can it be sent.
            if (settings.emailChangesById()) {
                ProfileUpdate email = new ProfileUpdate();
                email.attributes.add("email", ValueType.STRING, state.email);
                email.timestampSeconds = state.lastIdentifySeconds;
                identifies.identify(
                        a.eventAddress(), email, s.batch, s.t, OperationEffects.EMAIL, true);
                state.emailSent = state.email;
            } else if (settings.applyIdentifierChanges()) {
                identifies.identifierChange(
                        new IdentifierChange(a.eventAddress(), PersonIdentifier.email(state.email)),
                        s.batch,
                        s.t);
                state.emailSent = state.email;
            } else {
                s.t.skip(SkipReason.EMAIL_CHANGE_NOT_APPLIED);
            }
        }
    }

    /** After the identifies: held devices, held anonymous merges, then the batch's events. */
    private void sendHeldAndEvents(Applying s) {
        IdentityResolution.Addressing a = s.a;
        PersonIdentifier eventAddress = s.attachId != null ? a.eventAddress() : a.address;
        if (settings.forwardDevices()) {
            // Devices held until the person existed, or until an opt-in: after the identifies.
            pushDevices.flush(s.state, eventAddress, s.batch, s.t);
        }
        // Anonymous MPIDs of the user's device held until the person existed: after the
        // identifies, like devices.
        anonymousMerges.flush(s.state, eventAddress, s.batch, s.t);
        if (!a.beforeIdentified || settings.anonymousEvents()) {
            // An anonymous batch arriving after the identify went out belongs to the person:
            // sent to them directly, as merging would have done had it arrived in time.
            emitEvents(eventAddress, null, s.batch, s.t);
        }
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
            if (!EventMapping.isForwardable(event)) {
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
        emailVerdicts.apply(state, verdict, t);
        return t;
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
        RefusalRule.forget(state, op, t);
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

    /** An unknown user is stored only when there is something to remember about them. */
    private boolean worthStoring(UserState current, UserState state) {
        return current != null
                || settings.sendCreatedAt()
                || state.optOutChanges != null
                || state.pendingDeletions != null;
    }
}
