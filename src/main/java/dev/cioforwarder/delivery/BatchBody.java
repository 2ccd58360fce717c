package dev.cioforwarder.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.json.Json;
import java.io.IOException;
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

    /**
     * What a 207 answer to a batch of {@code size} operations says: for each operation Customer.io
     * refused (listed by its {@code batch_index} under {@code errors}), its error as JSON; null for
     * the others.
     *
     * @throws IOException the answer is not JSON
     */
    static String[] refusals(String answer, int size) throws IOException {
        String[] reasons = new String[size];
        for (JsonNode error : Json.mapper().readTree(answer).path("errors")) {
            int index = error.path("batch_index").asInt(-1);
            if (index >= 0 && index < size) {
                reasons[index] = error.toString();
            }
        }
        return reasons;
    }
}
