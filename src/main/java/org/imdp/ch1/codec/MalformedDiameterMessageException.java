package org.imdp.ch1.codec;

/**
 * A message whose header was read but whose body is broken (a truncated or too short AVP). The
 * stream stays in sync because the frame was cut at the Message Length, so the connection may answer
 * it with an error instead of being reset.
 */
public class MalformedDiameterMessageException extends DiameterCodecException {

    private static final long serialVersionUID = 1L;

    private final transient DiameterMessage.Header header;

    public MalformedDiameterMessageException(DiameterMessage.Header header, String message) {
        super(message);
        this.header = header;
    }

    public DiameterMessage.Header header() {
        return header;
    }
}
