package dev.cioforwarder.mparticle;

import dev.cioforwarder.json.Attributes;
import java.util.ArrayList;
import java.util.List;

/** One element of a commerce event's {@code product_impressions}. A Flink POJO. */
public class ProductImpression {

    /** {@code product_impression_list} (the list's name) when it is a string; null otherwise. */
    public String list;

    /** The products shown, each with its documented fields. */
    public List<Attributes> products;

    public ProductImpression() {
        products = new ArrayList<>();
    }
}
