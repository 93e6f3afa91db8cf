package org.imdp.sipmsrp.msrp;

/** An MSRP session could not be set up or was lost (connect failure, timeout, peer closed, bad frame). */
public class MsrpException extends RuntimeException {

    public MsrpException(String message) {
        super(message);
    }

    public MsrpException(String message, Throwable cause) {
        super(message, cause);
    }
}
