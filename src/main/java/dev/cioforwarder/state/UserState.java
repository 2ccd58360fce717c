package dev.cioforwarder.state;

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

    /** Whether the user is opted out: their events and profile updates are held back. */
    public boolean optedOut;

    /** Fingerprint of the profile last sent, for delta identify; 0 when none was sent. */
    public long profileFingerprint;

    /** The created_at (seconds) last sent, or {@link #NONE}. */
    public long createdAtSentSeconds = NONE;

    /** The device type of the most recent batch (by batch time). */
    public String lastSeenDeviceType;

    /** The batch time of that batch, or {@link #NONE}. */
    public long lastSeenBatchTimeMs = NONE;

    /**
     * The timestamp (seconds) of the newest identify sent, or {@link #NONE}. Added in state version
     * 2: users restored from a version 1 savepoint start with {@link #NONE}.
     */
    public long lastIdentifySeconds = NONE;

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
