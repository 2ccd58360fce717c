package dev.cioforwarder.delivery;

/** What an HTTP outcome means for delivery; every retry decision starts here. */
public enum ResponseClass {
    /** 2xx (but 207): delivered. */
    SUCCESS,
    /** 207: some operations of a batch were refused, the others delivered. */
    PARTIAL,
    /** 400, 413, 422: the request itself is refused; a batch is split to isolate the culprits. */
    REJECTED,
    /**
     * 401, 403: the credentials are wrong. The key is read again (it may have been rotated); the
     * operations wait in their users' state until Customer.io accepts it.
     */
    AUTH,
    /**
     * 408, 429, 5xx, network errors and timeouts: transient, as the official clients treat them.
     * Retried without end (unless customerio.max-retry-duration), in the AsyncIO slot for a short
     * while, then waiting in their users' state.
     */
    TRANSIENT,
    /**
     * Any other status (3xx, 404, 405, 409, 410, other 4xx): nothing says it will pass, nothing
     * says the operation is wrong. Retried for a bounded time, then dead-lettered naming the
     * status; a batch is split by user first so that one person's operations take nobody else's
     * with them.
     */
    UNEXPECTED;

    public static ResponseClass of(HttpResult result) {
        if (result.isNetworkError()) {
            return TRANSIENT;
        }
        int status = result.status();
        if (status == 207) {
            return PARTIAL;
        }
        if (status >= 200 && status < 300) {
            return SUCCESS;
        }
        if (status == 400 || status == 413 || status == 422) {
            return REJECTED;
        }
        if (status == 401 || status == 403) {
            return AUTH;
        }
        // What the official clients retry (customerio-node also 522 and 524, inside 5xx).
        if (status == 408 || status == 429 || (status >= 500 && status < 600)) {
            return TRANSIENT;
        }
        return UNEXPECTED;
    }
}
