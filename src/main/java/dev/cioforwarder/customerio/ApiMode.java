package dev.cioforwarder.customerio;

import dev.cioforwarder.codes.Coded;

/** How operations travel to Customer.io. */
public enum ApiMode implements Coded {
    /** Operations packed into {@code POST /api/v2/batch} requests: the fast default. */
    V2_BATCH("v2-batch"),
    /** One v1 request per operation, as mParticle's own integration does. */
    V1("v1");

    private final String code;

    ApiMode(String code) {
        this.code = code;
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
}
