package org.imdp.sipmsrp;

import org.apache.camel.CamelException;

/**
 * An out-of-dialog request sent by {@code sipmsrp:message} got a final response other than 2xx (its status and
 * reason), no final response in time (408), or could not be sent at all (503, RFC 3261 section 8.1.3.1).
 */
public class SipMsrpRequestException extends CamelException {

    private static final long serialVersionUID = 1L;

    private final int statusCode;
    private final String reason;

    public SipMsrpRequestException(String method, String target, int statusCode, String reason) {
        super(method + " to " + target + " failed: " + statusCode + " " + reason);
        this.statusCode = statusCode;
        this.reason = reason;
    }

    /** SIP status code: the final response's, 408 on timeout, 503 when it could not be sent. */
    public int getStatusCode() {
        return statusCode;
    }

    public String getReason() {
        return reason;
    }

    /**
     * Whether trying again later may succeed: 408 (no answer) and 5xx (the network or the server failed); a 4xx or
     * 6xx is the destination's decision.
     */
    public boolean isTransient() {
        return statusCode == 408 || (statusCode >= 500 && statusCode < 600);
    }
}
