package org.imdp.sipmsrp.msrp.codec;

import java.util.Objects;

/**
 * An MSRP response (RFC 4975 §7.2): {@code MSRP tid code [comment]}, To-Path, From-Path and the end-line.
 * Responses never carry a body, so this frame holds no buffer and needs no release.
 */
public final class MsrpResponse extends MsrpFrame {

    public static final int OK = 200;
    public static final int BAD_REQUEST = 400;
    public static final int FORBIDDEN = 403;
    public static final int REQUEST_TIMEOUT = 408;
    public static final int STOP_SENDING = 413;
    public static final int UNSUPPORTED_MEDIA_TYPE = 415;
    public static final int OUT_OF_BOUNDS = 423;
    public static final int NO_SUCH_SESSION = 481;
    public static final int UNKNOWN_METHOD = 501;
    public static final int WRONG_CONNECTION = 506;

    private final int status;
    private final String comment;

    /**
     * @param status  three-digit status code
     * @param comment the optional comment after the code, or {@code null}
     */
    public MsrpResponse(String transactionId, int status, String comment) {
        super(Objects.requireNonNull(transactionId, "transactionId"), MsrpEndFlag.COMPLETE);
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("MSRP status must have three digits: " + status);
        }
        this.status = status;
        this.comment = comment;
    }

    public int status() {
        return status;
    }

    /** @return the comment, or {@code null} when the start line has none */
    public String comment() {
        return comment;
    }

    @Override
    public MsrpResponse addHeader(String name, String value) {
        super.addHeader(name, value);
        return this;
    }

    @Override
    protected String startLineSuffix() {
        return comment == null ? Integer.toString(status) : status + " " + comment;
    }
}
