package dev.cioforwarder.settings;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.delivery.RetryPolicy;
import dev.cioforwarder.mapping.MappingSettings;
import dev.cioforwarder.ops.JobSettings;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/**
 * A default is written once: the options of the mapping settings take theirs from {@link
 * MappingSettings.Builder}, the retry policy's from {@link RetryPolicy}. These tests walk every
 * field, so a field or an option added later is covered without editing them.
 */
class ForwarderOptionsDefaultsTest {

    /** The user-id-type that every workspace setting accepts, so each option can change alone. */
    private static final Map<String, String> BASE =
            Map.of(ForwarderOptions.USER_ID_TYPE.key(), "customer_id");

    @Test
    void noSettingsGiveTheMappingBuildersDefaultsInEveryField() {
        MappingSettings fromOptions = ForwarderSettings.mappingSettings(Map.of());
        MappingSettings builders = MappingSettings.defaults();
        List<String> fields = instanceFields(MappingSettings.class);
        assertThat(fields).hasSizeGreaterThan(10);
        assertThat(differingFields(fromOptions, builders)).isEmpty();
        assertThat(fromOptions).usingRecursiveComparison().isEqualTo(builders);
        assertThat(fromOptions.toString()).isEqualTo(builders.toString());
    }

    /**
     * The test above would hold trivially for a field no option reaches: every field of the mapping
     * settings is changed by some option, so its default is the option's.
     */
    @Test
    void everyMappingFieldIsSetByAnOption() {
        MappingSettings base = ForwarderSettings.mappingSettings(BASE);
        Set<String> reached = new LinkedHashSet<>();
        for (ConfigOption<?> option : ForwarderOptions.ALL) {
            String other = otherValue(option);
            if (other == null) {
                continue;
            }
            Map<String, String> given = new HashMap<>(BASE);
            given.put(option.key(), other);
            reached.addAll(differingFields(ForwarderSettings.mappingSettings(given), base));
        }
        assertThat(reached)
                .containsExactlyInAnyOrderElementsOf(instanceFields(MappingSettings.class));
    }

    @Test
    void theJobsRetryPolicyWithoutSettingsIsTheRetryPolicysDefault() throws Exception {
        Map<String, String> minimal = new LinkedHashMap<>();
        minimal.put(ForwarderOptions.SITE_ID.key(), "site");
        minimal.put(ForwarderOptions.BOOTSTRAP_SERVERS.key(), "127.0.0.1:9092");
        RetryPolicy fromOptions = ForwarderSettings.fromMap(minimal).retryPolicy();
        assertThat(instanceFields(RetryPolicy.class)).hasSizeGreaterThan(4);
        assertThat(differingFields(fromOptions, RetryPolicy.defaults())).isEmpty();
        assertThat(fromOptions.bound(0)).isEqualTo(200);
        assertThat(fromOptions.maxBackoffMs()).isEqualTo(30_000);
    }

    /** The operations tool reads the job's name and key groups without Flink: the same defaults. */
    @Test
    void theOperationsToolAssumesTheJobsDefaults() {
        assertThat(JobSettings.DEFAULT_JOB_NAME)
                .isEqualTo(ForwarderOptions.JOB_NAME.defaultValue());
        assertThat(JobSettings.DEFAULT_MAX_PARALLELISM)
                .isEqualTo(ForwarderOptions.MAX_PARALLELISM.defaultValue());
        assertThat(new JobSettings().maxParallelism())
                .isEqualTo(ForwarderOptions.MAX_PARALLELISM.defaultValue());
    }

    /** A valid value of the option other than the one in {@code base}; null to skip it. */
    private static String otherValue(ConfigOption<?> option) {
        Object current = Configuration.fromMap(BASE).get(option);
        Class<?> type = option.defaultValue() == null ? null : option.defaultValue().getClass();
        if (option.key().equals(ForwarderOptions.ENVIRONMENTS.key())) {
            return "production";
        }
        if (option.key().equals(ForwarderOptions.COMMERCE_EVENT_PREFIX.key())) {
            return "shop_";
        }
        if (option.key().equals(ForwarderOptions.APP_API_KEY_ENV.key())) {
            return "CUSTOMERIO_APP_API_KEY";
        }
        if (type == Boolean.class) {
            return Boolean.toString(!(Boolean) current);
        }
        if (type == Duration.class) {
            return (((Duration) current).toMillis() + 1000) + "ms";
        }
        if (type != null && type.isEnum()) {
            for (Object constant : type.getEnumConstants()) {
                if (!constant.equals(current)) {
                    return constant.toString();
                }
            }
        }
        return null;
    }

    private static List<String> differingFields(Object a, Object b) {
        List<String> differing = new ArrayList<>();
        for (Field field : fields(a.getClass())) {
            try {
                String left = String.valueOf(field.get(a));
                String right = String.valueOf(field.get(b));
                if (!left.equals(right)) {
                    differing.add(field.getName());
                }
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
        return differing;
    }

    private static List<String> instanceFields(Class<?> type) {
        List<String> names = new ArrayList<>();
        for (Field field : fields(type)) {
            names.add(field.getName());
        }
        return names;
    }

    private static List<Field> fields(Class<?> type) {
        List<Field> fields = new ArrayList<>();
        for (Field field : type.getDeclaredFields()) {
            if (!Modifier.isStatic(field.getModifiers())) {
                field.setAccessible(true);
                fields.add(field);
            }
        }
        return fields;
    }
}
