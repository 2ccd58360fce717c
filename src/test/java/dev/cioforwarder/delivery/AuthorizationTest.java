package dev.cioforwarder.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Authorization header comes from the key read at construction and is read again after a
 * refusal at most once per interval, keeping the old header when the read fails; the key shows
 * neither in {@code toString()} nor in a log line.
 */
class AuthorizationTest {

    private static final String SOURCE = "file /etc/customerio/api-key";
    private static final long INTERVAL = 5_000;
    private static final long T0 = 1_764_320_400_000L;

    /** A key source whose key a test changes, and that counts its reads. */
    private static final class KeySource implements Supplier<String> {
        volatile String key;
        volatile RuntimeException failure;
        final AtomicInteger reads = new AtomicInteger();

        KeySource(String key) {
            this.key = key;
        }

        @Override
        public String get() {
            reads.incrementAndGet();
            if (failure != null) {
                throw failure;
            }
            return key;
        }
    }

    /** Collects what {@link Authorization} logs. */
    private static final class Captured extends AbstractAppender {
        final List<String> lines = new CopyOnWriteArrayList<>();

        Captured() {
            super("authorization-test-capture", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            StringBuilder line =
                    new StringBuilder(
                            event.getLevel() + " " + event.getMessage().getFormattedMessage());
            if (event.getThrown() != null) {
                line.append(' ').append(event.getThrown());
            }
            lines.add(line.toString());
        }
    }

    private static String header(String key) {
        return CustomerioClient.basic("site-1", key);
    }

    private static Authorization authorization(KeySource keys) {
        return new Authorization(keys, AuthorizationTest::header, SOURCE, INTERVAL);
    }

    private final Captured captured = new Captured();
    private LoggerContext context;

    @BeforeEach
    void captureLogs() {
        context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        captured.start();
        config.addAppender(captured);
        LoggerConfig logger = new LoggerConfig(Authorization.class.getName(), Level.ALL, true);
        logger.addAppender(captured, Level.ALL, null);
        config.addLogger(Authorization.class.getName(), logger);
        context.updateLoggers();
    }

    @AfterEach
    void stopCapturing() {
        Configuration config = context.getConfiguration();
        config.removeLogger(Authorization.class.getName());
        config.getAppenders().remove(captured.getName());
        context.updateLoggers();
        captured.stop();
    }

    @Test
    void theHeaderIsBuiltFromTheKeyReadAtConstruction() {
        KeySource keys = new KeySource("key-1");
        Authorization authorization = authorization(keys);

        assertThat(keys.reads).hasValue(1);
        assertThat(authorization.header()).isEqualTo(header("key-1"));

        // A rotated key is not read by asking for the header.
        keys.key = "key-2";
        assertThat(authorization.header()).isEqualTo(header("key-1"));
        assertThat(keys.reads).hasValue(1);
    }

    @Test
    void aReloadReadsTheKeyAgainAndSaysWhetherTheHeaderChanged() {
        KeySource keys = new KeySource("key-1");
        Authorization authorization = authorization(keys);

        assertThat(authorization.reloadAfterRefusal(T0)).isFalse();
        assertThat(keys.reads).hasValue(2);
        assertThat(authorization.header()).isEqualTo(header("key-1"));

        keys.key = "key-2";
        assertThat(authorization.reloadAfterRefusal(T0 + INTERVAL)).isTrue();
        assertThat(keys.reads).hasValue(3);
        assertThat(authorization.header()).isEqualTo(header("key-2"));

        // The new key again: no change.
        assertThat(authorization.reloadAfterRefusal(T0 + 2 * INTERVAL)).isFalse();
        assertThat(keys.reads).hasValue(4);
        assertThat(authorization.header()).isEqualTo(header("key-2"));
    }

    @Test
    void theKeyIsReadAtMostOncePerInterval() {
        KeySource keys = new KeySource("key-1");
        Authorization authorization = authorization(keys);
        assertThat(authorization.reloadAfterRefusal(T0)).isFalse();
        assertThat(keys.reads).hasValue(2);

        keys.key = "key-2";
        for (long t = T0; t < T0 + INTERVAL; t += 250) {
            assertThat(authorization.reloadAfterRefusal(t)).as("at +%d ms", t - T0).isFalse();
        }
        assertThat(authorization.reloadAfterRefusal(T0 + INTERVAL - 1)).isFalse();
        assertThat(keys.reads).hasValue(2);
        assertThat(authorization.header()).isEqualTo(header("key-1"));

        assertThat(authorization.reloadAfterRefusal(T0 + INTERVAL)).isTrue();
        assertThat(keys.reads).hasValue(3);
        assertThat(authorization.header()).isEqualTo(header("key-2"));

        // The interval counts from the last read, not from the first.
        keys.key = "key-3";
        assertThat(authorization.reloadAfterRefusal(T0 + 2 * INTERVAL - 1)).isFalse();
        assertThat(keys.reads).hasValue(3);
        assertThat(authorization.reloadAfterRefusal(T0 + 2 * INTERVAL)).isTrue();
        assertThat(authorization.header()).isEqualTo(header("key-3"));
    }

    @Test
    void aKeySourceThatThrowsLeavesTheOldHeader() {
        KeySource keys = new KeySource("key-1");
        Authorization authorization = authorization(keys);

        keys.failure =
                new IllegalStateException(
                        "customerio.api-key-file: cannot read /etc/customerio/api-key on this"
                                + " TaskManager (NoSuchFileException)");
        assertThat(authorization.reloadAfterRefusal(T0)).isFalse();
        assertThat(keys.reads).hasValue(2);
        assertThat(authorization.header()).isEqualTo(header("key-1"));

        // A failed read counts as a read: the next one waits for the interval too.
        keys.failure = null;
        keys.key = "key-2";
        assertThat(authorization.reloadAfterRefusal(T0 + INTERVAL - 1)).isFalse();
        assertThat(authorization.header()).isEqualTo(header("key-1"));
        assertThat(authorization.reloadAfterRefusal(T0 + INTERVAL)).isTrue();
        assertThat(authorization.header()).isEqualTo(header("key-2"));
    }

    @Test
    void aHeaderFunctionThatThrowsLeavesTheOldHeader() {
        KeySource keys = new KeySource("key-1");
        Authorization authorization =
                new Authorization(
                        keys,
                        key -> {
                            if (key.isEmpty()) {
                                throw new IllegalArgumentException("empty key");
                            }
                            return header(key);
                        },
                        SOURCE,
                        INTERVAL);

        keys.key = "";
        assertThat(authorization.reloadAfterRefusal(T0)).isFalse();
        assertThat(authorization.header()).isEqualTo(header("key-1"));
    }

    @Test
    void aFixedKeyIsNeverReadAgain() {
        Authorization authorization = Authorization.fixed("Basic Zml4ZWQ=");

        assertThat(authorization.header()).isEqualTo("Basic Zml4ZWQ=");
        assertThat(authorization.reloadAfterRefusal(T0)).isFalse();
        assertThat(authorization.reloadAfterRefusal(Long.MAX_VALUE / 2)).isFalse();
        assertThat(authorization.header()).isEqualTo("Basic Zml4ZWQ=");
    }

    @Test
    void theKeyAppearsNeitherInToStringNorInAnyLogLine() {
        String first = "sk-first-8f14e45fceea167a";
        String second = "sk-second-c9f0f895fb98ab91";
        KeySource keys = new KeySource(first);
        Authorization authorization = authorization(keys);

        keys.key = second;
        assertThat(authorization.reloadAfterRefusal(T0)).isTrue();
        keys.failure = new IllegalStateException("customerio.api-key-env: CIO_KEY is not set");
        assertThat(authorization.reloadAfterRefusal(T0 + INTERVAL)).isFalse();

        // The capture works: the change and the failure were logged, naming where the key is.
        assertThat(captured.lines)
                .anySatisfy(line -> assertThat(line).startsWith("WARN").contains(SOURCE))
                .anySatisfy(line -> assertThat(line).startsWith("ERROR").contains("CIO_KEY"));
        List<String> secrets =
                List.of(first, second, header(first), header(second), "8f14e45f", "c9f0f895");
        for (String line : captured.lines) {
            for (String secret : secrets) {
                assertThat(line).doesNotContain(secret);
            }
        }
        for (String secret : secrets) {
            assertThat(authorization.toString()).doesNotContain(secret);
            assertThat(String.valueOf(authorization)).doesNotContain(secret);
        }
    }
}
