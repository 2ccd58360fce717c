package dev.cioforwarder.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cioforwarder.codes.Codes;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * customerio.commerce-event-names: mParticle's action names, or the E-commerce Spec v2 names of
 * docs/mapping.md's table.
 */
class CommerceEventNamesTest {

    /** docs/mapping.md, "Names that cannot collide". */
    private static final Map<String, String> DOCUMENTED =
            Map.ofEntries(
                    Map.entry("add_to_cart", "Product Added"),
                    Map.entry("remove_from_cart", "Product Removed"),
                    Map.entry("view_detail", "Product Viewed"),
                    Map.entry("click", "Product Clicked"),
                    Map.entry("add_to_wishlist", "Product Added to Wishlist"),
                    Map.entry("remove_from_wish_list", "Product Removed from Wishlist"),
                    Map.entry("checkout", "Checkout Started"),
                    Map.entry("checkout_option", "Checkout Step Completed"),
                    Map.entry("purchase", "Order Completed"),
                    Map.entry("refund", "Order Refunded"),
                    Map.entry("promotion_view", "Promotion Viewed"),
                    Map.entry("promotion_click", "Promotion Clicked"),
                    Map.entry("product_impression", "Product List Viewed"));

    @Test
    void semanticNamesAreTheDocumentedTable() {
        assertThat(CommerceEventNames.SEMANTIC_NAMES).isEqualTo(DOCUMENTED);
        DOCUMENTED.forEach(
                (action, name) ->
                        assertThat(CommerceEventNames.SEMANTIC.name(action)).isEqualTo(name));
    }

    @Test
    void mparticleNamesAreTheActionsThemselves() {
        for (String action : DOCUMENTED.keySet()) {
            assertThat(CommerceEventNames.MPARTICLE.name(action)).isEqualTo(action);
        }
    }

    @Test
    void everyActionTheMappingNamesHasASemanticName() {
        for (String action : CommerceMapping.PRODUCT_ACTIONS) {
            if (!action.equals(CommerceMapping.REMOVE_FROM_WISHLIST_SDK_SPELLING)) {
                assertThat(CommerceEventNames.SEMANTIC_NAMES).containsKey(action);
            }
        }
    }

    @Test
    void theLongestNameLeavesTheDocumentedRoomForAPrefix() {
        // "Product Removed from Wishlist": 29 characters, so a prefix may take 71 of the 100.
        assertThat(CommerceEventNames.longestName()).isEqualTo(29);
        assertThat(CustomerioLimits.MAX_EVENT_NAME_BYTES - CommerceEventNames.longestName())
                .isEqualTo(71);
    }

    @Test
    void theSettingsCodes() {
        assertThat(CommerceEventNames.MPARTICLE).hasToString("mparticle");
        assertThat(CommerceEventNames.SEMANTIC.code()).isEqualTo("semantic");
        assertThat(Codes.fromCode(CommerceEventNames.class, " Semantic "))
                .isEqualTo(CommerceEventNames.SEMANTIC);
        assertThat(Codes.fromCode(CommerceEventNames.class, "mparticle"))
                .isEqualTo(CommerceEventNames.MPARTICLE);
        assertThat(Codes.accepted(CommerceEventNames.class)).isEqualTo("mparticle, semantic");
        assertThatThrownBy(() -> Codes.fromCode(CommerceEventNames.class, "segment"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("\"segment\" is not one of mparticle, semantic");
    }
}
