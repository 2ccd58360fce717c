package dev.cioforwarder.customerio;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * An identifier change as it travels to delivery (and shows in a dead letter): the person by the
 * identifier Customer.io knows, and the identifier to set, each named by its Track API kind.
 */
class IdentifierChangeTest {

    @Test
    void encodesThePersonAndTheIdentifierToSet() {
        IdentifierChange change =
                new IdentifierChange(
                        PersonIdentifier.id("cust-1001"), PersonIdentifier.id("cust-2002"));
        assertThat(new String(change.encode(), StandardCharsets.UTF_8))
                .isEqualTo("{\"person\":{\"id\":\"cust-1001\"},\"set\":{\"id\":\"cust-2002\"}}");
        IdentifierChange email =
                new IdentifierChange(
                        PersonIdentifier.id("cust-1001"),
                        PersonIdentifier.email("ada@example.com"));
        assertThat(new String(email.encode(), StandardCharsets.UTF_8))
                .isEqualTo(
                        "{\"person\":{\"id\":\"cust-1001\"},"
                                + "\"set\":{\"email\":\"ada@example.com\"}}");
    }

    @Test
    void decodesWhatItEncodes() {
        IdentifierChange change =
                new IdentifierChange(
                        PersonIdentifier.email("old@example.com"),
                        PersonIdentifier.email("new\"@example.com"));
        assertThat(IdentifierChange.decode(change.encode())).isEqualTo(change);
    }

    @Test
    void decodesAWrittenBody() {
        IdentifierChange decoded =
                IdentifierChange.decode(
                        "{\"person\":{\"email\":\"ada@example.com\"},\"set\":{\"id\":\"c-9\"}}"
                                .getBytes(StandardCharsets.UTF_8));
        assertThat(decoded.person()).isEqualTo(PersonIdentifier.email("ada@example.com"));
        assertThat(decoded.set()).isEqualTo(PersonIdentifier.id("c-9"));
    }

    @Test
    void unicodeSurvivesTheRoundTrip() {
        IdentifierChange change =
                new IdentifierChange(
                        PersonIdentifier.id("Zo\u00eb/1"),
                        PersonIdentifier.id("\u4e2d\uD83D\uDE00"));
        assertThat(IdentifierChange.decode(change.encode())).isEqualTo(change);
    }
}
