package dev.cioforwarder.mapping;

/** Customer.io Track API limits, from the official description; all sizes in UTF-8 bytes. */
public final class CustomerioLimits {
    public static final int MAX_IDENTIFIER_BYTES = 150;
    public static final int MAX_ATTRIBUTE_NAME_BYTES = 150;
    public static final int MAX_ATTRIBUTE_VALUE_BYTES = 1000;

    /**
     * "Max number of attributes allowed per person or Identify call": the description's one limit,
     * read as holding for the person's profile as a whole, not only for one call.
     */
    public static final int MAX_ATTRIBUTES_PER_PERSON = 300;

    public static final int MAX_EVENT_NAME_BYTES = 100;
    public static final int MAX_EVENT_DATA_BYTES = 100_000;

    /** A v2 operation, alone in {@code /entity} or inside {@code /batch}, must be under 32 KB. */
    public static final int MAX_OPERATION_BYTES = 32 * 1024;

    /** A {@code /batch} request must be smaller than 500 KB. */
    public static final int MAX_BATCH_REQUEST_BYTES = 500 * 1000;

    private CustomerioLimits() {}
}
