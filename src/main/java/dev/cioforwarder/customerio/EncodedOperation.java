package dev.cioforwarder.customerio;

/** An encoder's output: the request (v1) or operation object (v2), and the size of its data. */
public final class EncodedOperation {
    /** v1 only. */
    public final String method;

    /** v1 only. */
    public final String path;

    public final byte[] body;

    /** Bytes of the event's data object, checked against Customer.io's 100,000-byte limit. */
    public final int dataBytes;

    /**
     * In v1 mode: the operation goes to {@code POST /api/v2/entity} as a v2 operation, because its
     * identifier cannot be named safely in a v1 path.
     */
    public final boolean sentAsV2;

    public EncodedOperation(String method, String path, byte[] body, int dataBytes) {
        this(method, path, body, dataBytes, false);
    }

    public EncodedOperation(
            String method, String path, byte[] body, int dataBytes, boolean sentAsV2) {
        this.method = method;
        this.path = path;
        this.body = body;
        this.dataBytes = dataBytes;
        this.sentAsV2 = sentAsV2;
    }
}
