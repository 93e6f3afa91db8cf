package org.imdp.ch1;

/**
 * The Charging Enabler rejected the record for good (a 5xxx Result-Code, RFC 6733 §7.1.5), or the
 * record cannot be built from the event: sending it again would fail the same way. The event belongs
 * in the dead-letter queue for an operator.
 */
public class Ch1PermanentException extends Exception {

    private static final long serialVersionUID = 1L;

    private final Long resultCode;

    public Ch1PermanentException(String message, Long resultCode) {
        super(message);
        this.resultCode = resultCode;
    }

    /** The Result-Code of the answer, or null when the record was refused before sending. */
    public Long getResultCode() {
        return resultCode;
    }
}
