package dev.cioforwarder.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.delivery.DeliveryRequest;
import dev.cioforwarder.state.AnonymousVisitor;
import dev.cioforwarder.state.DeliveryLane;
import dev.cioforwarder.state.DeviceVisitors;
import dev.cioforwarder.state.EmailOwner;
import dev.cioforwarder.state.KnownVisitor;
import dev.cioforwarder.state.TokenOwner;
import dev.cioforwarder.state.UserState;
import dev.cioforwarder.testing.MavenClasspath;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The state types' fields against those recorded with each committed savepoint fixture ({@code
 * user-state-fields.txt} and, from state version 5, one file for each POJO nested in state: see
 * {@link #RECORDED}; written by {@link SavepointFixtureGenerator}). Flink's POJO serializer
 * restores a savepoint whose class lost a field, or had one renamed, without a word: the value is
 * dropped and the new field starts at its default. So a restore succeeding is not enough; this test
 * fails on any field removed, renamed or retyped since a fixture was made.
 */
class UserStateSchemaTest {

    private static final Path FIXTURES =
            MavenClasspath.projectDir().resolve("src/test/resources/savepoints");

    /**
     * The files a fixture records, and the state type each describes: the user state; the lane
     * inside it; the operation kept in {@code waiting-operations} and inside delivery's queued
     * requests; the request, which is what delivery's AsyncIO queue holds.
     */
    static final Map<String, Class<?>> RECORDED = recorded();

    private static Map<String, Class<?>> recorded() {
        Map<String, Class<?>> r = new LinkedHashMap<>();
        r.put("user-state-fields.txt", UserState.class);
        r.put("delivery-lane-fields.txt", DeliveryLane.class);
        r.put("customerio-operation-fields.txt", CustomerioOperation.class);
        r.put("delivery-request-fields.txt", DeliveryRequest.class);
        // From state version 6: the keyed indexes' state (the token index's from version 4 had
        // none recorded before).
        r.put("token-owner-fields.txt", TokenOwner.class);
        r.put("device-visitors-fields.txt", DeviceVisitors.class);
        r.put("anonymous-visitor-fields.txt", AnonymousVisitor.class);
        r.put("known-visitor-fields.txt", KnownVisitor.class);
        r.put("email-owner-fields.txt", EmailOwner.class);
        return r;
    }

    /** The state version from which a fixture records {@code file}. */
    static int recordedSince(String file) {
        return List.of(
                                "token-owner-fields.txt",
                                "device-visitors-fields.txt",
                                "anonymous-visitor-fields.txt",
                                "known-visitor-fields.txt",
                                "email-owner-fields.txt")
                        .contains(file)
                ? 6
                : 5;
    }

    /** {@code name type} of each instance field, sorted: the format of the recorded files. */
    static List<String> fieldsOf(Class<?> type) {
        TreeSet<String> fields = new TreeSet<>();
        for (Field f : type.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers()) && !Modifier.isTransient(f.getModifiers())) {
                fields.add(f.getName() + " " + f.getType().getName());
            }
        }
        return new ArrayList<>(fields);
    }

    /**
     * A Flink POJO whose every field the POJO serializer writes: a generic type would go through
     * Kryo (which the job forbids) and evolve by no rule at all.
     */
    @ParameterizedTest
    @ValueSource(
            classes = {
                UserState.class,
                DeliveryLane.class,
                CustomerioOperation.class,
                DeliveryRequest.class,
                TokenOwner.class,
                DeviceVisitors.class,
                AnonymousVisitor.class,
                KnownVisitor.class,
                EmailOwner.class
            })
    void theStateTypeIsAPojoForFlinkNotAGenericType(Class<?> type) {
        TypeInformation<?> info = TypeInformation.of(type);
        assertThat(info).isInstanceOf(PojoTypeInfo.class);
        assertThat(((PojoTypeInfo<?>) info).getArity()).isEqualTo(fieldsOf(type).size());
    }

    @Test
    void theLaneIsStoredAsAPojoInsideTheUserState() {
        PojoTypeInfo<UserState> user =
                (PojoTypeInfo<UserState>) TypeInformation.of(UserState.class);
        TypeInformation<?> lane = user.getTypeAt(user.getFieldIndex("lane"));
        assertThat(lane).isInstanceOf(PojoTypeInfo.class);
        assertThat(lane.getTypeClass()).isEqualTo(DeliveryLane.class);
    }

    @Test
    void everyFieldOfEveryFixtureStillExistsWithItsType() throws IOException {
        List<Path> fixtures = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(FIXTURES)) {
            dirs.filter(d -> d.getFileName().toString().startsWith("state-v"))
                    .sorted()
                    .forEach(fixtures::add);
        }
        assertThat(fixtures).as("committed fixtures").hasSizeGreaterThanOrEqualTo(2);
        int checked = 0;
        for (Path fixture : fixtures) {
            assertThat(fixture.resolve("user-state-fields.txt"))
                    .as("every fixture records the user state's fields")
                    .exists();
            for (Map.Entry<String, Class<?>> recorded : RECORDED.entrySet()) {
                Path file = fixture.resolve(recorded.getKey());
                if (!Files.exists(file)) {
                    // Older fixtures record the user state alone.
                    continue;
                }
                List<String> then = Files.readAllLines(file, StandardCharsets.UTF_8);
                assertThat(then).as("fields recorded in %s", file).isNotEmpty();
                assertThat(fieldsOf(recorded.getValue()))
                        .as(
                                "%s fields now; a field recorded in %s/%s is gone, renamed or"
                                        + " retyped, which would drop its value from every"
                                        + " restored %s",
                                recorded.getValue().getSimpleName(),
                                fixture.getFileName(),
                                recorded.getKey(),
                                recorded.getValue().getSimpleName())
                        .containsAll(then);
                checked++;
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(fixtures.size());
    }

    /**
     * From state version 5 a fixture records the nested state types too, from version 6 the keyed
     * indexes' state types.
     */
    @Test
    void fixturesRecordEveryStateTypeOfTheirVersion() throws IOException {
        try (Stream<Path> dirs = Files.list(FIXTURES)) {
            for (Path fixture : (Iterable<Path>) dirs::iterator) {
                String name = fixture.getFileName().toString();
                if (!name.startsWith("state-v")) {
                    continue;
                }
                for (String file : RECORDED.keySet()) {
                    if (SavepointFixtures.versionOf(name) >= recordedSince(file)) {
                        assertThat(fixture.resolve(file)).exists();
                    }
                }
            }
        }
    }
}
