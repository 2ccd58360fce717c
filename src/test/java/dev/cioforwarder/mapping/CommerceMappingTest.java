package dev.cioforwarder.mapping;

import static dev.cioforwarder.mapping.MappingTestSupport.Batch.customer;
import static dev.cioforwarder.mapping.MappingTestSupport.T;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.customerio.Ulid;
import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.mapping.MappingTestSupport.Batch;
import dev.cioforwarder.mapping.MappingTestSupport.Events;
import dev.cioforwarder.mapping.MappingTestSupport.Op;
import dev.cioforwarder.mapping.MappingTestSupport.User;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** customerio.forward-commerce-events: purchases and other commerce events (CommerceMapping). */
class CommerceMappingTest {

    private static final long EVENT_TIME = T - 5_500;

    private static MappingSettings settings(ApiMode mode) {
        return MappingSettings.defaults().toBuilder().apiMode(mode).build();
    }

    /** The events (not the identify) a batch of commerce events sends, in order. */
    private static List<Op> send(MappingSettings settings, String... events) {
        User user = new User(settings);
        lastUser = user;
        List<Op> events0 = new ArrayList<>();
        for (Op op : user.apply(customer().events(events))) {
            if (op.kind() != OperationKind.IDENTIFY) {
                events0.add(op);
            }
        }
        return events0;
    }

    private static User lastUser;

    private static List<Op> send(String... events) {
        return send(MappingSettings.defaults(), events);
    }

    private static String commerce(String smid, String fields) {
        return Events.commerce(
                "\"timestamp_unixtime_ms\":"
                        + EVENT_TIME
                        + ",\"source_message_id\":\""
                        + smid
                        + "\""
                        + (fields.isEmpty() ? "" : "," + fields));
    }

    private static String purchase(String products) {
        return commerce(
                "p-1",
                "\"currency_code\":\"GBP\",\"product_action\":{\"action\":\"purchase\","
                        + "\"transaction_id\":\"txn-42\",\"total_amount\":59.5,"
                        + "\"tax_amount\":9.92,\"shipping_amount\":0,\"coupon_code\":\"WINTER\","
                        + "\"affiliation\":null,\"products\":"
                        + products
                        + "}");
    }

    @Nested
    class Names {

        @ParameterizedTest
        @ValueSource(
                strings = {
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
                    "remove_from_wishlist"
                })
        void eachProductActionIsAnEventNamedAfterIt(String action) {
            List<Op> ops =
                    send(
                            commerce(
                                    "a-1",
                                    "\"product_action\":{\"action\":\""
                                            + action
                                            + "\",\"products\":[{\"id\":\"SKU-1\"}]}"));
            assertThat(ops).singleElement();
            assertThat(ops.get(0).kind()).isEqualTo(OperationKind.EVENT);
            // mParticle's two spellings of the wishlist removal are one event, named as the JSON
            // reference (the batches' format) spells it.
            assertThat(ops.get(0).name())
                    .isEqualTo(
                            action.equals("remove_from_wishlist")
                                    ? "remove_from_wish_list"
                                    : action);
            assertThat(lastUser.last.commerceEventsForwarded()).isEqualTo(1);
            // Counted apart from custom events.
            assertThat(lastUser.last.eventsForwarded()).isZero();
        }

        /**
         * customerio.commerce-event-names=semantic: Segment's E-commerce Spec v2 names, which
         * Customer.io's e-commerce guides use, written out here from the spec.
         */
        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource({
            "add_to_cart,Product Added",
            "remove_from_cart,Product Removed",
            "checkout,Checkout Started",
            "checkout_option,Checkout Step Completed",
            "click,Product Clicked",
            "view_detail,Product Viewed",
            "purchase,Order Completed",
            "refund,Order Refunded",
            "add_to_wishlist,Product Added to Wishlist",
            "remove_from_wishlist,Product Removed from Wishlist",
            "remove_from_wish_list,Product Removed from Wishlist"
        })
        void semanticNamesForEachProductAction(String action, String expected) {
            MappingSettings semantic =
                    MappingSettings.defaults().toBuilder()
                            .commerceEventNames(CommerceEventNames.SEMANTIC)
                            .build();
            List<Op> ops =
                    send(
                            semantic,
                            commerce(
                                    "a-1",
                                    "\"product_action\":{\"action\":\""
                                            + action
                                            + "\",\"products\":[{\"id\":\"SKU-1\"}]}"));
            assertThat(ops)
                    .singleElement()
                    .satisfies(o -> assertThat(o.name()).isEqualTo(expected));
        }

        /** No action the job forwards may reach Customer.io without a semantic name. */
        @Test
        void everyForwardedProductActionHasASemanticName() {
            MappingSettings semantic =
                    MappingSettings.defaults().toBuilder()
                            .commerceEventNames(CommerceEventNames.SEMANTIC)
                            .commerceEventPrefix("shop_")
                            .build();
            for (String action : CommerceMapping.PRODUCT_ACTIONS) {
                List<Op> ops =
                        send(
                                semantic,
                                commerce(
                                        "a-1",
                                        "\"product_action\":{\"action\":\"" + action + "\"}"));
                assertThat(ops)
                        .as(action)
                        .singleElement()
                        .satisfies(
                                o -> {
                                    // "shop_" and a spec name: words with capitals, no "_".
                                    assertThat(o.name()).startsWith("shop_");
                                    assertThat(o.name().substring("shop_".length()))
                                            .matches("[A-Z][a-z]+( [A-Za-z]+)+");
                                });
            }
        }

        /** Both spellings, a prefix, the default style: one name, the JSON reference's. */
        @Test
        void bothWishlistSpellingsAreOneNameBehindAPrefix() {
            MappingSettings prefixed =
                    MappingSettings.defaults().toBuilder().commerceEventPrefix("shop_").build();
            assertThat(
                            send(
                                    prefixed,
                                    commerce(
                                            "a-1",
                                            "\"product_action\":{\"action\":\"remove_from_wishlist\"}"),
                                    commerce(
                                            "a-2",
                                            "\"product_action\":{\"action\":\"Remove From Wish"
                                                    + " List\"}"),
                                    commerce(
                                            "a-3",
                                            "\"product_action\":{\"action\":\"remove_from_wish_list\"}")))
                    .extracting(Op::name)
                    .containsExactly(
                            "shop_remove_from_wish_list",
                            "shop_remove_from_wish_list",
                            "shop_remove_from_wish_list");
        }

        @Test
        void semanticNamesForPromotionsAndImpressionsAndAPrefixInBothStyles() {
            String[] events = {
                commerce(
                        "a-1",
                        "\"promotion_action\":{\"action\":\"view\",\"promotions\":[{\"id\":\"p\"}]}"),
                commerce(
                        "a-2",
                        "\"promotion_action\":{\"action\":\"click\",\"promotions\":[{\"id\":\"p\"}]}"),
                commerce(
                        "a-3",
                        "\"product_impressions\":[{\"product_impression_list\":\"s\","
                                + "\"products\":[{\"id\":\"SKU-1\"}]}]")
            };
            MappingSettings semantic =
                    MappingSettings.defaults().toBuilder()
                            .commerceEventNames(CommerceEventNames.SEMANTIC)
                            .commerceEventPrefix("shop_")
                            .build();
            assertThat(send(semantic, events))
                    .extracting(Op::name)
                    .containsExactly(
                            "shop_Promotion Viewed",
                            "shop_Promotion Clicked",
                            "shop_Product List Viewed");
            MappingSettings mparticle =
                    MappingSettings.defaults().toBuilder().commerceEventPrefix("shop_").build();
            assertThat(send(mparticle, events))
                    .extracting(Op::name)
                    .containsExactly(
                            "shop_promotion_view",
                            "shop_promotion_click",
                            "shop_product_impression");
        }

        @Test
        void theNameRuleAppliesAndActionsMatchWhateverTheirCase() {
            List<Op> ops =
                    send(
                            commerce("a-1", "\"product_action\":{\"action\":\"  Add To Cart \"}"),
                            commerce("a-2", "\"product_action\":{\"action\":\"PURCHASE\"}"));
            assertThat(ops).extracting(Op::name).containsExactly("add_to_cart", "purchase");
        }

        @Test
        void promotionsAreNamedApartFromAProductClick() {
            List<Op> ops =
                    send(
                            commerce("a-1", "\"product_action\":{\"action\":\"click\"}"),
                            commerce(
                                    "a-2",
                                    "\"promotion_action\":{\"action\":\"click\",\"promotions\":"
                                            + "[{\"id\":\"promo-1\",\"name\":\"Winter\","
                                            + "\"creative\":\"hero\",\"position\":\"top\"}]}"),
                            commerce(
                                    "a-3",
                                    "\"promotion_action\":{\"action\":\"view\",\"promotions\":"
                                            + "[{\"id\":\"promo-1\"}]}"));
            assertThat(ops)
                    .extracting(Op::name)
                    .containsExactly("click", "promotion_click", "promotion_view");
            assertThat(ops.get(1).attributes().get("promotions").toString())
                    .isEqualTo(
                            "[{\"id\":\"promo-1\",\"name\":\"Winter\",\"creative\":\"hero\","
                                    + "\"position\":\"top\"}]");
        }

        @Test
        void impressionsAloneAreOneProductImpressionWithTheirLists() {
            List<Op> ops =
                    send(
                            commerce(
                                    "a-1",
                                    "\"product_impressions\":[{\"product_impression_list\":"
                                            + "\"search results\",\"products\":[{\"id\":\"SKU-1\","
                                            + "\"position\":1},{\"id\":\"SKU-2\",\"position\":2}]},"
                                            + "{\"product_impression_list\":\"related\","
                                            + "\"products\":[{\"id\":\"SKU-3\"}]}]"));
            assertThat(ops).singleElement();
            assertThat(ops.get(0).name()).isEqualTo("product_impression");
            assertThat(ops.get(0).attributes().get("impressions").toString())
                    .isEqualTo(
                            "[{\"product_impression_list\":\"search results\",\"products\":"
                                    + "[{\"id\":\"SKU-1\",\"position\":1},{\"id\":\"SKU-2\","
                                    + "\"position\":2}]},{\"product_impression_list\":\"related\","
                                    + "\"products\":[{\"id\":\"SKU-3\"}]}]");
        }

        @Test
        void theProductActionWinsAndPromotionsAndImpressionsGoIntoItsData() {
            List<Op> ops =
                    send(
                            commerce(
                                    "a-1",
                                    "\"product_action\":{\"action\":\"view_detail\","
                                            + "\"products\":[{\"id\":\"SKU-1\"}]},"
                                            + "\"promotion_action\":{\"action\":\"view\","
                                            + "\"promotions\":[{\"id\":\"promo-1\"}]},"
                                            + "\"product_impressions\":[{\"products\":"
                                            + "[{\"id\":\"SKU-2\"}]}]"));
            assertThat(ops).singleElement();
            JsonNode data = ops.get(0).attributes();
            assertThat(ops.get(0).name()).isEqualTo("view_detail");
            assertThat(data.get("products").toString()).isEqualTo("[{\"id\":\"SKU-1\"}]");
            assertThat(data.get("promotions").toString()).isEqualTo("[{\"id\":\"promo-1\"}]");
            assertThat(data.get("impressions").toString())
                    .isEqualTo("[{\"products\":[{\"id\":\"SKU-2\"}]}]");
        }

        @Test
        void anEventWithoutAnActionIsSkippedWithItsReason() {
            List<Op> ops =
                    send(
                            commerce("a-1", ""),
                            commerce("a-2", "\"product_action\":{\"products\":[{\"id\":\"S\"}]}"),
                            commerce("a-3", "\"product_action\":\"purchase\""),
                            commerce("a-4", "\"product_impressions\":[]"));
            assertThat(ops).isEmpty();
            assertThat(lastUser.last.skipped(SkipReason.COMMERCE_ACTION_MISSING)).isEqualTo(4);
            assertThat(lastUser.last.rejections()).isEmpty();
        }

        @Test
        void anActionMParticleDoesNotDefineIsSkippedWithItsReason() {
            List<Op> ops =
                    send(
                            commerce("a-1", "\"product_action\":{\"action\":\"teleport\"}"),
                            commerce("a-2", "\"promotion_action\":{\"action\":\"hover\"}"),
                            commerce("a-3", "\"product_action\":{\"action\":\"purchase\"}"));
            assertThat(ops).extracting(Op::name).containsExactly("purchase");
            assertThat(lastUser.last.skipped(SkipReason.COMMERCE_ACTION_UNKNOWN)).isEqualTo(2);
            assertThat(lastUser.last.rejections()).isEmpty();
        }
    }

    @Nested
    class Data {

        @ParameterizedTest
        @EnumSource(ApiMode.class)
        void aPurchaseCarriesItsTransactionAndProducts(ApiMode mode) {
            List<Op> ops =
                    send(
                            settings(mode),
                            purchase(
                                    "[{\"id\":\"SKU-7731\",\"name\":\"Canvas Tote Bag\","
                                            + "\"brand\":null,\"category\":\"bags\",\"variant\":"
                                            + "\"teal\",\"position\":0,\"price\":59.5,\"quantity\""
                                            + ":1,\"coupon_code\":null,\"total_product_amount\":"
                                            + "59.5,\"added_to_cart_time_ms\":1764400002000,"
                                            + "\"custom_attributes\":{\"material\":\"canvas\"}}]"));
            assertThat(ops).singleElement();
            Op op = ops.get(0);
            assertThat(op.name()).isEqualTo("purchase");
            assertThat(op.attributes().toString())
                    .isEqualTo(
                            "{\"transaction_id\":\"txn-42\",\"total_amount\":59.5,"
                                    + "\"tax_amount\":9.92,\"shipping_amount\":0,"
                                    + "\"coupon_code\":\"WINTER\",\"currency_code\":\"GBP\","
                                    + "\"products\":[{\"id\":\"SKU-7731\",\"name\":"
                                    + "\"Canvas Tote Bag\",\"category\":\"bags\",\"variant\":"
                                    + "\"teal\",\"position\":0,\"price\":59.5,\"quantity\":1,"
                                    + "\"total_product_amount\":59.5,\"custom_attributes\":"
                                    + "{\"material\":\"canvas\"}}]}");
        }

        @Test
        void theIdAndTimeAreThoseOfAnyEvent() {
            Op op = send(purchase("[]")).get(0);
            assertThat(op.timestamp()).isEqualTo(Math.floorDiv(EVENT_TIME, 1000));
            assertThat(op.body.get("id").asText())
                    .isEqualTo(new Ulid().of(EVENT_TIME, "7", "smid:p-1"))
                    .isEqualTo(send(purchase("[]")).get(0).body.get("id").asText());
            // No products, no products field: only what is present.
            assertThat(op.attributes().has("products")).isFalse();
        }

        @Test
        void amountsInStringsBecomeNumbersAndEverythingElseKeepsItsType() {
            Op op =
                    send(commerce(
                                    "a-1",
                                    "\"product_action\":{\"action\":\"refund\","
                                            + "\"transaction_id\":1234,"
                                            + "\"total_amount\":\" 12.50 \","
                                            + "\"tax_amount\":\"n/a\","
                                            + "\"checkout_step\":\"2\","
                                            + "\"products\":[{\"id\":\"SKU-1\","
                                            + "\"price\":\"24\",\"quantity\":\"2x\","
                                            + "\"position\":\"3\",\"name\":12}]}"))
                            .get(0);
            JsonNode data = op.attributes();
            assertThat(data.get("transaction_id").isNumber()).isTrue();
            // The number's own text, not a double's.
            assertThat(new String(op.raw.body, StandardCharsets.UTF_8))
                    .contains("\"total_amount\":12.50,");
            assertThat(data.get("tax_amount").asText()).isEqualTo("n/a");
            assertThat(data.get("checkout_step").toString()).isEqualTo("2");
            assertThat(data.get("products").toString())
                    .isEqualTo(
                            "[{\"id\":\"SKU-1\",\"price\":24,\"quantity\":\"2x\","
                                    + "\"position\":3,\"name\":12}]");
        }

        @Test
        void nullsAndWrongShapesAreLeftOutNeverRejected() {
            List<Op> ops =
                    send(
                            commerce(
                                    "a-1",
                                    "\"custom_attributes\":null,\"currency_code\":null,"
                                            + "\"product_action\":{\"action\":\"checkout\","
                                            + "\"transaction_id\":{\"id\":1},\"total_amount\":"
                                            + "null,\"coupon_code\":[\"A\"],\"products\":[null,"
                                            + "\"SKU\",7,[],{},{\"unknown\":1},{\"id\":\"SKU-1\","
                                            + "\"name\":{\"en\":\"x\"},\"custom_attributes\":"
                                            + "\"text\"}]},\"promotion_action\":[],"
                                            + "\"product_impressions\":{\"products\":[]}"));
            assertThat(ops).singleElement();
            assertThat(ops.get(0).attributes().toString())
                    .isEqualTo("{\"products\":[{\"id\":\"SKU-1\"}]}");
            assertThat(lastUser.last.rejections()).isEmpty();
        }

        @Test
        void customAttributesJoinTheDataAndACommerceFieldOfTheSameNameStands() {
            Op op =
                    send(commerce(
                                    "a-1",
                                    "\"custom_attributes\":{\"channel\":\"app\","
                                            + "\"total_amount\":\"999\",\"recipient\":"
                                            + "\"x@y.z\"},\"product_action\":{\"action\":"
                                            + "\"purchase\",\"total_amount\":5}"))
                            .get(0);
            assertThat(op.attributes().toString())
                    .isEqualTo(
                            "{\"total_amount\":5,\"channel\":\"app\","
                                    + "\"mp_recipient\":\"x@y.z\"}");
            assertThat(lastUser.last.adjusted(Adjustment.COMMERCE_ATTRIBUTE_REPLACED)).isEqualTo(1);
            assertThat(lastUser.last.adjusted(Adjustment.EVENT_PROPERTY_RENAMED)).isEqualTo(1);
        }
    }

    @Nested
    class Limits {

        /** A realistic basket: products of 150 to 400 bytes, seeded and printed. */
        private String basket(int count, long seed) {
            System.out.println("CommerceMappingTest basket seed " + seed);
            Random random = new Random(seed);
            StringBuilder json = new StringBuilder("[");
            for (int i = 0; i < count; i++) {
                json.append(i == 0 ? "" : ",")
                        .append("{\"id\":\"SKU-")
                        .append(i)
                        .append("\",\"name\":\"")
                        .append("Product ".repeat(1 + random.nextInt(20)).strip())
                        .append("\",\"brand\":\"Shopfront\",\"category\":\"home/kitchen\",")
                        .append("\"price\":")
                        .append(1 + random.nextInt(9_999) / 100.0)
                        .append(",\"quantity\":")
                        .append(1 + random.nextInt(3))
                        .append(",\"custom_attributes\":{\"colour\":\"ünïcödé blue\"}}");
            }
            return json.append(']').toString();
        }

        @ParameterizedTest
        @EnumSource(ApiMode.class)
        void aBigPurchaseLosesProductsFromTheEndUntilItFits(ApiMode mode) {
            List<Op> ops = send(settings(mode), purchase(basket(1_000, 20251202L)));
            assertThat(ops).singleElement();
            Op op = ops.get(0);
            JsonNode data = op.attributes();
            int kept = data.get("products").size();
            assertThat(kept).isBetween(1, 999);
            assertThat(data.get("products_trimmed").asInt()).isEqualTo(1_000 - kept);
            assertThat(lastUser.last.commerceProductsTrimmed()).isEqualTo(1_000 - kept);
            for (int i = 0; i < kept; i++) {
                assertThat(data.get("products").get(i).get("id").asText()).isEqualTo("SKU-" + i);
            }
            // The transaction stays whole.
            assertThat(data.get("transaction_id").asText()).isEqualTo("txn-42");
            // Products take at most 400 bytes here: trimming leaves less room than one more.
            if (mode == ApiMode.V2_BATCH) {
                // The 32 KB of a v2 operation binds first.
                assertThat(op.raw.body.length).isBetween(32 * 1024 - 400, 32 * 1024);
            } else {
                String body = new String(op.raw.body, StandardCharsets.UTF_8);
                String dataJson = body.substring(body.indexOf("\"data\":") + 7, body.length() - 1);
                assertThat(dataJson.getBytes(StandardCharsets.UTF_8).length)
                        .isBetween(100_000 - 400, 100_000);
            }
            assertThat(lastUser.last.rejections()).isEmpty();
        }

        @Test
        void aPurchaseWithinTheLimitsIsNotTrimmed() {
            Op op = send(purchase(basket(20, 7L))).get(0);
            assertThat(op.attributes().get("products").size()).isEqualTo(20);
            assertThat(op.attributes().has("products_trimmed")).isFalse();
            assertThat(lastUser.last.commerceProductsTrimmed()).isZero();
        }

        @Test
        void impressionProductsAreTrimmedFromTheLastList() {
            String list = basket(400, 11L);
            Op op =
                    send(
                                    settings(ApiMode.V1),
                                    commerce(
                                            "a-1",
                                            "\"product_impressions\":[{\"product_impression_list\""
                                                    + ":\"first\",\"products\":"
                                                    + list
                                                    + "},{\"product_impression_list\":\"second\","
                                                    + "\"products\":"
                                                    + list
                                                    + "}]"))
                            .get(0);
            JsonNode impressions = op.attributes().get("impressions");
            assertThat(impressions.get(0).get("products").size()).isEqualTo(400);
            int kept = impressions.get(1).get("products").size();
            assertThat(kept).isLessThan(400);
            assertThat(op.attributes().get("products_trimmed").asInt()).isEqualTo(400 - kept);
        }

        @Test
        void tooBigWithoutAnyProductIsADeadLetterNeverLostSilently() {
            StringBuilder attributes = new StringBuilder("{");
            for (int i = 0; i < 110; i++) {
                attributes
                        .append(i == 0 ? "" : ",")
                        .append("\"k")
                        .append(i)
                        .append("\":\"")
                        .append("x".repeat(990))
                        .append('"');
            }
            List<Op> ops =
                    send(
                            settings(ApiMode.V1),
                            commerce(
                                    "a-1",
                                    "\"custom_attributes\":"
                                            + attributes.append('}')
                                            + ",\"product_action\":{\"action\":\"purchase\","
                                            + "\"products\":[{\"id\":\"SKU-1\"}]}"));
            assertThat(ops).isEmpty();
            assertThat(lastUser.last.rejections())
                    .singleElement()
                    .satisfies(
                            r -> {
                                assertThat(r.reason())
                                        .isEqualTo(DeadLetterReason.EVENT_DATA_TOO_LARGE);
                                assertThat(r.eventJson()).contains("\"commerce_event\"");
                            });
            assertThat(lastUser.last.commerceEventsForwarded()).isZero();
        }

        @Test
        void productsBeyondWhatAnyEventCouldHoldAreCountedAsTrimmed() {
            StringBuilder products = new StringBuilder("[");
            for (int i = 0; i < 13_000; i++) {
                products.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append('}');
            }
            Op op = send(settings(ApiMode.V1), purchase(products.append(']').toString())).get(0);
            int kept = op.attributes().get("products").size();
            assertThat(op.attributes().get("products_trimmed").asInt()).isEqualTo(13_000 - kept);
        }
    }

    @Nested
    class LikeEveryEvent {

        @Test
        void anOptedOutUserSendsNone() {
            List<Op> ops =
                    send(Events.optOut(true, EVENT_TIME - 1_000), purchase("[{\"id\":\"SKU-1\"}]"));
            assertThat(ops).isEmpty();
            assertThat(lastUser.last.skipped(SkipReason.OPTED_OUT)).isEqualTo(1);
        }

        @Test
        void aUserWithoutIdentityIsNotForwardedUnlessAnonymousEventsAreOn() {
            User user = new User();
            assertThat(user.apply(Batch.batch().events(purchase("[]")))).isEmpty();
            assertThat(user.last.skipped(SkipReason.NO_IDENTITY)).isEqualTo(1);

            User anonymous =
                    new User(MappingSettings.defaults().toBuilder().anonymousEvents(true).build());
            List<Op> ops = anonymous.apply(Batch.batch().events(purchase("[]")));
            assertThat(ops).singleElement();
            assertThat(ops.get(0).raw.path).as("an operation of the batch").isNull();
            assertThat(ops.get(0).body.get("identifiers").get("anonymous_id").asText())
                    .isEqualTo("7");
            assertThat(ops.get(0).name()).isEqualTo("purchase");
            assertThat(anonymous.last.anonymousEvents()).isEqualTo(1);
            assertThat(anonymous.last.commerceEventsForwarded()).isEqualTo(1);
        }

        @Test
        void theyKeepTheirPlaceAmongTheBatchsEvents() {
            List<Op> ops =
                    send(
                            Events.custom("Viewed", EVENT_TIME - 2, "c-1"),
                            purchase("[]"),
                            Events.custom("Rated", EVENT_TIME + 2, "c-2"));
            assertThat(ops).extracting(Op::name).containsExactly("Viewed", "purchase", "Rated");
        }
    }
}
