package org.imdp.ch1.codec;

/** A Diameter message or AVP that cannot be decoded or encoded. */
public class DiameterCodecException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DiameterCodecException(String message) {
        super(message);
    }

    public DiameterCodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
