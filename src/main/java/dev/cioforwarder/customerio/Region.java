package dev.cioforwarder.customerio;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Customer.io data centers and their Track API hosts (same paths on both). */
public enum Region {
    US("us", "https://track.customer.io"),
    EU("eu", "https://track-eu.customer.io");

    private final String code;
    private final String trackUrl;

    Region(String code, String trackUrl) {
        this.code = code;
        this.trackUrl = trackUrl;
    }

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

    /** Parses a setting value; the message names the accepted values. */
    public static Region fromCode(String value) {
        String normalized = value.trim().toLowerCase(Locale.ROOT);
        for (Region region : values()) {
            if (region.code.equals(normalized)) {
                return region;
            }
        }
        throw new IllegalArgumentException('"' + value + "\" is not one of " + accepted());
    }

    public static String accepted() {
        return Arrays.stream(values()).map(Region::code).collect(Collectors.joining(", "));
    }
}
