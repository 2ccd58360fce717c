package dev.cioforwarder.mapping;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Which first-seen time of a device type may become the person's {@code created_at}. */
public enum CreatedAtPolicy {
    /**
     * The earliest moment the device type was seen: a first-run signal, else the earliest event
     * time. For users who existed before the forwarder saw them this is a guess, not a sign-up.
     */
    FIRST_SEEN("first-seen"),
    /**
     * Only a first run mParticle marked ({@code first_run}, or {@code is_first_run: true}): a user
     * who installed before the forwarder started never has their real sign-up date overwritten.
     */
    FIRST_RUN_ONLY("first-run-only");

    private final String code;

    CreatedAtPolicy(String code) {
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

    public static CreatedAtPolicy fromCode(String value) {
        String normalized = value.trim().toLowerCase(Locale.ROOT);
        for (CreatedAtPolicy policy : values()) {
            if (policy.code.equals(normalized)) {
                return policy;
            }
        }
        throw new IllegalArgumentException('"' + value + "\" is not one of " + accepted());
    }

    public static String accepted() {
        return Arrays.stream(values()).map(CreatedAtPolicy::code).collect(Collectors.joining(", "));
    }
}
