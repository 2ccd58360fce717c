package dev.cioforwarder.mapping;

import dev.cioforwarder.mparticle.EventKind;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.mparticle.MParticleEvent;
import dev.cioforwarder.state.DeviceFirstSeen;
import dev.cioforwarder.state.UserState;
import java.util.Locale;
import java.util.Map;

/**
 * {@code created_at} (with {@code customerio.send-created-at}): the first-seen time of the device
 * type the user was last seen on, as mParticle's integration defines it ("the created_at field will
 * overwrite based on whatever device was last seen").
 *
 * <ul>
 *   <li>The device type is {@code device_info.platform}, else {@code application_info.os}, with
 *       both of mParticle's spellings as one type ({@code iOS}/{@code IOS}, {@code web}/{@code
 *       MobileWeb}, {@code smart_tv}/{@code SmartTV}, {@code fire_tv}/{@code FireTV}, {@code
 *       alexa}/{@code AlexaOS}, {@code out_of_band}/{@code OutOfBand}; Unity's {@code UnityIOS} is
 *       iOS…). A batch naming neither (a server-to-server feed) is no device: it neither records a
 *       time nor becomes the last-seen device.
 *   <li>Per device type the state keeps the earliest first-seen time (the earliest event time or
 *       first-run signal, else the batch time) and, separately, the earliest first run mParticle
 *       marked ({@code first_run}, {@code is_first_run: true}).
 *   <li>A time that cannot be a first-open time (before the year 2000, or more than a day after its
 *       batch) is ignored and counted.
 *   <li>{@code customerio.created-at-policy}: {@code first-seen} sends the first-seen time; {@code
 *       first-run-only} only a marked first run, so a person who installed before the forwarder saw
 *       them keeps the sign-up date Customer.io has.
 *   <li>The value is sent only when it differs from the last one sent. Entries never expire while
 *       the device is seen (each sighting refreshes them under {@code state.ttl}).
 * </ul>
 */
final class CreatedAtRule {

    /** 2000-01-01T00:00:00Z: no app in mParticle's era opened before. */
    static final long EARLIEST_PLAUSIBLE_MS = 946_684_800_000L;

    /** How far after its batch an event time may lie (device clocks run ahead). */
    static final long FUTURE_TOLERANCE_MS = 24 * 60 * 60 * 1000L;

    /** Key suffix of the first-run entry of a device type in {@link DeviceFirstSeen}. */
    static final String FIRST_RUN_SUFFIX = "#first_run";

    /**
     * {@code application_info.os} spellings (lower-cased) that name the same device type as a
     * {@code device_info.platform} spelling. Device types are stored under the platform spelling
     * lower-cased, as they were before this table existed, so stored first-seen times keep their
     * meaning.
     */
    private static final Map<String, String> OS_TO_PLATFORM =
            Map.of(
                    "mobileweb", "web",
                    "smarttv", "smart_tv",
                    "firetv", "fire_tv",
                    "alexaos", "alexa",
                    "outofband", "out_of_band",
                    "unityios", "ios",
                    "unityandroid", "android");

    private final MappingSettings settings;

    CreatedAtRule(MappingSettings settings) {
        this.settings = settings;
    }

    /** The batch's device type in the state's spelling, or null when it names none. */
    static String deviceType(MParticleBatch batch) {
        String raw = batch.platform != null ? batch.platform : batch.applicationOs;
        if (raw == null) {
            return null;
        }
        String lower = raw.trim().toLowerCase(Locale.ROOT);
        if (lower.isEmpty()) {
            return null;
        }
        return OS_TO_PLATFORM.getOrDefault(lower, lower);
    }

    /** Records the batch's device sighting. */
    void track(UserState state, DeviceFirstSeen devices, MParticleBatch batch, Transition t) {
        String device = deviceType(batch);
        if (device == null) {
            return;
        }
        long batchMs = batch.timestampMs;
        long firstSeen = Long.MAX_VALUE;
        for (long time : batch.eventTimesMs) {
            if (plausible(time, batchMs)) {
                firstSeen = Math.min(firstSeen, time);
            } else {
                t.skip(SkipReason.DEVICE_TIME_IMPLAUSIBLE);
            }
        }
        long firstRun = Long.MAX_VALUE;
        for (MParticleEvent event : batch.events) {
            if (event.kind == EventKind.FIRST_RUN) {
                long time = event.timeOr(batchMs);
                if (plausible(time, batchMs)) {
                    firstRun = Math.min(firstRun, time);
                }
            }
        }
        firstSeen = Math.min(firstSeen, firstRun);
        if (firstSeen == Long.MAX_VALUE && plausible(batchMs, batchMs)) {
            firstSeen = batchMs;
        }
        if (firstSeen != Long.MAX_VALUE) {
            keepEarliest(devices, device, firstSeen, legacyDeviceType(batch, device));
        }
        if (firstRun != Long.MAX_VALUE) {
            keepEarliest(devices, device + FIRST_RUN_SUFFIX, firstRun, null);
        } else if (devices.expires()) {
            Long known = devices.get(device + FIRST_RUN_SUFFIX);
            if (known != null) {
                devices.refresh(device + FIRST_RUN_SUFFIX, known);
            }
        }
        // "Last seen" follows batch time, so a late or replayed old batch does not flip it.
        if (state.lastSeenBatchTimeMs == UserState.NONE || batchMs >= state.lastSeenBatchTimeMs) {
            state.lastSeenDeviceType = device;
            state.lastSeenBatchTimeMs = batchMs;
        }
    }

    /** The created_at (seconds) to send now, or null when there is none or it was sent. */
    Long toSend(UserState state, DeviceFirstSeen devices) {
        if (state.lastSeenDeviceType == null) {
            return null;
        }
        String key =
                settings.createdAtPolicy() == CreatedAtPolicy.FIRST_RUN_ONLY
                        ? state.lastSeenDeviceType + FIRST_RUN_SUFFIX
                        : state.lastSeenDeviceType;
        Long firstSeen = devices.get(key);
        if (firstSeen == null) {
            return null;
        }
        long seconds = Math.floorDiv(firstSeen, 1000);
        return seconds == state.createdAtSentSeconds ? null : seconds;
    }

    static boolean plausible(long timeMs, long batchMs) {
        return timeMs >= EARLIEST_PLAUSIBLE_MS && timeMs <= batchMs + FUTURE_TOLERANCE_MS;
    }

    /**
     * The lower-cased spelling under which state version 2 recorded this device type ({@code
     * mobileweb} before it was one type with {@code web}), or null when it is the same.
     */
    private static String legacyDeviceType(MParticleBatch batch, String device) {
        String raw = batch.platform != null ? batch.platform : batch.applicationOs;
        String lower = raw.trim().toLowerCase(Locale.ROOT);
        return lower.equals(device) ? null : lower;
    }

    private static void keepEarliest(
            DeviceFirstSeen devices, String key, long timeMs, String legacyKey) {
        Long known = devices.get(key);
        if (known == null && legacyKey != null) {
            // Carry a time recorded under the old spelling over, so created_at does not move.
            known = devices.get(legacyKey);
            if (known != null) {
                devices.put(key, Math.min(known, timeMs));
                return;
            }
        }
        if (known == null || timeMs < known) {
            devices.put(key, timeMs);
        } else {
            devices.refresh(key, known);
        }
    }
}
