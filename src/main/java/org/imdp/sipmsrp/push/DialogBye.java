package org.imdp.sipmsrp.push;

import java.text.ParseException;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.ResponseEvent;
import javax.sip.SipException;
import javax.sip.header.AuthorizationHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.imdp.sipmsrp.sip.SipAgent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Steps 5 and 8: our BYE, sent once, and its 200 OK, which nothing waits for (it is counted, and takes the session's
 * handler away). A BYE challenged by the client's side goes once more with our credentials.
 */
final class DialogBye {

    private static final Logger LOG = LoggerFactory.getLogger(DialogBye.class);

    private final SipAgent agent;
    private final InviteFollowUp followUp;
    private final PushCounters counters;
    private final String callId;
    private final String recipient;
    /** Our BYE was asked for (sent, or found unsendable): it is sent once. */
    private final AtomicBoolean asked = new AtomicBoolean();

    DialogBye(SipAgent agent, InviteFollowUp followUp, PushCounters counters, String callId, String recipient) {
        this.agent = agent;
        this.followUp = followUp;
        this.counters = counters;
        this.callId = callId;
        this.recipient = recipient;
    }

    /**
     * Step 5: the BYE in {@code dialog}, unless it was asked for already.
     *
     * @return when it was handed to the transport, or {@code null} when none was sent now
     */
    Instant send(Dialog dialog) {
        if (!asked.compareAndSet(false, true)) {
            return null;
        }
        try {
            Request bye = dialog.createRequest(Request.BYE);
            ClientTransaction transaction = agent.provider().getNewClientTransaction(bye);
            // the moment it is handed over: sendRequest may return after the client already has it
            Instant sentAt = Instant.now();
            dialog.sendRequest(transaction);
            return sentAt;
        } catch (SipException | RuntimeException e) {
            LOG.warn("BYE {} to {} could not be sent: {}", callId, recipient, e.getMessage());
            return null;
        }
    }

    /** Step 8: a final response to our BYE (a challenge is answered once more), on a stack thread. */
    void onFinalResponse(ResponseEvent event, Dialog dialog) {
        int code = event.getResponse().getStatusCode();
        if ((code == Response.UNAUTHORIZED || code == Response.PROXY_AUTHENTICATION_REQUIRED)
            && againWithCredentials(event, dialog)) {
            return;
        }
        LOG.debug("BYE {} answered {} (step 8: counted, never waited for)", callId, code);
        counters.byeAnswered();
        agent.removeDialogHandler(callId);
    }

    /** Step 8 never came. */
    void onTimeout() {
        LOG.info("BYE {} to {} was not answered", callId, recipient);
        counters.byeTimedOut();
        agent.removeDialogHandler(callId);
    }

    /**
     * A BYE challenged by the client's side is sent once more with our credentials (a new transaction, next CSeq).
     * The session was settled before the first BYE went out; this only ends the dialog properly.
     */
    private boolean againWithCredentials(ResponseEvent event, Dialog dialog) {
        try {
            Request bye = dialog.createRequest(Request.BYE);
            Optional<AuthorizationHeader> credentials = followUp.answerInDialog(event.getResponse(),
                    event.getClientTransaction().getRequest(), bye, agent.headerFactory());
            if (credentials.isEmpty()) {
                return false;
            }
            bye.addHeader(credentials.get());
            dialog.sendRequest(agent.provider().getNewClientTransaction(bye));
            LOG.debug("BYE {} challenged {}: sent again with credentials", callId, event.getResponse().getStatusCode());
            return true;
        } catch (SipException | ParseException e) {
            LOG.warn("BYE {} to {} could not be sent again with credentials: {}", callId, recipient, e.getMessage());
            return false;
        }
    }
}
