package dev.cioforwarder.codes;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Reading and listing the codes of a {@link Coded} enum: one body for every enum a setting names,
 * so each parses the same way and fails with the same message.
 */
public final class Codes {

    private Codes() {}

    /**
     * The constant whose code is {@code value}, ignoring case and surrounding spaces.
     *
     * @throws IllegalArgumentException naming the value and every accepted code
     */
    public static <E extends Enum<E> & Coded> E fromCode(Class<E> type, String value) {
        String normalized = value.trim().toLowerCase(Locale.ROOT);
        for (E constant : type.getEnumConstants()) {
            if (constant.code().equals(normalized)) {
                return constant;
            }
        }
        throw new IllegalArgumentException('"' + value + "\" is not one of " + accepted(type));
    }

    /** Every code of {@code type}, in declaration order, comma-separated. */
    public static <E extends Enum<E> & Coded> String accepted(Class<E> type) {
        return Arrays.stream(type.getEnumConstants())
                .map(Coded::code)
                .collect(Collectors.joining(", "));
    }
}
