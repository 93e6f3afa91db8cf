package org.imdp.test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/**
 * The lines one logger writes at INFO or above, as "LEVEL message", captured by a Log4j appender on the root logger
 * from {@link #capture} until {@link #close}: for tests of what an operator sees in the log.
 */
public final class LogLines implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final AbstractAppender appender;

    private LogLines(Class<?> logger) {
        appender = new AbstractAppender("log-lines-" + logger.getSimpleName(), null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                if (event.getLoggerName().equals(logger.getName()) && event.getLevel().isMoreSpecificThan(Level.INFO)) {
                    lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
                }
            }
        };
    }

    /** Starts capturing what {@code logger} (a class's logger) writes at INFO or above. */
    public static LogLines capture(Class<?> logger) {
        LogLines capture = new LogLines(logger);
        capture.appender.start();
        LoggerContext loggers = LoggerContext.getContext(false);
        loggers.getConfiguration().addAppender(capture.appender);
        loggers.getConfiguration().getRootLogger().addAppender(capture.appender, null, null);
        loggers.updateLoggers();
        return capture;
    }

    /** The lines so far, in order, as "WARN text". */
    public List<String> lines() {
        return lines;
    }

    @Override
    public void close() {
        LoggerContext loggers = LoggerContext.getContext(false);
        loggers.getConfiguration().getRootLogger().removeAppender(appender.getName());
        loggers.updateLoggers();
        appender.stop();
    }
}
