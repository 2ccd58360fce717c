package dev.cioforwarder.customerio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.json.ValueType;
import org.junit.jupiter.api.Test;

/**
 * The fields an identify carries besides the attributes (id, created_at, unsubscribed,
 * anonymous_id), counted where they are set: they share the first identify's 300 fields.
 */
class ProfileUpdateTest {

    @Test
    void aPlainUpdateHasNoControlFields() {
        ProfileUpdate update = new ProfileUpdate();
        update.attributes.add("first_name", ValueType.STRING, "Ada");
        assertThat(update.controlFieldCount()).isZero();
        assertThat(update.attributes.size()).isEqualTo(1);
    }

    @Test
    void eachControlFieldSetCountsOnce() {
        ProfileUpdate update = new ProfileUpdate();
        update.attachId = "cust-1";
        assertThat(update.controlFieldCount()).isEqualTo(1);
        update.createdAtSeconds = 1700000000L;
        assertThat(update.controlFieldCount()).isEqualTo(2);
        update.unsubscribed = false;
        assertThat(update.controlFieldCount()).as("false is set too").isEqualTo(3);
        update.anonymousId = "anon-1";
        assertThat(update.controlFieldCount()).isEqualTo(4);
    }

    @Test
    void theTimestampIsNoControlField() {
        ProfileUpdate update = new ProfileUpdate();
        update.timestampSeconds = 1764320400L;
        assertThat(update.controlFieldCount()).isZero();
    }
}
