package dev.cioforwarder.customerio;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How operations travel to Customer.io. */
public enum ApiMode {
    /** Operations packed into {@code POST /api/v2/batch} requests: the fast default. */
    V2_BATCH("v2-batch"),
    /** One v1 request per operation, as mParticle's own integration does. */
    V1("v1");

    private final String code;

    ApiMode(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    /** The code: what settings, logs and Flink's enum options read and write. */
    @Override
    public String toString() {
        return code;
    }

    public static ApiMode fromCode(String value) {
        String normalized = value.trim().toLowerCase(Locale.ROOT);
        for (ApiMode mode : values()) {
            if (mode.code.equals(normalized)) {
                return mode;
            }
        }
        throw new IllegalArgumentException('"' + value + "\" is not one of " + accepted());
    }

    public static String accepted() {
        return Arrays.stream(values()).map(ApiMode::code).collect(Collectors.joining(", "));
    }
}
