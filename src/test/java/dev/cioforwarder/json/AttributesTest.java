package dev.cioforwarder.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Attributes keep their order, their JSON type and their exact text, and measure a value as
 * Customer.io's 1000-byte limit counts it: a string's UTF-8 bytes, or any other value's JSON text.
 */
class AttributesTest {

    private static String written(Attributes a, int index) throws IOException {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = Json.factory().createGenerator(out)) {
            a.writeValue(g, index);
        }
        return out.toString();
    }

    @Test
    void keepsOrderNamesTypesAndText() {
        Attributes a = new Attributes();
        a.add("zip", ValueType.STRING, "01234");
        a.add("age", ValueType.NUMBER, "36.50");
        a.add("vip", ValueType.BOOLEAN, "false");
        a.add("tags", ValueType.JSON, "[\"a\"]");
        a.add("gone", ValueType.NULL, "");
        assertThat(a.size()).isEqualTo(5);
        assertThat(List.of(a.name(0), a.name(1), a.name(2), a.name(3), a.name(4)))
                .containsExactly("zip", "age", "vip", "tags", "gone");
        assertThat(List.of(a.type(0), a.type(1), a.type(2), a.type(3), a.type(4)))
                .containsExactly(
                        ValueType.STRING,
                        ValueType.NUMBER,
                        ValueType.BOOLEAN,
                        ValueType.JSON,
                        ValueType.NULL);
        assertThat(a.text(0)).isEqualTo("01234");
        assertThat(a.text(1)).isEqualTo("36.50");
        assertThat(a.text(3)).isEqualTo("[\"a\"]");
        assertThat(a.text(4)).isEmpty();
    }

    @Test
    void aValueIsStoredAsItsTypeTagAndText() {
        // The stored form (a Flink POJO crossing the shuffle, and fingerprinted): tag then text.
        Attributes a = new Attributes();
        a.add("s", ValueType.STRING, "x");
        a.add("n", ValueType.NUMBER, "1");
        a.add("b", ValueType.BOOLEAN, "true");
        a.add("j", ValueType.JSON, "{}");
        a.add("z", ValueType.NULL, "");
        assertThat(a.values).containsExactly("sx", "n1", "btrue", "j{}", "z");
        assertThat(a.names).containsExactly("s", "n", "b", "j", "z");
        assertThat(a.taggedValue(0)).isEqualTo("sx");
    }

    @Test
    void theSameTextOfAnotherTypeIsAnotherValue() {
        Attributes number = new Attributes();
        number.add("age", ValueType.NUMBER, "36");
        Attributes string = new Attributes();
        string.add("age", ValueType.STRING, "36");
        assertThat(number).isNotEqualTo(string);
        assertThat(number.taggedValue(0)).isNotEqualTo(string.taggedValue(0));
    }

    @Test
    void equalWhenNamesAndValuesAreEqualInOrder() {
        Attributes a = Attributes.withCapacity(2);
        a.add("x", ValueType.STRING, "1");
        a.add("y", ValueType.STRING, "2");
        Attributes b = new Attributes();
        b.add("x", ValueType.STRING, "1");
        b.add("y", ValueType.STRING, "2");
        Attributes reversed = new Attributes();
        reversed.add("y", ValueType.STRING, "2");
        reversed.add("x", ValueType.STRING, "1");
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(reversed);
        assertThat(new Attributes()).isEqualTo(Attributes.withCapacity(8));
    }

    @Test
    void measuresAStringInUtf8Bytes() {
        Attributes a = new Attributes();
        a.add("ascii", ValueType.STRING, "abc");
        a.add("two", ValueType.STRING, "\u00e9");
        a.add("three", ValueType.STRING, "\u20ac");
        a.add("four", ValueType.STRING, "\uD83D\uDE00");
        a.add("lone", ValueType.STRING, "\uD83D");
        a.add("empty", ValueType.STRING, "");
        assertThat(a.valueByteLength(0)).isEqualTo(3);
        assertThat(a.valueByteLength(1)).isEqualTo(2);
        assertThat(a.valueByteLength(2)).isEqualTo(3);
        assertThat(a.valueByteLength(3)).isEqualTo(4);
        // A lone surrogate counts as one three-byte character (what U+FFFD takes).
        assertThat(a.valueByteLength(4)).isEqualTo(3);
        assertThat(a.valueByteLength(5)).isZero();
    }

    @Test
    void measuresOtherValuesByTheirJsonText() {
        Attributes a = new Attributes();
        a.add("n", ValueType.NUMBER, "1234.5");
        a.add("b", ValueType.BOOLEAN, "false");
        a.add("j", ValueType.JSON, "[\"\u00e9\"]");
        assertThat(a.valueByteLength(0)).isEqualTo(6);
        assertThat(a.valueByteLength(1)).isEqualTo(5);
        assertThat(a.valueByteLength(2)).isEqualTo(6);
    }

    @Test
    void utf8LengthOfAnyString() {
        assertThat(Attributes.utf8Length("")).isZero();
        assertThat(Attributes.utf8Length("Add_To_Cart")).isEqualTo(11);
        assertThat(Attributes.utf8Length("Zo\u00eb \u4e2d\uD83D\uDE00"))
                .isEqualTo(2 + 2 + 1 + 3 + 4);
        // A high surrogate at the end, and a low one alone.
        assertThat(Attributes.utf8Length("a\uD83D")).isEqualTo(4);
        assertThat(Attributes.utf8Length("\uDE00a")).isEqualTo(4);
        // The largest two-byte and smallest three-byte characters.
        assertThat(Attributes.utf8Length("\u07ff")).isEqualTo(2);
        assertThat(Attributes.utf8Length("\u0800")).isEqualTo(3);
        assertThat(Attributes.utf8Length("\u007f")).isEqualTo(1);
        assertThat(Attributes.utf8Length("\u0080")).isEqualTo(2);
    }

    @Test
    void writesEachValueWithItsOwnType() throws IOException {
        Attributes a = new Attributes();
        a.add("s", ValueType.STRING, "36 \"x\"");
        a.add("n", ValueType.NUMBER, "12345678901234567890.10");
        a.add("t", ValueType.BOOLEAN, "true");
        a.add("f", ValueType.BOOLEAN, "false");
        a.add("j", ValueType.JSON, "{\"a\":[1,2]}");
        a.add("z", ValueType.NULL, "");
        assertThat(written(a, 0)).isEqualTo("\"36 \\\"x\\\"\"");
        assertThat(written(a, 1)).isEqualTo("12345678901234567890.10");
        assertThat(written(a, 2)).isEqualTo("true");
        assertThat(written(a, 3)).isEqualTo("false");
        assertThat(written(a, 4)).isEqualTo("{\"a\":[1,2]}");
        assertThat(written(a, 5)).isEqualTo("null");
    }

    @Test
    void printsNamesWithTaggedValues() {
        Attributes a = new Attributes();
        a.add("first_name", ValueType.STRING, "Ada");
        a.add("age", ValueType.NUMBER, "36");
        assertThat(a).hasToString("{first_name=sAda, age=n36}");
        assertThat(new Attributes()).hasToString("{}");
    }
}
