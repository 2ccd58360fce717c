package dev.cioforwarder.mapping;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.PersonIdentifier;
import dev.cioforwarder.privacy.ErasureOutcome;
import dev.cioforwarder.state.UserState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The result of applying one batch to one user's state. The state machine reuses one instance per
 * call, so read it before the next call.
 */
public final class Transition {

    /**
     * The state to store; null when nothing is worth storing (an unknown user, nothing tracked).
     */
    UserState state;

    final List<CustomerioOperation> operations = new ArrayList<>();
    final List<MappingRejection> rejections = new ArrayList<>(0);
    private final int[] skips = new int[SkipReason.values().length];
    private final int[] adjustments = new int[Adjustment.values().length];
    int identifySent;
    int identifyUnchanged;
    int eventsForwarded;
    int screensForwarded;
    int anonymousEvents;
    int commerceEventsForwarded;
    int commerceProductsTrimmed;
    int erasuresRequested;

    /** Erasure outcomes known at once (nobody to delete by). */
    final List<ErasureOutcome> erasureOutcomes = new ArrayList<>(0);

    int devicesAdded;
    int devicesRefreshed;
    int anonymousMerged;
    int devicesDeleted;

    /**
     * Set when a refusal moved the person back to the identifier Customer.io knows them by: what
     * waits to be sent to {@link #readdressFrom} goes to {@link #readdressTo}.
     */
    PersonIdentifier readdressFrom;

    PersonIdentifier readdressTo;

    void reset() {
        state = null;
        operations.clear();
        rejections.clear();
        Arrays.fill(skips, 0);
        Arrays.fill(adjustments, 0);
        identifySent = 0;
        identifyUnchanged = 0;
        eventsForwarded = 0;
        screensForwarded = 0;
        anonymousEvents = 0;
        commerceEventsForwarded = 0;
        commerceProductsTrimmed = 0;
        erasuresRequested = 0;
        erasureOutcomes.clear();
        devicesAdded = 0;
        devicesRefreshed = 0;
        anonymousMerged = 0;
        devicesDeleted = 0;
        readdressFrom = null;
        readdressTo = null;
    }

    /** After a refusal: the waiting operations addressed to this identifier ... */
    public PersonIdentifier readdressFrom() {
        return readdressFrom;
    }

    /** ... go to this one. */
    public PersonIdentifier readdressTo() {
        return readdressTo;
    }

    void skip(SkipReason reason) {
        skips[reason.ordinal()]++;
    }

    void adjust(Adjustment adjustment) {
        adjustments[adjustment.ordinal()]++;
    }

    public UserState state() {
        return state;
    }

    /**
     * The operations to deliver, in order: identifies first, then devices held until the person
     * existed, then the batch's events.
     */
    public List<CustomerioOperation> operations() {
        return operations;
    }

    public List<MappingRejection> rejections() {
        return rejections;
    }

    public int skipped(SkipReason reason) {
        return skips[reason.ordinal()];
    }

    public int adjusted(Adjustment adjustment) {
        return adjustments[adjustment.ordinal()];
    }

    /** Identify operations sent (one per batch, even when split in several operations). */
    public int identifySent() {
        return identifySent;
    }

    /** Batches whose identify was not sent because nothing changed (delta identify). */
    public int identifyUnchanged() {
        return identifyUnchanged;
    }

    public int eventsForwarded() {
        return eventsForwarded;
    }

    public int screensForwarded() {
        return screensForwarded;
    }

    /** Commerce events turned into Customer.io events (not counted in {@link #eventsForwarded}). */
    public int commerceEventsForwarded() {
        return commerceEventsForwarded;
    }

    /** Products left out of commerce events to fit Customer.io's limits. */
    public int commerceProductsTrimmed() {
        return commerceProductsTrimmed;
    }

    public int erasuresRequested() {
        return erasuresRequested;
    }

    public List<ErasureOutcome> erasureOutcomes() {
        return erasureOutcomes;
    }

    /** Events and screens sent by anonymous id, before the user had an identity. */
    public int anonymousEvents() {
        return anonymousEvents;
    }

    /** {@code add_device} operations emitted. */
    public int devicesAdded() {
        return devicesAdded;
    }

    /** Anonymous MPIDs of the user's device sent to be merged into their person. */
    public int anonymousMerged() {
        return anonymousMerged;
    }

    /** Of {@link #devicesAdded}, those a device already sent went again with a newer last_used. */
    public int devicesRefreshed() {
        return devicesRefreshed;
    }

    /** {@code delete_device} operations emitted. */
    public int devicesDeleted() {
        return devicesDeleted;
    }
}
