package dev.cioforwarder.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.state.UserState;
import dev.cioforwarder.testing.MavenClasspath;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.api.Test;

/**
 * The user state's fields against those recorded with each committed savepoint fixture ({@code
 * user-state-fields.txt}, written by {@link SavepointFixtureGenerator}). Flink's POJO serializer
 * restores a savepoint whose class lost a field, or had one renamed, without a word: the value is
 * dropped and the new field starts at its default. So a restore succeeding is not enough; this test
 * fails on any field removed, renamed or retyped since a fixture was made.
 */
class UserStateSchemaTest {

    private static final Path FIXTURES =
            MavenClasspath.projectDir().resolve("src/test/resources/savepoints");

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

    @Test
    void theUserStateIsAPojoForFlinkNotAGenericType() {
        TypeInformation<UserState> info = TypeInformation.of(UserState.class);
        assertThat(info).isInstanceOf(PojoTypeInfo.class);
        assertThat(((PojoTypeInfo<UserState>) info).getArity())
                .isEqualTo(fieldsOf(UserState.class).size());
    }

    @Test
    void everyFieldOfEveryFixtureStillExistsWithItsType() throws IOException {
        List<Path> recorded = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(FIXTURES)) {
            dirs.filter(d -> d.getFileName().toString().startsWith("state-v"))
                    .forEach(d -> recorded.add(d.resolve("user-state-fields.txt")));
        }
        assertThat(recorded).as("committed fixtures").hasSizeGreaterThanOrEqualTo(2);
        List<String> current = fieldsOf(UserState.class);
        for (Path file : recorded) {
            List<String> then = Files.readAllLines(file, StandardCharsets.UTF_8);
            assertThat(then).as("fields recorded in %s", file).isNotEmpty();
            assertThat(current)
                    .as(
                            "UserState fields now; a field of %s is gone, renamed or retyped,"
                                    + " which would drop its value from every restored user",
                            file.getParent().getFileName())
                    .containsAll(then);
        }
    }
}
