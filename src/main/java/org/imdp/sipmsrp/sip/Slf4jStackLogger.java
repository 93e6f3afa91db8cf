package org.imdp.sipmsrp.sip;

import java.util.Properties;

import gov.nist.core.StackLogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the NIST stack's internal log to SLF4J (category {@code gov.nist.javax.sip}). Instantiated by the stack
 * by class name, see {@link SipStackProperties#STACK_LOGGER}.
 */
public class Slf4jStackLogger implements StackLogger {

    private static final Logger LOG = LoggerFactory.getLogger("gov.nist.javax.sip");

    @Override
    public void logStackTrace() {
        logStackTrace(TRACE_DEBUG);
    }

    @Override
    public void logStackTrace(int traceLevel) {
        if (isLoggingEnabled(traceLevel)) {
            LOG.debug("stack trace requested by the SIP stack", new Throwable("stack trace"));
        }
    }

    @Override
    public int getLineCount() {
        return 0;
    }

    @Override
    public void logException(Throwable ex) {
        LOG.warn("SIP stack exception", ex);
    }

    @Override
    public void logDebug(String message) {
        LOG.debug(message);
    }

    @Override
    public void logDebug(String message, Exception ex) {
        LOG.debug(message, ex);
    }

    @Override
    public void logTrace(String message) {
        LOG.trace(message);
    }

    @Override
    public void logFatalError(String message) {
        LOG.error(message);
    }

    @Override
    public void logError(String message) {
        LOG.error(message);
    }

    @Override
    public void logError(String message, Exception ex) {
        LOG.error(message, ex);
    }

    @Override
    public boolean isLoggingEnabled() {
        return LOG.isInfoEnabled();
    }

    @Override
    public boolean isLoggingEnabled(int logLevel) {
        if (logLevel >= TRACE_TRACE) {
            return LOG.isTraceEnabled();
        } else if (logLevel >= TRACE_DEBUG) {
            return LOG.isDebugEnabled();
        } else if (logLevel >= TRACE_INFO) {
            return LOG.isInfoEnabled();
        } else if (logLevel >= TRACE_WARN) {
            return LOG.isWarnEnabled();
        }
        return logLevel > TRACE_NONE && LOG.isErrorEnabled();
    }

    @Override
    public void logWarning(String message) {
        LOG.warn(message);
    }

    @Override
    public void logInfo(String message) {
        LOG.info(message);
    }

    @Override
    public void disableLogging() {
        // levels are SLF4J's business
    }

    @Override
    public void enableLogging() {
        // levels are SLF4J's business
    }

    @Override
    public void setBuildTimeStamp(String buildTimeStamp) {
        LOG.debug("JAIN-SIP RI build {}", buildTimeStamp);
    }

    @Override
    public void setStackProperties(Properties stackProperties) {
        // nothing to read: SLF4J is configured by the application
    }

    @Override
    public String getLoggerName() {
        return LOG.getName();
    }
}
