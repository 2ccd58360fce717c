package dev.cioforwarder.job;

import dev.cioforwarder.mapping.EmailClaim;
import org.apache.flink.api.java.functions.KeySelector;

/** Keys email claims by email, for the email index. */
public class EmailClaimKeySelector implements KeySelector<EmailClaim, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(EmailClaim claim) {
        return claim.email;
    }
}
