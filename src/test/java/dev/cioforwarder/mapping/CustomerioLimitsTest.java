package dev.cioforwarder.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The limits as the Track API digest's table lists them (from the official description): every rule
 * that keeps an operation within them reads these.
 */
class CustomerioLimitsTest {

    @Test
    void identifiersAndAttributes() {
        assertThat(CustomerioLimits.MAX_IDENTIFIER_BYTES).isEqualTo(150);
        assertThat(CustomerioLimits.MAX_ATTRIBUTE_NAME_BYTES).isEqualTo(150);
        assertThat(CustomerioLimits.MAX_ATTRIBUTE_VALUE_BYTES).isEqualTo(1000);
        assertThat(CustomerioLimits.MAX_ATTRIBUTES_PER_PERSON).isEqualTo(300);
    }

    @Test
    void events() {
        assertThat(CustomerioLimits.MAX_EVENT_NAME_BYTES).isEqualTo(100);
        assertThat(CustomerioLimits.MAX_EVENT_DATA_BYTES).isEqualTo(100_000);
    }

    @Test
    void v2OperationsAndBatches() {
        // "/entity < 32 KB", "/batch < 500 KB in all, each operation ≤ 32 KB".
        assertThat(CustomerioLimits.MAX_OPERATION_BYTES).isEqualTo(32_768);
        assertThat(CustomerioLimits.MAX_BATCH_REQUEST_BYTES).isEqualTo(500_000);
    }
}
