package org.imdp.sipmsrp.sip;

import javax.sip.Dialog;
import javax.sip.ResponseEvent;
import javax.sip.TimeoutEvent;
import javax.sip.message.Request;

/**
 * One UAC session (a push), keyed by its Call-ID in {@link SipAgent}. Called on SIP stack threads: must not
 * block.
 */
public interface SipDialogHandler {

    /** A response to one of the session's requests (including retransmitted 2xx to the INVITE). */
    void onResponse(ResponseEvent event);

    /** A client transaction of the session timed out (Timer B/F). */
    void onTimeout(TimeoutEvent event);

    /** The client sent BYE; it has already been answered 200. */
    void onClientBye(Request bye);

    /**
     * The stack ended a dialog of this Call-ID; returns whether the session is over with it (a session that
     * re-sent its INVITE after a challenge or redirect outlives the dialog of the first one). By default it is.
     */
    default boolean onDialogTerminated(Dialog dialog) {
        return true;
    }
}
