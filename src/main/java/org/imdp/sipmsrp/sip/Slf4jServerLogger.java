package org.imdp.sipmsrp.sip;

import java.util.Properties;

import javax.sip.SipStack;

import gov.nist.core.ServerLogger;
import gov.nist.javax.sip.message.SIPMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Message trace of the NIST stack to SLF4J (category {@code org.imdp.sipmsrp.sip.trace}). Only the first line
 * and the Call-ID are logged: message bodies carry user content and stay out of logs.
 */
public class Slf4jServerLogger implements ServerLogger {

    private static final Logger LOG = LoggerFactory.getLogger("org.imdp.sipmsrp.sip.trace");

    @Override
    public void closeLogFile() {
        // nothing is opened
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, boolean sender, long time) {
        logMessage(message, from, to, null, sender, time);
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, String status, boolean sender, long time) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} {} -> {} [{}] Call-ID {}", sender ? "sent" : "received", from, to,
                    message.getFirstLine().trim(), message.getCallId() == null ? "-" : message.getCallId().getCallId());
        }
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, String status, boolean sender) {
        logMessage(message, from, to, status, sender, System.currentTimeMillis());
    }

    @Override
    public void logException(Exception ex) {
        LOG.warn("SIP stack exception", ex);
    }

    @Override
    public void setStackProperties(Properties stackProperties) {
        // nothing to read: SLF4J is configured by the application
    }

    @Override
    public void setSipStack(SipStack sipStack) {
        // not needed: every line carries its own addresses
    }
}
