package dev.cioforwarder.customerio;

import dev.cioforwarder.json.Attributes;

/**
 * Turns profile updates and events into Customer.io's wire format, one implementation per API
 * version, each exactly as the official Track API description defines it. Implementations reuse a
 * buffer and are not thread-safe.
 */
public interface OperationEncoder {

    /**
     * Encodes one identify holding the attributes {@code [from, to)} of {@code update}; the control
     * fields ({@code id}, {@code created_at}, {@code unsubscribed}) only when {@code
     * withControlFields}.
     */
    EncodedOperation identify(
            PersonIdentifier person,
            ProfileUpdate update,
            int from,
            int to,
            boolean withControlFields);

    /**
     * Encodes one event or screen view.
     *
     * @param anonymousId required by the v1 description for screen views; ignored by v2
     */
    EncodedOperation event(
            PersonIdentifier person,
            OperationKind kind,
            String name,
            String ulid,
            long timestampSeconds,
            Attributes data,
            String anonymousId);

    /** Encodes the deletion of a person: they and everything about them leave Customer.io. */
    EncodedOperation delete(PersonIdentifier person);

    /**
     * Encodes an event of a person not known yet, by anonymous id: a {@code /api/v2/batch}
     * operation or a {@code POST /api/v1/events} request of its own.
     */
    EncodedOperation anonymousEvent(
            OperationKind kind,
            String name,
            String ulid,
            long timestampSeconds,
            Attributes data,
            String anonymousId);

    /**
     * Encodes adding a push device to the person, or updating it (the same token again).
     *
     * @param platform {@code ios} or {@code android}
     * @param lastUsedSeconds when the device was last seen, in seconds
     */
    EncodedOperation addDevice(
            PersonIdentifier person,
            String token,
            String platform,
            long lastUsedSeconds,
            DeviceAttributes attributes);

    /** The same, without device attributes. */
    default EncodedOperation addDevice(
            PersonIdentifier person, String token, String platform, long lastUsedSeconds) {
        return addDevice(person, token, platform, lastUsedSeconds, null);
    }

    /** Encodes removing the push device {@code token} from the person. */
    EncodedOperation deleteDevice(PersonIdentifier person, String token);

    /** The encoder of the mode; anonymous events go into the v2 batch where it has one. */
    static OperationEncoder forMode(ApiMode mode) {
        return forMode(mode, true);
    }

    /**
     * @param anonymousEventsInBatch in {@code v2-batch} mode, anonymous events as {@code
     *     /api/v2/batch} operations; else (and always in {@code v1} mode) {@code /api/v1/events}
     */
    static OperationEncoder forMode(ApiMode mode, boolean anonymousEventsInBatch) {
        return mode == ApiMode.V1 ? new V1Encoder() : new V2Encoder(anonymousEventsInBatch);
    }
}
