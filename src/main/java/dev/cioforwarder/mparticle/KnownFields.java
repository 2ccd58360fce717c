package dev.cioforwarder.mparticle;

import java.util.Set;

/**
 * The field names of mParticle's batch format that the parser knows by name: those a detail may
 * name (any other key of the payload, an attribute name say, may be personal data and is not), and
 * the commerce fields it keeps.
 */
final class KnownFields {

    private KnownFields() {}

    /**
     * Field names of the batch format: a duplicate of one of these is named in the detail; any
     * other key of the payload (an attribute name, say) is not.
     */
    static final Set<String> FORMAT_FIELDS =
            Set.of(
                    "mpid",
                    "timestamp_unixtime_ms",
                    "batch_id",
                    "source_request_id",
                    "message_id",
                    "unique_id",
                    "user_identities",
                    "user_attributes",
                    "deleted_user_attributes",
                    "device_info",
                    "application_info",
                    "events",
                    "event_type",
                    "data",
                    "event_name",
                    "screen_name",
                    "source_message_id",
                    "event_id",
                    "custom_attributes",
                    "is_opted_out",
                    "is_first_run",
                    "new",
                    "identity_type",
                    "identity",
                    "platform",
                    "os",
                    "push_token",
                    "os_version",
                    "device_model",
                    "locale_language",
                    "locale_country",
                    "application_version",
                    "environment",
                    "ios_idfv",
                    "android_uuid",
                    "mp_deviceid",
                    "register",
                    "registration_token",
                    "product_action",
                    "promotion_action",
                    "product_impressions",
                    "currency_code",
                    "action",
                    "products",
                    "promotions");

    /** A product action's documented scalar fields besides {@code action}. */
    static final Set<String> PRODUCT_ACTION_FIELDS =
            Set.of(
                    "transaction_id",
                    "affiliation",
                    "total_amount",
                    "tax_amount",
                    "shipping_amount",
                    "coupon_code",
                    "checkout_step",
                    "checkout_options",
                    "product_action_list",
                    "product_list_source");

    /** A product's documented scalar fields (its custom attributes are read apart). */
    static final Set<String> PRODUCT_FIELDS =
            Set.of(
                    "id",
                    "name",
                    "brand",
                    "category",
                    "variant",
                    "position",
                    "price",
                    "quantity",
                    "coupon_code",
                    "total_product_amount");

    /** A promotion's documented fields. */
    static final Set<String> PROMOTION_FIELDS = Set.of("id", "name", "creative", "position");

    /**
     * mParticle's identity types: named in details. Any other key of the inbound {@code
     * user_identities} object is payload, possibly long, and is not.
     */
    static final Set<String> IDENTITY_TYPES =
            Set.of(
                    "customer_id",
                    "customerid",
                    "email",
                    "other",
                    "other_id_2",
                    "other_id_3",
                    "other_id_4",
                    "other_id_5",
                    "other_id_6",
                    "other_id_7",
                    "other_id_8",
                    "other_id_9",
                    "other_id_10",
                    "mobile_number",
                    "phone_number_2",
                    "phone_number_3",
                    "facebook",
                    "twitter",
                    "google",
                    "microsoft",
                    "yahoo",
                    "alias",
                    "facebook_custom_audience_id");
}
