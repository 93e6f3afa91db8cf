package org.imdp.sipmsrp.sip;

/** A SIP/TCP stream broke a limit of {@link SipStreamFramer} or cannot be framed: its connection is closed. */
public final class SipStreamLimitException extends Exception {

    private static final long serialVersionUID = 1L;

    public SipStreamLimitException(String message) {
        super(message);
    }
}
