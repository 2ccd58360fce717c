package dev.cioforwarder.state;

import java.util.ArrayList;
import java.util.List;

/**
 * What the forwarder remembers about one user between batches; the value of the keyed {@code
 * ValueState} in RocksDB. A Flink POJO with declared field types (no Kryo).
 *
 * <p>Upgrade rules: fields may be added (new fields start at the constructor's defaults when an
 * older savepoint is restored); never rename, remove or change the type of a field. The committed
 * savepoints under {@code src/test/resources/savepoints} fail the build if this is broken.
 */
public class UserState {

    /** Marks "no value yet" for the long fields. */
    public static final long NONE = Long.MIN_VALUE;

    /**
     * {@code "id"} or {@code "email"}: how Customer.io knows this user. Null until the user is
     * first forwarded. Sticky: it changes only from email to id, once.
     */
    public String identifierKind;

    /** The value Customer.io knows the user by. */
    public String identifier;

    /** The newest Customer ID seen for the user. */
    public String customerId;

    /** The newest email seen for the user. */
    public String email;

    /**
     * Whether the user is opted out now (after their newest opt-out change): their events and
     * profile updates are held back.
     */
    public boolean optedOut;

    /** Fingerprint of the profile last sent, for delta identify; 0 when none was sent. */
    public long profileFingerprint;

    /** The created_at (seconds) last sent, or {@link #NONE}. */
    public long createdAtSentSeconds = NONE;

    /** The device type of the most recent batch that named one (by batch time). */
    public String lastSeenDeviceType;

    /** The batch time of that batch, or {@link #NONE}. */
    public long lastSeenBatchTimeMs = NONE;

    /**
     * The timestamp (seconds) of the newest identify sent, or {@link #NONE}. Added in state version
     * 2: users restored from a version 1 savepoint start with {@link #NONE}.
     */
    public long lastIdentifySeconds = NONE;

    // State version 3: every field below was added then. Users restored from an older savepoint
    // start with these defaults; UserStateMachine reads them with that in mind.

    /** The batch time of the newest batch seen for the user, or {@link #NONE}. */
    public long newestBatchTimeMs = NONE;

    /** When {@link #customerId} was set (its batch or identity change time), or {@link #NONE}. */
    public long customerIdTimeMs = NONE;

    /** When {@link #email} was set (its batch or identity change time), or {@link #NONE}. */
    public long emailTimeMs = NONE;

    /**
     * The email Customer.io holds for the person, as last sent; null when none was sent (or the
     * state predates version 3).
     */
    public String emailSent;

    /**
     * The user's opt-out changes, oldest first: each entry is {@code timeMs << 1 | (opted out ? 1 :
     * 0)}. Null when none was seen: then {@link #optedOut} holds at every time.
     */
    public long[] optOutChanges;

    /** Whether the user was opted out before the first entry of {@link #optOutChanges}. */
    public boolean optedOutBeforeChanges;

    /**
     * What the forwarder last told Customer.io in {@code unsubscribed}: true, false, or null for
     * nothing yet. False too once Customer.io refused an unsubscribe (it holds no unsubscribe of
     * ours).
     */
    public Boolean unsubscribedSent;

    /**
     * Customer.io attribute names deleted in mParticle while the user's profile was held back (no
     * identity yet, or opted out); they are removed with the next profile that goes out.
     */
    public List<String> pendingDeletions;

    /**
     * {@link String#hashCode} of every attribute name of the newest profile seen, sorted: a
     * deletion arriving late is applied only when that newer profile no longer has the attribute.
     */
    public int[] profileNameHashes;

    /**
     * The batch time of the earliest batch that carried the user's identity itself, or {@link
     * #NONE}: an older batch without identities is from before the user was known, and is not
     * forwarded under the identity learned later (as it would not have been in time order).
     */
    public long firstIdentifiedMs = NONE;

    /**
     * Set when the user was erased: batches older than this are held back for good (the state holds
     * nothing else about them). {@link #NONE} when never erased.
     */
    public long erasedBeforeMs = NONE;

    // State version 4 (push devices): users restored from an older savepoint start without.

    /**
     * The user's push devices as the {@code device-tokens} index assigned them, oldest first, each
     * sent to Customer.io or held until it can be (no identity yet, or opted out); null when none.
     */
    public List<PushDevice> pushDevices;

    // State version 5 (delivery that follows what Customer.io accepted): users restored from an
    // older savepoint start with these defaults.

    /** The sequence number the user's next operation gets. */
    public long nextOperationSeq;

    /**
     * Counts the times the user's state took their order over from delivery (see {@code UserLane});
     * stamped on every operation.
     */
    public long deliveryEpisode;

    /** When the user's last operation was emitted (ms), or 0. */
    public long lastEmittedMs;

    /**
     * Operations with a lower sequence number belong to a person since erased: those that come back
     * from delivery are dropped. 0 when never erased.
     */
    public long erasedBeforeSeq;

    /** Non-null while the user's operations wait for Customer.io (see {@link DeliveryLane}). */
    public DeliveryLane lane;

    /**
     * An identifier Customer.io refused to give the person ({@code kind:value}, e.g. an identifier
     * that already belongs to someone else): not tried again until it changes.
     */
    public String refusedIdentifier;

    /**
     * The sequence number of an identifier change sent to delivery and not settled yet, or -1:
     * Customer.io may have applied it, so an older operation of the user that comes back from
     * delivery (a restore, a retry) goes to the new identifier, after the change, instead of
     * re-creating the person under the old one.
     */
    public long identifierChangeSeq = -1;

    /** That change's old and new identifier ({@code kind:value}); null when none. */
    public String identifierChangeFrom;

    public String identifierChangeTo;

    // State version 6 (anonymous activity stitching, the shared-email guard): users restored from
    // an older savepoint start without.

    /**
     * Anonymous MPIDs the device index gave this user, whose merge waits until the person exists in
     * Customer.io (or an opt-in), oldest first; null when none.
     */
    public List<String> pendingAnonymousMerges;

    /**
     * An email the email index says belongs to another customer in Customer.io (lower case): left
     * out of this user's identifies while it is theirs; null when none.
     */
    public String emailOfAnotherCustomer;

    /**
     * The email the email index last answered is this user's (lower case), with {@code
     * customerio.guard-shared-emails}: a person addressed by id is given no other; null when none.
     */
    public String emailConfirmed;

    public UserState() {}

    public UserState copy() {
        UserState c = new UserState();
        c.identifierKind = identifierKind;
        c.identifier = identifier;
        c.customerId = customerId;
        c.email = email;
        c.optedOut = optedOut;
        c.profileFingerprint = profileFingerprint;
        c.createdAtSentSeconds = createdAtSentSeconds;
        c.lastSeenDeviceType = lastSeenDeviceType;
        c.lastSeenBatchTimeMs = lastSeenBatchTimeMs;
        c.lastIdentifySeconds = lastIdentifySeconds;
        c.newestBatchTimeMs = newestBatchTimeMs;
        c.customerIdTimeMs = customerIdTimeMs;
        c.emailTimeMs = emailTimeMs;
        c.emailSent = emailSent;
        c.optOutChanges = optOutChanges == null ? null : optOutChanges.clone();
        c.optedOutBeforeChanges = optedOutBeforeChanges;
        c.unsubscribedSent = unsubscribedSent;
        c.pendingDeletions = pendingDeletions == null ? null : new ArrayList<>(pendingDeletions);
        c.profileNameHashes = profileNameHashes;
        c.firstIdentifiedMs = firstIdentifiedMs;
        c.erasedBeforeMs = erasedBeforeMs;
        c.nextOperationSeq = nextOperationSeq;
        c.deliveryEpisode = deliveryEpisode;
        c.lastEmittedMs = lastEmittedMs;
        c.erasedBeforeSeq = erasedBeforeSeq;
        c.lane = lane == null ? null : lane.copy();
        c.refusedIdentifier = refusedIdentifier;
        c.identifierChangeSeq = identifierChangeSeq;
        c.identifierChangeFrom = identifierChangeFrom;
        c.identifierChangeTo = identifierChangeTo;
        c.emailOfAnotherCustomer = emailOfAnotherCustomer;
        c.emailConfirmed = emailConfirmed;
        c.pendingAnonymousMerges =
                pendingAnonymousMerges == null ? null : new ArrayList<>(pendingAnonymousMerges);
        if (pushDevices != null) {
            c.pushDevices = new ArrayList<>(pushDevices.size());
            for (PushDevice d : pushDevices) {
                c.pushDevices.add(d.copy());
            }
        }
        return c;
    }

    @Override
    public String toString() {
        return "UserState{"
                + identifierKind
                + ":"
                + identifier
                + ", optedOut="
                + optedOut
                + ", fingerprint="
                + profileFingerprint
                + ", createdAtSent="
                + createdAtSentSeconds
                + ", lastSeenDevice="
                + lastSeenDeviceType
                + '}';
    }
}
