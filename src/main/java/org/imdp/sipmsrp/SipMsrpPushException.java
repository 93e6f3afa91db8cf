package org.imdp.sipmsrp;

import org.apache.camel.CamelException;

/**
 * A push session failed at the SIP level: the INVITE was rejected (status code and reason of the final response),
 * not answered in time (408), or answered without a usable MSRP media line (488).
 */
public class SipMsrpPushException extends CamelException {

    private static final long serialVersionUID = 1L;

    private final int statusCode;
    private final String reason;

    public SipMsrpPushException(String recipient, int statusCode, String reason) {
        super("INVITE to " + recipient + " rejected: " + statusCode + " " + reason);
        this.statusCode = statusCode;
        this.reason = reason;
    }

    /** SIP status code: the final response's, 408 on timeout, 488 when the answer has no MSRP. */
    public int getStatusCode() {
        return statusCode;
    }

    public String getReason() {
        return reason;
    }
}
