package dev.cioforwarder.codes;

/**
 * A value with a code: the text settings, logs and Flink's enum options read and write for it (such
 * an enum's {@code toString()} returns its code). {@link Codes} parses and lists codes.
 */
public interface Coded {

    /** The code, lower case. */
    String code();
}
