package dev.cioforwarder.delivery;

import dev.cioforwarder.customerio.CustomerioOperation;
import java.util.List;

/**
 * Builds a {@code /api/v2/batch} body from already-encoded operations by concatenating their bytes:
 * no operation is parsed or serialized again.
 */
public final class BatchBody {

    private static final byte[] PREFIX =
            "{\"batch\":[".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] SUFFIX = "]}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** The bytes a batch body adds around its operations. */
    public static final int OVERHEAD = PREFIX.length + SUFFIX.length;

    private BatchBody() {}

    /** The size of a batch of operations whose bodies total {@code operationBytes}. */
    public static int size(int operationCount, long operationBytes) {
        return (int) (OVERHEAD + operationBytes + Math.max(0, operationCount - 1));
    }

    public static byte[] of(List<CustomerioOperation> operations) {
        int length = OVERHEAD + Math.max(0, operations.size() - 1);
        for (CustomerioOperation op : operations) {
            length += op.body.length;
        }
        byte[] out = new byte[length];
        System.arraycopy(PREFIX, 0, out, 0, PREFIX.length);
        int pos = PREFIX.length;
        for (int i = 0; i < operations.size(); i++) {
            if (i > 0) {
                out[pos++] = ',';
            }
            byte[] body = operations.get(i).body;
            System.arraycopy(body, 0, out, pos, body.length);
            pos += body.length;
        }
        System.arraycopy(SUFFIX, 0, out, pos, SUFFIX.length);
        return out;
    }
}
