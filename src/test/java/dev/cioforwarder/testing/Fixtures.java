package dev.cioforwarder.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The sample mParticle batches under {@code src/test/resources/fixtures/mparticle}. */
public final class Fixtures {

    public static final List<String> ALL =
            List.of(
                    "ios-customer-and-email.json",
                    "web-email-only-string-numbers.json",
                    "android-opt-out.json",
                    "no-usable-identity.json",
                    "eventless-attribute-update.json");

    private Fixtures() {}

    public static byte[] bytes(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/mparticle/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }
}
