package org.imdp.sipmsrp.sip;

import javax.sip.ServerTransaction;
import javax.sip.message.Request;

/** Takes the out-of-dialog requests of one method (a consumer). Called on a SIP stack thread: must not block. */
public interface SipRequestHandler {

    /** @param transaction the server transaction the final response must be sent on */
    void handle(Request request, ServerTransaction transaction);
}
