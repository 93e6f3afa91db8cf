package org.imdp.ch1;

/**
 * The charging record did not reach a final answer but may succeed later: no open peer, no answer
 * in time, or a 1xxx/3xxx/4xxx Result-Code. The event must stay queued and be retried.
 */
public class Ch1TransientException extends Exception {

    private static final long serialVersionUID = 1L;

    private final Long resultCode;

    public Ch1TransientException(String message) {
        this(message, null);
    }

    public Ch1TransientException(String message, Long resultCode) {
        super(message);
        this.resultCode = resultCode;
    }

    /** The Result-Code of the answer, or null when there was no answer. */
    public Long getResultCode() {
        return resultCode;
    }
}
