package dev.cioforwarder.customerio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A person as Customer.io knows them: the identifier kind by its Track API name, and a value. */
class PersonIdentifierTest {

    @Test
    void kindsCarryCustomerioNames() {
        assertThat(PersonIdentifier.Kind.ID.code()).isEqualTo("id");
        assertThat(PersonIdentifier.Kind.EMAIL.code()).isEqualTo("email");
        assertThat(PersonIdentifier.Kind.fromCode("id")).isEqualTo(PersonIdentifier.Kind.ID);
        assertThat(PersonIdentifier.Kind.fromCode("email")).isEqualTo(PersonIdentifier.Kind.EMAIL);
    }

    @Test
    void aKindCustomerioHasButTheForwarderDoesNotAddressByIsRefused() {
        assertThatThrownBy(() -> PersonIdentifier.Kind.fromCode("cio_id"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown identifier kind cio_id");
        // Codes are exact: the wire never carries another casing.
        assertThatThrownBy(() -> PersonIdentifier.Kind.fromCode("ID"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void factoriesSetKindAndValue() {
        PersonIdentifier id = PersonIdentifier.id("cust-1001");
        assertThat(id.kind()).isEqualTo(PersonIdentifier.Kind.ID);
        assertThat(id.value()).isEqualTo("cust-1001");
        PersonIdentifier email = PersonIdentifier.email("ada@example.com");
        assertThat(email.kind()).isEqualTo(PersonIdentifier.Kind.EMAIL);
        assertThat(email.value()).isEqualTo("ada@example.com");
    }

    @Test
    void equalByKindAndValue() {
        assertThat(PersonIdentifier.id("x"))
                .isEqualTo(new PersonIdentifier(PersonIdentifier.Kind.ID, "x"))
                .hasSameHashCodeAs(PersonIdentifier.id("x"));
        assertThat(PersonIdentifier.id("a@b.io")).isNotEqualTo(PersonIdentifier.email("a@b.io"));
        assertThat(PersonIdentifier.id("x")).isNotEqualTo(PersonIdentifier.id("X"));
        assertThat(PersonIdentifier.id("x")).isNotEqualTo("id:x");
    }

    @Test
    void printsKindAndValue() {
        assertThat(PersonIdentifier.id("cust-1001")).hasToString("id:cust-1001");
        assertThat(PersonIdentifier.email("ada@example.com")).hasToString("email:ada@example.com");
    }

    @Test
    void neitherPartMayBeNull() {
        assertThatThrownBy(() -> new PersonIdentifier(null, "x"))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> PersonIdentifier.id(null))
                .isInstanceOf(NullPointerException.class);
    }
}
