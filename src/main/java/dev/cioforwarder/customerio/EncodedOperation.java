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

    public EncodedOperation(String method, String path, byte[] body, int dataBytes) {
        this.method = method;
        this.path = path;
        this.body = body;
        this.dataBytes = dataBytes;
    }
}
