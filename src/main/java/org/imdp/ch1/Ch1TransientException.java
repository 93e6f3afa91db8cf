package org.imdp.ch1;

/**
 * The charging record did not reach a final answer but may succeed later: no open peer, no answer
 * in time, a 1xxx/3xxx/4xxx Result-Code, or an answer that cannot be read. The event must stay queued
 * and be retried.
 */
public class Ch1TransientException extends Exception {

    private static final long serialVersionUID = 1L;

    private final Long resultCode;

    public Ch1TransientException(String message) {
        this(message, (Long) null);
    }

    public Ch1TransientException(String message, Long resultCode) {
        super(message);
        this.resultCode = resultCode;
    }

    /** An answer that could not be read: no Result-Code is known. */
    public Ch1TransientException(String message, Throwable cause) {
        super(message, cause);
        this.resultCode = null;
    }

    /** The Result-Code of the answer, or null when there was no answer or it could not be read. */
    public Long getResultCode() {
        return resultCode;
    }
}
