package dev.cioforwarder.mapping;

import dev.cioforwarder.codes.Coded;
import java.util.Map;

/**
 * How commerce events are named ({@code customerio.commerce-event-names}): after mParticle's action
 * ({@code purchase}, {@code add_to_cart}...), as before the setting existed, or with the e-commerce
 * event names of Segment's E-commerce Spec v2, which Customer.io's own Segment Actions destination
 * passes through and its e-commerce guides use ({@code Order Completed}, {@code Product Added}...):
 * names an app's own custom events rarely use, so turning commerce on cannot collide with them.
 */
public enum CommerceEventNames implements Coded {
    MPARTICLE("mparticle"),
    SEMANTIC("semantic");

    /**
     * mParticle's actions and their E-commerce Spec v2 names, from Segment's "Spec: V2 Ecommerce
     * Events" (https://segment.com/docs/connections/spec/ecommerce/v2/, now at
     * https://www.twilio.com/docs/segment/connections/spec/ecommerce/v2). {@code checkout_option}
     * (an option chosen at a checkout step) is the spec's "Checkout Step Completed"; impressions
     * are a product list seen. Keys are the names {@link CommerceMapping#name(
     * dev.cioforwarder.mparticle.CommerceData)} gives: every one of them must be here.
     */
    static final Map<String, String> SEMANTIC_NAMES =
            Map.ofEntries(
                    Map.entry("add_to_cart", "Product Added"),
                    Map.entry("remove_from_cart", "Product Removed"),
                    Map.entry("checkout", "Checkout Started"),
                    Map.entry("checkout_option", "Checkout Step Completed"),
                    Map.entry("click", "Product Clicked"),
                    Map.entry("view_detail", "Product Viewed"),
                    Map.entry("purchase", "Order Completed"),
                    Map.entry("refund", "Order Refunded"),
                    Map.entry("add_to_wishlist", "Product Added to Wishlist"),
                    Map.entry(
                            CommerceMapping.REMOVE_FROM_WISHLIST, "Product Removed from Wishlist"),
                    Map.entry(CommerceMapping.PROMOTION_VIEW, "Promotion Viewed"),
                    Map.entry(CommerceMapping.PROMOTION_CLICK, "Promotion Clicked"),
                    Map.entry(CommerceMapping.PRODUCT_IMPRESSION, "Product List Viewed"));

    /** The longest name either style produces (ASCII): what a prefix must leave room for. */
    public static int longestName() {
        int longest = 0;
        for (String name : SEMANTIC_NAMES.keySet()) {
            longest = Math.max(longest, name.length());
        }
        for (String name : SEMANTIC_NAMES.values()) {
            longest = Math.max(longest, name.length());
        }
        return longest;
    }

    private final String code;

    CommerceEventNames(String code) {
        this.code = code;
    }

    @Override
    public String code() {
        return code;
    }

    @Override
    public String toString() {
        return code;
    }

    /** The event's name in this style for mParticle's (normalized) action name. */
    String name(String action) {
        return this == SEMANTIC ? SEMANTIC_NAMES.get(action) : action;
    }
}
