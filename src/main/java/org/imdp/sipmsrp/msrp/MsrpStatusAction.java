package org.imdp.sipmsrp.msrp;

import org.imdp.sipmsrp.msrp.codec.MsrpResponse;

/**
 * What a push does with the final status of a message's SEND (RFC 4975 §7.1.1, §10): the one place where an MSRP
 * response code is turned into a decision. A code we do not know is treated as the x00 code of its class
 * (RFC 4975 §10, Response Codes; 200 is the success response to a SEND, §10.1), so an unknown 4xx is a 400 and any
 * 2xx a 200: it acknowledges the chunk and, as the final status of a message, delivers it ({@link #acknowledges}),
 * everywhere a status is read (each chunk's answer, a REPORT, the outcome that decides what leaves the store).
 */
public enum MsrpStatusAction {

    /** 200: the message arrived; it leaves the store and is charged. */
    DELIVERED,
    /**
     * 413 (the receiver wants this message stopped: no further chunk of it, §10.5) and 415 (its media type is not
     * understood, §10.6): the client refused this message for good. It leaves the store for the refused queue and
     * the session continues with the next message.
     */
    REFUSED,
    /**
     * 400 (we sent something unintelligible: our fault), 403 (not allowed), 408 (no answer in time, also the local
     * transaction timeout), 423, 501 (method not understood), 481 (the session does not exist) and 506 (it is bound
     * to another connection), and any other failure: the session ends, this message and the rest stay stored for
     * the next push.
     */
    STOP_SESSION;

    /** The action for a final MSRP status code. */
    public static MsrpStatusAction of(int status) {
        return switch (status) {
            case MsrpResponse.OK -> DELIVERED;
            case MsrpResponse.STOP_SENDING, MsrpResponse.UNSUPPORTED_MEDIA_TYPE -> REFUSED;
            case MsrpResponse.BAD_REQUEST, MsrpResponse.FORBIDDEN, MsrpResponse.REQUEST_TIMEOUT,
                    MsrpResponse.OUT_OF_BOUNDS, MsrpResponse.NO_SUCH_SESSION, MsrpResponse.UNKNOWN_METHOD,
                    MsrpResponse.WRONG_CONNECTION -> STOP_SESSION;
            // an unknown code counts as the x00 of its class; there is no 1xx or 3xx in MSRP
            default -> status / 100 == 2 ? DELIVERED : STOP_SESSION;
        };
    }

    /**
     * Whether a status acknowledges a chunk or a message: 200 and every other 2xx (as 200, RFC 4975 §10). Whatever
     * reads a status as "delivered" asks this, so that a message the session counts as delivered is also one that
     * leaves the store.
     */
    public static boolean acknowledges(int status) {
        return of(status) == DELIVERED;
    }

    /** The standard reason phrase of a code, for logs and the refused queue (RFC 4975 §10, IANA registry). */
    public static String reasonPhrase(int status) {
        return switch (status) {
            case MsrpResponse.OK -> "OK";
            case MsrpResponse.BAD_REQUEST -> "Bad request";
            case MsrpResponse.FORBIDDEN -> "Not allowed";
            case MsrpResponse.REQUEST_TIMEOUT -> "Transaction timeout";
            case MsrpResponse.STOP_SENDING -> "Stop sending message";
            case MsrpResponse.UNSUPPORTED_MEDIA_TYPE -> "Unsupported media type";
            case MsrpResponse.OUT_OF_BOUNDS -> "Parameter out of bounds";
            case MsrpResponse.NO_SUCH_SESSION -> "Session does not exist";
            case MsrpResponse.UNKNOWN_METHOD -> "Method not understood";
            case MsrpResponse.WRONG_CONNECTION -> "Session bound to another connection";
            default -> "Status " + status;
        };
    }
}
