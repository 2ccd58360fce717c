package dev.cioforwarder.mapping;

import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.state.AnonymousVisitor;
import dev.cioforwarder.state.DeviceVisitors;
import dev.cioforwarder.state.KnownVisitor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The device index: which MPIDs were anonymous on a device before someone was known there, so that
 * Customer.io merges their anonymous events into that person (with {@code
 * customerio.anonymous-events}). An MPID's own anonymous events merge when that MPID is identified
 * (its identify carries its anonymous id); this covers the activity of <em>other</em> MPIDs on the
 * same device: mParticle gives a returning user on a new install, a user after a logout, and every
 * user under its profile link or isolation strategies a different MPID than the one that was
 * anonymous. Decided in one place per device (the {@code device-visitors} stage, keyed by device
 * identifier, so it rescales and restores like any keyed state), in any arrival order:
 *
 * <ul>
 *   <li>An anonymous MPID's activity goes to the first known user seen on the device at or after
 *       its first batch there (by batch time), once: to whoever logs in next, as a device's
 *       anonymous id does in Customer.io's own integrations. Activity after the newest known
 *       sighting waits for the next one.
 *   <li>Only activity of the last {@value #WINDOW_DAYS} days: Customer.io keeps anonymous events no
 *       longer.
 *   <li>An MPID ever seen known on the device is never anonymous there: its own identify merges it,
 *       and its events are its person's.
 *   <li>An MPID with an erasure on record is never given to anyone: its anonymous events (which
 *       Customer.io may keep up to 30 days) were the erased person's.
 *   <li>At most {@value #MAX_ANONYMOUS} anonymous and {@value #MAX_KNOWN} known visitors are kept
 *       per device, the least recently seen forgotten first: a shared or test device must not grow
 *       without bound.
 * </ul>
 */
public final class AnonymousStitching {

    static final int MAX_ANONYMOUS = 8;
    static final int MAX_KNOWN = 4;
    static final int WINDOW_DAYS = 30;
    public static final long WINDOW_MS = WINDOW_DAYS * 24L * 60 * 60 * 1000;

    private AnonymousStitching() {}

    /**
     * The visit a batch makes to its device, or null when it says nothing for stitching: no device
     * identifier, no MPID, or a User ID Type that addresses everyone by MPID (nobody is anonymous).
     */
    public static DeviceVisit visitOf(MParticleBatch batch, UserIdType userIdType) {
        if (batch.deviceId == null
                || !batch.hasMpid
                || batch.erasure != null
                || userIdType == UserIdType.MPID) {
            return null;
        }
        DeviceVisit v = new DeviceVisit();
        v.deviceId = batch.deviceId;
        v.userKey = batch.userKey;
        v.mpid = batch.mpidText();
        v.known =
                switch (userIdType) {
                    case CUSTOMER_ID -> batch.customerId != null;
                    case EMAIL -> batch.email != null;
                    default -> batch.customerId != null || batch.email != null;
                };
        v.timeMs = batch.timestampMs;
        v.sourceTopic = batch.sourceTopic;
        v.sourcePartition = batch.sourcePartition;
        v.sourceOffset = batch.sourceOffset;
        return v;
    }

    /**
     * Applies one visit to the device that {@code visitors} describes (null: never seen), adding to
     * {@code stitches} what known users must hear.
     *
     * @param erased whether an MPID has an erasure on record
     * @return the record to store (possibly {@code visitors} changed in place)
     */
    public static DeviceVisitors apply(
            DeviceVisitors visitors,
            DeviceVisit v,
            Predicate<String> erased,
            List<AnonymousStitch> stitches) {
        DeviceVisitors d = visitors != null ? visitors : new DeviceVisitors();
        if (d.anonymous == null) {
            d.anonymous = new ArrayList<>(2);
        }
        if (d.known == null) {
            d.known = new ArrayList<>(1);
        }
        if (v.known) {
            knownVisit(d, v, erased, stitches);
        } else {
            anonymousVisit(d, v, erased, stitches);
        }
        forgetOld(d, v.timeMs);
        return d;
    }

    private static void knownVisit(
            DeviceVisitors d, DeviceVisit v, Predicate<String> erased, List<AnonymousStitch> out) {
        d.anonymous.removeIf(a -> a.mpid.equals(v.mpid));
        KnownVisitor known = null;
        for (KnownVisitor k : d.known) {
            if (k.userKey.equals(v.userKey)) {
                known = k;
            }
        }
        if (known == null) {
            known = new KnownVisitor();
            known.userKey = v.userKey;
            d.known.add(known);
        }
        known.mpid = v.mpid;
        known.lastSeenMs = Math.max(known.lastSeenMs, v.timeMs);
        List<String> given = null;
        for (AnonymousVisitor a : d.anonymous) {
            if (a.stitchedTo == null
                    && a.firstSeenMs <= v.timeMs
                    && a.lastSeenMs > v.timeMs - WINDOW_MS
                    && !erased.test(a.mpid)) {
                a.stitchedTo = v.userKey;
                if (given == null) {
                    given = new ArrayList<>(1);
                }
                given.add(a.mpid);
            }
        }
        if (given != null) {
            out.add(stitch(v.userKey, v.mpid, given, v));
        }
    }

    private static void anonymousVisit(
            DeviceVisitors d, DeviceVisit v, Predicate<String> erased, List<AnonymousStitch> out) {
        for (KnownVisitor k : d.known) {
            if (v.mpid.equals(k.mpid)) {
                return; // known here before: its own identify merged it
            }
        }
        if (erased.test(v.mpid)) {
            d.anonymous.removeIf(a -> a.mpid.equals(v.mpid));
            return;
        }
        AnonymousVisitor visitor = null;
        for (AnonymousVisitor a : d.anonymous) {
            if (a.mpid.equals(v.mpid)) {
                visitor = a;
            }
        }
        if (visitor == null) {
            visitor = new AnonymousVisitor();
            visitor.mpid = v.mpid;
            visitor.firstSeenMs = v.timeMs;
            visitor.lastSeenMs = v.timeMs;
            d.anonymous.add(visitor);
        } else {
            visitor.firstSeenMs = Math.min(visitor.firstSeenMs, v.timeMs);
            visitor.lastSeenMs = Math.max(visitor.lastSeenMs, v.timeMs);
        }
        if (visitor.stitchedTo != null) {
            return;
        }
        // Arrived after someone known was seen later on the device (a late batch): theirs now.
        KnownVisitor next = null;
        for (KnownVisitor k : d.known) {
            if (k.lastSeenMs >= visitor.firstSeenMs
                    && k.lastSeenMs < visitor.firstSeenMs + WINDOW_MS
                    && (next == null || k.lastSeenMs < next.lastSeenMs)) {
                next = k;
            }
        }
        if (next != null) {
            visitor.stitchedTo = next.userKey;
            out.add(stitch(next.userKey, next.mpid, List.of(visitor.mpid), v));
        }
    }

    /** Drops visitors past the window of the newest visit, then the oldest beyond the limits. */
    private static void forgetOld(DeviceVisitors d, long nowMs) {
        d.anonymous.removeIf(a -> a.lastSeenMs <= nowMs - WINDOW_MS);
        d.known.removeIf(k -> k.lastSeenMs <= nowMs - WINDOW_MS);
        while (d.anonymous.size() > MAX_ANONYMOUS) {
            d.anonymous.remove(oldestAnonymous(d.anonymous));
        }
        while (d.known.size() > MAX_KNOWN) {
            int oldest = 0;
            for (int i = 1; i < d.known.size(); i++) {
                if (d.known.get(i).lastSeenMs < d.known.get(oldest).lastSeenMs) {
                    oldest = i;
                }
            }
            d.known.remove(oldest);
        }
    }

    private static int oldestAnonymous(List<AnonymousVisitor> anonymous) {
        int oldest = 0;
        for (int i = 1; i < anonymous.size(); i++) {
            if (anonymous.get(i).lastSeenMs < anonymous.get(oldest).lastSeenMs) {
                oldest = i;
            }
        }
        return oldest;
    }

    private static AnonymousStitch stitch(
            String userKey, String mpid, List<String> anonymousMpids, DeviceVisit cause) {
        AnonymousStitch s = new AnonymousStitch();
        s.userKey = userKey;
        s.mpid = mpid;
        s.anonymousMpids = new ArrayList<>(anonymousMpids);
        s.timeMs = cause.timeMs;
        s.sourceTopic = cause.sourceTopic;
        s.sourcePartition = cause.sourcePartition;
        s.sourceOffset = cause.sourceOffset;
        return s;
    }
}
