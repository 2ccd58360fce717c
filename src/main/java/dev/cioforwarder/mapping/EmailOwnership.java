package dev.cioforwarder.mapping;

import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.state.EmailOwner;
import java.util.List;
import java.util.Locale;

/**
 * The email index: which customer an email belongs to in Customer.io, so that two customers sharing
 * an email do not take the person from each other (with {@code customerio.guard-shared-emails}). In
 * a workspace where email and id are both identifiers, an identify addressed by an id nobody has,
 * whose body carries an email that belongs to a person, gives that person the new id (Customer.io's
 * description of the identify call). Two MPIDs with different Customer IDs and one email would then
 * move the person's id back and forth, merging two customers' activity into one profile. Decided in
 * one place per email (the {@code email-owners} stage, keyed by email), and answered to every claim
 * ({@link EmailVerdict}):
 *
 * <ul>
 *   <li>The first customer seen with an email owns it. A person addressed by id is given an email
 *       only once the index answered that it is theirs ({@link IdentityResolution}): never before,
 *       so the answer cannot come too late.
 *   <li>Another customer seen with it is answered that it is not theirs: their person is addressed
 *       by their id alone, without the email.
 *   <li>An owner not seen with the email for {@value #RELEASE_AFTER_DAYS} days loses it to the next
 *       customer seen with it (an abandoned account).
 *   <li>Only users addressed by id claim an email (User ID Type {@code prefer_customer_id} with a
 *       Customer ID, {@code customer_id}, or {@code mpid}), and only in email-and-id workspaces:
 *       addressed by email, the email is the identifier; in an ID-only workspace two people may
 *       share one.
 * </ul>
 */
public final class EmailOwnership {

    static final int RELEASE_AFTER_DAYS = 30;
    static final long RELEASE_AFTER_MS = RELEASE_AFTER_DAYS * 24L * 60 * 60 * 1000;

    private EmailOwnership() {}

    /** The claim a batch makes on its email, or null when it makes none. */
    public static EmailClaim claimOf(MParticleBatch batch, MappingSettings settings) {
        if (!settings.guardSharedEmails()
                || batch.email == null
                || batch.erasure != null
                || !settings.workspaceIdentifiers().emailIsIdentifier()
                || !EmailAddresses.isPlausible(batch.email)) {
            return null;
        }
        String id =
                switch (settings.userIdType()) {
                    case PREFER_CUSTOMER_ID, CUSTOMER_ID -> batch.customerId;
                    case MPID -> batch.hasMpid ? batch.mpidText() : null;
                    case EMAIL -> null;
                };
        if (id == null) {
            return null;
        }
        EmailClaim c = new EmailClaim();
        c.email = batch.email.trim().toLowerCase(Locale.ROOT);
        c.id = id;
        c.userKey = batch.userKey;
        c.mpid = batch.mpidText();
        c.timeMs = batch.timestampMs;
        c.sourceTopic = batch.sourceTopic;
        c.sourcePartition = batch.sourcePartition;
        c.sourceOffset = batch.sourceOffset;
        return c;
    }

    /**
     * Applies one claim to the email {@code owner} describes (null: nobody's yet), adding to {@code
     * verdicts} what the claiming user must hear.
     *
     * @return the record to store (possibly {@code owner} changed in place)
     */
    public static EmailOwner apply(
            EmailOwner owner, EmailClaim claim, List<EmailVerdict> verdicts) {
        if (owner == null || owner.ownerId == null) {
            EmailOwner next = new EmailOwner();
            next.ownerId = claim.id;
            next.lastSeenMs = claim.timeMs;
            verdicts.add(verdict(claim, false));
            return next;
        }
        if (owner.ownerId.equals(claim.id)) {
            owner.lastSeenMs = Math.max(owner.lastSeenMs, claim.timeMs);
            verdicts.add(verdict(claim, false));
            return owner;
        }
        if (claim.timeMs - owner.lastSeenMs >= RELEASE_AFTER_MS) {
            owner.ownerId = claim.id;
            owner.lastSeenMs = claim.timeMs;
            verdicts.add(verdict(claim, false));
            return owner;
        }
        verdicts.add(verdict(claim, true));
        return owner;
    }

    private static EmailVerdict verdict(EmailClaim claim, boolean ofAnotherCustomer) {
        EmailVerdict v = new EmailVerdict();
        v.userKey = claim.userKey;
        v.email = claim.email;
        v.ofAnotherCustomer = ofAnotherCustomer;
        v.mpid = claim.mpid;
        v.timeMs = claim.timeMs;
        v.sourceTopic = claim.sourceTopic;
        v.sourcePartition = claim.sourcePartition;
        v.sourceOffset = claim.sourceOffset;
        return v;
    }
}
