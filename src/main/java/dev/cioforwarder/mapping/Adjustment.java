package dev.cioforwarder.mapping;

/**
 * Things the rules forward in another form than they arrived, to keep Customer.io from misreading
 * them. Counted (metric {@code adjusted}, label {@code reason}).
 */
public enum Adjustment {
    /**
     * An event property named {@code recipient}, {@code from_address} or {@code reply_to}, which
     * would re-route the messages the event triggers, renamed with an {@code mp_} prefix.
     */
    EVENT_PROPERTY_RENAMED("event_property_renamed"),
    /**
     * In v1 mode, an operation of a person whose id Customer.io would read as an email or a cio_id
     * from the URL path, sent as a v2 operation that names the identifier's kind.
     */
    V1_IDENTIFIER_SENT_AS_V2("v1_identifier_sent_as_v2"),
    /**
     * An {@code opt_out} event without {@code is_opted_out}, read as mParticle's reference defines
     * it: "suggested, false by default", an opt-in.
     */
    OPT_OUT_VALUE_DEFAULTED("opt_out_value_defaulted"),
    /**
     * A custom attribute of a commerce event named like a commerce field the event sends ({@code
     * total_amount}, {@code products}...): left out, the commerce field stands.
     */
    COMMERCE_ATTRIBUTE_REPLACED("commerce_attribute_replaced");

    private final String code;

    Adjustment(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
