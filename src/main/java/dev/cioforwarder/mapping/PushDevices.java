package dev.cioforwarder.mapping;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.EncodedOperation;
import dev.cioforwarder.customerio.OperationEffects;
import dev.cioforwarder.customerio.OperationEncoder;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.customerio.PersonIdentifier;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.state.PushDevice;
import dev.cioforwarder.state.UserState;
import java.util.ArrayList;
import java.util.List;

/**
 * A user's push devices in Customer.io (with {@code customerio.forward-devices}), as the token
 * index ({@link TokenOwnership}) assigns them: the user-state stage sends them, because it knows
 * how Customer.io addresses the person and orders their operations.
 *
 * <ul>
 *   <li>A device the user gained goes out as {@code add_device} with its platform and {@code
 *       last_used} (the batch time of the sighting, in seconds), addressed like the user's events.
 *       A refresh (the index saw it again a refresh interval later) goes out the same way with the
 *       newer {@code last_used}.
 *   <li>Before the user has an identity, or when they are opted out at the sighting's time, it is
 *       held in the user's state and goes out with the next batch that is forwarded, after that
 *       batch's identifies: never before the identify that creates the person. A device registered
 *       before an opt-out goes out even when the opt-out arrived first.
 *   <li>A device the user lost goes out as {@code delete_device}, also while they are opted out (it
 *       reveals nothing, and removes a way to reach them). One that was only held is dropped.
 *   <li>At most {@value #MAX_DEVICES} devices are kept per user; past that the least recently used
 *       is forgotten here (it stays in Customer.io, which drops tokens that stop working).
 * </ul>
 */
final class PushDevices {

    static final int MAX_DEVICES = 32;

    private final OperationEncoder encoder;
    private final UserIdType userIdType;

    PushDevices(OperationEncoder encoder, UserIdType userIdType) {
        this.encoder = encoder;
        this.userIdType = userIdType;
    }

    /** Applies a change the token index decided for this user. */
    void apply(UserState state, DeviceChange change, Transition t) {
        PersonIdentifier address = addressOf(state);
        PushDevice known = find(state, change.token);
        if (change.add) {
            PushDevice device = known != null ? known : new PushDevice();
            if (known != null && known.sent && change.platform.equals(known.platform)) {
                boolean newer = Math.floorDiv(change.timeMs, 1000) > known.lastUsedSeconds;
                boolean attributesDiffer =
                        change.attributes != null && !change.attributes.equals(known.attributes);
                if (!change.refresh || (!newer && !attributesDiffer)) {
                    return; // Customer.io has it already (deltas only)
                }
                t.devicesRefreshed++;
            }
            device.token = change.token;
            device.platform = change.platform;
            device.lastUsedSeconds =
                    Math.max(
                            Math.floorDiv(change.timeMs, 1000),
                            known != null ? known.lastUsedSeconds : Long.MIN_VALUE);
            if (change.attributes != null || known == null) {
                device.attributes = change.attributes;
            }
            device.sent = false;
            if (known == null) {
                add(state, device);
            }
            // Held only if the user is opted out at the sighting's time: a device registered
            // before an opt-out goes out whether the opt-out batch arrived first or not, as in time
            // order.
            if (address != null && !OptOutRule.optedOutAt(state, change.timeMs)) {
                emitAdd(address, device, change.userKey, change.mpid, change, t);
            }
            return;
        }
        if (known != null) {
            state.pushDevices.remove(known);
            if (state.pushDevices.isEmpty()) {
                state.pushDevices = null;
            }
        }
        if (address != null && samePerson(address, movedToSamePerson(change))) {
            // Two MPIDs of one Customer.io person: the deletion, applied in any order with the
            // other user's addition (they are different users' operations), could leave the person
            // without the device.
            t.skip(SkipReason.DEVICE_STAYS_WITH_PERSON);
            return;
        }
        // One never sent needs no deletion; one this state does not know (forgotten past the
        // limit, or from before a state.ttl expiry) may be in Customer.io.
        if (address != null && (known == null || known.sent)) {
            CustomerioOperation op =
                    op(
                            OperationKind.DELETE_DEVICE,
                            encoder.deleteDevice(address, change.token),
                            change.userKey,
                            change.mpid,
                            change.timeMs,
                            change,
                            t);
            t.operations.add(op);
            t.devicesDeleted++;
        }
    }

    /**
     * Sends the devices held so far, after the identifies of a forwarded batch (the person exists
     * in Customer.io by then), but for those seen while the user was opted out.
     */
    void flush(UserState state, PersonIdentifier address, MParticleBatch batch, Transition t) {
        if (state.pushDevices == null) {
            return;
        }
        for (PushDevice device : state.pushDevices) {
            // While the user is opted out, a device registered before the opt-out still goes
            // out, as it would have had the person existed then; one seen since (its last_used,
            // to the end of that second) waits for an opt-in.
            if (!device.sent
                    && (!state.optedOut
                            || !OptOutRule.optedOutAt(
                                    state, device.lastUsedSeconds * 1000 + 999))) {
                CustomerioOperation op =
                        Operations.of(
                                OperationKind.ADD_DEVICE,
                                encoder.addDevice(
                                        address,
                                        device.token,
                                        device.platform,
                                        device.lastUsedSeconds,
                                        device.attributes),
                                null,
                                batch.timestampMs,
                                batch,
                                t);
                op.effects = OperationEffects.DEVICE_ADD;
                op.effectDetail = device.token;
                t.operations.add(op);
                t.devicesAdded++;
                device.sent = true;
            }
        }
    }

    private void emitAdd(
            PersonIdentifier address,
            PushDevice device,
            String userKey,
            String mpid,
            DeviceChange source,
            Transition t) {
        CustomerioOperation op =
                op(
                        OperationKind.ADD_DEVICE,
                        encoder.addDevice(
                                address,
                                device.token,
                                device.platform,
                                device.lastUsedSeconds,
                                device.attributes),
                        userKey,
                        mpid,
                        source.timeMs,
                        source,
                        t);
        op.effects = OperationEffects.DEVICE_ADD;
        op.effectDetail = device.token;
        t.operations.add(op);
        t.devicesAdded++;
        device.sent = true;
    }

    private static CustomerioOperation op(
            OperationKind kind,
            EncodedOperation encoded,
            String userKey,
            String mpid,
            long timeMs,
            DeviceChange source,
            Transition t) {
        return Operations.of(
                kind,
                encoded,
                userKey,
                mpid,
                timeMs,
                source.sourceTopic,
                source.sourcePartition,
                source.sourceOffset,
                t);
    }

    /**
     * Whom the user the token moved to is addressed as, by the identities their batch carried and
     * the User ID Type; null when not a move, or when that batch does not say.
     */
    private PersonIdentifier movedToSamePerson(DeviceChange change) {
        if (change.add || change.movedToMpid == null) {
            return null;
        }
        String customerId = change.movedToCustomerId;
        String email = change.movedToEmail;
        return switch (userIdType) {
            case CUSTOMER_ID -> customerId != null ? PersonIdentifier.id(customerId) : null;
            case EMAIL -> email != null ? PersonIdentifier.email(email) : null;
            case MPID -> PersonIdentifier.id(change.movedToMpid);
            case PREFER_CUSTOMER_ID ->
                    customerId != null
                            ? PersonIdentifier.id(customerId)
                            : email != null ? PersonIdentifier.email(email) : null;
        };
    }

    /** Ids are case-sensitive; Customer.io treats emails case-insensitively. */
    private static boolean samePerson(PersonIdentifier a, PersonIdentifier b) {
        if (b == null || a.kind() != b.kind()) {
            return false;
        }
        return a.kind() == PersonIdentifier.Kind.EMAIL
                ? a.value().equalsIgnoreCase(b.value())
                : a.value().equals(b.value());
    }

    /** How Customer.io knows the person now; null before the user was first forwarded. */
    static PersonIdentifier addressOf(UserState state) {
        if (state.identifier == null) {
            return null;
        }
        return new PersonIdentifier(
                PersonIdentifier.Kind.fromCode(state.identifierKind), state.identifier);
    }

    private static PushDevice find(UserState state, String token) {
        if (state.pushDevices != null) {
            for (PushDevice d : state.pushDevices) {
                if (d.token.equals(token)) {
                    return d;
                }
            }
        }
        return null;
    }

    private static void add(UserState state, PushDevice device) {
        if (state.pushDevices == null) {
            state.pushDevices = new ArrayList<>(2);
        }
        List<PushDevice> devices = state.pushDevices;
        if (devices.size() >= MAX_DEVICES) {
            PushDevice oldest = devices.get(0);
            for (PushDevice d : devices) {
                if (d.lastUsedSeconds < oldest.lastUsedSeconds) {
                    oldest = d;
                }
            }
            devices.remove(oldest);
        }
        devices.add(device);
    }
}
