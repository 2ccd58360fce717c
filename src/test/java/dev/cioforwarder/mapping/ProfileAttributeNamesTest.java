package dev.cioforwarder.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** How mParticle user attribute names become Customer.io names, and which names are refused. */
class ProfileAttributeNamesTest {

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({
        "$FirstName, first_name",
        "$firstname, first_name",
        "$FIRSTNAME, first_name",
        "$fIrStNaMe, first_name",
        "$LastName, last_name",
        "$lastname, last_name",
        "$Age, age",
        "$Gender, gender",
        "$Mobile, phone",
        "$Address, address",
        "$City, city",
        "$State, state",
        "$Zip, zip",
        "$Country, country",
        // Not reserved: unchanged, the $ kept.
        "$Custom, $Custom",
        "$Phone, $Phone",
        "FirstName, FirstName",
        "first_name, first_name",
        "Plan, Plan",
        "$, $",
        "'', ''"
    })
    void reservedNamesMapInAnyCasingAndOthersPassUnchanged(String mparticle, String customerio) {
        assertThat(ProfileAttributeNames.toCustomerio(mparticle)).isEqualTo(customerio);
    }

    @ParameterizedTest
    @CsvSource({
        "first_name, true",
        "last_name, true",
        "First_Name, false",
        "$FirstName, false",
        "firstname, false",
        "name, false"
    })
    void onlyTheMappedFirstAndLastNameAreNames(String customerio, boolean isName) {
        assertThat(ProfileAttributeNames.isName(customerio)).isEqualTo(isName);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "id",
                "email",
                "cio_id",
                "created_at",
                "unsubscribed",
                "_timestamp",
                "_update",
                "anonymous_id",
                "cio_subscription_preferences",
                "cio_relationships",
                // A dotted path sets a field inside one of Customer.io's own.
                "cio_subscription_preferences.topics.topic_1",
                "unsubscribed.x",
                "email.domain",
                "id.value",
                "created_at.",
                // Customer.io's namespace, whatever follows.
                "cio_",
                "cio_anything",
                "cio_x.y"
            })
    void namesCustomerioGivesAMeaningAreControlledByIt(String name) {
        assertThat(ProfileAttributeNames.isControlledByCustomerio(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "plan",
                "ids",
                "emails",
                "email_verified",
                "unsubscribed_at",
                "my_cio_id",
                "x.unsubscribed",
                ".unsubscribed",
                "cio",
                "first_name",
                "$email"
            })
    void otherNamesAreNot(String name) {
        assertThat(ProfileAttributeNames.isControlledByCustomerio(name)).isFalse();
    }
}
