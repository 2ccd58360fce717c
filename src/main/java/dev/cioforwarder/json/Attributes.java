package dev.cioforwarder.json;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An ordered list of attributes (user attributes or event custom attributes) with their JSON types.
 *
 * <p>A Flink POJO: it crosses the keyBy shuffle inside the parsed batch. Each value is stored as
 * one string whose first character tags its {@link ValueType} and whose rest is the text: the
 * string itself, a number's exact JSON text, {@code true}/{@code false}, or an array's JSON text.
 * Numbers keep their text so nothing passes through a double.
 */
public class Attributes {

    public List<String> names;
    public List<String> values;

    public Attributes() {
        this(new ArrayList<>(), new ArrayList<>());
    }

    private Attributes(List<String> names, List<String> values) {
        this.names = names;
        this.values = values;
    }

    public static Attributes withCapacity(int capacity) {
        return new Attributes(new ArrayList<>(capacity), new ArrayList<>(capacity));
    }

    public void add(String name, ValueType type, String text) {
        names.add(name);
        values.add(type.tag() + text);
    }

    public int size() {
        return names.size();
    }

    public String name(int index) {
        return names.get(index);
    }

    public ValueType type(int index) {
        return ValueType.ofTag(values.get(index).charAt(0));
    }

    public String text(int index) {
        return values.get(index).substring(1);
    }

    /** The raw tagged value, for fingerprints: type and text in one string. */
    public String taggedValue(int index) {
        return values.get(index);
    }

    /**
     * The size Customer.io counts against its 1000-byte value limit: a string's UTF-8 bytes, or the
     * JSON text of any other value.
     */
    public int valueByteLength(int index) {
        String tagged = values.get(index);
        return utf8Length(tagged, 1);
    }

    static int utf8Length(String s, int from) {
        int bytes = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    public static int utf8Length(String s) {
        return utf8Length(s, 0);
    }

    /** Debug form only: values are customer data, so never log this outside tests. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(name(i)).append('=').append(values.get(i));
        }
        return sb.append('}').toString();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Attributes)) {
            return false;
        }
        Attributes that = (Attributes) o;
        return Objects.equals(names, that.names) && Objects.equals(values, that.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(names, values);
    }

    /** Writes value {@code index} with its own JSON type (the name is the caller's). */
    public void writeValue(JsonGenerator g, int index) throws IOException {
        String text = text(index);
        switch (type(index)) {
            case STRING:
                g.writeString(text);
                break;
            case NUMBER:
                g.writeNumber(text);
                break;
            case BOOLEAN:
                g.writeBoolean(text.equals("true"));
                break;
            case JSON:
                g.writeRawValue(text);
                break;
            case NULL:
                g.writeNull();
                break;
            default:
                throw new IllegalStateException("unknown value type");
        }
    }
}
