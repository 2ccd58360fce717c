package dev.cioforwarder.mapping;

import dev.cioforwarder.json.Attributes;
import dev.cioforwarder.json.ValueType;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.state.UserState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The person's profile in Customer.io's names and limits.
 *
 * <ul>
 *   <li>Always: {@code email} (when the person has one), {@code first_name} ← {@code $FirstName},
 *       {@code last_name} ← {@code $LastName}; every other user attribute with {@code
 *       customerio.include-user-attributes}. Reserved {@code $} names become Customer.io's names
 *       ({@link ProfileAttributeNames}); values keep their JSON type; a user tag (a null value,
 *       from {@code setUserTag}) is sent as {@code true}.
 *   <li>Never a name Customer.io gives a meaning of its own, nor a dotted path into one.
 *   <li>Names over 150 bytes and values over 1,000 bytes are left out.
 *   <li>A person holds at most 300 attributes, two of them kept for {@code created_at} and {@code
 *       unsubscribed}: past that, names and email stay, and the rest is taken in name order (so the
 *       same attributes are kept from batch to batch); the others are left out.
 *   <li>Attributes named in {@code deleted_user_attributes} are sent as {@code ""}, which removes
 *       them in Customer.io: the first {@link #MAX_DELETIONS} distinct names of a batch, in its
 *       order.
 * </ul>
 *
 * <p>Each left-out attribute is counted by its reason. Not thread-safe (reuses buffers).
 */
final class ProfileBuilder {

    /** Attributes of the profile itself: the person's 300 less created_at and unsubscribed. */
    static final int MAX_PROFILE_ATTRIBUTES = CustomerioLimits.MAX_ATTRIBUTES_PER_PERSON - 2;

    /**
     * Removals one batch contributes, and removals a user keeps while their profile is held back
     * ({@code UserState.pendingDeletions}): a person holds at most 300 attributes, so no more can
     * be there to remove. The rest are left out ({@link SkipReason#DELETED_ATTRIBUTES_LIMIT}).
     */
    static final int MAX_DELETIONS = CustomerioLimits.MAX_ATTRIBUTES_PER_PERSON;

    private final MappingSettings settings;
    private final Set<String> namesSeen = new HashSet<>();
    private final Attributes candidates = Attributes.withCapacity(16);

    ProfileBuilder(MappingSettings settings) {
        this.settings = settings;
    }

    /** Writes the batch's whole profile, without removals, into {@code out}. */
    void build(Attributes out, String email, MParticleBatch batch, Transition t) {
        namesSeen.clear();
        candidates.names.clear();
        candidates.values.clear();
        int always = 0;
        if (email != null) {
            out.add("email", ValueType.STRING, email);
            namesSeen.add("email");
            always++;
        }
        Attributes attributes = batch.userAttributes;
        for (int i = 0; i < attributes.size(); i++) {
            String name = ProfileAttributeNames.toCustomerio(attributes.name(i));
            if (!accept(name, t)) {
                continue;
            }
            if (attributes.valueByteLength(i) > CustomerioLimits.MAX_ATTRIBUTE_VALUE_BYTES) {
                t.skip(SkipReason.ATTRIBUTE_VALUE_TOO_LONG);
                continue;
            }
            if (!namesSeen.add(name)) {
                continue;
            }
            ValueType type = attributes.type(i);
            // A user tag has no value; Customer.io segments on its presence as true.
            String text = type == ValueType.NULL ? "true" : attributes.text(i);
            type = type == ValueType.NULL ? ValueType.BOOLEAN : type;
            if (ProfileAttributeNames.isName(name)) {
                out.add(name, type, text);
                always++;
            } else {
                candidates.add(name, type, text);
            }
        }
        int room = MAX_PROFILE_ATTRIBUTES - always;
        if (candidates.size() <= room) {
            for (int i = 0; i < candidates.size(); i++) {
                out.names.add(candidates.name(i));
                out.values.add(candidates.taggedValue(i));
            }
            return;
        }
        Integer[] order = new Integer[candidates.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> candidates.name(a).compareTo(candidates.name(b)));
        for (int k = 0; k < order.length; k++) {
            if (k < room) {
                out.names.add(candidates.name(order[k]));
                out.values.add(candidates.taggedValue(order[k]));
            } else {
                t.skip(SkipReason.ATTRIBUTE_LIMIT);
            }
        }
    }

    /**
     * The batch's removals in Customer.io's names, those the rules accept: the first {@link
     * #MAX_DELETIONS} distinct ones in the batch's order; each name past them is counted.
     */
    List<String> deletions(MParticleBatch batch, Transition t) {
        if (batch.deletedUserAttributes.isEmpty()) {
            return List.of();
        }
        // A set: a hostile batch can list 100,000 names, and List.contains made that quadratic.
        Set<String> out = new LinkedHashSet<>();
        for (String deleted : batch.deletedUserAttributes) {
            String name = ProfileAttributeNames.toCustomerio(deleted);
            if (!accept(name, t) || out.contains(name)) {
                continue;
            }
            if (out.size() < MAX_DELETIONS) {
                out.add(name);
            } else {
                t.skip(SkipReason.DELETED_ATTRIBUTES_LIMIT);
            }
        }
        return new ArrayList<>(out);
    }

    /** Adds each removal the profile does not set, as {@code ""}. */
    static void addRemovals(Attributes profile, List<String> removals) {
        if (removals.isEmpty()) {
            return;
        }
        Set<String> names = new HashSet<>(profile.names);
        for (String name : removals) {
            if (names.add(name)) {
                // Customer.io removes an attribute set to an empty string.
                profile.add(name, ValueType.STRING, "");
            }
        }
    }

    /** The sorted name hashes of a profile, for {@link #holdsName}. */
    static int[] nameHashes(Attributes profile) {
        int[] hashes = new int[profile.size()];
        for (int i = 0; i < hashes.length; i++) {
            hashes[i] = profile.name(i).hashCode();
        }
        Arrays.sort(hashes);
        return hashes;
    }

    /** Whether a profile with these name hashes (may be null: none) has {@code name}. */
    static boolean holdsName(int[] sortedHashes, String name) {
        return sortedHashes != null && Arrays.binarySearch(sortedHashes, name.hashCode()) >= 0;
    }

    private boolean accept(String name, Transition t) {
        if (!settings.includeUserAttributes() && !ProfileAttributeNames.isName(name)) {
            return false;
        }
        if (ProfileAttributeNames.isControlledByCustomerio(name)) {
            t.skip(SkipReason.ATTRIBUTE_RESERVED_NAME);
            return false;
        }
        if (name.isEmpty()
                || Attributes.utf8Length(name) > CustomerioLimits.MAX_ATTRIBUTE_NAME_BYTES) {
            t.skip(SkipReason.ATTRIBUTE_NAME_TOO_LONG);
            return false;
        }
        return true;
    }

    /**
     * Keeps removals of a held profile for the next profile that goes out: at most {@link
     * ProfileBuilder#MAX_DELETIONS}, the earliest held first; each one past them is counted.
     */
    static void holdRemovals(
            UserState state, List<String> removals, Attributes profile, Transition t) {
        if (state.pendingDeletions == null && removals.isEmpty()) {
            return;
        }
        // Sets, not List.contains: quadratic in the number of names otherwise.
        Set<String> pending =
                state.pendingDeletions == null
                        ? new LinkedHashSet<>()
                        : new LinkedHashSet<>(state.pendingDeletions);
        if (profile != null && !pending.isEmpty()) {
            // An attribute the held profile sets again is no longer removed.
            Set<String> setAgain = new HashSet<>(profile.names);
            pending.removeIf(setAgain::contains);
        }
        pending.addAll(removals);
        List<String> kept = new ArrayList<>(Math.min(pending.size(), MAX_DELETIONS));
        for (String name : pending) {
            if (kept.size() < MAX_DELETIONS) {
                kept.add(name);
            } else {
                t.skip(SkipReason.DELETED_ATTRIBUTES_LIMIT);
            }
        }
        // Still a java.util.ArrayList: the state field's type (List<String>) never changes.
        state.pendingDeletions = kept.isEmpty() ? null : kept;
    }

    /** The removals held in the state, then the batch's. */
    static List<String> pendingWith(UserState state, List<String> removals) {
        if (state.pendingDeletions == null) {
            return removals;
        }
        Set<String> all = new LinkedHashSet<>(state.pendingDeletions);
        all.addAll(removals);
        return new ArrayList<>(all);
    }
}
