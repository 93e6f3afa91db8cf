package org.imdp.sipmsrp;

import java.util.Locale;

import javax.sip.message.Request;

/** What a {@code sipmsrp:kind} endpoint does. */
public enum SipMsrpKind {
    /** Consumer: incoming SIP MESSAGE requests (RFC 3428). Producer: sends one out-of-dialog MESSAGE. */
    MESSAGE(Request.MESSAGE),
    /** Consumer: incoming SIP REGISTER requests (the client, or a third-party registration). */
    REGISTER(Request.REGISTER),
    /**
     * Producer: pushes stored messages in one INVITE/MSRP session; the dialog stays up until {@link #BYE} (or the
     * exchange completes).
     */
    PUSH(null),
    /** Producer: ends the push session of the exchange's Call-ID with a BYE (without waiting for its answer). */
    BYE(null);

    private final String sipMethod;

    SipMsrpKind(String sipMethod) {
        this.sipMethod = sipMethod;
    }

    /** The SIP method a consumer of this kind takes, {@code null} for the producer. */
    public String sipMethod() {
        return sipMethod;
    }

    public static SipMsrpKind fromUri(String value) {
        for (SipMsrpKind k : values()) {
            if (k.name().equalsIgnoreCase(value)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown sipmsrp kind '" + value + "', expected message, register, push or bye");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
