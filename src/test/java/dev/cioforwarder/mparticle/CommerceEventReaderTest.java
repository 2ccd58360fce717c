package dev.cioforwarder.mparticle;

import static dev.cioforwarder.mparticle.JsonCursors.atValue;
import static dev.cioforwarder.mparticle.JsonCursors.isJustAfterTheValue;
import static dev.cioforwarder.mparticle.JsonCursors.token;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.json.Attributes;
import dev.cioforwarder.json.ValueType;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class CommerceEventReaderTest {

    private final CommerceData commerce = new CommerceData();

    @Test
    void readsAProductActionsDocumentedFieldsWithTheirTypes() throws IOException {
        JsonCursor cursor =
                atValue(
                        "{\"action\":\"purchase\",\"transaction_id\":\"T-1\","
                                + "\"total_amount\":20.50,\"coupon_code\":null,\"note\":\"x\","
                                + "\"products\":[{\"id\":\"p1\",\"price\":10,\"color\":\"red\","
                                + "\"custom_attributes\":{\"size\":\"M\"}}]}");

        new CommerceEventReader(cursor).readProductAction(token(cursor), commerce);

        assertThat(commerce.productAction).isEqualTo("purchase");
        assertThat(commerce.actionFields.names).containsExactly("transaction_id", "total_amount");
        assertThat(commerce.actionFields.type(1)).isEqualTo(ValueType.NUMBER);
        assertThat(commerce.actionFields.text(1)).isEqualTo("20.50");
        assertThat(commerce.products).hasSize(1);
        Attributes product = commerce.products.get(0);
        assertThat(product.names).containsExactly("id", "price", "custom_attributes");
        assertThat(product.type(2)).isEqualTo(ValueType.JSON);
        assertThat(product.text(2)).isEqualTo("{\"size\":\"M\"}");
        assertThat(isJustAfterTheValue(cursor)).isTrue();
    }

    @Test
    void productsThatAreNotObjectsOrHoldNoKnownFieldAreLeftOut() throws IOException {
        JsonCursor cursor =
                atValue(
                        "{\"action\":7,\"products\":[\"p1\",{\"color\":\"red\"},[1],"
                                + "{\"id\":\"p2\",\"custom_attributes\":{}}]}");

        new CommerceEventReader(cursor).readProductAction(token(cursor), commerce);

        assertThat(commerce.productAction).isNull();
        assertThat(commerce.products).hasSize(1);
        assertThat(commerce.products.get(0).names).containsExactly("id");
        assertThat(commerce.products.get(0).text(0)).isEqualTo("p2");
        assertThat(isJustAfterTheValue(cursor)).isTrue();
    }

    @Test
    void ofAProductsTwoSpellingsOfItsAttributesTheFirstStands() throws IOException {
        JsonCursor cursor =
                atValue(
                        "{\"products\":[{\"id\":\"p1\",\"attributes\":{\"k\":1},"
                                + "\"custom_attributes\":{\"k\":2}}]}");

        new CommerceEventReader(cursor).readProductAction(token(cursor), commerce);

        assertThat(commerce.products.get(0).text(1)).isEqualTo("{\"k\":1}");
    }

    @Test
    void aProductActionOfAnotherShapeIsSkippedWhole() throws IOException {
        JsonCursor cursor = atValue("[{\"action\":\"purchase\"}]");

        new CommerceEventReader(cursor).readProductAction(token(cursor), commerce);

        assertThat(commerce.productAction).isNull();
        assertThat(commerce.products).isEmpty();
        assertThat(isJustAfterTheValue(cursor)).isTrue();
    }

    @Test
    void readsAPromotionActionsPromotions() throws IOException {
        JsonCursor cursor =
                atValue(
                        "{\"action\":\"view\",\"promotions\":[{\"id\":\"P1\",\"creative\":"
                                + "\"banner\",\"slot\":3},{\"slot\":4},\"P2\"]}");

        new CommerceEventReader(cursor).readPromotionAction(token(cursor), commerce);

        assertThat(commerce.promotionAction).isEqualTo("view");
        assertThat(commerce.promotions).hasSize(1);
        assertThat(commerce.promotions.get(0).names).containsExactly("id", "creative");
        assertThat(commerce.promotions.get(0).text(1)).isEqualTo("banner");
        assertThat(isJustAfterTheValue(cursor)).isTrue();
    }

    @Test
    void readsImpressionsAndLeavesOutEmptyOnes() throws IOException {
        JsonCursor cursor =
                atValue(
                        "[{\"product_impression_list\":\"home\",\"products\":[{\"id\":\"a\"},"
                                + "{\"id\":\"b\",\"position\":2}]},{\"products\":[]},"
                                + "{\"other\":1},5]");

        new CommerceEventReader(cursor).readImpressions(token(cursor), commerce);

        assertThat(commerce.impressions).hasSize(1);
        ProductImpression impression = commerce.impressions.get(0);
        assertThat(impression.list).isEqualTo("home");
        assertThat(impression.products).hasSize(2);
        assertThat(impression.products.get(1).names).containsExactly("id", "position");
        assertThat(commerce.productCount()).isEqualTo(2);
        assertThat(isJustAfterTheValue(cursor)).isTrue();
    }
}
