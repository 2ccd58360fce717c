package dev.cioforwarder.delivery;

/** One HTTP exchange's outcome: a status and body, or a network error (status 0). */
public final class HttpResult {

    /** Bodies are kept up to this size: enough for Customer.io's error lists. */
    static final int MAX_BODY_CHARS = 64 * 1024;

    private final int status;
    private final String body;
    private final long retryAfterMs;
    private final String networkError;

    private HttpResult(int status, String body, long retryAfterMs, String networkError) {
        this.status = status;
        this.body = body;
        this.retryAfterMs = retryAfterMs;
        this.networkError = networkError;
    }

    public static HttpResult response(int status, String body, long retryAfterMs) {
        String kept = body == null ? "" : body;
        if (kept.length() > MAX_BODY_CHARS) {
            kept = kept.substring(0, MAX_BODY_CHARS);
        }
        return new HttpResult(status, kept, retryAfterMs, null);
    }

    public static HttpResult networkError(String description) {
        return new HttpResult(0, "", -1, description);
    }

    public int status() {
        return status;
    }

    public String body() {
        return body;
    }

    /** The {@code Retry-After} header in ms, or -1 when absent. */
    public long retryAfterMs() {
        return retryAfterMs;
    }

    public boolean isNetworkError() {
        return networkError != null;
    }

    /** A short description for logs: the status, or the kind of network error. */
    public String describe() {
        return networkError != null ? networkError : "HTTP " + status;
    }

    /** Parses a {@code Retry-After} value in seconds (HTTP dates are not used by Customer.io). */
    static long parseRetryAfterMs(String header) {
        if (header == null || header.isBlank()) {
            return -1;
        }
        try {
            long seconds = Long.parseLong(header.trim());
            return seconds < 0 ? -1 : Math.min(seconds, 3600) * 1000;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
