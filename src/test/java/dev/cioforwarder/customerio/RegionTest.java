package dev.cioforwarder.customerio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cioforwarder.codes.Codes;
import org.junit.jupiter.api.Test;

/**
 * The two data centers and their hosts, as the Track API digest lists them ({@code
 * track.customer.io}, {@code track-eu.customer.io}) and the App API's ({@code api.customer.io},
 * {@code api-eu.customer.io}, docs/mapping.md).
 */
class RegionTest {

    @Test
    void usHosts() {
        assertThat(Region.US.trackUrl()).isEqualTo("https://track.customer.io");
        assertThat(Region.US.appApiUrl()).isEqualTo("https://api.customer.io");
        assertThat(Region.US.code()).isEqualTo("us");
    }

    @Test
    void euHosts() {
        assertThat(Region.EU.trackUrl()).isEqualTo("https://track-eu.customer.io");
        assertThat(Region.EU.appApiUrl()).isEqualTo("https://api-eu.customer.io");
        assertThat(Region.EU.code()).isEqualTo("eu");
    }

    @Test
    void readsTheSettingsCodeWhateverItsCaseAndSpaces() {
        assertThat(Codes.fromCode(Region.class, "us")).isEqualTo(Region.US);
        assertThat(Codes.fromCode(Region.class, "EU")).isEqualTo(Region.EU);
        assertThat(Codes.fromCode(Region.class, "  Eu \n")).isEqualTo(Region.EU);
    }

    @Test
    void writesTheCode() {
        assertThat(Region.US).hasToString("us");
        assertThat(Region.EU).hasToString("eu");
    }

    @Test
    void anUnknownRegionNamesTheAcceptedOnes() {
        assertThat(Codes.accepted(Region.class)).isEqualTo("us, eu");
        assertThatThrownBy(() -> Codes.fromCode(Region.class, "ap"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("\"ap\" is not one of us, eu");
        assertThatThrownBy(() -> Codes.fromCode(Region.class, "track-eu.customer.io"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
