package dev.cioforwarder.customerio;

import dev.cioforwarder.codes.Coded;

/** Customer.io data centers and their Track API and App API hosts (same paths on both). */
public enum Region implements Coded {
    US("us", "https://track.customer.io", "https://api.customer.io"),
    EU("eu", "https://track-eu.customer.io", "https://api-eu.customer.io");

    private final String code;
    private final String trackUrl;
    private final String appApiUrl;

    Region(String code, String trackUrl, String appApiUrl) {
        this.code = code;
        this.trackUrl = trackUrl;
        this.appApiUrl = appApiUrl;
    }

    /** The App API host (lookups by email or id, for identifier changes): Bearer auth. */
    public String appApiUrl() {
        return appApiUrl;
    }

    @Override
    public String code() {
        return code;
    }

    /** The code: what settings, logs and Flink's enum options read and write. */
    @Override
    public String toString() {
        return code;
    }

    public String trackUrl() {
        return trackUrl;
    }
}
