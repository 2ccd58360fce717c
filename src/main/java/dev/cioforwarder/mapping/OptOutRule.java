package dev.cioforwarder.mapping;

import dev.cioforwarder.mparticle.EventKind;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.mparticle.MParticleEvent;
import dev.cioforwarder.state.UserState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Opt-out is a privacy promise, kept whatever order batches arrive in.
 *
 * <ul>
 *   <li>Every {@code opt_out} event is a change at its own time, remembered in the user's timeline
 *       (also while the user has no identity yet). An event is held back when the user is opted out
 *       at the event's time; a profile is held back when the user is opted out for the whole batch
 *       (the batch that opts out still carries its profile along with the unsubscribe).
 *   <li>Whether the user is opted out now is decided by their newest change, so an older opt-in
 *       arriving after a newer opt-out changes nothing.
 *   <li>Customer.io hears {@code unsubscribed: true} whenever the user has opted out and it has not
 *       been told so (the first identify of a user who opted out before they had an identity
 *       carries it), and again with each opt-out after an opt-in (the person may have resubscribed
 *       from an email link meanwhile), under the newest timestamp: privacy wins over ordering.
 *       Without {@code customerio.resubscribe-on-opt-in} an opt-in never undoes it, so an opt-out
 *       that arrives after a newer opt-in still unsubscribes, as it would have in time order.
 *   <li>{@code unsubscribed: false} only with {@code customerio.resubscribe-on-opt-in}, when the
 *       newest change is an opt-in, and only under the opt-in's own time: an app opt-in must not
 *       undo a newer unsubscribe the person made from an email link.
 *   <li>An {@code opt_out} event without {@code is_opted_out} is an opt-in: mParticle's reference
 *       defines the field as "suggested, false by default".
 * </ul>
 *
 * <p>Not thread-safe: it remembers the current batch's changes between calls.
 */
final class OptOutRule {

    /**
     * Changes kept per user; older ones fold into the state before them. A change older than every
     * kept one that arrives after a fold can only make that state opted out: its order among the
     * folded changes is unknown.
     */
    static final int MAX_CHANGES = 32;

    private final MappingSettings settings;
    private final List<MParticleEvent> batchChanges = new ArrayList<>();
    private long[] timelineBefore;
    private boolean baselineBefore;
    private boolean optedOutBefore;

    OptOutRule(MappingSettings settings) {
        this.settings = settings;
    }

    /** Adds the batch's opt-out changes to the user's timeline. Call once per batch, first. */
    void record(UserState state, MParticleBatch batch, Transition t) {
        batchChanges.clear();
        optedOutBefore = state.optedOut;
        timelineBefore = state.optOutChanges;
        baselineBefore = timelineBefore == null ? state.optedOut : state.optedOutBeforeChanges;
        for (MParticleEvent event : batch.events) {
            if (event.kind == EventKind.OPT_OUT) {
                if (event.optedOut == null) {
                    t.adjust(Adjustment.OPT_OUT_VALUE_DEFAULTED);
                }
                batchChanges.add(event);
            }
        }
        if (batchChanges.isEmpty()) {
            return;
        }
        long[] timeline = timelineBefore == null ? new long[0] : timelineBefore;
        boolean baseline = baselineBefore;
        for (MParticleEvent change : batchChanges) {
            timeline =
                    insert(
                            timeline,
                            entry(
                                    change.timeOr(batch.timestampMs),
                                    Boolean.TRUE.equals(change.optedOut)));
        }
        if (timeline.length > MAX_CHANGES) {
            int drop = timeline.length - MAX_CHANGES;
            long newestDropped = timeline[drop - 1];
            boolean mayHaveFolded = timelineBefore != null && timelineBefore.length >= MAX_CHANGES;
            if (mayHaveFolded && time(newestDropped) < time(timelineBefore[0])) {
                // Older than every change kept: whether it is newer than the changes folded
                // before is unknown, so it may make the user opted out there, never opted in.
                baseline = baseline || optedOut(newestDropped);
            } else {
                baseline = optedOut(newestDropped);
            }
            timeline = Arrays.copyOfRange(timeline, drop, timeline.length);
        }
        state.optOutChanges = timeline;
        state.optedOutBeforeChanges = baseline;
        state.optedOut = optedOut(timeline[timeline.length - 1]);
    }

    /**
     * Whether {@code event} of the batch last recorded is held back: the user is opted out at its
     * time. Within the batch, a change at the same time counts only if it comes before the event,
     * and where either has no time of its own, their order in the batch decides.
     */
    boolean holds(MParticleEvent event, MParticleBatch batch) {
        long time = event.timeOr(batch.timestampMs);
        long before = latestAtOrBefore(timelineBefore, time);
        boolean optedOut = before == NO_ENTRY ? baselineBefore : optedOut(before);
        long beforeTime = before == NO_ENTRY ? Long.MIN_VALUE : time(before);
        boolean eventTimed = event.timestampMs != MParticleEvent.NO_TIME;
        for (MParticleEvent change : batchChanges) {
            long changeTime = change.timeOr(batch.timestampMs);
            boolean bothTimed = eventTimed && change.timestampMs != MParticleEvent.NO_TIME;
            boolean precedes =
                    bothTimed
                            ? changeTime < time
                                    || (changeTime == time && change.position < event.position)
                            : change.position < event.position;
            if (precedes && (changeTime >= beforeTime || !bothTimed)) {
                beforeTime = changeTime;
                optedOut = Boolean.TRUE.equals(change.optedOut);
            }
        }
        return optedOut;
    }

    /**
     * Whether the batch's profile is held back: the user is opted out at the batch time and was
     * already opted out before the batch's first change.
     */
    boolean holdsProfile(UserState state, MParticleBatch batch) {
        if (!optedOutAt(state, batch.timestampMs)) {
            return false;
        }
        if (batchChanges.isEmpty()) {
            return true;
        }
        long firstChange = Long.MAX_VALUE;
        for (MParticleEvent change : batchChanges) {
            firstChange = Math.min(firstChange, change.timeOr(batch.timestampMs));
        }
        long before = latestAtOrBefore(timelineBefore, firstChange - 1);
        return before == NO_ENTRY ? baselineBefore : optedOut(before);
    }

    /** Whether the user is opted out at {@code timeMs}, by everything recorded so far. */
    /**
     * An erasure request at {@code requestMs} that arrived after batches of the user newer than it:
     * {@code erased} keeps {@code previous}'s opt-out changes. Those batches belong to whoever the
     * MPID is after the erasure (in time order they would have come after it), and their opt-outs
     * must hold; a change does not record its batch, so the older ones stay too. Holding back more
     * than time order would is the safe side of a promise. An erasure in time keeps nothing.
     */
    static void keepChangesAfterLateErasure(UserState previous, UserState erased, long requestMs) {
        if (previous == null
                || previous.newestBatchTimeMs == UserState.NONE
                || previous.newestBatchTimeMs < requestMs) {
            return;
        }
        erased.optOutChanges = previous.optOutChanges;
        erased.optedOutBeforeChanges = previous.optedOutBeforeChanges;
        erased.optedOut = previous.optedOut;
    }

    static boolean optedOutAt(UserState state, long timeMs) {
        if (state.optOutChanges == null) {
            return state.optedOut;
        }
        long entry = latestAtOrBefore(state.optOutChanges, timeMs);
        return entry == NO_ENTRY ? state.optedOutBeforeChanges : optedOut(entry);
    }

    /**
     * The {@code unsubscribed} value Customer.io must hear now, or null: what the newest change
     * says, where it differs from what Customer.io was last told or the batch last recorded opted
     * the user out anew.
     */
    Boolean unsubscribedToSend(UserState state) {
        // Without resubscribe-on-opt-in an opt-in never undoes an unsubscribe, so any opt-out
        // ever seen unsubscribes, also one that arrives after a newer opt-in.
        boolean unsubscribed = settings.resubscribeOnOptIn() ? state.optedOut : everOptedOut(state);
        if (unsubscribed) {
            boolean optedOutAnew = state.optedOut && !optedOutBefore;
            boolean told = Boolean.TRUE.equals(state.unsubscribedSent) && !optedOutAnew;
            return told ? null : Boolean.TRUE;
        }
        if (settings.resubscribeOnOptIn() && Boolean.TRUE.equals(state.unsubscribedSent)) {
            return Boolean.FALSE;
        }
        return null;
    }

    private static boolean everOptedOut(UserState state) {
        if (state.optOutChanges == null) {
            return state.optedOut;
        }
        if (state.optedOutBeforeChanges) {
            return true;
        }
        for (long entry : state.optOutChanges) {
            if (optedOut(entry)) {
                return true;
            }
        }
        return false;
    }

    /** The time (seconds) of the newest change: an opt-in's own time, for its identify. */
    static long newestChangeSeconds(UserState state, long fallbackMs) {
        long[] timeline = state.optOutChanges;
        long ms = timeline == null ? fallbackMs : time(timeline[timeline.length - 1]);
        return Math.floorDiv(ms, 1000);
    }

    // A timeline entry packs the time (ms, below 2^48) and the opted-out flag in one long.

    private static final long NO_ENTRY = -1;

    private static long entry(long timeMs, boolean optedOut) {
        return (timeMs << 1) | (optedOut ? 1 : 0);
    }

    private static long time(long entry) {
        return entry >> 1;
    }

    private static boolean optedOut(long entry) {
        return (entry & 1) != 0;
    }

    /** Inserts after entries of the same time (arrival order breaks ties); skips a repeat. */
    private static long[] insert(long[] timeline, long entry) {
        int at = timeline.length;
        while (at > 0 && time(timeline[at - 1]) > time(entry)) {
            at--;
        }
        for (int i = at - 1; i >= 0 && time(timeline[i]) == time(entry); i--) {
            if (timeline[i] == entry) {
                // The same change again (a replay): nothing new.
                return timeline;
            }
        }
        long[] out = new long[timeline.length + 1];
        System.arraycopy(timeline, 0, out, 0, at);
        out[at] = entry;
        System.arraycopy(timeline, at, out, at + 1, timeline.length - at);
        return out;
    }

    /** The newest entry at or before {@code timeMs}, or {@link #NO_ENTRY}. */
    private static long latestAtOrBefore(long[] timeline, long timeMs) {
        if (timeline == null) {
            return NO_ENTRY;
        }
        for (int i = timeline.length - 1; i >= 0; i--) {
            if (time(timeline[i]) <= timeMs) {
                return timeline[i];
            }
        }
        return NO_ENTRY;
    }
}
