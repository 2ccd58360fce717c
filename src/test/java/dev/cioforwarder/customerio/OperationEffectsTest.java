package dev.cioforwarder.customerio;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * What an operation recorded in its user's state, as bits: they are kept in checkpointed
 * operations, so each keeps its value, and each is told apart from the others.
 */
class OperationEffectsTest {

    @Test
    void eachEffectKeepsItsBit() {
        assertThat(OperationEffects.PROFILE).isEqualTo(1);
        assertThat(OperationEffects.CREATED_AT).isEqualTo(2);
        assertThat(OperationEffects.UNSUBSCRIBE).isEqualTo(4);
        assertThat(OperationEffects.RESUBSCRIBE).isEqualTo(8);
        assertThat(OperationEffects.ATTACH).isEqualTo(16);
        assertThat(OperationEffects.EMAIL).isEqualTo(32);
        assertThat(OperationEffects.DEVICE_ADD).isEqualTo(64);
        assertThat(OperationEffects.IDENTIFIER_CHANGE).isEqualTo(128);
    }

    @Test
    void hasTellsWhetherAnEffectIsAmongThem() {
        int effects = OperationEffects.PROFILE | OperationEffects.EMAIL;
        assertThat(OperationEffects.has(effects, OperationEffects.PROFILE)).isTrue();
        assertThat(OperationEffects.has(effects, OperationEffects.EMAIL)).isTrue();
        assertThat(OperationEffects.has(effects, OperationEffects.ATTACH)).isFalse();
        assertThat(OperationEffects.has(0, OperationEffects.PROFILE)).isFalse();
        assertThat(OperationEffects.has(0xFF, OperationEffects.IDENTIFIER_CHANGE)).isTrue();
    }
}
