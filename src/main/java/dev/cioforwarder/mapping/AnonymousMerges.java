package dev.cioforwarder.mapping;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.OperationEncoder;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.customerio.PersonIdentifier;
import dev.cioforwarder.customerio.ProfileUpdate;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.state.UserState;
import java.util.ArrayList;

/**
 * The anonymous MPIDs the device index ({@link AnonymousStitching}) gave a known user, merged into
 * their person in Customer.io: one identify each, addressed like the user's events, carrying only
 * {@code anonymous_id} (an identify merges the anonymous events of one anonymous id).
 *
 * <ul>
 *   <li>Before the person exists in Customer.io, or while the user is opted out at the sighting's
 *       time, they are held in the user's state and go out after the identifies of the next batch
 *       that is forwarded: never before the identify that creates the person.
 *   <li>At most {@value #MAX_HELD} are held; the oldest given is dropped first.
 *   <li>One from before the user's erasure is dropped: the person it was for is gone.
 * </ul>
 */
final class AnonymousMerges {

    static final int MAX_HELD = 8;

    private final OperationEncoder encoder;

    AnonymousMerges(OperationEncoder encoder) {
        this.encoder = encoder;
    }

    void apply(UserState state, AnonymousStitch stitch, Transition t) {
        PersonIdentifier address = PushDevices.addressOf(state);
        boolean send = address != null && !OptOutRule.optedOutAt(state, stitch.timeMs);
        for (String mpid : stitch.anonymousMpids) {
            if (send) {
                CustomerioOperation op =
                        Operations.of(
                                OperationKind.IDENTIFY,
                                encoder.identify(
                                        address,
                                        mergeOf(mpid, Math.floorDiv(stitch.timeMs, 1000)),
                                        0,
                                        0,
                                        true),
                                stitch.userKey,
                                stitch.mpid,
                                stitch.timeMs,
                                stitch.sourceTopic,
                                stitch.sourcePartition,
                                stitch.sourceOffset,
                                t);
                t.operations.add(op);
                t.anonymousMerged++;
            } else {
                hold(state, mpid);
            }
        }
    }

    /** Sends the merges held so far, after the identifies of a forwarded batch. */
    void flush(UserState state, PersonIdentifier address, MParticleBatch batch, Transition t) {
        if (state.pendingAnonymousMerges == null || state.optedOut) {
            return;
        }
        long seconds = batch.timestampSeconds();
        for (String mpid : state.pendingAnonymousMerges) {
            t.operations.add(
                    Operations.of(
                            OperationKind.IDENTIFY,
                            encoder.identify(address, mergeOf(mpid, seconds), 0, 0, true),
                            null,
                            batch.timestampMs,
                            batch,
                            t));
            t.anonymousMerged++;
        }
        state.pendingAnonymousMerges = null;
    }

    private static void hold(UserState state, String mpid) {
        if (state.pendingAnonymousMerges == null) {
            state.pendingAnonymousMerges = new ArrayList<>(1);
        }
        if (!state.pendingAnonymousMerges.contains(mpid)) {
            state.pendingAnonymousMerges.add(mpid);
        }
        while (state.pendingAnonymousMerges.size() > MAX_HELD) {
            state.pendingAnonymousMerges.remove(0);
        }
    }

    private static ProfileUpdate mergeOf(String anonymousId, long seconds) {
        ProfileUpdate u = new ProfileUpdate();
        u.anonymousId = anonymousId;
        u.timestampSeconds = seconds;
        return u;
    }
}
