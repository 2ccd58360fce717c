package dev.cioforwarder.mapping;

import dev.cioforwarder.customerio.DeviceAttributes;
import dev.cioforwarder.state.TokenOwner;
import dev.cioforwarder.state.UserState;
import java.util.List;

/**
 * The token index: who each push token belongs to, decided in one place per token (the {@code
 * device-tokens} stage, keyed by token, so it survives rescaling like any keyed state). It sees
 * every sighting of a token, whichever user's batch carried it, and tells the users concerned what
 * changed ({@link DeviceChange}); the user-state stage turns that into operations addressed and
 * ordered like the user's others.
 *
 * <ul>
 *   <li>A token registered by a user who does not have it: that user gets it (add), and the user
 *       who had it loses it (delete): a device is one person's, and pushes must not reach the
 *       previous one's phone.
 *   <li>Deltas only: the owner registering it again on the same platform changes nothing, until the
 *       sighting is at least the refresh interval newer than the addition last sent: then the owner
 *       gets it again (a refresh), so its {@code last_used} in Customer.io follows the device's
 *       use. "Last used device" sending, device segments, and clearing a device's bounced status
 *       depend on it. The same when the device's attributes (OS, model, app version, locale) differ
 *       from those last sent. On another platform, the owner gets it again with the new one.
 *   <li>Unregistered (or the app uninstalled), by anyone: the owner loses it. The token stays known
 *       as unregistered.
 *   <li>In any arrival order: a sighting older (by batch time) than the newest one applied to the
 *       token changes no owner. A late batch from the token's previous user does not take it back,
 *       and an old registration does not undo a newer unregistration. The owner's own older
 *       registration still reaches the owner, whose state may have held the device because they
 *       were opted out at the newer sighting, and not at this one.
 * </ul>
 */
public final class TokenOwnership {

    private TokenOwnership() {}

    /**
     * Applies one sighting of the token that {@code current} describes (null: never seen), adding
     * to {@code changes} what its users must hear.
     *
     * @param refreshIntervalMs how much newer than the last addition sent a sighting by the same
     *     owner on the same platform must be to send the device again; 0 or less: never
     * @return the record to store, or {@code current} itself when nothing needs storing
     */
    public static TokenOwner apply(
            TokenOwner current,
            TokenSighting s,
            long refreshIntervalMs,
            List<DeviceChange> changes) {
        if (current != null && s.timeMs < current.timeMs) {
            if (s.register
                    && current.registered
                    && current.userKey.equals(s.userKey)
                    && s.platform.equals(current.platform)) {
                // The owner's own older registration, arriving late: it may be the one from
                // before an opt-out, which sends a device the newer sighting held. The owner's
                // state decides (PushDevices sends nothing it has sent).
                changes.add(change(s.userKey, s.mpid, s, true));
            }
            return current;
        }
        boolean owned = current != null && current.registered;
        boolean sameOwner = owned && current.userKey.equals(s.userKey);
        if (s.register) {
            if (sameOwner && s.platform.equals(current.platform)) {
                // A record from before the refresh existed counts from its newest sighting: an
                // upgrade does not send every known device again at once.
                long added =
                        current.addedTimeMs != UserState.NONE
                                ? current.addedTimeMs
                                : current.timeMs;
                // A sighting without attributes says nothing about them; a record without a
                // fingerprint takes this sighting's as sent (again: no burst after an upgrade).
                long fingerprint = current.attributesFingerprint;
                boolean attributesChanged = false;
                if (s.attributes != null) {
                    long seen = DeviceAttributes.fingerprint(s.attributes);
                    attributesChanged = fingerprint != 0 && seen != fingerprint;
                    fingerprint = seen;
                }
                if (attributesChanged
                        || (refreshIntervalMs > 0 && s.timeMs - added >= refreshIntervalMs)) {
                    DeviceChange refresh = change(s.userKey, s.mpid, s, true);
                    refresh.refresh = true;
                    changes.add(refresh);
                    added = s.timeMs;
                }
                if (s.timeMs == current.timeMs
                        && added == current.addedTimeMs
                        && fingerprint == current.attributesFingerprint) {
                    return current;
                }
                TokenOwner next = current.copy();
                next.timeMs = s.timeMs;
                next.addedTimeMs = added;
                next.attributesFingerprint = fingerprint;
                return next;
            }
            if (owned && !sameOwner) {
                DeviceChange moved = change(current.userKey, current.mpid, s, false);
                moved.movedToMpid = s.mpid;
                moved.movedToCustomerId = s.customerId;
                moved.movedToEmail = s.email;
                changes.add(moved);
            }
            changes.add(change(s.userKey, s.mpid, s, true));
            TokenOwner next = new TokenOwner();
            next.userKey = s.userKey;
            next.mpid = s.mpid;
            next.platform = s.platform;
            next.timeMs = s.timeMs;
            next.addedTimeMs = s.timeMs;
            next.attributesFingerprint = DeviceAttributes.fingerprint(s.attributes);
            next.registered = true;
            return next;
        }
        if (owned) {
            changes.add(change(current.userKey, current.mpid, s, false));
            TokenOwner next = current.copy();
            next.registered = false;
            next.timeMs = s.timeMs;
            return next;
        }
        if (current == null) {
            // Remembered as unregistered, so that an older registration arriving later is late.
            TokenOwner next = new TokenOwner();
            next.userKey = s.userKey;
            next.mpid = s.mpid;
            next.timeMs = s.timeMs;
            return next;
        }
        return later(current, s);
    }

    /** The same record seen at a newer time (stored, so later late sightings are recognised). */
    private static TokenOwner later(TokenOwner current, TokenSighting s) {
        if (s.timeMs == current.timeMs) {
            return current;
        }
        TokenOwner next = current.copy();
        next.timeMs = s.timeMs;
        return next;
    }

    private static DeviceChange change(String userKey, String mpid, TokenSighting s, boolean add) {
        DeviceChange c = new DeviceChange();
        c.userKey = userKey;
        c.mpid = mpid;
        c.token = s.token;
        c.platform = add ? s.platform : null;
        c.timeMs = s.timeMs;
        c.add = add;
        c.attributes = add ? s.attributes : null;
        c.sourceTopic = s.sourceTopic;
        c.sourcePartition = s.sourcePartition;
        c.sourceOffset = s.sourceOffset;
        return c;
    }
}
