package dev.cioforwarder.mapping;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.cioforwarder.json.Attributes;
import dev.cioforwarder.json.Json;
import dev.cioforwarder.json.ValueType;
import dev.cioforwarder.mparticle.CommerceData;
import dev.cioforwarder.mparticle.ProductImpression;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a {@code commerce_event} is in Customer.io (customerio.forward-commerce-events): its name,
 * and its data with the products in an order that lets the encoder drop them from the end when the
 * event is over Customer.io's limits.
 *
 * <ul>
 *   <li>Named after its product action, matched case-insensitively against mParticle's actions and
 *       sent in mParticle's spelling ({@code purchase}, {@code add_to_cart}...). Without a product
 *       action: {@code promotion_view} or {@code promotion_click} after the promotion action (a
 *       product {@code click} and a promotion click stay apart), else {@code product_impression}
 *       when it has impressions. The product action wins: promotions and impressions that come with
 *       one go into its data.
 *   <li>An event with none of them is skipped ({@code commerce_action_missing}), and so is one
 *       whose product or promotion action mParticle does not define ({@code
 *       commerce_action_unknown}).
 *   <li>Data: the product action's fields, {@code currency_code}, the event's custom attributes (a
 *       custom attribute named like a commerce field this event sends gives way to it), then {@code
 *       products}, {@code promotions}, {@code impressions}. Only what is present; amounts that
 *       arrive as numeric strings are sent as numbers, everything else with its own type.
 * </ul>
 */
final class CommerceMapping {

    /** mParticle's product actions (its JSON reference, and the SDKs' spelling of the last). */
    static final Set<String> PRODUCT_ACTIONS =
            Set.of(
                    "add_to_cart",
                    "remove_from_cart",
                    "checkout",
                    "checkout_option",
                    "click",
                    "view_detail",
                    "purchase",
                    "refund",
                    "add_to_wishlist",
                    "remove_from_wish_list",
                    "remove_from_wishlist");

    /**
     * The wishlist removal as mParticle's JSON reference spells it, and so as batches from
     * mParticle carry it (its server-side SDKs, generated from that schema, accept only this one).
     */
    static final String REMOVE_FROM_WISHLIST = "remove_from_wish_list";

    /**
     * The client SDKs' spelling ({@code RemoveFromWishlist}), sent as {@link
     * #REMOVE_FROM_WISHLIST}.
     */
    static final String REMOVE_FROM_WISHLIST_SDK_SPELLING = "remove_from_wishlist";

    static final String PROMOTION_VIEW = "promotion_view";
    static final String PROMOTION_CLICK = "promotion_click";
    static final String PRODUCT_IMPRESSION = "product_impression";

    /** The data field counting the products left out to fit Customer.io's limits. */
    static final String PRODUCTS_TRIMMED = "products_trimmed";

    // Fields mParticle documents as numbers: a numeric string there is sent as a number. (A
    // promotion's position is a string in mParticle's reference, a product's an integer.)
    private static final Set<String> NUMERIC_ACTION_FIELDS =
            Set.of("total_amount", "tax_amount", "shipping_amount", "checkout_step");
    private static final Set<String> NUMERIC_PRODUCT_FIELDS =
            Set.of("price", "quantity", "total_product_amount", "position");

    /** A JSON number, which is what {@code JsonGenerator.writeNumber(String)} may write as is. */
    private static final Pattern JSON_NUMBER =
            Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

    private CommerceMapping() {}

    /**
     * The Customer.io event name in the given style, after the prefix; null when {@link
     * #notForwarded} has the reason.
     */
    static String name(CommerceData c, CommerceEventNames style, String prefix) {
        String action = name(c);
        return action == null ? null : prefix + style.name(action);
    }

    /**
     * mParticle's name for the event's action, or null when {@link #notForwarded} has the reason.
     * Its two spellings of the wishlist removal are one action, named as mParticle's JSON reference
     * (the format of the batches this job reads) spells it, {@code remove_from_wish_list}: what the
     * job sent for it before the two were one, so an upgrade renames only the SDKs' spelling.
     */
    static String name(CommerceData c) {
        if (c.productAction != null && !c.productAction.isBlank()) {
            String action = EventNames.normalize(c.productAction).toLowerCase(Locale.ROOT);
            if (action.equals(REMOVE_FROM_WISHLIST_SDK_SPELLING)) {
                return REMOVE_FROM_WISHLIST;
            }
            return PRODUCT_ACTIONS.contains(action) ? action : null;
        }
        if (c.promotionAction != null && !c.promotionAction.isBlank()) {
            String action = EventNames.normalize(c.promotionAction).toLowerCase(Locale.ROOT);
            if (action.equals("view")) {
                return PROMOTION_VIEW;
            }
            return action.equals("click") ? PROMOTION_CLICK : null;
        }
        return c.impressions.isEmpty() ? null : PRODUCT_IMPRESSION;
    }

    /** Why a commerce event is not forwarded, or null when it is. */
    static SkipReason notForwarded(CommerceData c) {
        if (name(c) != null) {
            return null;
        }
        boolean anyAction =
                (c.productAction != null && !c.productAction.isBlank())
                        || (c.promotionAction != null && !c.promotionAction.isBlank());
        return anyAction ? SkipReason.COMMERCE_ACTION_UNKNOWN : SkipReason.COMMERCE_ACTION_MISSING;
    }

    /**
     * The event's data, built once; {@link Data#render} writes it with the first {@code n}
     * products.
     *
     * @param custom the event's custom attributes, after the routing-property rule
     */
    static Data data(CommerceData c, Attributes custom, Transition t) {
        return new Data(c, custom, t);
    }

    /** A commerce event's data, with its products ready to be dropped from the end. */
    static final class Data {
        private final Attributes head = Attributes.withCapacity(16);
        private final List<String> products = new ArrayList<>();
        private final List<Integer> productBytes = new ArrayList<>();

        /** Per product: -1 for the product action's, else the index of its impression. */
        private final List<Integer> owners = new ArrayList<>();

        private final String promotions;
        private final List<String> impressionLists = new ArrayList<>();
        private final boolean productAction;
        private int actionProducts;
        private final int notKept;

        private Data(CommerceData c, Attributes custom, Transition t) {
            productAction = c.productAction != null && !c.productAction.isBlank();
            notKept = c.productsNotKept;
            Set<String> commerceFields = new HashSet<>();
            if (productAction) {
                for (int i = 0; i < c.actionFields.size(); i++) {
                    String name = c.actionFields.name(i);
                    addField(head, name, c.actionFields, i, NUMERIC_ACTION_FIELDS);
                    commerceFields.add(name);
                }
            }
            if (c.currencyCode != null) {
                head.add("currency_code", ValueType.STRING, c.currencyCode);
                commerceFields.add("currency_code");
            }
            if (productAction) {
                for (Attributes product : c.products) {
                    addProduct(product, -1);
                }
                actionProducts = products.size();
            }
            for (int i = 0; i < c.impressions.size(); i++) {
                ProductImpression impression = c.impressions.get(i);
                impressionLists.add(impression.list);
                for (Attributes product : impression.products) {
                    addProduct(product, i);
                }
            }
            promotions = c.promotions.isEmpty() ? null : promotions(c.promotions);
            if (writesProducts()) {
                commerceFields.add("products");
            }
            if (promotions != null) {
                commerceFields.add("promotions");
            }
            if (!impressionLists.isEmpty()) {
                commerceFields.add("impressions");
            }
            commerceFields.add(PRODUCTS_TRIMMED);
            for (int i = 0; i < custom.size(); i++) {
                if (commerceFields.contains(custom.name(i))) {
                    t.adjust(Adjustment.COMMERCE_ATTRIBUTE_REPLACED);
                    continue;
                }
                head.names.add(custom.name(i));
                head.values.add(custom.taggedValue(i));
            }
        }

        /** The product action's products, also when all of them were trimmed. */
        private boolean writesProducts() {
            return productAction && (actionProducts > 0 || notKept > 0);
        }

        int productCount() {
            return products.size();
        }

        /** Products the parser did not keep: always counted as trimmed. */
        int productsNotKept() {
            return notKept;
        }

        /** UTF-8 bytes product {@code index} takes in the data, with its separating comma. */
        int productBytes(int index) {
            return productBytes.get(index) + 1;
        }

        /**
         * The data with the first {@code keep} products, and {@code products_trimmed} when any
         * product is left out.
         */
        Attributes render(int keep) {
            Attributes data = Attributes.withCapacity(head.size() + 4);
            data.names.addAll(head.names);
            data.values.addAll(head.values);
            if (writesProducts()) {
                data.add("products", ValueType.JSON, array(keep, -1));
            }
            if (promotions != null) {
                data.add("promotions", ValueType.JSON, promotions);
            }
            if (!impressionLists.isEmpty()) {
                StringBuilder json = new StringBuilder("[");
                for (int i = 0; i < impressionLists.size(); i++) {
                    json.append(i == 0 ? "{" : ",{");
                    String list = impressionLists.get(i);
                    if (list != null) {
                        json.append("\"product_impression_list\":")
                                .append(quoted(list))
                                .append(',');
                    }
                    json.append("\"products\":").append(array(keep, i)).append('}');
                }
                data.add("impressions", ValueType.JSON, json.append(']').toString());
            }
            int trimmed = notKept + products.size() - keep;
            if (trimmed > 0) {
                data.add(PRODUCTS_TRIMMED, ValueType.NUMBER, Integer.toString(trimmed));
            }
            return data;
        }

        private String array(int keep, int owner) {
            StringBuilder json = new StringBuilder("[");
            boolean first = true;
            for (int i = 0; i < keep; i++) {
                if (owners.get(i) == owner) {
                    json.append(first ? "" : ",").append(products.get(i));
                    first = false;
                }
            }
            return json.append(']').toString();
        }

        private void addProduct(Attributes product, int owner) {
            String json = object(product, NUMERIC_PRODUCT_FIELDS);
            products.add(json);
            productBytes.add(Attributes.utf8Length(json));
            owners.add(owner);
        }
    }

    /**
     * Adds field {@code index} of {@code from}, a numeric string of a numeric field as a number.
     */
    private static void addField(
            Attributes into, String name, Attributes from, int index, Set<String> numeric) {
        String text = from.text(index);
        if (from.type(index) == ValueType.STRING && numeric.contains(name)) {
            String trimmed = text.strip();
            if (trimmed.length() <= Json.MAX_NUMBER_LENGTH
                    && JSON_NUMBER.matcher(trimmed).matches()) {
                into.add(name, ValueType.NUMBER, trimmed);
                return;
            }
        }
        into.names.add(name);
        into.values.add(from.taggedValue(index));
    }

    private static String promotions(List<Attributes> promotions) {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < promotions.size(); i++) {
            json.append(i == 0 ? "" : ",").append(object(promotions.get(i), Set.of()));
        }
        return json.append(']').toString();
    }

    /** One product or promotion as a JSON object. */
    private static String object(Attributes fields, Set<String> numeric) {
        Attributes converted = Attributes.withCapacity(fields.size());
        for (int i = 0; i < fields.size(); i++) {
            addField(converted, fields.name(i), fields, i, numeric);
        }
        StringWriter out = new StringWriter(64);
        try (JsonGenerator g = Json.factory().createGenerator(out)) {
            g.writeStartObject();
            for (int i = 0; i < converted.size(); i++) {
                g.writeFieldName(converted.name(i));
                converted.writeValue(g, i);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static String quoted(String text) {
        StringWriter out = new StringWriter(text.length() + 2);
        try (JsonGenerator g = Json.factory().createGenerator(out)) {
            g.writeString(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
