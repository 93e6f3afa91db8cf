package org.imdp.sipmsrp.msrp;

/**
 * Outcome of one message sent in an MSRP session.
 *
 * @param status    final MSRP status code: 2xx acknowledged ({@link MsrpStatusAction#acknowledges}), 408 timed out
 *                  locally, else the peer's code
 * @param comment   the response comment, or a local explanation
 * @param bytesSent body octets written to the wire
 */
public record MsrpSendResult(int status, String comment, long bytesSent) {

    public boolean acknowledged() {
        return MsrpStatusAction.acknowledges(status);
    }
}
