package dev.cioforwarder.mparticle;

import dev.cioforwarder.json.Attributes;
import java.util.ArrayList;
import java.util.List;

/**
 * The commerce parts of a {@code commerce_event}, as received: the fields mParticle's JSON
 * reference documents, each with its JSON type. A null, and a value of a shape the reference does
 * not allow (an object where a string belongs, a product that is not an object), is left out rather
 * than rejecting the event: which fields count is for the rules to decide. A Flink POJO, in {@link
 * MParticleEvent}.
 */
public class CommerceData {

    /**
     * Products kept per event, over the product action and the impressions together. The smallest
     * product Customer.io could receive, {@code {"id":1}} and its comma, takes 9 bytes, so no event
     * within the 100,000-byte data limit holds more than 11,111: products beyond this many could
     * never be sent, and are only counted ({@link #productsNotKept}).
     */
    public static final int MAX_PRODUCTS = 12_000;

    /** {@code product_action.action} when it is a string; null otherwise. */
    public String productAction;

    /**
     * The product action's other scalar fields ({@code transaction_id}, {@code total_amount},
     * {@code tax_amount}, {@code shipping_amount}, {@code coupon_code}, {@code affiliation}, {@code
     * checkout_step}, {@code checkout_options}, {@code product_action_list}, {@code
     * product_list_source}).
     */
    public Attributes actionFields;

    /** {@code product_action.products}: each product's documented fields (see the parser). */
    public List<Attributes> products;

    /** {@code promotion_action.action} when it is a string; null otherwise. */
    public String promotionAction;

    /** {@code promotion_action.promotions}: {@code id}, {@code name}, {@code creative}, ... */
    public List<Attributes> promotions;

    /** {@code product_impressions}. */
    public List<ProductImpression> impressions;

    /** {@code currency_code} when it is a string; null otherwise. */
    public String currencyCode;

    /** Products beyond {@link #MAX_PRODUCTS}, counted and not kept. */
    public int productsNotKept;

    public CommerceData() {
        actionFields = new Attributes();
        products = new ArrayList<>();
        promotions = new ArrayList<>();
        impressions = new ArrayList<>();
    }

    /** Products kept so far, in the product action and every impression. */
    public int productCount() {
        int count = products.size();
        for (ProductImpression impression : impressions) {
            count += impression.products.size();
        }
        return count;
    }
}
