package dev.cioforwarder.json;

/**
 * The JSON type of an attribute value, kept so values are forwarded with the type they arrived in.
 */
public enum ValueType {
    STRING('s'),
    NUMBER('n'),
    BOOLEAN('b'),
    /** An array or object, kept as its JSON text. */
    JSON('j'),
    /** A JSON null (a user tag set with {@code setUserTag}); the text is empty. */
    NULL('z');

    private final char tag;

    ValueType(char tag) {
        this.tag = tag;
    }

    char tag() {
        return tag;
    }

    static ValueType ofTag(char tag) {
        switch (tag) {
            case 's':
                return STRING;
            case 'n':
                return NUMBER;
            case 'b':
                return BOOLEAN;
            case 'j':
                return JSON;
            case 'z':
                return NULL;
            default:
                throw new IllegalArgumentException("unknown value tag " + tag);
        }
    }
}
