package org.imdp.sipmsrp.sip;

import java.text.ParseException;

import javax.sip.SipStack;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.StringMsgParser;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RI's own parser, plus one WARN line per message it rejects. The stack drops malformed messages (after an
 * automatic 400 when it can make one) but says so only at debug level and with the whole message text; this
 * names the problem without the content. Set with {@link SipStackProperties#MESSAGE_PARSER_FACTORY}.
 */
public class LoggingMessageParserFactory implements MessageParserFactory {

    private static final Logger LOG = LoggerFactory.getLogger(LoggingMessageParserFactory.class);
    /** Longest part of the parser's complaint that is logged (it quotes the offending line). */
    private static final int MAX_DETAIL = 120;

    @Override
    public MessageParser createMessageParser(SIPTransactionStack stack) {
        StringMsgParser parser = new StringMsgParser();
        String stackName = stack instanceof SipStack named ? named.getStackName() : "";
        return (byte[] message, boolean readBody, boolean strict, ParseExceptionListener listener) -> {
            try {
                SIPMessage parsed = parser.parseSIPMessage(message, readBody, strict, listener);
                if (parsed == null && message != null && message.length > 0) {
                    LOG.warn("SIP stack {} dropped {} octets that are not a SIP message", stackName,
                            message.length);
                }
                return parsed;
            } catch (ParseException e) {
                LOG.warn("SIP stack {} rejected a malformed message ({} octets): {}", stackName,
                        message == null ? 0 : message.length, printable(e.getMessage()));
                throw e;
            }
        };
    }

    private static String printable(String detail) {
        if (detail == null) {
            return "";
        }
        String cut = detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) + "..." : detail;
        StringBuilder sb = new StringBuilder(cut.length());
        cut.codePoints().forEach(c -> sb.append(c >= 0x20 && c < 0x7f ? Character.toString(c) : "?"));
        return sb.toString();
    }
}
