package dev.cioforwarder.mparticle;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.cioforwarder.json.Attributes;
import dev.cioforwarder.json.ValueType;
import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * Reads the commerce parts of an event's {@code data} into {@link CommerceData}: the product
 * action, the promotion action and the product impressions, each with the fields {@link
 * KnownFields} lists.
 *
 * <p>Commerce parts were never read before commerce events were forwarded: they are read leniently,
 * so no event of any type that was accepted then is refused now. A value of another shape than the
 * reference's is left out, never a reason to reject the event.
 */
final class CommerceEventReader {

    private final JsonCursor cursor;
    private final JsonParser p;

    CommerceEventReader(JsonCursor cursor) {
        this.cursor = cursor;
        this.p = cursor.p;
    }

    /** {@code product_action}: its {@code action}, {@code products} and scalar fields. */
    void readProductAction(JsonToken value, CommerceData c) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("action")) {
                c.productAction = cursor.lenientText(v);
            } else if (name.equals("products")) {
                readProducts(v, c, c.products);
            } else if (KnownFields.PRODUCT_ACTION_FIELDS.contains(name)) {
                readScalar(v, name, c.actionFields);
            } else {
                p.skipChildren();
            }
        }
    }

    /** {@code promotion_action}: its {@code action} and {@code promotions}. */
    void readPromotionAction(JsonToken value, CommerceData c) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("action")) {
                c.promotionAction = cursor.lenientText(v);
            } else if (name.equals("promotions") && v == JsonToken.START_ARRAY) {
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    Attributes promotion = readObjectFields(t, KnownFields.PROMOTION_FIELDS, false);
                    if (promotion != null) {
                        c.promotions.add(promotion);
                    }
                }
            } else {
                p.skipChildren();
            }
        }
    }

    /** {@code product_impressions}: each list's name and products; an empty one is left out. */
    void readImpressions(JsonToken value, CommerceData c) throws IOException {
        if (value != JsonToken.START_ARRAY) {
            p.skipChildren();
            return;
        }
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t != JsonToken.START_OBJECT) {
                p.skipChildren();
                continue;
            }
            ProductImpression impression = new ProductImpression();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (name.equals("product_impression_list")) {
                    impression.list = cursor.lenientText(v);
                } else if (name.equals("products")) {
                    readProducts(v, c, impression.products);
                } else {
                    p.skipChildren();
                }
            }
            if (impression.list != null || !impression.products.isEmpty()) {
                c.impressions.add(impression);
            }
        }
    }

    /** Products into {@code into}, up to {@link CommerceData#MAX_PRODUCTS} in the event. */
    private void readProducts(JsonToken value, CommerceData c, List<Attributes> into)
            throws IOException {
        if (value != JsonToken.START_ARRAY) {
            p.skipChildren();
            return;
        }
        int kept = c.productCount();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (kept >= CommerceData.MAX_PRODUCTS) {
                if (t == JsonToken.START_OBJECT) {
                    c.productsNotKept++;
                }
                p.skipChildren();
                continue;
            }
            Attributes product = readObjectFields(t, KnownFields.PRODUCT_FIELDS, true);
            if (product != null) {
                into.add(product);
                kept++;
            }
        }
    }

    /**
     * The {@code known} scalar fields of an object (and, for a product, its {@code
     * custom_attributes} object as JSON); null when the value is not an object or holds none of
     * them.
     */
    private Attributes readObjectFields(JsonToken value, Set<String> known, boolean product)
            throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return null;
        }
        Attributes fields = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (known.contains(name)) {
                if (fields == null) {
                    fields = Attributes.withCapacity(known.size());
                }
                readScalar(v, name, fields);
            } else if (product
                    && (name.equals("custom_attributes") || name.equals("attributes"))
                    && v == JsonToken.START_OBJECT) {
                String json = cursor.copyStructure();
                if (fields == null) {
                    fields = Attributes.withCapacity(known.size() + 1);
                }
                // Both spellings in one product: the first one stands.
                if (!json.equals("{}") && !fields.names.contains("custom_attributes")) {
                    fields.add("custom_attributes", ValueType.JSON, json);
                }
            } else {
                p.skipChildren();
            }
        }
        return fields == null || fields.size() == 0 ? null : fields;
    }

    /** A scalar with its JSON type into {@code into}; a null or a structure is left out. */
    private void readScalar(JsonToken v, String name, Attributes into) throws IOException {
        switch (v) {
            case VALUE_STRING:
                into.add(name, ValueType.STRING, cursor.text());
                break;
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                into.add(name, ValueType.NUMBER, p.getText());
                break;
            case VALUE_TRUE:
            case VALUE_FALSE:
                into.add(name, ValueType.BOOLEAN, v == JsonToken.VALUE_TRUE ? "true" : "false");
                break;
            default:
                p.skipChildren();
        }
    }
}
