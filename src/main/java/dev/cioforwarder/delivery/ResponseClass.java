package dev.cioforwarder.delivery;

/** What an HTTP outcome means for delivery; every retry decision starts here. */
public enum ResponseClass {
    /** 2xx (but 207): delivered. */
    SUCCESS,
    /** 207: some operations of a batch were refused, the others delivered. */
    PARTIAL,
    /** 400, 413, 422: the request itself is refused; a batch is split to isolate the culprits. */
    REJECTED,
    /** 401, 403: the credentials are wrong. Retried slowly and reported, never dead-lettered. */
    AUTH,
    /** 408, 429, 5xx, network errors, timeouts and anything unexpected: retried with backoff. */
    RETRYABLE;

    public static ResponseClass of(HttpResult result) {
        if (result.isNetworkError()) {
            return RETRYABLE;
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
        // 408, 429 and 5xx by the official clients' rules; other codes (404 from a wrong endpoint,
        // a redirect from a wrong region) are configuration problems: retrying keeps the data
        // until an operator fixes them, where dropping would lose it.
        return RETRYABLE;
    }
}
