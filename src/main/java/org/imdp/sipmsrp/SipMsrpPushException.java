package org.imdp.sipmsrp;

import java.time.Duration;

import org.apache.camel.CamelException;

/**
 * A push session failed at the SIP level: the INVITE was rejected (status code and reason of the final response;
 * for a 3xx or 401/407 that was not followed, the reason says why, e.g. "credentials refused"), not answered in
 * time (408), or answered without a usable MSRP media line (488).
 */
public class SipMsrpPushException extends CamelException {

    private static final long serialVersionUID = 1L;

    private final int statusCode;
    private final String reason;
    private final Duration retryAfter;

    public SipMsrpPushException(String recipient, int statusCode, String reason) {
        this(recipient, statusCode, reason, null);
    }

    /** @param retryAfter the final response's Retry-After (RFC 3261 section 20.33), or {@code null} */
    public SipMsrpPushException(String recipient, int statusCode, String reason, Duration retryAfter) {
        super("INVITE to " + recipient + " rejected: " + statusCode + " " + reason
              + (retryAfter == null ? "" : " (Retry-After " + retryAfter.toSeconds() + " s)"));
        this.statusCode = statusCode;
        this.reason = reason;
        this.retryAfter = retryAfter;
    }

    /** When the client asked to be tried again (Retry-After), or {@code null}. */
    public Duration getRetryAfter() {
        return retryAfter;
    }

    /** SIP status code: the final response's, 408 on timeout, 488 when the answer has no MSRP. */
    public int getStatusCode() {
        return statusCode;
    }

    public String getReason() {
        return reason;
    }
}
