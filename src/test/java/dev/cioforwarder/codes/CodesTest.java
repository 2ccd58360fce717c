package dev.cioforwarder.codes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.customerio.Region;
import dev.cioforwarder.mapping.CommerceEventNames;
import dev.cioforwarder.mapping.CreatedAtPolicy;
import dev.cioforwarder.mapping.UserIdType;
import dev.cioforwarder.mapping.WorkspaceIdentifiers;
import dev.cioforwarder.settings.ForwarderSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

class CodesTest {

    private enum Colour implements Coded {
        DARK_RED("dark-red"),
        BLUE("blue");

        private final String code;

        Colour(String code) {
            this.code = code;
        }

        @Override
        public String code() {
            return code;
        }
    }

    @Test
    void readsACodeIgnoringCaseAndSurroundingSpaces() {
        assertThat(Codes.fromCode(Colour.class, "dark-red")).isEqualTo(Colour.DARK_RED);
        assertThat(Codes.fromCode(Colour.class, "  Dark-RED ")).isEqualTo(Colour.DARK_RED);
        assertThat(Codes.fromCode(Colour.class, "blue")).isEqualTo(Colour.BLUE);
    }

    @Test
    void theConstantsNameIsNotACode() {
        assertThatThrownBy(() -> Codes.fromCode(Colour.class, "DARK_RED"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("\"DARK_RED\" is not one of dark-red, blue");
    }

    @Test
    void anUnknownCodeIsRefusedWithTheValueAsGivenAndEveryCode() {
        assertThatThrownBy(() -> Codes.fromCode(Colour.class, " green "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("\" green \" is not one of dark-red, blue");
    }

    @Test
    void acceptedListsTheCodesInDeclarationOrder() {
        assertThat(Codes.accepted(Colour.class)).isEqualTo("dark-red, blue");
    }

    /**
     * Flink's enum options match a value against toString(): every setting's enum prints its code.
     */
    @Test
    void everyCodedSettingEnumPrintsItsCodeAndReadsItBack() {
        for (Class<? extends Enum<?>> type :
                List.<Class<? extends Enum<?>>>of(
                        ApiMode.class,
                        Region.class,
                        UserIdType.class,
                        CreatedAtPolicy.class,
                        CommerceEventNames.class,
                        WorkspaceIdentifiers.class,
                        ForwarderSettings.StartingOffsets.class)) {
            for (Enum<?> constant : type.getEnumConstants()) {
                String code = ((Coded) constant).code();
                assertThat(constant.toString()).as(type.getSimpleName()).isEqualTo(code);
                assertThat(code).isEqualTo(code.toLowerCase(java.util.Locale.ROOT));
                assertThat(readBack(type, code)).isSameAs(constant);
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object readBack(Class type, String code) {
        return Codes.fromCode(type, code.toUpperCase(java.util.Locale.ROOT));
    }
}
