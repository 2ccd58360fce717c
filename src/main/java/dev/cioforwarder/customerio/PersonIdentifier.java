package dev.cioforwarder.customerio;

import java.util.Objects;

/** How Customer.io knows a person: by {@code id} or by {@code email}. */
public final class PersonIdentifier {

    /** The identifier kinds the forwarder addresses people by; codes are Customer.io's names. */
    public enum Kind {
        ID("id"),
        EMAIL("email");

        private final String code;

        Kind(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }

        public static Kind fromCode(String code) {
            for (Kind kind : values()) {
                if (kind.code.equals(code)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("unknown identifier kind " + code);
        }
    }

    private final Kind kind;
    private final String value;

    public PersonIdentifier(Kind kind, String value) {
        this.kind = Objects.requireNonNull(kind);
        this.value = Objects.requireNonNull(value);
    }

    public static PersonIdentifier id(String value) {
        return new PersonIdentifier(Kind.ID, value);
    }

    public static PersonIdentifier email(String value) {
        return new PersonIdentifier(Kind.EMAIL, value);
    }

    public Kind kind() {
        return kind;
    }

    public String value() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PersonIdentifier)) {
            return false;
        }
        PersonIdentifier that = (PersonIdentifier) o;
        return kind == that.kind && value.equals(that.value);
    }

    @Override
    public int hashCode() {
        return 31 * kind.hashCode() + value.hashCode();
    }

    @Override
    public String toString() {
        return kind.code + ":" + value;
    }
}
