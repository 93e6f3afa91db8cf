package org.imdp.ch1.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails the test class when Netty's leak detector (PARANOID, set by surefire/failsafe) reports a
 * leaked buffer, as camel-netty's BaseNettyTest does. Leaks are found when buffers are garbage
 * collected, so the check collects garbage and allocates to make the detector report.
 */
public final class NettyLeakCheck implements BeforeAllCallback, AfterAllCallback {

    private static final String DETECTOR_LOGGER = ResourceLeakDetector.class.getName();

    private final List<String> leaks = new CopyOnWriteArrayList<>();
    private AbstractAppender appender;

    @Override
    public void beforeAll(ExtensionContext context) {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        appender = new AbstractAppender("netty-leaks", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                if (DETECTOR_LOGGER.equals(event.getLoggerName()) && event.getMessage().getFormattedMessage().contains("LEAK")) {
                    leaks.add(event.getMessage().getFormattedMessage());
                }
            }
        };
        appender.start();
        LoggerContext logging = (LoggerContext) LogManager.getContext(false);
        logging.getConfiguration().getRootLogger().addAppender(appender, null, null);
        logging.updateLoggers();
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
            // the detector reports collected leaks when the next buffer is tracked
            ByteBuf probe = PooledByteBufAllocator.DEFAULT.buffer(16);
            probe.release();
        }
        LoggerContext logging = (LoggerContext) LogManager.getContext(false);
        LoggerConfig root = logging.getConfiguration().getRootLogger();
        root.removeAppender(appender.getName());
        logging.updateLoggers();
        appender.stop();
        if (!leaks.isEmpty()) {
            throw new AssertionError("Netty buffers leaked: " + leaks);
        }
    }
}
