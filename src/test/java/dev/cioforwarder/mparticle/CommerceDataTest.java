package dev.cioforwarder.mparticle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.json.Attributes;
import org.junit.jupiter.api.Test;

/**
 * A commerce event's parts; the products kept count those of the product action and of every
 * impression (the parser keeps at most 12,000, docs/mapping.md).
 */
class CommerceDataTest {

    @Test
    void startsEmpty() {
        CommerceData c = new CommerceData();
        assertThat(c.productCount()).isZero();
        assertThat(c.actionFields.size()).isZero();
        assertThat(c.promotions).isEmpty();
    }

    @Test
    void countsTheActionsAndEveryImpressionsProducts() {
        CommerceData c = new CommerceData();
        c.products.add(new Attributes());
        c.products.add(new Attributes());
        ProductImpression first = new ProductImpression();
        first.products.add(new Attributes());
        ProductImpression second = new ProductImpression();
        second.products.add(new Attributes());
        second.products.add(new Attributes());
        second.products.add(new Attributes());
        c.impressions.add(first);
        c.impressions.add(second);
        // Promotions are no products.
        c.promotions.add(new Attributes());
        assertThat(c.productCount()).isEqualTo(6);
    }

    @Test
    void theParserKeepsAtMostTwelveThousand() {
        assertThat(CommerceData.MAX_PRODUCTS).isEqualTo(12_000);
    }
}
