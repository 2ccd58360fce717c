package dev.cioforwarder.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Each JSON type has one stored tag letter, and a tag reads back as its type. */
class ValueTypeTest {

    @Test
    void eachTypeHasItsTag() {
        assertThat(ValueType.STRING.tag()).isEqualTo('s');
        assertThat(ValueType.NUMBER.tag()).isEqualTo('n');
        assertThat(ValueType.BOOLEAN.tag()).isEqualTo('b');
        assertThat(ValueType.JSON.tag()).isEqualTo('j');
        assertThat(ValueType.NULL.tag()).isEqualTo('z');
    }

    @Test
    void aTagReadsBackAsItsType() {
        assertThat(ValueType.ofTag('s')).isEqualTo(ValueType.STRING);
        assertThat(ValueType.ofTag('n')).isEqualTo(ValueType.NUMBER);
        assertThat(ValueType.ofTag('b')).isEqualTo(ValueType.BOOLEAN);
        assertThat(ValueType.ofTag('j')).isEqualTo(ValueType.JSON);
        assertThat(ValueType.ofTag('z')).isEqualTo(ValueType.NULL);
    }

    @Test
    void anUnknownTagIsRefused() {
        assertThatThrownBy(() -> ValueType.ofTag('x'))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown value tag x");
        assertThatThrownBy(() -> ValueType.ofTag('S')).isInstanceOf(IllegalArgumentException.class);
    }
}
